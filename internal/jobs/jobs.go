// Package jobs runs agentplane's durable background work on River: one job
// kind, "workflow", whose argument is a workflow id; the service does the
// work and records each step, so a retried or rescued job resumes where the
// last attempt stopped. On SQLite the queue lives in the same database
// file; on PostgreSQL every node shares it and wakes on LISTEN/NOTIFY.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/agentplane/agentplane/internal/store"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// WorkflowArgs is the one job kind: run (or resume) a workflow.
type WorkflowArgs struct {
	WorkflowID string `json:"workflow_id"`
}

// Kind names the job kind in River's tables.
func (WorkflowArgs) Kind() string { return "workflow" }

// RunFunc does a workflow's remaining steps. final is true on the job's
// last attempt, when a failure must be recorded as the workflow's end.
type RunFunc func(ctx context.Context, workflowID string, final bool) error

type worker struct {
	river.WorkerDefaults[WorkflowArgs]
	run RunFunc
}

func (w *worker) Work(ctx context.Context, job *river.Job[WorkflowArgs]) error {
	return w.run(ctx, job.Args.WorkflowID, job.Attempt >= job.MaxAttempts)
}

// Options tunes the queue.
type Options struct {
	Logger *slog.Logger
	// MaxAttempts per job (default 5); retries back off exponentially.
	MaxAttempts int
	// RescueStuckJobsAfter hands a job whose worker died back to the queue
	// (default: the job timeout plus a fifth — 6 minutes for 5 — not
	// River's hour, so a crashed node's work resumes soon after it restarts
	// or on another node).
	RescueStuckJobsAfter time.Duration
	// Workers is how many jobs run at once on this node (default 4).
	Workers int
	// JobTimeout bounds one attempt (default 5 minutes: a crawl plus a
	// model call fit well inside it).
	JobTimeout time.Duration
	// PollInterval is how often idle nodes look for jobs when
	// notifications aren't available (SQLite); default 200 ms.
	PollInterval time.Duration
}

// Queue is the River client of this node.
type Queue struct {
	client   *river.Client[*sql.Tx]
	listener *pgxpool.Pool
	opts     Options
}

// New migrates River's tables and builds the client; call Start to work
// jobs. Migrations are serialized across nodes by an advisory lock on
// PostgreSQL and by SQLite's write lock.
func New(ctx context.Context, st *store.Store, databaseURL string, run RunFunc, opts Options) (*Queue, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.JobTimeout <= 0 {
		opts.JobTimeout = 5 * time.Minute
	}
	if opts.RescueStuckJobsAfter < opts.JobTimeout {
		// River requires rescue ≥ timeout; a fifth more (at least a
		// second) leaves a timed-out attempt room to give up first.
		opts.RescueStuckJobsAfter = opts.JobTimeout + max(opts.JobTimeout/5, time.Second)
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 200 * time.Millisecond
	}
	q := &Queue{opts: opts}
	var driver riverdriver.Driver[*sql.Tx]
	if st.Engine() == store.Postgres {
		pool, err := pgxpool.New(ctx, databaseURL)
		if err != nil {
			return nil, fmt.Errorf("job listener pool: %w", err)
		}
		q.listener = pool
		driver = riverdatabasesql.NewWithPgxListener(st.JobsDB(), pool)
	} else {
		driver = riversqlite.New(st.JobsDB())
	}
	if err := migrate(ctx, st, driver); err != nil {
		q.close()
		return nil, err
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &worker{run: run})
	cfg := &river.Config{
		Logger:               opts.Logger,
		MaxAttempts:          opts.MaxAttempts,
		RescueStuckJobsAfter: opts.RescueStuckJobsAfter,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.Workers}},
		Workers:              workers,
		FetchPollInterval:    opts.PollInterval,
		FetchCooldown:        min(opts.PollInterval, 100*time.Millisecond),
		JobTimeout:           opts.JobTimeout,
		RetryPolicy:          &retryPolicy{},
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		q.close()
		return nil, fmt.Errorf("job client: %w", err)
	}
	q.client = client
	return q, nil
}

// migrate applies River's migrations once, even with nodes starting
// together.
func migrate(ctx context.Context, st *store.Store, driver riverdriver.Driver[*sql.Tx]) error {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return fmt.Errorf("job migrations: %w", err)
	}
	if st.Engine() == store.Postgres {
		conn, err := st.DB().Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		const lockKey = 7161856201 // "agentplane river migrate"
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
			return fmt.Errorf("job migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockKey) //nolint:errcheck // released with the session anyway
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("job migrations: %w", err)
	}
	return nil
}

// retryPolicy backs off 1 s, 2 s, 4 s… capped at a minute: workflows are
// interactive enough that River's default (attempt⁴ seconds) waits too
// long between attempts.
type retryPolicy struct{}

func (retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	d := time.Second << min(job.Attempt-1, 6)
	return time.Now().Add(min(d, time.Minute))
}

// Start works jobs until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop stops fetching and waits for running jobs (up to ctx); jobs still
// running when ctx ends are cancelled and handed back for a retry.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = q.client.StopAndCancel(context.Background())
	}
	q.close()
	return err
}

func (q *Queue) close() {
	if q.listener != nil {
		q.listener.Close()
	}
}

// Enqueue inserts the workflow's job in the transaction of sq, so the job
// exists exactly when the workflow record does.
func (q *Queue) Enqueue(ctx context.Context, sq *store.Queries, workflowID string) error {
	tx := sq.SQLTx()
	if tx == nil {
		return errors.New("jobs: Enqueue needs a transaction")
	}
	_, err := q.client.InsertTx(ctx, tx, WorkflowArgs{WorkflowID: workflowID}, nil)
	return err
}
