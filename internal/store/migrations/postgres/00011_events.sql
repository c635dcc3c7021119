-- Events (SPEC §17–§18): the audit log, webhook endpoints and the outbox
-- of deliveries. An audit entry and the deliveries of its event are
-- written in the transaction of the change they record; a River job then
-- delivers each endpoint's pending rows in seq order.

-- +goose Up
CREATE TABLE audit_log (
    id              UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL, -- occurred_at
    actor_type      TEXT NOT NULL,
    actor_id        TEXT NOT NULL,
    actor_name      TEXT NOT NULL,
    credential_id   TEXT,
    action          TEXT NOT NULL,
    resource_type   TEXT NOT NULL,
    resource_id     TEXT NOT NULL,
    agent_id        TEXT,
    request_id      TEXT,
    ip              TEXT,
    via             TEXT NOT NULL,
    changes         TEXT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log (organization_id, created_at, id);
CREATE INDEX audit_log_agent ON audit_log (organization_id, agent_id, created_at);
CREATE INDEX audit_log_resource ON audit_log (organization_id, resource_type, resource_id, created_at);
CREATE INDEX audit_log_action ON audit_log (organization_id, action, created_at);
CREATE INDEX audit_log_age ON audit_log (created_at);

CREATE TABLE webhook_endpoints (
    id                   UUID PRIMARY KEY,
    organization_id      UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    url                  TEXT NOT NULL,
    events               TEXT NOT NULL,
    description          TEXT NOT NULL,
    enabled              BOOLEAN NOT NULL,
    disabled_reason      TEXT NOT NULL DEFAULT '',
    secret               BYTEA NOT NULL,   -- sealed
    previous_secret      BYTEA,            -- sealed; signs beside the new one until previous_until
    previous_until       BIGINT,
    lease_until          BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (organization_id, created_at, id);

-- One row per pattern: "*" and "agent.*" are prefixes ("" and "agent.").
CREATE TABLE webhook_subscriptions (
    endpoint_id     UUID NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    organization_id UUID NOT NULL,
    pattern         TEXT NOT NULL,
    is_prefix       BOOLEAN NOT NULL,
    PRIMARY KEY (endpoint_id, pattern)
);
CREATE INDEX webhook_subscriptions_org ON webhook_subscriptions (organization_id);

CREATE TABLE webhook_deliveries (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id UUID NOT NULL,
    endpoint_id     UUID NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER,
    last_error      TEXT,
    next_attempt_at BIGINT,
    delivered_at    BIGINT,
    created_at      BIGINT NOT NULL,
    attempt_log     TEXT NOT NULL DEFAULT '[]',
    UNIQUE (endpoint_id, event_id)
);
-- Due rows are read in seq order (the retry time is checked on the way);
-- the age metric reads the oldest pending one.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_id, seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_pending_age ON webhook_deliveries (created_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (organization_id, endpoint_id, created_at, event_id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
DROP TABLE webhook_endpoints;
DROP TABLE audit_log;
