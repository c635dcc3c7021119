-- Console sessions (SPEC §19): a signed-in browser holds a random token in
-- an HttpOnly cookie; the server keeps only its SHA-256. A session acts
-- with the credential it was opened with, in one organization, and is
-- checked against that credential on every request, so revoking the
-- credential ends it. Idle after 12 h (last_seen_at), gone after 7 days
-- (expires_at, earlier when the credential expires sooner).

-- +goose Up
CREATE TABLE console_sessions (
    token_hash      TEXT PRIMARY KEY,
    credential_id   UUID NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX console_sessions_credential ON console_sessions (credential_id);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

-- +goose Down
DROP TABLE console_sessions;
