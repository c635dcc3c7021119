package store

import (
	"context"

	"github.com/agentplane/agentplane"
)

// Invitation is a stored invitation: the hash of its token, never the
// token.
type Invitation struct {
	TokenHash      string
	OrganizationID string
	UserID         string
	CreatedAt      agentplane.Time
	ExpiresAt      agentplane.Time
	UsedAt         *agentplane.Time
}

// CreateInvitation stores inv.
func (q *Queries) CreateInvitation(ctx context.Context, inv Invitation) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO invitations (token_hash, organization_id, user_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, inv.TokenHash, inv.OrganizationID, inv.UserID, inv.CreatedAt.Millis(), inv.ExpiresAt.Millis())
	return mapErr(err)
}

// GetInvitation returns the invitation whose token hashes to hash, with
// the member it invites (their email and role) and the organization's
// name and slug; with lock its row is locked for the transaction. An
// invitation whose membership is gone is ENotFound, as is an unknown one.
func (q *Queries) GetInvitation(ctx context.Context, hash string, lock bool) (Invitation, agentplane.Member, agentplane.Organization, error) {
	var (
		inv          Invitation
		m            agentplane.Member
		o            agentplane.Organization
		created, exp int64
		used         *int64
		suffix       string
	)
	if lock {
		suffix = " FOR UPDATE OF i"
		if q.d.engine == SQLite {
			suffix = ""
		}
	}
	err := q.q.QueryRowContext(ctx, `SELECT i.token_hash, i.organization_id, i.user_id, i.created_at, i.expires_at, i.used_at,
			u.email, m.role, o.name, o.slug
		FROM invitations i
		JOIN members m ON m.organization_id = i.organization_id AND m.user_id = i.user_id
		JOIN users u ON u.id = i.user_id
		JOIN organizations o ON o.id = i.organization_id
		WHERE i.token_hash = $1`+suffix, hash).
		Scan(&inv.TokenHash, &inv.OrganizationID, &inv.UserID, &created, &exp, &used, &m.Email, &m.Role, &o.Name, &o.Slug)
	if errNoRows(err) {
		return inv, m, o, agentplane.Errorf(agentplane.ENotFound, "invitation not found: it was used, or it never existed")
	}
	inv.CreatedAt, inv.ExpiresAt, inv.UsedAt = agentplane.TimeFromMillis(created), agentplane.TimeFromMillis(exp), timePtr(used)
	m.UserID, m.OrganizationID, o.ID = inv.UserID, inv.OrganizationID, inv.OrganizationID
	return inv, m, o, err
}

// UseInvitation marks the invitation used at now; only an unused one
// changes (ENotFound otherwise).
func (q *Queries) UseInvitation(ctx context.Context, hash string, now agentplane.Time) error {
	res, err := q.q.ExecContext(ctx, `UPDATE invitations SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL`, hash, now.Millis())
	return affectedOne(res, err, "invitation not found: it was used, or it never existed")
}
