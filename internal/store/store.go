// Package store keeps agentplane's state in SQLite or PostgreSQL. It is the
// only package that writes SQL or imports a database driver. Every method on
// an organization-owned table takes the organization id and filters by it.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pressly/goose/v3"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Engine names a database engine.
type Engine string

// The two supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// querier is what *sql.DB and *sql.Tx share, so one set of methods runs
// inside or outside a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Queries runs the store's statements against the database or against one
// transaction. Store embeds one bound to the pool; WithTx hands out one bound
// to a transaction.
type Queries struct {
	q  querier
	d  *dialect
	tx *sql.Tx // nil outside a transaction

	// touched is the agents whose detail the transaction changed
	// (revisions.go); nil outside a transaction.
	touched touches
	jobs    *jobHook // shared by every Queries of the store (jobs.go)
	// woken is the webhook endpoints to wake after the commit
	// (webhooks.go).
	woken []wakeUp
}

// Store is an open database with its schema migrated.
type Store struct {
	Queries
	db      *sql.DB
	engine  Engine
	counter *atomic.Int64

	// SQLite allows one writer at a time. Writers queue here, in Go, in
	// order, instead of spinning in SQLite's busy handler, where under load
	// a writer can lose every race until busy_timeout runs out.
	writeMu *sync.Mutex
	jobsDB  *sql.DB    // SQLite: the job queue's own one-connection pool
	stmts   *stmtCache // SQLite: prepared statements by SQL text
	url     string     // PostgreSQL: the job queue's listener connects with it

	statusOnce sync.Once
	status     *goose.Provider
	statusErr  error
}

// Options configures Open.
type Options struct {
	// DatabaseURL selects PostgreSQL ("postgres://…" or "postgresql://…");
	// empty means SQLite in DataDir.
	DatabaseURL string
	// DataDir holds agentplane.db when DatabaseURL is empty.
	DataDir string
	// SQLitePath overrides the SQLite file (tests); empty means DataDir/agentplane.db.
	SQLitePath string
	// MustExist refuses to create the SQLite database when it is missing
	// (commands that only read one, such as backup).
	MustExist bool
	// QueryCounter, when set, is where the store counts every statement it
	// sends (tests that prove a read's query count doesn't grow with data);
	// otherwise it counts into its own, read by Statements.
	QueryCounter *atomic.Int64
}

// counting wraps a querier and counts its statements.
type counting struct {
	querier
	n *atomic.Int64
}

func (c counting) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.n.Add(1)
	return c.querier.ExecContext(ctx, query, args...)
}

func (c counting) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	return c.querier.QueryContext(ctx, query, args...)
}

func (c counting) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c.n.Add(1)
	return c.querier.QueryRowContext(ctx, query, args...)
}

// wrap counts q's statements.
func (s *Store) wrap(q querier) querier { return counting{q, s.counter} }

// Statements is how many statements the store has sent since it opened
// (the agentplane_db_statements_total metric; the bench divides it by
// requests).
func (s *Store) Statements() int64 { return s.counter.Load() }

