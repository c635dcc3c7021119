package store

import (
	"context"

	"github.com/agentplane/agentplane"
)

// ConsoleSession is a stored console session: the hash of its token, never
// the token.
type ConsoleSession struct {
	TokenHash      string
	CredentialID   string
	OrganizationID string
	CreatedAt      agentplane.Time
	LastSeenAt     agentplane.Time
	ExpiresAt      agentplane.Time
}

const sessionColumns = `token_hash, credential_id, organization_id, created_at, last_seen_at, expires_at`

// CreateSession stores s.
func (q *Queries) CreateSession(ctx context.Context, s ConsoleSession) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO console_sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		s.TokenHash, s.CredentialID, s.OrganizationID, s.CreatedAt.Millis(), s.LastSeenAt.Millis(), s.ExpiresAt.Millis())
	return mapErr(err)
}

// GetSession returns the session whose token hashes to hash; ENotFound
// when there is none.
func (q *Queries) GetSession(ctx context.Context, hash string) (ConsoleSession, error) {
	var (
		s                  ConsoleSession
		created, seen, exp int64
	)
	err := q.q.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM console_sessions WHERE token_hash = $1`, hash).
		Scan(&s.TokenHash, &s.CredentialID, &s.OrganizationID, &created, &seen, &exp)
	if errNoRows(err) {
		return s, agentplane.Errorf(agentplane.ENotFound, "no such session")
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = agentplane.TimeFromMillis(created), agentplane.TimeFromMillis(seen), agentplane.TimeFromMillis(exp)
	return s, err
}

// TouchSession records that the session was used at now.
func (q *Queries) TouchSession(ctx context.Context, hash string, now agentplane.Time) error {
	_, err := q.q.ExecContext(ctx, `UPDATE console_sessions SET last_seen_at = $2 WHERE token_hash = $1`, hash, now.Millis())
	return err
}

// SetSessionOrganization moves the session to another organization (a
// personal token's session switching).
func (q *Queries) SetSessionOrganization(ctx context.Context, hash, orgID string) error {
	res, err := q.q.ExecContext(ctx, `UPDATE console_sessions SET organization_id = $2 WHERE token_hash = $1`, hash, orgID)
	return affectedOne(res, err, "no such session")
}

// DeleteSession ends the session; ending one that is gone is no error.
func (q *Queries) DeleteSession(ctx context.Context, hash string) error {
	_, err := q.q.ExecContext(ctx, `DELETE FROM console_sessions WHERE token_hash = $1`, hash)
	return err
}

// DeleteStaleSessions removes sessions that expired, or idled out before
// idleSince, at now; it returns how many.
func (q *Queries) DeleteStaleSessions(ctx context.Context, now, idleSince agentplane.Time) (int64, error) {
	res, err := q.q.ExecContext(ctx, `DELETE FROM console_sessions WHERE expires_at <= $1 OR last_seen_at < $2`, now.Millis(), idleSince.Millis())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
