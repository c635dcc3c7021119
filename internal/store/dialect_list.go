package store

import (
	"encoding/json"
	"fmt"
)

// inList renders "col is one of the strings of the JSON array bound to $n"
// (listParam encodes the array). The list travels as one parameter, not
// one placeholder per member, so a statement's text is the same whatever
// the list's length: one prepared statement serves every call, and no
// list can run into an engine's limit on placeholders.
//
// Both forms probe col's index once per member (checked with EXPLAIN on
// both engines). On PostgreSQL the array is built first (an InitPlan) and
// matched with = ANY: "col IN (SELECT jsonb_array_elements_text(…))"
// would be planned as a hash join against a sequential scan, because the
// planner guesses 100 members for any set-returning function and can't
// see the real count.
func (d *dialect) inList(col string, n int) string {
	if d.engine == Postgres {
		return fmt.Sprintf("%s = ANY (ARRAY(SELECT jsonb_array_elements_text($%d::jsonb)))", col, n)
	}
	return fmt.Sprintf("%s IN (SELECT value FROM json_each($%d))", col, n)
}

// listParam encodes list for a placeholder that inList rendered.
func listParam(list []string) string {
	if list == nil {
		return "[]" // not json.Marshal's null, which json_each reads as no rows only by accident
	}
	b, _ := json.Marshal(list) // a []string always marshals
	return string(b)
}
