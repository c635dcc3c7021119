package app_test

import (
	"database/sql"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to inspect goose's table

	"github.com/agentplane/agentplane/client"
	"github.com/agentplane/agentplane/internal/dbtest"
)

// migrationVersions lists the versions of the PostgreSQL migration files.
func migrationVersions(t *testing.T) []int64 {
	t.Helper()
	entries, err := os.ReadDir("../store/migrations/postgres")
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			t.Fatalf("unexpected migration file %s", e.Name())
		}
		out = append(out, v)
	}
	return out
}

func TestTwoNodesShareOnePostgres(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dbURL := dbtest.NewPostgresDB(t) // skips without PostgreSQL, fails under AGENTPLANE_REQUIRE_POSTGRES=1

	// Both Main calls are released by one close, so both nodes migrate and
	// look for the default organization at the same moment.
	gate := make(chan struct{})
	args := func() []string {
		return []string{"--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--database-url", dbURL}
	}
	a := launch(t, gate, nil, args()...)
	b := launch(t, gate, nil, args()...)
	close(gate)
	a.wait(t)
	b.wait(t)

	outA, outB := a.Stdout.String(), b.Stdout.String()
	key := defaultKey(t, outA+outB)
	if strings.Contains(outA, key) == strings.Contains(outB, key) {
		t.Errorf("want exactly one node to print the default key:\nA: %s\nB: %s", outA, outB)
	}

	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT version_id, COUNT(*) FROM goose_db_version GROUP BY version_id ORDER BY version_id`)
	if err != nil {
		t.Fatal(err)
	}
	var applied []int64
	for rows.Next() {
		var v, n int64
		if err := rows.Scan(&v, &n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("goose_db_version has %d rows for version %d, want 1", n, v)
		}
		if v != 0 { // goose's own initial row
			applied = append(applied, v)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := migrationVersions(t); !slices.Equal(applied, want) {
		t.Errorf("applied migrations %v, want %v", applied, want)
	}

	ca := newClient(t, a, client.WithToken(key))
	cb := newClient(t, b, client.WithToken(key))
	for _, c := range []*client.Client{ca, cb} {
		if err := c.Readyz(ctx); err != nil {
			t.Errorf("readyz: %v", err)
		}
	}
	fromA, err := ca.CreateAgent(ctx, client.AgentInput{Name: "made on A", Metadata: &map[string]any{"node": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	fromB, err := cb.CreateAgent(ctx, client.AgentInput{Name: "made on B"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := cb.GetAgent(ctx, fromA.Id); err != nil || got.Name != "made on A" || !sameJSON(got.Metadata, `{"node":"a"}`) {
		t.Errorf("B reads A's agent as %+v (err %v)", got, err)
	}
	if got, err := ca.GetAgent(ctx, fromB.Id); err != nil || got.Name != "made on B" {
		t.Errorf("A reads B's agent as %+v (err %v)", got, err)
	}

	// Nodes share the cursor key: a page started on A continues on B.
	first, err := ca.ListAgents(ctx, &client.ListAgentsParams{Limit: new(1)})
	if err != nil || len(first.Data) != 1 || first.Data[0].Id != fromB.Id || first.NextCursor == "" {
		t.Fatalf("A's first page = %+v (err %v), want B's agent and a cursor", first, err)
	}
	second, err := cb.ListAgents(ctx, &client.ListAgentsParams{Limit: new(1), Cursor: &first.NextCursor})
	if err != nil || len(second.Data) != 1 || second.Data[0].Id != fromA.Id || second.NextCursor != "" {
		t.Errorf("B's second page = %+v (err %v), want A's agent and the end", second, err)
	}

	if err := cb.DeleteAgent(ctx, fromA.Id); err != nil {
		t.Fatal(err)
	}
	_, err = ca.GetAgent(ctx, fromA.Id)
	wantStatus(t, "A reading an agent B deleted", err, 404, "not_found")
}
