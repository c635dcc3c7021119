package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/agentplane/agentplane/internal/service"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
)

// Webhook delivery (SPEC §18) runs on the queue as the "webhook_delivery"
// job: it sends one endpoint's due events. Jobs come from two places: the
// wake-up after a change commits (the store calls wake, which hands the
// endpoint to a goroutine that inserts jobs in batches, so a request never
// waits for the queue), and a sweep every SweepInterval on every node for
// retries that came due and for events whose wake-up was lost (the
// process died after the commit, or an admin command made the change).
// The outbox itself — the deliveries — is written in the change's
// transaction; the lease on the endpoint row keeps one sender per
// endpoint whatever the number of jobs.

// WebhookArgs names an endpoint to deliver to.
type WebhookArgs struct {
	OrganizationID string `json:"organization_id"`
	WebhookID      string `json:"webhook_id"`
}

// Kind names the job kind in River's tables.
func (WebhookArgs) Kind() string { return "webhook_delivery" }

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	q *Queue
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	a := job.Args
	wake := w.q.senders.begin(a)
	if wake == nil {
		return nil // this node's sender for the endpoint looks again instead
	}
	// A stopping node stops sending at once instead of draining a backlog
	// until its shutdown timeout: what it didn't send stays due for the
	// next sender (River's soft stop doesn't cancel jobs).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(w.q.stopping, cancel)
	defer stop()
	for {
		run, err := w.q.svc.DeliverWebhooks(ctx, a.OrganizationID, a.WebhookID, w.q.send, w.q.observe, wake)
		if w.q.stopping.Err() != nil {
			w.q.senders.drop(a)
			return nil
		}
		if err != nil || run != service.RunDone {
			// Wake-ups it took since its last look go to a job of their
			// own: another node's sender may have looked before they
			// committed.
			if w.q.senders.drop(a) {
				w.q.enqueueWake(a)
			}
			return err
		}
		if !w.q.senders.end(a) {
			return nil
		}
	}
}

// webhookQueue is the River queue of delivery jobs: its own workers, so a
// backlog of events never holds up workflows, nor workflows events.
const webhookQueue = "webhooks"

// webhookWorkers is how many endpoints a node sends to at once.
const webhookWorkers = 8

// Timeout leaves room for a full batch of slow receivers; the lease is
// renewed before each attempt.
func (w *webhookWorker) Timeout(*river.Job[WebhookArgs]) time.Duration { return 30 * time.Minute }

// PostFunc sends a webhook request (the guarded fetcher's Post).
type PostFunc func(ctx context.Context, url string, headers map[string]string, body []byte) (int, error)

func (q *Queue) send(ctx context.Context, r service.Request) (int, error) {
	if q.opts.Post == nil {
		return 0, errNoPost
	}
	return q.opts.Post(ctx, r.URL, r.Headers, r.Body)
}

var errNoPost = errors.New("this node has no webhook sender")

// wake is the store's Waker: it never blocks a request. When the buffer is
// full the endpoint is left to the sweep.
func (q *Queue) wake(orgID string, ids []string) {
	for _, id := range ids {
		if a := (WebhookArgs{OrganizationID: orgID, WebhookID: id}); !q.senders.woken(a) {
			q.enqueueWake(a)
		}
	}
}

// enqueueWake hands a to the goroutine that inserts delivery jobs; when
// its buffer is full the endpoint is left to the sweep.
func (q *Queue) enqueueWake(a WebhookArgs) {
	select {
	case q.wakes <- a:
	default:
	}
}

// runWakes inserts delivery jobs for woken endpoints, each once per
// batch, and sweeps every SweepInterval, until ctx ends.
func (q *Queue) runWakes(ctx context.Context) {
	tick := time.NewTicker(q.opts.SweepInterval)
	defer tick.Stop()
	for {
		batch := map[WebhookArgs]bool{}
		select {
		case <-ctx.Done():
			return
		case a := <-q.wakes:
			batch[a] = true
		case <-tick.C:
			due, err := q.svc.DueWebhookEndpoints(ctx, 500)
			if err != nil {
				q.opts.Logger.Warn("webhook sweep", slog.Any("error", err))
			}
			for _, d := range due {
				batch[WebhookArgs{OrganizationID: d.OrganizationID, WebhookID: d.ID}] = true
			}
		}
	more:
		for len(batch) < 500 {
			select {
			case a := <-q.wakes:
				batch[a] = true
			default:
				break more
			}
		}
		if len(batch) == 0 {
			continue
		}
		params := make([]river.InsertManyParams, 0, len(batch))
		for a := range batch {
			params = append(params, river.InsertManyParams{Args: a, InsertOpts: &river.InsertOpts{MaxAttempts: 3, Queue: webhookQueue}})
		}
		if _, err := q.client.InsertMany(ctx, params); err != nil && ctx.Err() == nil {
			q.opts.Logger.Warn("webhook delivery jobs", slog.Any("error", err))
		}
	}
}

// Delivery metrics.
var (
	webhookAttempts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "agentplane_webhook_attempts_total",
		Help: "Webhook delivery attempts by outcome: delivered, retry (another attempt is scheduled) or failed (no more).",
	}, []string{"outcome"})
	webhookPendingDesc = prometheus.NewDesc("agentplane_webhook_oldest_pending_seconds",
		"Age of the oldest webhook delivery not yet delivered or given up (0 when none).", nil, nil)
)

func (q *Queue) observe(r service.DeliveryResult) {
	outcome := r.Status
	if outcome == "pending" {
		outcome = "retry"
	}
	webhookAttempts.WithLabelValues(outcome).Inc()
}

// webhookCollector reports the attempts counter and the age of the oldest
// pending delivery, read at scrape time.
type webhookCollector struct{ svc *service.Service }

// NewWebhookCollector returns the delivery metrics.
func NewWebhookCollector(svc *service.Service) prometheus.Collector { return webhookCollector{svc} }

func (c webhookCollector) Describe(ch chan<- *prometheus.Desc) {
	webhookAttempts.Describe(ch)
	ch <- webhookPendingDesc
}

func (c webhookCollector) Collect(ch chan<- prometheus.Metric) {
	webhookAttempts.Collect(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	age, err := c.svc.OldestPendingDelivery(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(webhookPendingDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(webhookPendingDesc, prometheus.GaugeValue, age.Seconds())
}
