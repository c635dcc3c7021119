-- Rollout (SPEC §15, §16): the live version, the canary rollout and the
-- deployment history of each agent, who made and who published each
-- version, and conversation counters per version.
--
-- An agent's live version and its running rollout are columns of its row:
-- resolving a conversation reads them with the agent, and every change to
-- them (publish, rollback, rollout) already holds that row's lock.
--
-- A database made by the previous release is brought up to date here: the
-- live version is the highest published one, with one publish record to
-- say so, and the per-version counters are counted from the conversations
-- once. Old versions keep created_by and published_by NULL: nobody
-- recorded who made them.

-- SQLite has no gen_random_uuid: the history's ids are version 4 UUIDs made
-- of randomblob.

-- +goose Up
ALTER TABLE agents ADD COLUMN live_version INTEGER;
ALTER TABLE agents ADD COLUMN rollout_id TEXT;
ALTER TABLE agents ADD COLUMN rollout_version INTEGER;
ALTER TABLE agents ADD COLUMN rollout_percent INTEGER;
ALTER TABLE agents ADD COLUMN rollout_started_at INTEGER;

ALTER TABLE agent_versions ADD COLUMN created_by TEXT;
ALTER TABLE agent_versions ADD COLUMN published_by TEXT;

-- The rollout a conversation was counted in (its version was the live or
-- the canary one while the rollout ran), and whether the canary answered
-- it because of the rollout.
ALTER TABLE conversations ADD COLUMN rollout_id TEXT;
ALTER TABLE conversations ADD COLUMN rollout INTEGER NOT NULL DEFAULT 0;

-- Deployment history: append-only, newest first per agent.
CREATE TABLE agent_deployments (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    agent_id         TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    version          INTEGER NOT NULL,
    previous_version INTEGER,
    percent          INTEGER,
    description      TEXT,
    actor            TEXT,
    created_at       INTEGER NOT NULL
);
CREATE INDEX agent_deployments_page ON agent_deployments (organization_id, agent_id, created_at DESC, id DESC);

-- Counters per version, as agent_conversation_stats per agent, plus
-- "last_at" (the newest conversation's creation, kept as a maximum).
-- rollout_id '' holds a version's counters over all time; a rollout's id
-- holds those of the conversations counted in that rollout.
CREATE TABLE version_conversation_stats (
    organization_id  TEXT NOT NULL,
    agent_version_id TEXT NOT NULL,
    rollout_id       TEXT NOT NULL,
    name             TEXT NOT NULL,
    value            REAL NOT NULL,
    PRIMARY KEY (organization_id, agent_version_id, rollout_id, name)
);

UPDATE agents AS a SET live_version = (SELECT max(v.version) FROM agent_versions v
    WHERE v.organization_id = a.organization_id AND v.agent_id = a.id AND v.published);

INSERT INTO agent_deployments (id, organization_id, agent_id, kind, version, created_at)
SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-'
    || substr('89ab', 1 + abs(random()) % 4, 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
    a.organization_id, a.id, 'publish', a.live_version, coalesce(v.published_at, v.updated_at)
FROM agents a JOIN agent_versions v ON v.organization_id = a.organization_id AND v.agent_id = a.id AND v.version = a.live_version;

INSERT INTO version_conversation_stats (organization_id, agent_version_id, rollout_id, name, value)
SELECT organization_id, agent_version_id, '', name, value FROM (
    SELECT organization_id, agent_version_id, 'total' AS name, count(*) AS value FROM conversations
        WHERE agent_version_id IS NOT NULL GROUP BY 1, 2
    UNION ALL SELECT organization_id, agent_version_id, 'direction:' || direction, count(*) FROM conversations
        WHERE agent_version_id IS NOT NULL GROUP BY 1, 2, 3
    UNION ALL SELECT organization_id, agent_version_id, 'channel:' || channel, count(*) FROM conversations
        WHERE agent_version_id IS NOT NULL GROUP BY 1, 2, 3
    UNION ALL SELECT organization_id, agent_version_id, 'status:' || status, count(*) FROM conversations
        WHERE agent_version_id IS NOT NULL GROUP BY 1, 2, 3
    UNION ALL SELECT organization_id, agent_version_id, 'duration_total', sum(duration) FROM conversations
        WHERE agent_version_id IS NOT NULL AND duration IS NOT NULL GROUP BY 1, 2
    UNION ALL SELECT organization_id, agent_version_id, 'with_duration', count(*) FROM conversations
        WHERE agent_version_id IS NOT NULL AND duration IS NOT NULL GROUP BY 1, 2
    UNION ALL SELECT organization_id, agent_version_id, 'last_at', max(created_at) FROM conversations
        WHERE agent_version_id IS NOT NULL GROUP BY 1, 2
) counted;

-- +goose Down
DROP TABLE version_conversation_stats;
DROP TABLE agent_deployments;
ALTER TABLE conversations DROP COLUMN rollout;
ALTER TABLE conversations DROP COLUMN rollout_id;
ALTER TABLE agent_versions DROP COLUMN published_by;
ALTER TABLE agent_versions DROP COLUMN created_by;
ALTER TABLE agents DROP COLUMN rollout_started_at;
ALTER TABLE agents DROP COLUMN rollout_percent;
ALTER TABLE agents DROP COLUMN rollout_version;
ALTER TABLE agents DROP COLUMN rollout_id;
ALTER TABLE agents DROP COLUMN live_version;
