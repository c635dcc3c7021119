package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestDueDeliveriesPlanSQLite: a sender's read searches first attempts and
// retries each through its own partial index, so retries scheduled for
// later are never stepped over (migration 00012), and scans no table.
func TestDueDeliveriesPlanSQLite(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{SQLitePath: filepath.Join(t.TempDir(), "plan.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plan := sqlitePlan(t, s, dueSQL[SQLite], "org", "endpoint", 0, 50, "[]")
	all := strings.Join(plan, "\n")
	for _, index := range []string{"webhook_deliveries_new", "webhook_deliveries_retry"} {
		if !strings.Contains(all, "USING INDEX "+index) {
			t.Errorf("the read doesn't search %s:\n%s", index, all)
		}
	}
	for _, step := range plan {
		if strings.HasPrefix(step, "SCAN webhook_deliveries") {
			t.Errorf("the read scans the deliveries: %q\nplan:\n%s", step, all)
		}
	}
}
