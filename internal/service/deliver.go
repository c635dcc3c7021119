package service

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// Delivering webhook events (SPEC §18). One job at a time holds an
// endpoint's lease and sends its due deliveries in the order their
// changes committed (seq); a failed attempt is retried later and doesn't
// hold back the ones after it.

// defaultRetryDelays are the waits before each retry: 27 h 35 m in all.
var defaultRetryDelays = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

const (
	// previousSecretTTL is how long a rotated-out secret keeps signing.
	previousSecretTTL = 24 * time.Hour
	// leaseFor bounds how long a dead deliverer keeps an endpoint. The
	// holder renews it before an attempt that might outlast it
	// (leaseMargin: an attempt and a record's write), not before every
	// attempt: a write per event would be most of delivery's cost.
	leaseFor    = 30 * time.Second
	leaseMargin = AttemptTimeout + 5*time.Second
	// flushEvery bounds how long outcomes wait to be written: the
	// deliveries log is at most this far behind the receiver.
	flushEvery = time.Second
	// lingerFor is how long a sender with nothing due keeps its endpoint
	// for the next event of this node. An event committed on another node
	// meanwhile waits for it at most this long.
	lingerFor = 500 * time.Millisecond
	// drainFor is how long one job sends before it lets the endpoint go
	// (the sweep picks it up again): endpoints with backlogs take turns.
	drainFor = time.Minute
	// AttemptTimeout bounds one delivery attempt: a 2xx within it is
	// success.
	AttemptTimeout = 15 * time.Second
	dueBatch       = 50
)

// Request is one signed delivery attempt for a Sender.
type Request struct {
	URL     string
	Headers map[string]string
	Body    []byte
}

// Sender posts a request (through the guarded fetcher) and returns the
// status code, or an error when no answer came.
type Sender func(ctx context.Context, r Request) (int, error)

// DeliveryResult is what one attempt came to, for metrics.
type DeliveryResult struct {
	Status string // delivered | pending (a retry is scheduled) | failed
	Code   int    // 0 when no answer came
}

// DeliveryRun is how a DeliverWebhooks call ended.
type DeliveryRun int

const (
	// RunDone: nothing was left due when it last looked.
	RunDone DeliveryRun = iota
	// RunHeld: another sender holds the endpoint; its last look covers
	// what is due.
	RunHeld
	// RunSpent: it sent for drainFor and let the endpoint go with rows
	// still due, for the sweep (or a wake-up) to hand on.
	RunSpent
)

// DeliverWebhooks sends endpoint id's due deliveries, unless another job
// is at it. done, when set, hears of every attempt.
//
// wake, when not nil, hears of this node's changes for the endpoint
// while it sends: a sender with nothing due waits on it a moment
// (lingerFor) before it lets the endpoint go.
func (s *Service) DeliverWebhooks(ctx context.Context, orgID, id string, send Sender, done func(DeliveryResult), wake <-chan struct{}) (DeliveryRun, error) {
	for {
		now := s.now()
		t, ok, err := s.store.AcquireWebhookLease(ctx, orgID, id, now.UnixMilli(), now.Add(leaseFor).UnixMilli())
		if err != nil {
			return RunDone, err
		}
		if !ok {
			return RunHeld, nil
		}
		spent := false
		if t.Enabled {
			spent, err = s.drain(ctx, orgID, id, t, send, done, now, wake)
		}
		// Released, then looked at once more: a wake-up whose job found
		// the lease held relies on this look to send what it woke for.
		if rerr := s.store.ReleaseWebhookLease(context.WithoutCancel(ctx), orgID, id); err == nil {
			err = rerr
		}
		if err != nil {
			return RunDone, err
		}
		if spent {
			return RunSpent, nil
		}
		due, err := s.store.DueDeliveries(ctx, orgID, id, s.now().UnixMilli(), 1)
		if err != nil || len(due) == 0 {
			return RunDone, err
		}
	}
}

