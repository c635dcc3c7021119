package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/agentplane/agentplane"
)

// Webhook endpoints and their outbox of deliveries (SPEC §18). An event's
// deliveries are written in the transaction of the change (EnqueueEvent),
// one row per subscribed endpoint; the job queue delivers each endpoint's
// pending rows in seq order under a lease on the endpoint row.

const webhookColumns = `id, organization_id, url, events, description, enabled, disabled_reason, created_at, updated_at`

func scanWebhook(r rowScanner) (agentplane.Webhook, error) {
	var (
		w            agentplane.Webhook
		events       string
		created, upd int64
	)
	if err := r.Scan(&w.ID, &w.OrganizationID, &w.URL, &events, &w.Description, &w.Enabled, &w.DisabledReason, &created, &upd); err != nil {
		return w, err
	}
	w.CreatedAt, w.UpdatedAt = agentplane.TimeFromMillis(created), agentplane.TimeFromMillis(upd)
	return w, json.Unmarshal([]byte(events), &w.Events)
}

// CreateWebhook inserts w with its sealed secret and its subscriptions.
func (q *Queries) CreateWebhook(ctx context.Context, w agentplane.Webhook, secret []byte) error {
	events, _ := json.Marshal(w.Events)
	_, err := q.q.ExecContext(ctx, `INSERT INTO webhook_endpoints (`+webhookColumns+`, secret)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		w.ID, w.OrganizationID, w.URL, string(events), w.Description, w.Enabled, w.DisabledReason,
		w.CreatedAt.Millis(), w.UpdatedAt.Millis(), secret)
	if err != nil {
		return mapErr(err)
	}
	return q.subscribe(ctx, w)
}

// subscribe writes w's patterns as rows EnqueueEvent matches on.
func (q *Queries) subscribe(ctx context.Context, w agentplane.Webhook) error {
	rows := make([]map[string]any, 0, len(w.Events))
	for _, p := range w.Events {
		pattern, prefix := p, false
		if p == "*" {
			pattern, prefix = "", true
		} else if res, ok := strings.CutSuffix(p, ".*"); ok {
			pattern, prefix = res+".", true
		}
		rows = append(rows, map[string]any{"pattern": pattern, "is_prefix": prefix})
	}
	doc, _ := json.Marshal(rows)
	var sel string
	if q.d.engine == Postgres {
		sel = `SELECT $1::uuid, $2::uuid, r->>'pattern', (r->>'is_prefix')::boolean FROM jsonb_array_elements($3::jsonb) r WHERE TRUE`
	} else {
		sel = `SELECT $1, $2, json_extract(value, '$.pattern'), json_extract(value, '$.is_prefix') FROM json_each($3) WHERE TRUE`
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO webhook_subscriptions (endpoint_id, organization_id, pattern, is_prefix) `+sel+` ON CONFLICT DO NOTHING`,
		w.ID, w.OrganizationID, string(doc))
	return mapErr(err)
}

// GetWebhook returns orgID's endpoint id.
func (q *Queries) GetWebhook(ctx context.Context, orgID, id string) (agentplane.Webhook, error) {
	w, err := scanWebhook(q.q.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE organization_id = $1 AND id = $2`, orgID, id))
	if errNoRows(err) {
		return w, agentplane.Errorf(agentplane.ENotFound, "webhook not found")
	}
	return w, err
}

// LockWebhook reads orgID's endpoint id for update in a transaction.
func (q *Queries) LockWebhook(ctx context.Context, orgID, id string) (agentplane.Webhook, error) {
	lock := ""
	if q.d.engine == Postgres {
		lock = " FOR UPDATE"
	}
	w, err := scanWebhook(q.q.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE organization_id = $1 AND id = $2`+lock, orgID, id))
	if errNoRows(err) {
		return w, agentplane.Errorf(agentplane.ENotFound, "webhook not found")
	}
	return w, err
}

// UpdateWebhook writes w's mutable fields and replaces its subscriptions.
func (q *Queries) UpdateWebhook(ctx context.Context, w agentplane.Webhook) error {
	events, _ := json.Marshal(w.Events)
	res, err := q.q.ExecContext(ctx, `UPDATE webhook_endpoints SET url = $3, events = $4, description = $5, enabled = $6,
		disabled_reason = $7, updated_at = $8 WHERE organization_id = $1 AND id = $2`,
		w.OrganizationID, w.ID, w.URL, string(events), w.Description, w.Enabled, w.DisabledReason, w.UpdatedAt.Millis())
	if err := affectedOne(res, err, "webhook not found"); err != nil {
		return err
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM webhook_subscriptions WHERE organization_id = $1 AND endpoint_id = $2`, w.OrganizationID, w.ID); err != nil {
		return mapErr(err)
	}
	return q.subscribe(ctx, w)
}

// DeleteWebhook deletes orgID's endpoint id with its subscriptions and
// deliveries.
func (q *Queries) DeleteWebhook(ctx context.Context, orgID, id string) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE organization_id = $1 AND id = $2`, orgID, id)
	return affectedOne(res, err, "webhook not found")
}

// ListWebhooks pages through orgID's endpoints.
func (q *Queries) ListWebhooks(ctx context.Context, orgID string, p agentplane.Page) (agentplane.List[agentplane.Webhook], error) {
	var w where
	w.add("organization_id = ?", orgID)
	return listPage(ctx, q, "webhooks", `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE `, &w, p, "", "id", scanWebhook, func(x agentplane.Webhook) agentplane.Cursor {
		return agentplane.Cursor{CreatedAt: x.CreatedAt.Millis(), ID: x.ID}
	})
}

