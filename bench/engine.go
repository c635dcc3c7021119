package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The database engines a run measures (BENCH_ENGINES). Every server of an
// engine's pass, and the baseline it is compared with, use that engine.
const (
	engSQLite   = "sqlite"
	engPostgres = "postgres"
)

// engine is one pass of the bench: SQLite files in the servers' data dirs,
// or one fresh database per server on a PostgreSQL server.
type engine struct {
	name string
	pg   *pgServer // engPostgres only
}

// database is where one server keeps its state.
type database struct {
	eng     *engine
	dataDir string // the server's --data-dir (SQLite: holds the file)
	url     string // PostgreSQL: the server's --database-url
}

// newDatabase makes an empty database for the server called name: a data
// dir under tmp and, on PostgreSQL, a database created for it.
func (e *engine) newDatabase(ctx context.Context, tmp, name string) (database, error) {
	d := database{eng: e, dataDir: filepath.Join(tmp, e.name+"-"+name)}
	if e.pg == nil {
		return d, nil
	}
	var err error
	d.url, err = e.pg.createDatabase(ctx, name)
	return d, err
}

// serveArgs point `agentplane serve` at the database. The data dir is set
// on PostgreSQL too, so nothing lands in the caller's ./data.
func (d database) serveArgs() []string {
	args := []string{"--data-dir", d.dataDir}
	if d.url != "" {
		args = append(args, "--database-url", d.url)
	}
	return args
}

// defaultOrg reads the id of the organization the server's first start
// created.
func (d database) defaultOrg(ctx context.Context) (string, error) {
	if d.url != "" {
		return pgDefaultOrg(ctx, d.url)
	}
	return defaultOrg(ctx, dbPath(d.dataDir))
}

// seed writes n agents of org into the database of a stopped server.
func (d database) seed(ctx context.Context, org string, n int) (seedSet, error) {
	if d.url != "" {
		return pgSeedAgents(ctx, d.url, org, n)
	}
	return seedAgents(ctx, dbPath(d.dataDir), org, n)
}

// String names the database in the log.
func (d database) String() string {
	if d.url != "" {
		return redactURL(d.url)
	}
	return dbPath(d.dataDir)
}

// baselineArgs are the `bench baseline` flags that open the database the
// way the server does (internal/store/store.go, Connect): the same
// driver, DSN and pool size.
func (d database) baselineArgs() []string {
	if d.url != "" {
		return []string{"-driver", "pgx", "-dsn", d.url, "-pool", "20"}
	}
	return []string{"-driver", "sqlite", "-dsn", serverDSN(dbPath(d.dataDir)), "-pool", "8"}
}

// pickEngines reads BENCH_ENGINES (default both) and connects to the
// PostgreSQL server: BENCH_POSTGRES_URL, else the throwaway server
// scripts/with-postgres started (AGENTPLANE_TEST_POSTGRES_URL). Without
// either, a default run skips PostgreSQL with a note (returned) and a run
// that asked for it fails.
func pickEngines(ctx context.Context) (engines []*engine, note string, err error) {
	names, asked := []string{engSQLite, engPostgres}, false
	if v := os.Getenv("BENCH_ENGINES"); strings.TrimSpace(v) != "" {
		names, asked = nil, true
		for _, n := range strings.Split(v, ",") {
			switch n = strings.ToLower(strings.TrimSpace(n)); n {
			case engSQLite, engPostgres:
				names = append(names, n)
			case "":
			default:
				return nil, "", fmt.Errorf("BENCH_ENGINES: unknown engine %q (sqlite, postgres)", n)
			}
		}
	}
	for _, n := range names {
		if n == engSQLite {
			engines = append(engines, &engine{name: engSQLite})
			continue
		}
		url := os.Getenv("BENCH_POSTGRES_URL")
		if url == "" {
			url = os.Getenv("AGENTPLANE_TEST_POSTGRES_URL")
		}
		if url == "" {
			const unset = "neither BENCH_POSTGRES_URL nor AGENTPLANE_TEST_POSTGRES_URL is set (make bench starts a throwaway server when PostgreSQL is installed)"
			if asked {
				return nil, "", fmt.Errorf("BENCH_ENGINES asks for postgres, but %s", unset)
			}
			note = "PostgreSQL not measured: " + unset
			logf("%s", note)
			continue
		}
		pg, err := openPGServer(ctx, url)
		if err != nil {
			return nil, "", err
		}
		engines = append(engines, &engine{name: engPostgres, pg: pg})
	}
	if len(engines) == 0 {
		return nil, "", fmt.Errorf("BENCH_ENGINES selects no engine")
	}
	return engines, note, nil
}
