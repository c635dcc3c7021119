package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/agentplane/agentplane"
)

// The delivering side of the webhook outbox: a job holding an endpoint's
// lease sends its due rows in seq order and records each attempt.

// Delivery is a pending delivery as the sender needs it.
type Delivery struct {
	Seq        int64
	EventID    string
	EventType  string
	Payload    []byte
	Attempts   int
	AttemptLog []agentplane.WebhookAttempt
}

// Target is where and how an endpoint's events go.
type Target struct {
	URL     string
	Enabled bool
	Secrets WebhookSecrets
}

// AcquireWebhookLease takes orgID's endpoint id for delivering until
// until (epoch ms) unless another job holds it; ok is false then, or when
// the endpoint is gone.
func (s *Store) AcquireWebhookLease(ctx context.Context, orgID, id string, now, until int64) (Target, bool, error) {
	var t Target
	res, err := s.q.ExecContext(ctx, `UPDATE webhook_endpoints SET lease_until = $4
		WHERE organization_id = $1 AND id = $2 AND lease_until <= $3`, orgID, id, now, until)
	if err != nil {
		return t, false, mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return t, false, err
	}
	return s.WebhookTarget(ctx, orgID, id)
}

// WebhookTarget reads where and how orgID's endpoint id's events go; ok
// is false when the endpoint is gone.
func (s *Store) WebhookTarget(ctx context.Context, orgID, id string) (t Target, ok bool, err error) {
	var prevUntil sql.NullInt64
	err = s.q.QueryRowContext(ctx, `SELECT url, enabled, secret, previous_secret, previous_until FROM webhook_endpoints
		WHERE organization_id = $1 AND id = $2`, orgID, id).Scan(&t.URL, &t.Enabled, &t.Secrets.Current, &t.Secrets.Previous, &prevUntil)
	if errNoRows(err) {
		return t, false, nil
	}
	t.Secrets.PreviousUntil = prevUntil.Int64
	return t, err == nil, err
}

// ExtendWebhookLease moves the lease's end to until while the holder works.
func (s *Store) ExtendWebhookLease(ctx context.Context, orgID, id string, until int64) error {
	_, err := s.q.ExecContext(ctx, `UPDATE webhook_endpoints SET lease_until = $3 WHERE organization_id = $1 AND id = $2`, orgID, id, until)
	return mapErr(err)
}

// ReleaseWebhookLease ends the lease.
func (s *Store) ReleaseWebhookLease(ctx context.Context, orgID, id string) error {
	_, err := s.q.ExecContext(ctx, `UPDATE webhook_endpoints SET lease_until = 0 WHERE organization_id = $1 AND id = $2`, orgID, id)
	return mapErr(err)
}

// dueSQL reads an endpoint's due deliveries in two parts, each through
// its own partial index (migration 00012) so that neither steps over the
// other's rows: first attempts in seq order, and retries that came due,
// earliest due first (while a receiver fails, order is not promised).
// Both leave out a list of seqs (a JSON array): the sender's, sent and not
// yet recorded.
var dueSQL = map[Engine]string{
	Postgres: `SELECT * FROM (SELECT seq, event_id, event_type, payload, attempts, attempt_log FROM webhook_deliveries
			WHERE endpoint_id = $2 AND organization_id = $1 AND status = 'pending' AND attempts = 0 AND next_attempt_at <= $3
			AND seq <> ALL (ARRAY(SELECT jsonb_array_elements_text($5::jsonb)::bigint))
			ORDER BY seq LIMIT $4) n
		UNION ALL
		SELECT * FROM (SELECT seq, event_id, event_type, payload, attempts, attempt_log FROM webhook_deliveries
			WHERE endpoint_id = $2 AND organization_id = $1 AND status = 'pending' AND attempts > 0 AND next_attempt_at <= $3
			AND seq <> ALL (ARRAY(SELECT jsonb_array_elements_text($5::jsonb)::bigint))
			ORDER BY next_attempt_at LIMIT $4) r
		ORDER BY seq LIMIT $4`,
	SQLite: `SELECT * FROM (SELECT seq, event_id, event_type, payload, attempts, attempt_log FROM webhook_deliveries
			WHERE endpoint_id = $2 AND organization_id = $1 AND status = 'pending' AND attempts = 0 AND next_attempt_at <= $3
			AND seq NOT IN (SELECT value FROM json_each($5))
			ORDER BY seq LIMIT $4)
		UNION ALL
		SELECT * FROM (SELECT seq, event_id, event_type, payload, attempts, attempt_log FROM webhook_deliveries
			WHERE endpoint_id = $2 AND organization_id = $1 AND status = 'pending' AND attempts > 0 AND next_attempt_at <= $3
			AND seq NOT IN (SELECT value FROM json_each($5))
			ORDER BY next_attempt_at LIMIT $4)
		ORDER BY seq LIMIT $4`,
}

