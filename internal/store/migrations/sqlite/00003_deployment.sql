-- Deployment: phone numbers with slots, SIP endpoints, web widgets, and the
-- conversation ledger with per-agent counters.

-- +goose Up
CREATE TABLE phone_numbers (
    phone_number              TEXT PRIMARY KEY,
    organization_id           TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    label                     TEXT,
    trunk_id                  TEXT,
    outbound_shareable        INTEGER NOT NULL DEFAULT 0,
    inbound_agent_version_id  TEXT REFERENCES agent_versions (id) ON DELETE SET NULL,
    outbound_agent_version_id TEXT REFERENCES agent_versions (id) ON DELETE SET NULL,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL
);
CREATE INDEX phone_numbers_page ON phone_numbers (organization_id, created_at DESC, phone_number DESC);
CREATE INDEX phone_numbers_inbound ON phone_numbers (inbound_agent_version_id);
CREATE INDEX phone_numbers_outbound ON phone_numbers (outbound_agent_version_id);

CREATE TABLE sip_endpoints (
    agent_id        TEXT PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    sip_uri         TEXT NOT NULL,
    deployed_at     INTEGER NOT NULL
);

CREATE TABLE web_widgets (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    agent_id         TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    agent_version_id TEXT NOT NULL REFERENCES agent_versions (id) ON DELETE CASCADE,
    domains          TEXT NOT NULL DEFAULT '[]',
    published        INTEGER NOT NULL DEFAULT 0,
    config           TEXT NOT NULL DEFAULT '{}',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX web_widgets_page ON web_widgets (organization_id, created_at DESC, id DESC);
CREATE INDEX web_widgets_agent ON web_widgets (agent_id);

-- Conversations are history: they keep their agent ids after the agent is
-- deleted, so there are no foreign keys to agents or versions.
CREATE TABLE conversations (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    agent_id         TEXT,
    agent_version_id TEXT,
    version          INTEGER,
    web_widget_id    TEXT,
    channel          TEXT NOT NULL,
    direction        TEXT NOT NULL,
    status           TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    agent_number     TEXT,
    duration         REAL,
    user_turn_count  INTEGER,
    initial_context  TEXT,
    summary          TEXT,
    transcript       TEXT,
    custom_metadata  TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX conversations_page ON conversations (organization_id, created_at DESC, id DESC);
CREATE INDEX conversations_agent ON conversations (organization_id, agent_id, created_at DESC, id DESC);

-- Counters per agent ("total", "direction:inbound", "status:completed",
-- "duration_total", …), kept in the same transaction as the conversation
-- writes so an agent's statistics never scan its conversations.
CREATE TABLE agent_conversation_stats (
    organization_id TEXT NOT NULL,
    agent_id        TEXT NOT NULL,
    name            TEXT NOT NULL,
    value           REAL NOT NULL,
    PRIMARY KEY (organization_id, agent_id, name)
);

-- +goose Down
DROP TABLE agent_conversation_stats;
DROP TABLE conversations;
DROP TABLE web_widgets;
DROP TABLE sip_endpoints;
DROP TABLE phone_numbers;
