package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/agentplane/agentplane"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// The job queue (internal/jobs) runs River on this store's database. What
// touches the database for it lives here: River's driver over the right
// pool, the lock its migrations take, and the hook through which a
// workflow's job row is written in the transaction that creates the
// workflow. The queue itself writes no SQL and opens no pool.

// JobInserter writes a workflow's job row with tx, the transaction that
// creates the workflow record, so the job exists exactly when the record
// does.
type JobInserter func(ctx context.Context, tx *sql.Tx, w agentplane.Workflow) error

// Waker starts delivering the pending webhook events of endpoints of
// orgID, after the transaction that enqueued them committed.
type Waker func(orgID string, endpointIDs []string)

// wakeUp is one Waker call a transaction owes after its commit.
type wakeUp struct {
	orgID string
	ids   []string
}

// jobHook holds what the queue registered, shared by every Queries of a
// store.
type jobHook struct {
	mu       sync.Mutex
	insert   JobInserter
	waker    Waker
	listener *pgxpool.Pool // PostgreSQL: River's LISTEN connections
}

func (h *jobHook) inserter() JobInserter {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.insert
}

// wake calls the registered Waker, if any.
func (h *jobHook) wake(orgID string, ids []string) {
	h.mu.Lock()
	fn := h.waker
	h.mu.Unlock()
	if fn != nil {
		fn(orgID, ids)
	}
}

// SetWaker registers the job queue's webhook delivery. Until one is
// registered, events wait in the outbox for a server's sweep.
func (s *Store) SetWaker(fn Waker) {
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	s.jobs.waker = fn
}

func (h *jobHook) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.listener != nil {
		h.listener.Close()
		h.listener = nil
	}
}

// SetJobInserter registers the job queue of this node. Until one is
// registered, creating a workflow fails with EUnavailable (503): a node
// without background jobs can't start one.
func (s *Store) SetJobInserter(fn JobInserter) {
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	s.jobs.insert = fn
}

// JobDriver is River's driver over the job queue's pool: on SQLite a
// one-connection pool of its own (River's authors recommend one, which
// serializes its many small operations without busy errors), on PostgreSQL
// the shared pool plus a small pgx pool for LISTEN, which River's notifier
// needs and which closes with the store.
func (s *Store) JobDriver(ctx context.Context) (riverdriver.Driver[*sql.Tx], error) {
	if s.engine != Postgres {
		return riversqlite.New(s.jobsPool()), nil
	}
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	if s.jobs.listener == nil {
		pool, err := pgxpool.New(ctx, s.url)
		if err != nil {
			return nil, fmt.Errorf("job listener pool: %w", err)
		}
		s.jobs.listener = pool
	}
	return riverdatabasesql.NewWithPgxListener(s.jobsPool(), s.jobs.listener), nil
}

// jobsMigrationLock is the advisory lock key under which nodes starting
// together apply River's migrations one at a time ("agentplane river
// migrate"); the store's own migrations use goose's lock.
const jobsMigrationLock = 7161856201

// WithJobsMigrationLock runs fn while this node alone may migrate River's
// tables: under a session advisory lock on PostgreSQL; on SQLite the write
// lock already serializes the migrations.
func (s *Store) WithJobsMigrationLock(ctx context.Context, fn func() error) error {
	if s.engine != Postgres {
		return fn()
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, jobsMigrationLock); err != nil {
		return fmt.Errorf("job migration lock: %w", err)
	}
	// Released with the session anyway if this fails.
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, jobsMigrationLock) //nolint:errcheck
	return fn()
}
