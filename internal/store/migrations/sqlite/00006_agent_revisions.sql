-- Agent revisions: a counter per agent that every change to what the
-- agent's GET shows (the agent, its versions, the numbers pinning them,
-- widgets, SIP, conversation counters) moves, in the transaction that
-- makes the change. A node keeps the encoded detail of recently read
-- agents and serves it again while this counter is unchanged, so a warm
-- GET reads one row (docs/architecture.md, "The agent detail cache").
--
-- A separate table, not a column of agents: a publish moves the counters
-- of other agents (those whose slots it takes), and it holds the numbers'
-- locks when it does; those agents' own rows are what their publishes
-- lock first. Counters are moved last in every transaction, in sorted
-- order, so no lock waits in a cycle. No foreign key to agents for the
-- same reason (inserting a counter would lock the agent's row).
--
-- Every agent has its row from the statement that creates it (a trigger,
-- so every way of inserting agents, COPY included, makes one), and the
-- agents already there get theirs below: reading a revision is then a
-- point read of this table alone. A deleted agent's row is moved once more
-- and stays (ids are never reused); an organization's deletion takes its
-- rows with it, and no row reads as "no such agent".

-- +goose Up
CREATE TABLE agent_revisions (
    agent_id        TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    revision        INTEGER NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER agents_revision_row AFTER INSERT ON agents BEGIN
    INSERT INTO agent_revisions (agent_id, organization_id, revision) VALUES (NEW.id, NEW.organization_id, 0)
        ON CONFLICT (agent_id) DO NOTHING;
END;
-- +goose StatementEnd

INSERT INTO agent_revisions (agent_id, organization_id, revision) SELECT id, organization_id, 0 FROM agents WHERE true
    ON CONFLICT (agent_id) DO NOTHING;

-- +goose Down
DROP TRIGGER agents_revision_row;
DROP TABLE agent_revisions;
