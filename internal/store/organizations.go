package store

import (
	"context"

	"github.com/agentplane/agentplane"
)

const orgColumns = `id, name, slug, created_at, updated_at`

func scanOrg(row interface{ Scan(...any) error }) (agentplane.Organization, error) {
	var (
		o            agentplane.Organization
		created, upd int64
	)
	err := row.Scan(&o.ID, &o.Name, &o.Slug, &created, &upd)
	o.CreatedAt, o.UpdatedAt = agentplane.TimeFromMillis(created), agentplane.TimeFromMillis(upd)
	return o, err
}

// CreateOrganization inserts o; a taken slug is EConflict.
func (q *Queries) CreateOrganization(ctx context.Context, o agentplane.Organization) error {
	_, err := q.q.ExecContext(ctx,
		`INSERT INTO organizations (`+orgColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		o.ID, o.Name, o.Slug, o.CreatedAt.Millis(), o.UpdatedAt.Millis())
	if err = mapErr(err); isConflict(err) {
		return agentplane.Errorf(agentplane.EConflict, "organization slug %q is taken", o.Slug)
	}
	return err
}

// FindOrganization returns the organization whose id or slug is ref.
func (q *Queries) FindOrganization(ctx context.Context, ref string) (agentplane.Organization, error) {
	query, arg := `SELECT `+orgColumns+` FROM organizations WHERE slug = $1`, ref
	if agentplane.ValidID(ref) {
		query = `SELECT ` + orgColumns + ` FROM organizations WHERE id = $1`
	}
	o, err := scanOrg(q.q.QueryRowContext(ctx, query, arg))
	if errNoRows(err) {
		return o, agentplane.Errorf(agentplane.ENotFound, "organization not found")
	}
	return o, err
}

// CountOrganizations tells an empty database (first start) from a used one.
func (q *Queries) CountOrganizations(ctx context.Context) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM organizations`).Scan(&n)
	return n, err
}

// ListUserOrganizations pages through the organizations userID belongs to,
// newest membership first.
func (q *Queries) ListUserOrganizations(ctx context.Context, userID string, p agentplane.Page) (agentplane.List[agentplane.Organization], error) {
	var w where
	w.add("m.user_id = ?", userID)
	type item struct {
		org    agentplane.Organization
		joined int64
	}
	// Pages follow the membership's creation, the user's own timeline.
	l, err := listPage(ctx, q, "organizations", `SELECT o.id, o.name, o.slug, o.created_at, o.updated_at, m.created_at
		FROM members m JOIN organizations o ON o.id = m.organization_id
		WHERE `, &w, p, "m.", "organization_id", func(r rowScanner) (item, error) {
		var it item
		var created, upd int64
		err := r.Scan(&it.org.ID, &it.org.Name, &it.org.Slug, &created, &upd, &it.joined)
		it.org.CreatedAt, it.org.UpdatedAt = agentplane.TimeFromMillis(created), agentplane.TimeFromMillis(upd)
		return it, err
	}, func(it item) agentplane.Cursor {
		return agentplane.Cursor{CreatedAt: it.joined, ID: it.org.ID}
	})
	if err != nil {
		return agentplane.List[agentplane.Organization]{}, err
	}
	out := agentplane.List[agentplane.Organization]{Next: l.Next, Items: make([]agentplane.Organization, len(l.Items))}
	for i, it := range l.Items {
		out.Items[i] = it.org
	}
	return out, nil
}

// LockOrganization serializes membership changes of one organization for
// the rest of the transaction, so two demotions can't each see the other
// admin and both proceed. On SQLite the immediate transaction already holds
// the database's write lock.
func (q *Queries) LockOrganization(ctx context.Context, orgID string) error {
	var id string
	err := q.q.QueryRowContext(ctx, `SELECT id FROM organizations WHERE id = $1`+q.d.forUpdate, orgID).Scan(&id)
	if errNoRows(err) {
		return agentplane.Errorf(agentplane.ENotFound, "organization not found")
	}
	return err
}
