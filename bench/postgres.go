package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgServer is the PostgreSQL server the bench creates its databases on.
type pgServer struct {
	url      string     // where CREATE DATABASE runs
	prefix   string     // of every database this run creates, unique per run
	created  []string   // databases to drop at the end
	cluster  *pgCluster // its processes, when they run on this host
	describe string     // version and durability settings, for the report
}

// openPGServer connects once to check the server and find its processes.
func openPGServer(ctx context.Context, rawURL string) (*pgServer, error) {
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w", redactURL(rawURL), err)
	}
	defer conn.Close(ctx)
	var version, fsync, syncCommit string
	var backend int
	if err := conn.QueryRow(ctx, `SELECT current_setting('server_version'), current_setting('fsync'),
		current_setting('synchronous_commit'), pg_backend_pid()`).Scan(&version, &fsync, &syncCommit, &backend); err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s: %w", redactURL(rawURL), err)
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	p := &pgServer{url: rawURL, prefix: "bench_" + hex.EncodeToString(suffix[:]),
		cluster: findCluster(backend),
		// The throwaway server of scripts/with-postgres runs without fsync:
		// its commits cost less than a durable server's would.
		describe: fmt.Sprintf("PostgreSQL %s (fsync=%s, synchronous_commit=%s)", version, fsync, syncCommit)}
	if p.cluster == nil {
		p.describe += ", its processes not on this host: its CPU is not measured"
	}
	logf("%s at %s", p.describe, redactURL(rawURL))
	return p, nil
}

// createDatabase creates an empty database for the server called name
// and returns its URL.
func (p *pgServer) createDatabase(ctx context.Context, name string) (string, error) {
	db := p.prefix + "_" + name
	conn, err := pgx.Connect(ctx, p.url)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{db}.Sanitize()); err != nil {
		return "", fmt.Errorf("create database %s: %w", db, err)
	}
	p.created = append(p.created, db)
	u, err := url.Parse(p.url)
	if err != nil {
		return "", err
	}
	u.Path, u.RawPath = "/"+db, ""
	return u.String(), nil
}

// dropAll drops the databases this run created (after its servers have
// stopped; FORCE ends any connection left over).
func (p *pgServer) dropAll() {
	if p == nil || len(p.created) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.url)
	if err != nil {
		logf("could not drop the bench databases %v: %v", p.created, err)
		return
	}
	defer conn.Close(ctx)
	for _, db := range p.created {
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{db}.Sanitize()+` WITH (FORCE)`); err != nil {
			logf("drop database %s: %v", db, err)
		}
	}
	p.created = nil
}

// pgDefaultOrg reads the id of the organization the first start created.
func pgDefaultOrg(ctx context.Context, dbURL string) (string, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	var id string
	if err := conn.QueryRow(ctx, `SELECT id::text FROM organizations WHERE slug = 'default'`).Scan(&id); err != nil {
		return "", fmt.Errorf("read default organization: %w", err)
	}
	return id, nil
}

// pgSeedAgents writes n agents of org into the agents table of a stopped
// server's database with COPY, the rows as seedAgents makes them for
// SQLite (columns from internal/store/migrations/postgres/00001_foundation.sql).
// Then VACUUM ANALYZE: autovacuum would run it anyway within a minute of
// a million inserts, and it must not do so in the middle of a
// measurement; production tables are analyzed by it too.
func pgSeedAgents(ctx context.Context, dbURL, org string, n int) (seedSet, error) {
	set := newSeedSet(org, n)
	orgID, err := parseUUID(org)
	if err != nil {
		return set, err
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return set, err
	}
	defer conn.Close(ctx)
	// Loading is not what is measured.
	if _, err := conn.Exec(ctx, `SET synchronous_commit = off`); err != nil {
		return set, err
	}
	start := time.Now()
	meta := []byte("{}")
	rows := pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		if i > 0 && i%200_000 == 0 {
			logf("  seeded %d/%d agents (%.0f rows/s)", i, n, float64(i)/time.Since(start).Seconds())
		}
		ms := set.createdAt(i)
		return []any{pgtype.UUID{Bytes: idAt(ms), Valid: true}, orgID, fmt.Sprintf("Seeded agent %07d", i), "",
			true, false, meta, ms, ms}, nil
	})
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"agents"},
		[]string{"id", "organization_id", "name", "description", "active", "is_demo", "metadata", "created_at", "updated_at"}, rows); err != nil {
		return set, fmt.Errorf("seed agents: %w", err)
	}
	logf("  seeded %d agents in %s; VACUUM ANALYZE", n, time.Since(start).Round(time.Millisecond))
	if _, err := conn.Exec(ctx, `VACUUM (ANALYZE) agents`); err != nil {
		return set, err
	}
	return set, nil
}

func parseUUID(s string) (pgtype.UUID, error) {
	var u pgtype.UUID
	if err := u.Scan(s); err != nil {
		return u, fmt.Errorf("organization id %q: %w", s, err)
	}
	return u, nil
}

// redactURL hides the password of a database URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