// drain sends due deliveries until none is left or its time is spent
// (spent), writing their outcomes in batches. The lease was taken at
// leased. With nothing due it lingers, lease held, up to lingerFor for a
// wake-up before it lets the endpoint go: events that come a few at a
// time then cost a read and a send each, not a job, a lease and three
// reads (SPEC §22's calls send five events each, spread over the call).
func (s *Service) drain(ctx context.Context, orgID, id string, t store.Target, send Sender, done func(DeliveryResult), leased time.Time, wake <-chan struct{}) (spent bool, err error) {
	keys, err := s.signingKeys(id, t.Secrets, leased)
	if err != nil {
		return false, err
	}
	leaseEnd, stopAt := leased.Add(leaseFor), leased.Add(drainFor)
	var (
		// pending are outcomes not yet written, sent their seqs: rows
		// still due in the table, which a look skips. Outcomes are
		// written a second (flushEvery) or a batch apart, not after
		// every look: events that come one at a time would otherwise
		// cost a write each.
		pending   []store.Outcome
		sent      []int64
		lastFlush = s.now()
	)
	flush := func() error {
		err := s.store.RecordAttempts(context.WithoutCancel(ctx), orgID, pending)
		pending, sent, lastFlush = pending[:0], sent[:0], s.now()
		return err
	}
	defer func() { _ = flush() }() // what was sent is recorded, even when ctx ends
	// extend renews the lease when it ends within leaseMargin: before an
	// attempt, which may take AttemptTimeout, and after a linger.
	extend := func() error {
		now := s.now()
		if leaseEnd.Sub(now) >= leaseMargin {
			return nil
		}
		leaseEnd = now.Add(leaseFor)
		return s.store.ExtendWebhookLease(ctx, orgID, id, leaseEnd.UnixMilli())
	}
	for {
		if s.now().After(stopAt) {
			return true, nil
		}
		due, err := s.store.DueDeliveries(ctx, orgID, id, s.now().UnixMilli(), dueBatch, sent...)
		if err != nil {
			return false, err
		}
		if len(due) == 0 {
			if woken, err := s.linger(ctx, wake); err != nil || !woken {
				return false, err
			}
			if err := extend(); err != nil {
				return false, err
			}
			// The endpoint may have changed while it lingered (a new
			// URL, a rotated secret, disabled or deleted).
			var ok bool
			if t, ok, err = s.store.WebhookTarget(ctx, orgID, id); err != nil || !ok || !t.Enabled {
				return false, err
			}
			if keys, err = s.signingKeys(id, t.Secrets, s.now()); err != nil {
				return false, err
			}
			continue
		}
		for _, d := range due {
			if err := extend(); err != nil {
				return false, err
			}
			o, res, err := s.attempt(ctx, t.URL, keys, d, send)
			if err != nil {
				return false, err
			}
			pending, sent = append(pending, o), append(sent, d.Seq)
			if done != nil {
				done(res)
			}
			if res.Code == 410 {
				if err := flush(); err != nil {
					return false, err
				}
				s.log.Warn("webhook disabled: the receiver answered 410 Gone", "webhook_id", id)
				return false, s.store.DisableWebhook(ctx, orgID, id, "gone", s.now().UnixMilli())
			}
			if s.now().Sub(lastFlush) >= flushEvery { // a slow receiver's batch
				if err := flush(); err != nil {
					return false, err
				}
			}
		}
		if len(pending) >= dueBatch {
			if err := flush(); err != nil {
				return false, err
			}
		}
	}
}

