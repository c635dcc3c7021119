package store

import (
	"context"
	"fmt"

	"github.com/agentplane/agentplane"
)

// UpsertUser returns the user with u.Email, inserting u when there is none.
// Racing inserts of one address settle on the first row.
func (q *Queries) UpsertUser(ctx context.Context, u agentplane.User) (agentplane.User, error) {
	if _, err := q.q.ExecContext(ctx,
		`INSERT INTO users (id, email, created_at, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING`,
		u.ID, u.Email, u.CreatedAt.Millis(), u.UpdatedAt.Millis()); err != nil {
		return u, fmt.Errorf("insert user: %w", err)
	}
	var created, upd int64
	err := q.q.QueryRowContext(ctx, `SELECT id, email, created_at, updated_at FROM users WHERE email = $1`, u.Email).
		Scan(&u.ID, &u.Email, &created, &upd)
	u.CreatedAt, u.UpdatedAt = agentplane.TimeFromMillis(created), agentplane.TimeFromMillis(upd)
	return u, err
}

const memberSelect = `SELECT m.user_id, m.organization_id, u.email, m.role, m.created_at, m.updated_at
	FROM members m JOIN users u ON u.id = m.user_id`

func scanMember(row interface{ Scan(...any) error }) (agentplane.Member, error) {
	var (
		m            agentplane.Member
		created, upd int64
	)
	err := row.Scan(&m.UserID, &m.OrganizationID, &m.Email, &m.Role, &created, &upd)
	m.CreatedAt, m.UpdatedAt = agentplane.TimeFromMillis(created), agentplane.TimeFromMillis(upd)
	return m, err
}

// AddMember inserts a membership; an existing one is EConflict.
func (q *Queries) AddMember(ctx context.Context, m agentplane.Member) error {
	_, err := q.q.ExecContext(ctx,
		`INSERT INTO members (organization_id, user_id, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)`,
		m.OrganizationID, m.UserID, m.Role, m.CreatedAt.Millis(), m.UpdatedAt.Millis())
	if err = mapErr(err); isConflict(err) {
		return agentplane.Errorf(agentplane.EConflict, "%s is already a member", m.Email)
	}
	return err
}

// GetMember returns userID's membership of orgID.
func (q *Queries) GetMember(ctx context.Context, orgID, userID string) (agentplane.Member, error) {
	m, err := scanMember(q.q.QueryRowContext(ctx, memberSelect+` WHERE m.organization_id = $1 AND m.user_id = $2`, orgID, userID))
	if errNoRows(err) {
		return m, agentplane.Errorf(agentplane.ENotFound, "member not found")
	}
	return m, err
}

// CountAdmins counts orgID's admins. Callers that act on the count hold
// LockOrganization first.
func (q *Queries) CountAdmins(ctx context.Context, orgID string) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE organization_id = $1 AND role = 'admin'`, orgID).Scan(&n)
	return n, err
}

// SetMemberRole changes a role.
func (q *Queries) SetMemberRole(ctx context.Context, orgID, userID string, role agentplane.Role, now agentplane.Time) error {
	res, err := q.q.ExecContext(ctx, `UPDATE members SET role = $3, updated_at = $4 WHERE organization_id = $1 AND user_id = $2`,
		orgID, userID, role, now.Millis())
	return affectedOne(res, err, "member not found")
}

// RemoveMember deletes a membership.
func (q *Queries) RemoveMember(ctx context.Context, orgID, userID string) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM members WHERE organization_id = $1 AND user_id = $2`, orgID, userID)
	return affectedOne(res, err, "member not found")
}

// ListMembers pages through orgID's members, newest first.
func (q *Queries) ListMembers(ctx context.Context, orgID string, p agentplane.Page) (agentplane.List[agentplane.Member], error) {
	var w where
	w.add("m.organization_id = ?", orgID)
	return listPage(ctx, q, "members", memberSelect+` WHERE `, &w, p, "m.", "user_id", scanMember, func(m agentplane.Member) agentplane.Cursor {
		return agentplane.Cursor{CreatedAt: m.CreatedAt.Millis(), ID: m.UserID}
	})
}
