package store

import (
	"context"
	"sort"

	"github.com/agentplane/agentplane"
)

// agentInsertColumns are those a new agent is inserted with; agentColumns
// adds what publishes, rollbacks and rollouts set (SPEC §15), which every
// read of an agent returns.
const (
	agentInsertColumns = `id, organization_id, name, description, active, is_demo, metadata, created_at, updated_at`
	agentColumns       = agentInsertColumns + `, live_version, rollout_id, rollout_version, rollout_percent, rollout_started_at`
)

func scanAgent(row interface{ Scan(...any) error }) (agentplane.Agent, error) {
	return scanAgentAnd(row)
}

// scanAgentAnd scans agentColumns and then, into extra, the columns a
// query selects after them.
func scanAgentAnd(row rowScanner, extra ...any) (agentplane.Agent, error) {
	var (
		a                  agentplane.Agent
		meta               []byte
		created, upd       int64
		rolloutID          *string
		rolloutV, rolloutP *int
		rolloutAt          *int64
	)
	dest := append([]any{&a.ID, &a.OrganizationID, &a.Name, &a.Description, &a.Active, &a.IsDemo, &meta, &created, &upd,
		&a.LiveVersion, &rolloutID, &rolloutV, &rolloutP, &rolloutAt}, extra...)
	err := row.Scan(dest...)
	a.Rollout = rolloutOf(rolloutID, rolloutV, rolloutP, rolloutAt)
	// PostgreSQL's jsonb reorders keys and adds spaces; canonicalize so
	// both engines return the bytes that were stored.
	if c, cerr := agentplane.CanonicalJSON(meta); cerr == nil {
		meta = c
	}
	a.Metadata = meta
	a.CreatedAt, a.UpdatedAt = agentplane.TimeFromMillis(created), agentplane.TimeFromMillis(upd)
	return a, err
}

// rolloutOf reads an agent's rollout columns: nil when none runs.
func rolloutOf(id *string, version, percent *int, startedAt *int64) *agentplane.AgentRollout {
	if id == nil || version == nil || percent == nil || startedAt == nil {
		return nil
	}
	return &agentplane.AgentRollout{ID: *id, Version: *version, Percent: *percent, StartedAt: agentplane.TimeFromMillis(*startedAt)}
}

// metadataText is the canonical text of an agent's metadata; empty means
// the empty object.
func metadataText(raw []byte) (string, error) {
	if len(raw) == 0 {
		return "{}", nil
	}
	c, err := agentplane.CanonicalJSON(raw)
	if err != nil {
		return "", agentplane.Errorf(agentplane.EInvalid, "metadata must be a JSON object")
	}
	return string(c), nil
}

// CreateAgent inserts a.
func (q *Queries) CreateAgent(ctx context.Context, a agentplane.Agent) error {
	meta, err := metadataText(a.Metadata)
	if err != nil {
		return err
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO agents (`+agentInsertColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, `+q.d.jsonParam(7)+`, $8, $9)`,
		a.ID, a.OrganizationID, a.Name, a.Description, a.Active, a.IsDemo, meta, a.CreatedAt.Millis(), a.UpdatedAt.Millis())
	return mapErr(err)
}

// GetAgent returns orgID's agent id.
func (q *Queries) GetAgent(ctx context.Context, orgID, id string) (agentplane.Agent, error) {
	a, err := scanAgent(q.q.QueryRowContext(ctx,
		`SELECT `+agentColumns+` FROM agents WHERE organization_id = $1 AND id = $2`, orgID, id))
	if errNoRows(err) {
		return a, agentplane.Errorf(agentplane.ENotFound, "agent not found")
	}
	return a, err
}

// UpdateAgent writes every mutable field of a (the service merged the
// partial input onto the current row).
func (q *Queries) UpdateAgent(ctx context.Context, a agentplane.Agent) error {
	meta, err := metadataText(a.Metadata)
	if err != nil {
		return err
	}
	if err := q.touch(a.OrganizationID, a.ID); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE agents SET name = $3, description = $4, active = $5, is_demo = $6,
		metadata = `+q.d.jsonParam(7)+`, updated_at = $8 WHERE organization_id = $1 AND id = $2`,
		a.OrganizationID, a.ID, a.Name, a.Description, a.Active, a.IsDemo, meta, a.UpdatedAt.Millis())
	return affectedOne(res, err, "agent not found")
}

// DeleteAgent removes orgID's agent id. Rows that hang off an agent are
// removed by the service in the same transaction as their features land.
// Its revision moves once more, so a node holding its detail finds out.
func (q *Queries) DeleteAgent(ctx context.Context, orgID, id string) error {
	if err := q.touch(orgID, id); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM agents WHERE organization_id = $1 AND id = $2`, orgID, id)
	return affectedOne(res, err, "agent not found")
}

// ListAgents pages through orgID's agents matching f, newest first.
func (q *Queries) ListAgents(ctx context.Context, orgID string, f agentplane.AgentFilter, p agentplane.Page) (agentplane.List[agentplane.Agent], error) {
	var w where
	w.add("organization_id = ?", orgID)
	if f.Name != "" {
		w.add("name "+q.d.likeOp+" ? ESCAPE '\\'", likePattern(f.Name))
	}
	if f.Active != nil {
		w.add("active = ?", *f.Active)
	}
	if f.IsDemo != nil {
		w.add("is_demo = ?", *f.IsDemo)
	}
	keys := make([]string, 0, len(f.Metadata))
	for k := range f.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a stable statement text per filter shape
	for _, k := range keys {
		v, err := agentplane.CanonicalJSON(f.Metadata[k])
		if err != nil {
			return agentplane.List[agentplane.Agent]{}, agentplane.Errorf(agentplane.EInvalid, "metadata filter value of %q is not JSON", k)
		}
		kn, vn := w.next(k), w.next(string(v))
		w.conds = append(w.conds, q.d.metadataHas("metadata", kn, vn))
	}
	return listPage(ctx, q, "agents", `SELECT `+agentColumns+` FROM agents WHERE `, &w, p, "", "id", scanAgent, func(a agentplane.Agent) agentplane.Cursor {
		return agentplane.Cursor{CreatedAt: a.CreatedAt.Millis(), ID: a.ID}
	})
}
