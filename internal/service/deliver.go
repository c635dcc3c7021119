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
	// leaseFor bounds how long a dead deliverer keeps an endpoint: longer
	// than one attempt (AttemptTimeout) and renewed before each.
	leaseFor = 20 * time.Second
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
	Status    string // delivered | pending (a retry is scheduled) | failed
	Code      int    // 0 when no answer came
	EventType string
}

// DeliverWebhooks sends endpoint id's due deliveries, unless another job
// is at it. done, when set, hears of every attempt.
func (s *Service) DeliverWebhooks(ctx context.Context, orgID, id string, send Sender, done func(DeliveryResult)) error {
	for {
		now := s.now()
		t, ok, err := s.store.AcquireWebhookLease(ctx, orgID, id, now.UnixMilli(), now.Add(leaseFor).UnixMilli())
		if err != nil || !ok {
			return err
		}
		keys, err := s.signingKeys(id, t.Secrets, now)
		if err == nil {
			err = s.drain(ctx, orgID, id, t.URL, keys, send, done)
		}
		// Released, then looked at once more: a wake-up whose job found
		// the lease held relies on this look to send what it woke for.
		if rerr := s.store.ReleaseWebhookLease(context.WithoutCancel(ctx), orgID, id); err == nil {
			err = rerr
		}
		if err != nil {
			return err
		}
		due, err := s.store.DueDeliveries(ctx, orgID, id, s.now().UnixMilli(), 1)
		if err != nil || len(due) == 0 {
			return err
		}
	}
}

// errGone stops a drain: the receiver answered 410 and the endpoint is off.
var errGone = fmt.Errorf("gone")

// drain sends due deliveries until none is left.
func (s *Service) drain(ctx context.Context, orgID, id, url string, keys [][]byte, send Sender, done func(DeliveryResult)) error {
	for {
		due, err := s.store.DueDeliveries(ctx, orgID, id, s.now().UnixMilli(), dueBatch)
		if err != nil || len(due) == 0 {
			return err
		}
		for _, d := range due {
			if err := s.store.ExtendWebhookLease(ctx, orgID, id, s.now().Add(leaseFor).UnixMilli()); err != nil {
				return err
			}
			res, err := s.attempt(ctx, orgID, id, url, keys, d, send)
			if done != nil && err == nil {
				done(res)
			}
			if err == errGone {
				return nil
			}
			if err != nil {
				return err
			}
		}
	}
}

// attempt sends d once and records how it went.
func (s *Service) attempt(ctx context.Context, orgID, id, url string, keys [][]byte, d store.Delivery, send Sender) (DeliveryResult, error) {
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
		return DeliveryResult{}, ctx.Err() // shutting down: not the receiver's failure
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
	o := store.Outcome{Attempt: a, At: end.UnixMilli()}
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
	if err := s.store.RecordAttempt(ctx, orgID, d, o); err != nil {
		return DeliveryResult{}, err
	}
	res := DeliveryResult{Status: o.Status, Code: code, EventType: d.EventType}
	if code == 410 {
		s.log.Warn("webhook disabled: the receiver answered 410 Gone", "webhook_id", id)
		if err := s.store.DisableWebhook(ctx, orgID, id, "gone", end.UnixMilli()); err != nil {
			return res, err
		}
		return res, errGone
	}
	return res, nil
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
