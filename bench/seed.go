package main

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // the same driver the server uses
)

// dbPath is where `agentplane serve --data-dir dir` keeps its SQLite file.
func dbPath(dataDir string) string { return filepath.Join(dataDir, "agentplane.db") }

// serverDSN is the server's connection string (internal/store/store.go,
// sqliteDSN): WAL, busy_timeout 5000, foreign keys, synchronous FULL,
// BEGIN IMMEDIATE for transactions. The baselines open the file with it.
func serverDSN(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate&_time_format=sqlite"
}

// seedSet describes the agents written by seedAgents: agent i (0 = oldest)
// was created at base + i*step milliseconds. Depth d (0 = the newest, the
// first row of the first page) is agent n-1-d.
type seedSet struct {
	org        string
	n          int
	base, step int64
}

func (s seedSet) createdAt(i int) int64 { return s.base + int64(i)*s.step }

// newSeedSet places n agents of org one every 10 ms, the newest an hour
// before now, so every seeded agent is older than anything the server
// creates later.
func newSeedSet(org string, n int) seedSet {
	set := seedSet{org: org, n: n, step: 10}
	set.base = time.Now().UnixMilli() - time.Hour.Milliseconds() - int64(n)*set.step
	return set
}

// idAt returns a UUIDv7 carrying ms as its time, so ids are ordered like
// created_at, as the server's own ids are.
func idAt(ms int64) uuid.UUID {
	u := uuid.Must(uuid.NewV7())
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(ms))
	copy(u[0:6], ts[2:8])
	return u
}

// defaultOrg reads the id of the organization the first start created.
func defaultOrg(ctx context.Context, path string) (string, error) {
	db, err := sql.Open("sqlite", serverDSN(path))
	if err != nil {
		return "", err
	}
	defer db.Close()
	var id string
	if err := db.QueryRowContext(ctx, `SELECT id FROM organizations WHERE slug = 'default'`).Scan(&id); err != nil {
		return "", fmt.Errorf("read default organization: %w", err)
	}
	return id, nil
}

// seedAgents writes n agents of org straight into the SQLite file of a
// stopped server, in big transactions with multi-row INSERTs. The schema is
// the server's own (it was migrated by the server's first start). Loading is
// not what is measured, so it runs with synchronous=OFF; the file stays in
// WAL mode and is checkpointed at the end. No ANALYZE: the server
// never runs one, so the planner sees what it would see in production.
func seedAgents(ctx context.Context, path, org string, n int) (seedSet, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(OFF)&_pragma=cache_size(-262144)")
	if err != nil {
		return seedSet{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	set := newSeedSet(org, n)

	const rowsPerStmt = 200 // 9 columns: 1,800 parameters per statement
	const rowsPerTx = 50_000
	stmtText := func(rows int) string {
		var b strings.Builder
		b.WriteString(`INSERT INTO agents (id, organization_id, name, description, active, is_demo, metadata, created_at, updated_at) VALUES `)
		for r := 0; r < rows; r++ {
			if r > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,'',1,0,'{}',?,?)")
		}
		return b.String()
	}
	full, err := db.PrepareContext(ctx, stmtText(rowsPerStmt))
	if err != nil {
		return set, fmt.Errorf("prepare seed insert: %w", err)
	}
	defer full.Close()

	start := time.Now()
	args := make([]any, 0, rowsPerStmt*5)
	for i := 0; i < n; {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return set, err
		}
		txEnd := min(i+rowsPerTx, n)
		for i < txEnd {
			rows := min(rowsPerStmt, txEnd-i)
			args = args[:0]
			for r := 0; r < rows; r++ {
				ms := set.createdAt(i + r)
				args = append(args, idAt(ms).String(), org, fmt.Sprintf("Seeded agent %07d", i+r), ms, ms)
			}
			if rows == rowsPerStmt {
				_, err = tx.StmtContext(ctx, full).ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, stmtText(rows), args...)
			}
			if err != nil {
				_ = tx.Rollback()
				return set, fmt.Errorf("seed agents: %w", err)
			}
			i += rows
		}
		if err := tx.Commit(); err != nil {
			return set, err
		}
		if n >= 200_000 && i%200_000 == 0 {
			logf("  seeded %d/%d agents (%.0f rows/s)", i, n, float64(i)/time.Since(start).Seconds())
		}
	}
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return set, err
	}
	logf("  seeded %d agents in %s", n, time.Since(start).Round(time.Millisecond))
	return set, nil
}
