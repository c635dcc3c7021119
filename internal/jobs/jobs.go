// Package jobs runs agentplane's durable background work on River: one job
// kind, "workflow", whose arguments name a workflow. Its workers run the
// workflow's steps (scaffolding an agent from a website, generating
// instructions) and record each step through the service, so a retried or
// rescued job resumes where the last attempt stopped. On SQLite the queue
// lives in the same database file; on PostgreSQL every node shares it and
// wakes on LISTEN/NOTIFY. What touches the database for River (its
// driver, pools and migration lock) is the store's.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/llm"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/store"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// WorkflowArgs is the one job kind: run (or resume) a workflow.
type WorkflowArgs struct {
	WorkflowID string `json:"workflow_id"`
	// OrganizationID is the workflow's; jobs queued by releases before it
	// was added carry none, and the workflow's own is looked up.
	OrganizationID string `json:"organization_id,omitempty"`
}

// Kind names the job kind in River's tables.
func (WorkflowArgs) Kind() string { return "workflow" }

type worker struct {
	river.WorkerDefaults[WorkflowArgs]
	q *Queue
}

func (w *worker) Work(ctx context.Context, job *river.Job[WorkflowArgs]) error {
	return w.q.run(ctx, job.Args, job.Attempt >= job.MaxAttempts)
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
	// Model writes builder inputs and instructions; nil uses the
	// heuristic extractor and the deterministic template.
	Model llm.Model
	// Crawl reads company websites (the guarded fetcher); nil fails the
	// scaffolding workflows' first step.
	Crawl CrawlFunc
	// Now replaces the clock of the steps' times (tests).
	Now func() time.Time
	// Post sends webhook deliveries (the guarded fetcher's Post); nil
	// fails every attempt.
	Post PostFunc
	// SweepInterval is how often this node looks for webhook deliveries
	// that came due (retries, lost wake-ups); default 2 s.
	SweepInterval time.Duration
}

// Queue is the River client of this node and the workflows' steps.
type Queue struct {
	client *river.Client[*sql.Tx]
	svc    *service.Service
	opts   Options
	wakes  chan WebhookArgs // endpoints woken by committed changes
	// senders are the endpoints this node's jobs are sending to.
	senders senders
	stop    context.CancelFunc
	// stopping ends when Stop begins: delivery jobs give up their
	// endpoints then.
	stopping context.Context
	halt     context.CancelFunc
}

// New migrates River's tables, builds the client and registers it with
// the store, which from then on writes a job with every workflow it
// creates; call Start to work jobs. Migrations are serialized across
// nodes (store.WithJobsMigrationLock).
func New(ctx context.Context, st *store.Store, svc *service.Service, opts Options) (*Queue, error) {
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
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SweepInterval <= 0 {
		opts.SweepInterval = 2 * time.Second
	}
	q := &Queue{svc: svc, opts: opts, wakes: make(chan WebhookArgs, 4096)}
	q.stopping, q.halt = context.WithCancel(context.Background())
	driver, err := st.JobDriver(ctx)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, st, driver); err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &worker{q: q})
	river.AddWorker(workers, &webhookWorker{q: q})
	cfg := &river.Config{
		Logger:               opts.Logger,
		MaxAttempts:          opts.MaxAttempts,
		RescueStuckJobsAfter: opts.RescueStuckJobsAfter,
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.Workers},
			webhookQueue: {MaxWorkers: webhookWorkers}},
		Workers:           workers,
		FetchPollInterval: opts.PollInterval,
		FetchCooldown:     min(opts.PollInterval, 100*time.Millisecond),
		JobTimeout:        opts.JobTimeout,
		RetryPolicy:       &retryPolicy{},
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("job client: %w", err)
	}
	q.client = client
	st.SetJobInserter(q.insert)
	st.SetWaker(q.wake)
	return q, nil
}

// migrate applies River's migrations once, even with nodes starting
// together.
func migrate(ctx context.Context, st *store.Store, driver riverdriver.Driver[*sql.Tx]) error {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return fmt.Errorf("job migrations: %w", err)
	}
	return st.WithJobsMigrationLock(ctx, func() error {
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("job migrations: %w", err)
		}
		return nil
	})
}

// retryPolicy backs off 1 s, 2 s, 4 s… capped at a minute: workflows are
// interactive enough that River's default (attempt⁴ seconds) waits too
// long between attempts.
type retryPolicy struct{}

func (retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	d := time.Second << min(job.Attempt-1, 6)
	return time.Now().Add(min(d, time.Minute))
}

// Start works jobs, and turns webhook wake-ups and sweeps into jobs, until
// Stop.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.client.Start(ctx); err != nil {
		return err
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	q.stop = cancel
	go q.runWakes(wctx)
	return nil
}

// Stop stops fetching and waits for running jobs (up to ctx); jobs still
// running when ctx ends are cancelled and handed back for a retry.
func (q *Queue) Stop(ctx context.Context) error {
	q.halt()
	if q.stop != nil {
		q.stop()
	}
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = q.client.StopAndCancel(context.Background())
	}
	return err
}

// insert writes the workflow's job with tx, the transaction that creates
// the workflow (store.JobInserter).
func (q *Queue) insert(ctx context.Context, tx *sql.Tx, w agentplane.Workflow) error {
	_, err := q.client.InsertTx(ctx, tx, WorkflowArgs{WorkflowID: w.ID, OrganizationID: w.OrganizationID}, nil)
	return err
}

// stamp is the current time as stored.
func (q *Queue) stamp() agentplane.Time { return agentplane.TimeOf(q.opts.Now()) }
