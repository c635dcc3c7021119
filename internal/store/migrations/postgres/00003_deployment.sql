-- Deployment: phone numbers with slots, SIP endpoints, web widgets, and the
-- conversation ledger with per-agent counters.

-- +goose Up
CREATE TABLE phone_numbers (
    phone_number              TEXT PRIMARY KEY,
    organization_id           UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    label                     TEXT,
    trunk_id                  TEXT,
    outbound_shareable        BOOLEAN NOT NULL DEFAULT FALSE,
    inbound_agent_version_id  UUID REFERENCES agent_versions (id) ON DELETE SET NULL,
    outbound_agent_version_id UUID REFERENCES agent_versions (id) ON DELETE SET NULL,
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL
);
CREATE INDEX phone_numbers_page ON phone_numbers (organization_id, created_at DESC, phone_number DESC);
CREATE INDEX phone_numbers_inbound ON phone_numbers (inbound_agent_version_id);
CREATE INDEX phone_numbers_outbound ON phone_numbers (outbound_agent_version_id);

CREATE TABLE sip_endpoints (
    agent_id        UUID PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
    organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    sip_uri         TEXT NOT NULL,
    deployed_at     BIGINT NOT NULL
);

CREATE TABLE web_widgets (
    id               UUID PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    agent_id         UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    agent_version_id UUID NOT NULL REFERENCES agent_versions (id) ON DELETE CASCADE,
    domains          TEXT NOT NULL DEFAULT '[]',
    published        BOOLEAN NOT NULL DEFAULT FALSE,
    config           JSONB NOT NULL DEFAULT '{}',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX web_widgets_page ON web_widgets (organization_id, created_at DESC, id DESC);
CREATE INDEX web_widgets_agent ON web_widgets (agent_id);

-- Conversations are history: they keep their agent ids after the agent is
-- deleted, so there are no foreign keys to agents or versions.
CREATE TABLE conversations (
    id               UUID PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    agent_id         UUID,
    agent_version_id UUID,
    version          INTEGER,
    web_widget_id    UUID,
    channel          TEXT NOT NULL,
    direction        TEXT NOT NULL,
    status           TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    agent_number     TEXT,
    duration         DOUBLE PRECISION,
    user_turn_count  INTEGER,
    initial_context  JSONB,
    summary          TEXT,
    transcript       JSONB,
    custom_metadata  JSONB,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX conversations_page ON conversations (organization_id, created_at DESC, id DESC);
CREATE INDEX conversations_agent ON conversations (organization_id, agent_id, created_at DESC, id DESC);

-- Counters per agent ("total", "direction:inbound", "status:completed",
-- "duration_total", …), kept in the same transaction as the conversation
-- writes so an agent's statistics never scan its conversations.
CREATE TABLE agent_conversation_stats (
    organization_id UUID NOT NULL,
    agent_id        UUID NOT NULL,
    name            TEXT NOT NULL,
    value           DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (organization_id, agent_id, name)
);

-- +goose Down
DROP TABLE agent_conversation_stats;
DROP TABLE conversations;
DROP TABLE web_widgets;
DROP TABLE sip_endpoints;
DROP TABLE phone_numbers;
