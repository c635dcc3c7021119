package storetest_test

import (
	"testing"

	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/store"
	"github.com/agentplane/agentplane/internal/store/storetest"
)

// TestSQLite runs the suite on a fresh SQLite file (WAL) per subtest.
func TestSQLite(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) *store.Store { return dbtest.Open(t, store.SQLite) })
}

// TestPostgres runs the suite on a fresh database per subtest on the test
// server. Without one it skips (loudly, once) — or fails when
// AGENTPLANE_REQUIRE_POSTGRES=1, so CI can't pass on SQLite alone.
func TestPostgres(t *testing.T) {
	t.Parallel()
	// Checked here so a missing server is one skip, not one per subtest.
	if dbtest.PostgresURL(t) == "" {
		t.Skip("no PostgreSQL: AGENTPLANE_TEST_POSTGRES_URL is unset (run through scripts/with-postgres or make test)")
	}
	storetest.Run(t, func(t *testing.T) *store.Store { return dbtest.Open(t, store.Postgres) })
}
