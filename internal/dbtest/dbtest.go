// Package dbtest gives tests real databases: a fresh SQLite file, or a fresh
// database on the PostgreSQL that AGENTPLANE_TEST_POSTGRES_URL names (make
// test starts a throwaway server and sets it). Nothing here fakes a database.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentplane/agentplane/internal/store"
)

// Engines lists the engines tests should run on: SQLite always, PostgreSQL
// when a server is available (see Postgres for what happens when not).
func Engines(t testing.TB) []store.Engine {
	if PostgresURL(t) == "" {
		return []store.Engine{store.SQLite}
	}
	return []store.Engine{store.SQLite, store.Postgres}
}

// PostgresURL returns the server URL, or "" when there is none. With
// AGENTPLANE_REQUIRE_POSTGRES=1 a missing server fails the test instead of
// skipping PostgreSQL, so CI can't pass on SQLite alone.
func PostgresURL(t testing.TB) string {
	u := os.Getenv("AGENTPLANE_TEST_POSTGRES_URL")
	if u == "" {
		if os.Getenv("AGENTPLANE_REQUIRE_POSTGRES") == "1" {
			t.Fatal("AGENTPLANE_REQUIRE_POSTGRES=1 but AGENTPLANE_TEST_POSTGRES_URL is empty: run tests through `make test`")
		}
		warnOnce()
	}
	return u
}

var warned atomic.Bool

func warnOnce() {
	if warned.CompareAndSwap(false, true) {
		fmt.Fprintln(os.Stderr, "\n*** dbtest: AGENTPLANE_TEST_POSTGRES_URL is not set: PostgreSQL tests are SKIPPED. Run `make test` to start a throwaway PostgreSQL. ***")
	}
}

var dbSeq atomic.Int64

// Options returns store options for a brand-new empty database on engine,
// dropped when the test ends.
func Options(t testing.TB, engine store.Engine) store.Options {
	t.Helper()
	if engine == store.SQLite {
		return store.Options{SQLitePath: filepath.Join(t.TempDir(), "test.db")}
	}
	return store.Options{DatabaseURL: NewPostgresDB(t)}
}

// NewPostgresDB creates an empty database on the test server and returns
// its URL; the database is dropped when the test ends.
func NewPostgresDB(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	if base == "" {
		t.Skip("no PostgreSQL (AGENTPLANE_TEST_POSTGRES_URL unset)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, dbSeq.Add(1))
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	return replaceDB(base, name)
}

// replaceDB swaps the database name in a postgres:// URL.
func replaceDB(u, name string) string {
	rest, query, _ := strings.Cut(u, "?")
	i := strings.LastIndex(rest, "/")
	if i < len("postgres://") {
		rest += "/"
		i = len(rest) - 1
	}
	out := rest[:i+1] + name
	if query != "" {
		out += "?" + query
	}
	return out
}

// Open opens and migrates a fresh store on engine, closed when the test ends.
func Open(t testing.TB, engine store.Engine) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), Options(t, engine))
	if err != nil {
		t.Fatalf("open %s store: %v", engine, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
