-- Workflow records: the pollable state of durable background work. The
-- jobs themselves live in River's tables, migrated by River at start-up.

-- +goose Up
CREATE TABLE workflows (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    steps           TEXT NOT NULL,
    agent_id        TEXT,
    version         INTEGER,
    error           TEXT,
    input           TEXT NOT NULL DEFAULT '{}',
    state           TEXT NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX workflows_page ON workflows (organization_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE workflows;