// WebhookSecrets are an endpoint's sealed signing secrets: the current one
// and, for a while after a rotation, the one before it.
type WebhookSecrets struct {
	Current       []byte
	Previous      []byte // nil when none
	PreviousUntil int64  // epoch ms
}

// WebhookSecrets returns orgID's endpoint id's sealed secrets.
func (q *Queries) WebhookSecrets(ctx context.Context, orgID, id string) (WebhookSecrets, error) {
	var (
		s     WebhookSecrets
		until sql.NullInt64
	)
	err := q.q.QueryRowContext(ctx, `SELECT secret, previous_secret, previous_until FROM webhook_endpoints WHERE organization_id = $1 AND id = $2`, orgID, id).
		Scan(&s.Current, &s.Previous, &until)
	if errNoRows(err) {
		return s, agentplane.Errorf(agentplane.ENotFound, "webhook not found")
	}
	s.PreviousUntil = until.Int64
	return s, err
}

// RotateWebhookSecret makes secret the endpoint's current secret and keeps
// previous signing beside it until until (epoch ms).
func (q *Queries) RotateWebhookSecret(ctx context.Context, orgID, id string, secret, previous []byte, until, now int64) error {
	res, err := q.q.ExecContext(ctx, `UPDATE webhook_endpoints SET secret = $3, previous_secret = $4, previous_until = $5, updated_at = $6
		WHERE organization_id = $1 AND id = $2`, orgID, id, secret, previous, until, now)
	return affectedOne(res, err, "webhook not found")
}

// Event is one event for the outbox.
type Event struct {
	ID      string `json:"id"` // the webhook-id every endpoint receives
	Type    string `json:"type"`
	Payload string `json:"payload"`
	// Endpoint, when set, sends the event to that endpoint only, whatever
	// it subscribes to (webhook.test).
	Endpoint string `json:"endpoint"`
}

// Recorder is where a change's audit entry and events go: a transaction
// (Queries), or the pipeline of PostgreSQL's publish.
type Recorder interface {
	AppendAudit(ctx context.Context, e agentplane.AuditEntry) error
	EnqueueEvents(ctx context.Context, orgID string, at int64, evs []Event) error
}

// enqueueSQL writes, in one statement whatever the number of events, one
// delivery per event and enabled endpoint of the organization that
// subscribes to it (or that the event names), and returns the endpoints.
var enqueueSQL = map[Engine]string{
	Postgres: `INSERT INTO webhook_deliveries (organization_id, endpoint_id, event_id, event_type, payload, status, next_attempt_at, created_at)
	SELECT e.organization_id, e.id, ev->>'id', ev->>'type', ev->>'payload', 'pending', $2, $2
	FROM jsonb_array_elements($3::jsonb) ev JOIN webhook_endpoints e ON e.organization_id = $1
	WHERE CASE WHEN ev->>'endpoint' = '' THEN e.enabled AND EXISTS (
		SELECT 1 FROM webhook_subscriptions s WHERE s.endpoint_id = e.id
		AND (s.pattern = ev->>'type' OR (s.is_prefix AND substr(ev->>'type', 1, length(s.pattern)) = s.pattern)))
	ELSE e.id::text = ev->>'endpoint' END
	RETURNING endpoint_id::text`,
	SQLite: `INSERT INTO webhook_deliveries (organization_id, endpoint_id, event_id, event_type, payload, status, next_attempt_at, created_at)
	SELECT e.organization_id, e.id, json_extract(ev.value, '$.id'), json_extract(ev.value, '$.type'), json_extract(ev.value, '$.payload'), 'pending', $2, $2
	FROM json_each($3) ev JOIN webhook_endpoints e ON e.organization_id = $1
	WHERE CASE WHEN json_extract(ev.value, '$.endpoint') = '' THEN e.enabled AND EXISTS (
		SELECT 1 FROM webhook_subscriptions s WHERE s.endpoint_id = e.id
		AND (s.pattern = json_extract(ev.value, '$.type') OR (s.is_prefix AND substr(json_extract(ev.value, '$.type'), 1, length(s.pattern)) = s.pattern)))
	ELSE e.id = json_extract(ev.value, '$.endpoint') END
	RETURNING endpoint_id`,
}

// EnqueueEvents writes evs' deliveries with q. Inside a transaction the
// endpoints that got one are woken after the commit (WithTx); a change
// that rolls back leaves no delivery and wakes nobody. Rows whose wake-up
// is lost (the process died just after the commit, or an admin command
// wrote them) wait for the queue's sweep.
func (q *Queries) EnqueueEvents(ctx context.Context, orgID string, at int64, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	doc, err := json.Marshal(evs)
	if err != nil {
		return err
	}
	rows, err := q.q.QueryContext(ctx, enqueueSQL[q.d.engine], orgID, at, string(doc))
	if err != nil {
		return fmt.Errorf("enqueue events: %w", mapErr(err))
	}
	ids, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	if err != nil {
		return fmt.Errorf("enqueue events: %w", err)
	}
	q.wake(orgID, ids)
	return nil
}

// wake remembers endpoints to wake after the commit; outside a
// transaction it wakes them now.
func (q *Queries) wake(orgID string, ids []string) {
	if len(ids) == 0 {
		return
	}
	if q.tx == nil {
		q.jobs.wake(orgID, ids)
		return
	}
	q.woken = append(q.woken, wakeUp{orgID, ids})
}
