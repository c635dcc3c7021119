-- Agent versions: immutable once published (enforced by the service).

-- +goose Up
CREATE TABLE agent_versions (
    id                           TEXT PRIMARY KEY,
    organization_id              TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    agent_id                     TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    version                      INTEGER NOT NULL CHECK (version >= 1),
    published                    INTEGER NOT NULL DEFAULT 0,
    published_at                 INTEGER,
    base_version                 INTEGER,
    config                       TEXT NOT NULL,
    instruction_builder_inputs   TEXT,
    instructions_status          TEXT NOT NULL DEFAULT 'idle' CHECK (instructions_status IN ('idle', 'generating', 'failed')),
    instructions_error           TEXT,
    instructions_dirty           INTEGER NOT NULL DEFAULT 0,
    instructions_manually_edited INTEGER NOT NULL DEFAULT 0,
    created_at                   INTEGER NOT NULL,
    updated_at                   INTEGER NOT NULL,
    UNIQUE (agent_id, version)
);
CREATE INDEX agent_versions_page ON agent_versions (agent_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE agent_versions;
