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
// on its statistics, so it is not pinned by a test.) The one SCAN is of
// the agent's pinned numbers, the UNION's own result.
func TestAgentDetailPlanSQLite(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{SQLitePath: filepath.Join(t.TempDir(), "plan.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+agentDetailSQL[SQLite], "org", "agent")
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
	searches := 0
	for _, step := range plan {
		switch {
		case strings.HasPrefix(step, "SCAN ") && step != "SCAN pinned":
			t.Errorf("the detail scans a table: %q\nplan:\n%s", step, strings.Join(plan, "\n"))
		case strings.HasPrefix(step, "SEARCH "):
			searches++
		}
	}
	// agents, versions, 2 × (versions, slot index), numbers, 2 × slot
	// versions, widgets, sip, counters, newest conversation.
	if searches != 13 {
		t.Errorf("%d index searches, want 13:\n%s", searches, strings.Join(plan, "\n"))
	}
}
