-- Version notes (SPEC §16): a version's description, the change note set
-- on creation or while it is a draft. Rows made before it have none ('').
-- Their configs are left as stored: the service fills the schema's
-- defaults in when it reads them, so no row needs rewriting here.

-- +goose Up
ALTER TABLE agent_versions ADD COLUMN description TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE agent_versions DROP COLUMN description;
