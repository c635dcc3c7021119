package store

import (
	"encoding/json"
	"strings"
)

// Building JSON in SQL lets one statement return a row together with the
// rows that hang off it (the agent detail), instead of one statement per
// embed. The engines spell it differently; these dialect methods are the
// only place that knows how, so store methods write one SQL text.

// jsonKind says how a column becomes a member of a JSON object where the
// engines disagree about it.
type jsonKind int

const (
	// jsonScalar is text, a number or NULL: both engines render it alike
	// (numbers exactly: SQLite ≥ 3.43 and PostgreSQL ≥ 12 print the
	// shortest text that reads back as the same float64).
	jsonScalar jsonKind = iota
	// jsonBool is a NOT NULL boolean. SQLite stores 0/1 and json_object
	// would render those numbers; PostgreSQL's boolean renders true/false.
	jsonBool
	// jsonDoc is a column holding a JSON object or array (TEXT on SQLite,
	// TEXT or JSONB on PostgreSQL), embedded as JSON rather than as a
	// string. Read it back with docBytes.
	jsonDoc
)

// jsonField is one member of an object built in SQL: its key and the SQL
// expression of its value.
type jsonField struct {
	key, expr string
	kind      jsonKind
}

// jsonObject renders an expression building one JSON object of fields.
func (d *dialect) jsonObject(fields []jsonField) string {
	var b strings.Builder
	if d.engine == SQLite {
		b.WriteString("json_object(")
	} else {
		b.WriteString("json_build_object(")
	}
	for i, f := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("'" + f.key + "', " + d.jsonValue(f))
	}
	b.WriteString(")")
	return b.String()
}

// jsonValue renders the value of f as its engine needs it inside the
// object constructor.
func (d *dialect) jsonValue(f jsonField) string {
	switch {
	case f.kind == jsonBool && d.engine == SQLite:
		return "json(CASE WHEN " + f.expr + " THEN 'true' ELSE 'false' END)"
	case f.kind == jsonDoc && d.engine == SQLite:
		// A document SQLite can't parse (nested past its limit of 1,000,
		// stored before requests were capped at 64 levels) would fail the
		// whole statement in json(); it travels as a string instead, which
		// docBytes unwraps, so the row reads as it did column by column.
		return "CASE WHEN json_valid(" + f.expr + ") THEN json(" + f.expr + ") ELSE json_quote(" + f.expr + ") END"
	case f.kind == jsonDoc:
		return "(" + f.expr + ")::json"
	}
	return f.expr
}

// jsonArray renders a scalar sub-select aggregating the rows of from (the
// text after FROM: tables, joins and WHERE) into a JSON array of objects
// of fields, in the order of orderBy ("" for any order). No rows give []
// on both engines, never NULL.
func (d *dialect) jsonArray(fields []jsonField, from, orderBy string) string {
	agg := d.jsonObject(fields)
	if orderBy != "" {
		// An ORDER BY inside the aggregate (SQLite ≥ 3.44) orders the
		// elements; one on the sub-select would not be guaranteed to.
		agg += " ORDER BY " + orderBy
	}
	if d.engine == SQLite {
		return "(SELECT json_group_array(" + agg + ") FROM " + from + ")"
	}
	return "(SELECT coalesce(json_agg(" + agg + "), '[]'::json) FROM " + from + ")"
}

// docBytes returns the stored text of a jsonDoc member: the member itself,
// or, when SQLite sent an unparsable document as a string, the string's
// contents. Documents are objects or arrays, so a string is never one.
func docBytes(raw json.RawMessage) []byte {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return []byte(s)
		}
	}
	return raw
}