// DueDeliveries returns up to limit of the endpoint's pending deliveries
// whose next attempt is due at now, oldest first, but those in skip.
func (s *Store) DueDeliveries(ctx context.Context, orgID, id string, now int64, limit int, skip ...int64) ([]Delivery, error) {
	if skip == nil {
		skip = []int64{}
	}
	list, err := json.Marshal(skip)
	if err != nil {
		return nil, err
	}
	rows, err := s.q.QueryContext(ctx, dueSQL[s.engine], orgID, id, now, limit, string(list))
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (Delivery, error) {
		var (
			d            Delivery
			payload, log string
		)
		if err := r.Scan(&d.Seq, &d.EventID, &d.EventType, &payload, &d.Attempts, &log); err != nil {
			return d, err
		}
		d.Payload = []byte(payload)
		return d, json.Unmarshal([]byte(log), &d.AttemptLog)
	})
}

// Outcome is the result of one attempt on a delivery: Status is
// "delivered", "pending" (try again at NextAttemptAt) or "failed" (no more
// tries).
type Outcome struct {
	Delivery      Delivery
	Status        string
	Attempt       agentplane.WebhookAttempt
	NextAttemptAt *int64
	At            int64
}

// outcomeRow is an Outcome as recordAttemptsSQL reads it.
type outcomeRow struct {
	Seq       int64   `json:"seq"`
	Status    string  `json:"status"`
	Code      *int    `json:"code"`
	Err       *string `json:"err"`
	Next      *int64  `json:"next"`
	Delivered *int64  `json:"delivered"`
	Log       string  `json:"log"`
}

// recordAttemptsSQL writes a batch of outcomes in one statement on
// PostgreSQL. The rows are found by seq, the primary key, whatever the
// table's statistics say: with organization_id = $1 as an index
// condition, a table that grew since its last ANALYZE (a new one does
// within seconds) made the planner read every delivery of the
// organization for each batch (3 ms for 3,000 rows, growing with them;
// 5 ms a batch in the bench's P4). Compared as text, the organization is
// a filter on the rows the key found.
const recordAttemptsSQL = `UPDATE webhook_deliveries d SET status = r.status, attempts = d.attempts + 1, last_status = r.code, last_error = r.err,
		next_attempt_at = r.next, delivered_at = r.delivered, attempt_log = r.log
		FROM (SELECT (x->>'seq')::bigint AS seq, x->>'status' AS status, (x->>'code')::int AS code, x->>'err' AS err,
			(x->>'next')::bigint AS next, (x->>'delivered')::bigint AS delivered, x->>'log' AS log
			FROM jsonb_array_elements($2::jsonb) x) r
		WHERE d.seq = ANY (ARRAY(SELECT (jsonb_array_elements($2::jsonb)->>'seq')::bigint))
		AND d.seq = r.seq AND d.organization_id::text = $1`

// recordAttemptSQL writes one outcome (SQLite: a batch is these in one
// transaction; SQLite's UPDATE … FROM a json_each scanned the whole table
// under the write lock, and in-process statements cost next to nothing).
const recordAttemptSQL = `UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1, last_status = $4, last_error = $5,
	next_attempt_at = $6, delivered_at = $7, attempt_log = $8 WHERE organization_id = $1 AND seq = $2`

// RecordAttempts writes the outcomes of attempts on orgID's deliveries, in
// one statement however many: a sender records a batch at once rather
// than a write per event (if it dies before, the batch is sent again:
// receivers drop repeats by webhook-id).
func (s *Store) RecordAttempts(ctx context.Context, orgID string, outcomes []Outcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	rows := make([]outcomeRow, len(outcomes))
	for i, o := range outcomes {
		log := append(o.Delivery.AttemptLog, o.Attempt)
		if len(log) > maxAttemptLog {
			log = log[len(log)-maxAttemptLog:]
		}
		doc, _ := json.Marshal(log)
		rows[i] = outcomeRow{Seq: o.Delivery.Seq, Status: o.Status, Code: o.Attempt.StatusCode, Err: o.Attempt.Error, Next: o.NextAttemptAt, Log: string(doc)}
		if o.Status == agentplane.DeliveryDelivered {
			at := o.At
			rows[i].Delivered = &at
		}
	}
	if s.engine == SQLite {
		return s.WithTx(ctx, func(q *Queries) error {
			for _, r := range rows {
				if _, err := q.q.ExecContext(ctx, recordAttemptSQL, orgID, r.Seq, r.Status, r.Code, r.Err, r.Next, r.Delivered, r.Log); err != nil {
					return mapErr(err)
				}
			}
			return nil
		})
	}
	doc, _ := json.Marshal(rows)
	_, err := s.q.ExecContext(ctx, recordAttemptsSQL, orgID, string(doc))
	return mapErr(err)
}

// maxAttemptLog is how many attempts a delivery remembers; the counter
// keeps counting past it.
const maxAttemptLog = 50

