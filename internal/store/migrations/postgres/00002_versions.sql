-- Agent versions: immutable once published (enforced by the service).

-- +goose Up
CREATE TABLE agent_versions (
    id                           UUID PRIMARY KEY,
    organization_id              UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    agent_id                     UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    version                      INTEGER NOT NULL CHECK (version >= 1),
    published                    BOOLEAN NOT NULL DEFAULT FALSE,
    published_at                 BIGINT,
    base_version                 INTEGER,
    config                       JSONB NOT NULL,
    instruction_builder_inputs   JSONB,
    instructions_status          TEXT NOT NULL DEFAULT 'idle' CHECK (instructions_status IN ('idle', 'generating', 'failed')),
    instructions_error           TEXT,
    instructions_dirty           BOOLEAN NOT NULL DEFAULT FALSE,
    instructions_manually_edited BOOLEAN NOT NULL DEFAULT FALSE,
    created_at                   BIGINT NOT NULL,
    updated_at                   BIGINT NOT NULL,
    UNIQUE (agent_id, version)
);
CREATE INDEX agent_versions_page ON agent_versions (agent_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE agent_versions;