// Open connects to the configured database and applies pending migrations.
// On PostgreSQL migrations run under a session advisory lock, so several
// nodes may start at the same time.
func Open(ctx context.Context, opts Options) (*Store, error) {
	s, err := Connect(ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Connect opens the database without migrating it.
func Connect(ctx context.Context, opts Options) (*Store, error) {
	var (
		db     *sql.DB
		engine Engine
		err    error
	)
	if u := opts.DatabaseURL; strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		engine = Postgres
		db, err = sql.Open("pgx", u)
		if err == nil {
			db.SetMaxOpenConns(20)
			db.SetMaxIdleConns(20)
			db.SetConnMaxIdleTime(5 * time.Minute)
		}
	} else if u != "" {
		return nil, fmt.Errorf("database url must start with postgres:// or postgresql://")
	} else {
		engine = SQLite
		if opts.MustExist {
			if _, err := os.Stat(sqlitePath(opts)); errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("no database at %s", sqlitePath(opts))
			} else if err != nil {
				return nil, err
			}
		}
		if opts.SQLitePath == "" {
			if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
				return nil, fmt.Errorf("create data dir: %w", err)
			}
		}
		// The database holds everything, hashes and sealed secrets
		// included: only its owner may read it. SQLite gives the -wal and
		// -shm files the main file's mode.
		if err := createPrivate(sqlitePath(opts)); err != nil {
			return nil, err
		}
		db, err = sql.Open("sqlite", sqliteDSN(sqlitePath(opts)))
		if err == nil {
			// WAL lets readers run beside the one writer; _txlock=immediate
			// makes writers queue on busy_timeout instead of failing to
			// upgrade a read lock.
			db.SetMaxOpenConns(8)
			db.SetMaxIdleConns(8)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", engine, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", engine, err)
	}
	s := &Store{db: db, engine: engine, counter: opts.QueryCounter}
	if engine == Postgres {
		s.url = opts.DatabaseURL
	}
	if s.counter == nil {
		s.counter = new(atomic.Int64)
	}
	var pool querier = db
	if engine == SQLite {
		s.writeMu = &sync.Mutex{}
		s.stmts = &stmtCache{db: db}
		pool = serialWrites{preparedPool{db, s.stmts}, s.writeMu}
		// River runs many small operations concurrently; on SQLite its
		// authors recommend a single connection, which serializes them
		// without busy errors.
		if s.jobsDB, err = sql.Open("sqlite", sqliteDSN(sqlitePath(opts))); err != nil {
			db.Close()
			return nil, err
		}
		s.jobsDB.SetMaxOpenConns(1)
	}
	s.Queries = Queries{q: s.wrap(pool), d: dialects[engine], jobs: &jobHook{}}
	return s, nil
}

// createPrivate creates path empty with mode 0600 unless it exists.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	return f.Close()
}

// sqlitePath is the database file of opts.
func sqlitePath(opts Options) string {
	if opts.SQLitePath != "" {
		return opts.SQLitePath
	}
	return filepath.Join(opts.DataDir, "agentplane.db")
}

// serialWrites takes the store's write lock around autocommit writes on
// the pool (reads go straight through: WAL lets them run beside a writer).
type serialWrites struct {
	querier
	mu *sync.Mutex
}

func (s serialWrites) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.querier.ExecContext(ctx, query, args...)
}

// sqliteDSN is the connection string with the pragmas of DESIGN.md §2.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate&_time_format=sqlite"
}

// Engine reports which engine the store runs on.
func (s *Store) Engine() Engine { return s.engine }

// DB exposes the pool (database metrics, and the job queue on PostgreSQL).
func (s *Store) DB() *sql.DB { return s.db }

// jobsPool is the pool the job queue runs on: on SQLite a dedicated
// one-connection pool to the same file, on PostgreSQL the shared pool.
func (s *Store) jobsPool() *sql.DB {
	if s.jobsDB != nil {
		return s.jobsDB
	}
	return s.db
}

// Close closes the pools.
func (s *Store) Close() error {
	if s.stmts != nil {
		s.stmts.close()
	}
	s.jobs.close()
	if s.jobsDB != nil {
		s.jobsDB.Close()
	}
	return s.db.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// WithTx runs fn in one transaction, committing when fn returns nil and
// rolling back otherwise. On SQLite the transaction takes the write lock at
// BEGIN (_txlock=immediate), so read-then-write sequences are serialized.
func (s *Store) WithTx(ctx context.Context, fn func(q *Queries) error) error {
	if s.writeMu != nil {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", mapErr(err))
	}
	var q querier = tx
	if s.stmts != nil {
		q = preparedTx{tx, s.stmts}
	}
	qs := &Queries{q: s.wrap(q), d: s.d, tx: tx, touched: touches{}, jobs: s.jobs}
	if err := fn(qs); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := qs.flushTouches(ctx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err))
	}
	for _, w := range qs.woken {
		s.jobs.wake(w.orgID, w.ids)
	}
	return nil
}

// errNoRows reports whether err is sql.ErrNoRows.
func errNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
