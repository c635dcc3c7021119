package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestAgentDetailPlanSQLite: every table the detail reads is searched
// through an index on SQLite, so the read costs the same in an
// organization of ten agents or of a million. (PostgreSQL's plan depends
// on its statistics, so it is not pinned by a test.)
func TestAgentDetailPlanSQLite(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{SQLitePath: filepath.Join(t.TempDir(), "plan.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plan := sqlitePlan(t, s, agentDetailSQL[SQLite], "org", "agent")
	searches := 0
	for _, step := range plan {
		switch {
		case strings.HasPrefix(step, "SCAN "):
			t.Errorf("the detail scans a table: %q\nplan:\n%s", step, strings.Join(plan, "\n"))
		case strings.HasPrefix(step, "SEARCH "):
			searches++
		}
	}
	// agents, versions, the agent's versions for its numbers, the two slot
	// indexes, the two slots' versions, widgets, sip, counters, newest
	// conversation, revision.
	if searches != 12 {
		t.Errorf("%d index searches, want 12:\n%s", searches, strings.Join(plan, "\n"))
	}
}

// sqlitePlan is the steps of SQLite's EXPLAIN QUERY PLAN for query.
func sqlitePlan(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var (
			id, parent, unused int
			detail             string
		)
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}