// linger waits up to lingerFor for a wake-up (woken). Without a wake
// channel it doesn't wait.
func (s *Service) linger(ctx context.Context, wake <-chan struct{}) (woken bool, err error) {
	if wake == nil {
		return false, nil
	}
	t := time.NewTimer(lingerFor)
	defer t.Stop()
	select {
	case <-wake:
		return true, nil
	case <-t.C:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// attempt sends d once and says how it went.
func (s *Service) attempt(ctx context.Context, url string, keys [][]byte, d store.Delivery, send Sender) (store.Outcome, DeliveryResult, error) {
	start := s.now()
	ts := strconv.FormatInt(start.Unix(), 10)
	req := Request{URL: url, Body: d.Payload, Headers: map[string]string{
		"content-type":      "application/json",
		"webhook-id":        d.EventID,
		"webhook-timestamp": ts,
		"webhook-signature": sign(keys, d.EventID, ts, d.Payload),
	}}
	actx, cancel := context.WithTimeout(ctx, AttemptTimeout)
	code, err := send(actx, req)
	cancel()
	if ctx.Err() != nil {
		// Shutting down: not the receiver's failure, and not recorded;
		// the delivery stays due for the next sender.
		return store.Outcome{}, DeliveryResult{}, ctx.Err()
	}
	end := s.now()
	a := agentplane.WebhookAttempt{At: agentplane.TimeOf(start), DurationMS: end.Sub(start).Milliseconds()}
	if code != 0 {
		a.StatusCode = &code
	}
	if err != nil {
		msg := err.Error()
		a.Error = &msg
	} else if code < 200 || code > 299 {
		msg := "the receiver answered " + strconv.Itoa(code)
		a.Error = &msg
	}
	o := store.Outcome{Delivery: d, Attempt: a, At: end.UnixMilli()}
	switch {
	case a.Error == nil:
		o.Status = agentplane.DeliveryDelivered
	case code == 410:
		o.Status = agentplane.DeliveryFailed
	case d.Attempts < len(s.retryDelays):
		o.Status = agentplane.DeliveryPending
		next := end.Add(s.retryDelays[d.Attempts]).UnixMilli()
		o.NextAttemptAt = &next
	default:
		o.Status = agentplane.DeliveryFailed
	}
	return o, DeliveryResult{Status: o.Status, Code: code}, nil
}

// signingKeys opens the endpoint's secrets: the current one, and the
// previous one while it still signs.
func (s *Service) signingKeys(id string, sec store.WebhookSecrets, now time.Time) ([][]byte, error) {
	if s.secrets == nil {
		return nil, fmt.Errorf("webhook %s: no server key to open its secret", id)
	}
	var keys [][]byte
	for _, sealed := range [][]byte{sec.Current, sec.Previous} {
		if sealed == nil {
			continue
		}
		if len(keys) == 1 && now.UnixMilli() >= sec.PreviousUntil {
			break
		}
		plain, err := s.secrets.Open(sealed, sealLabel(id))
		if err != nil {
			return nil, fmt.Errorf("webhook %s secret: %w", id, err)
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(string(plain), secretPrefix))
		if err != nil {
			return nil, fmt.Errorf("webhook %s secret: %w", id, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// sign is the webhook-signature header: "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>" per key, space-separated.
func sign(keys [][]byte, id, ts string, body []byte) string {
	sigs := make([]string, 0, len(keys))
	for _, k := range keys {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(id + "." + ts + "."))
		m.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}
	return strings.Join(sigs, " ")
}

// DueWebhookEndpoints lists endpoints with deliveries due and no live
// lease, across organizations: the queue's sweep.
func (s *Service) DueWebhookEndpoints(ctx context.Context, limit int) ([]store.DueEndpoint, error) {
	return s.store.DueEndpoints(ctx, s.now().UnixMilli(), limit)
}

// OldestPendingDelivery is the age of the oldest pending delivery (0 when
// none), for the metric.
func (s *Service) OldestPendingDelivery(ctx context.Context) (time.Duration, error) {
	at, err := s.store.OldestPendingDelivery(ctx)
	if err != nil || at == 0 {
		return 0, err
	}
	return s.now().Sub(time.UnixMilli(at)), nil
}