// DisableWebhook turns the endpoint off for reason (the receiver said 410
// Gone) and fails its pending deliveries.
func (s *Store) DisableWebhook(ctx context.Context, orgID, id, reason string, now int64) error {
	return s.WithTx(ctx, func(q *Queries) error {
		if _, err := q.q.ExecContext(ctx, `UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = $3, updated_at = $4
			WHERE organization_id = $1 AND id = $2`, orgID, id, reason, now); err != nil {
			return mapErr(err)
		}
		_, err := q.q.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL
			WHERE organization_id = $1 AND endpoint_id = $2 AND status = 'pending'`, orgID, id)
		return mapErr(err)
	})
}

// FailPendingDeliveries ends the endpoint's pending deliveries (it was
// turned off).
func (q *Queries) FailPendingDeliveries(ctx context.Context, orgID, id string) error {
	_, err := q.q.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, last_error = 'the webhook was disabled'
		WHERE organization_id = $1 AND endpoint_id = $2 AND status = 'pending'`, orgID, id)
	return mapErr(err)
}

// DueEndpoint names an endpoint with deliveries due.
type DueEndpoint struct{ OrganizationID, ID string }

// DueEndpoints lists, across organizations, the enabled endpoints with a
// pending delivery due at now and no live lease: the sweep that retries
// failed attempts and picks up events whose job was never written (an
// admin command's) or lost.
func (s *Store) DueEndpoints(ctx context.Context, now int64, limit int) ([]DueEndpoint, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT e.organization_id, e.id FROM webhook_endpoints e
		WHERE e.enabled AND e.lease_until <= $1 AND (EXISTS (SELECT 1 FROM webhook_deliveries d
			WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.attempts = 0 AND d.next_attempt_at <= $1)
		OR EXISTS (SELECT 1 FROM webhook_deliveries d
			WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.attempts > 0 AND d.next_attempt_at <= $1))
		LIMIT $2`, now, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (DueEndpoint, error) {
		var d DueEndpoint
		return d, r.Scan(&d.OrganizationID, &d.ID)
	})
}

// OldestPendingDelivery is the creation time (epoch ms) of the oldest
// pending delivery, 0 when none (a metric).
func (s *Store) OldestPendingDelivery(ctx context.Context) (int64, error) {
	var at sql.NullInt64
	err := s.q.QueryRowContext(ctx, `SELECT MIN(created_at) FROM webhook_deliveries WHERE status = 'pending'`).Scan(&at)
	return at.Int64, mapErr(err)
}

const deliveryColumns = `event_id, endpoint_id, event_type, status, attempts, last_status, last_error, next_attempt_at, delivered_at, created_at, attempt_log`

func scanDelivery(r rowScanner) (agentplane.WebhookDelivery, error) {
	var (
		d               agentplane.WebhookDelivery
		next, delivered sql.NullInt64
		created         int64
		log             string
	)
	if err := r.Scan(&d.EventID, &d.WebhookID, &d.EventType, &d.Status, &d.Attempts, &d.LastStatus, &d.LastError, &next, &delivered, &created, &log); err != nil {
		return d, err
	}
	d.ID = d.EventID
	d.CreatedAt = agentplane.TimeFromMillis(created)
	if next.Valid {
		t := agentplane.TimeFromMillis(next.Int64)
		d.NextAttemptAt = &t
	}
	if delivered.Valid {
		t := agentplane.TimeFromMillis(delivered.Int64)
		d.DeliveredAt = &t
	}
	if err := json.Unmarshal([]byte(log), &d.AttemptLog); err != nil {
		return d, fmt.Errorf("delivery %s attempt log: %w", d.ID, err)
	}
	return d, nil
}

// ListDeliveries pages through the deliveries of orgID's endpoint id.
func (q *Queries) ListDeliveries(ctx context.Context, orgID, id string, p agentplane.Page) (agentplane.List[agentplane.WebhookDelivery], error) {
	var w where
	w.add("organization_id = ?", orgID)
	w.add("endpoint_id = ?", id)
	return listPage(ctx, q, "deliveries", `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE `, &w, p, "", "event_id", scanDelivery, func(d agentplane.WebhookDelivery) agentplane.Cursor {
		return agentplane.Cursor{CreatedAt: d.CreatedAt.Millis(), ID: d.EventID}
	})
}

// GetDelivery returns the delivery of event eventID to orgID's endpoint id.
func (q *Queries) GetDelivery(ctx context.Context, orgID, id, eventID string) (agentplane.WebhookDelivery, error) {
	d, err := scanDelivery(q.q.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE organization_id = $1 AND endpoint_id = $2 AND event_id = $3`, orgID, id, eventID))
	if errNoRows(err) {
		return d, agentplane.Errorf(agentplane.ENotFound, "delivery not found")
	}
	return d, err
}

// Redeliver makes the delivery pending again, due at now, and wakes its
// endpoint.
func (q *Queries) Redeliver(ctx context.Context, orgID, id, eventID string, now int64) error {
	res, err := q.q.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $4
		WHERE organization_id = $1 AND endpoint_id = $2 AND event_id = $3`, orgID, id, eventID, now)
	if err := affectedOne(res, err, "delivery not found"); err != nil {
		return err
	}
	q.wake(orgID, []string{id})
	return nil
}
