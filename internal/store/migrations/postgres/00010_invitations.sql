-- Invitations (SPEC §19): adding a member hands out a one-time link to the
-- console, where the new member names a first personal token and is signed
-- in; nobody else ever handles their credential. Only the SHA-256 of the
-- link's token is kept. Good for 7 days, once.

-- +goose Up
CREATE TABLE invitations (
    token_hash      TEXT PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);
CREATE INDEX invitations_member ON invitations (organization_id, user_id);

-- +goose Down
DROP TABLE invitations;
