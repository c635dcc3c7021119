-- Foundation: tenants, people, credentials and agents.
-- Times are epoch milliseconds (INTEGER) on both engines: one SQL text
-- serves both, and keyset comparisons are plain integer comparisons.

-- +goose Up
CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE members (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX members_page ON members (organization_id, created_at DESC, user_id DESC);
CREATE INDEX members_user ON members (user_id, created_at DESC, organization_id DESC);

CREATE TABLE credentials (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('org_key', 'pat')),
    organization_id TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    secret_hash     BLOB NOT NULL,
    scopes          TEXT,
    expires_at      INTEGER,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    revoked_at      INTEGER,
    CHECK ((kind = 'org_key') = (organization_id IS NOT NULL AND user_id IS NULL)),
    CHECK ((kind = 'pat') = (user_id IS NOT NULL AND organization_id IS NULL))
);
CREATE INDEX credentials_org_page ON credentials (organization_id, created_at DESC, id DESC) WHERE revoked_at IS NULL;
CREATE INDEX credentials_user_page ON credentials (user_id, created_at DESC, id DESC) WHERE revoked_at IS NULL;

CREATE TABLE agents (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1,
    is_demo         INTEGER NOT NULL DEFAULT 0,
    metadata        TEXT NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX agents_page ON agents (organization_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE agents;
DROP TABLE credentials;
DROP TABLE members;
DROP TABLE users;
DROP TABLE organizations;
DROP TABLE server_secrets;
