package store

import (
	"context"
	"math"

	"github.com/agentplane/agentplane"
)

const versionColumns = `id, organization_id, agent_id, version, published, published_at, base_version, config,
	instruction_builder_inputs, instructions_status, instructions_error, instructions_dirty,
	instructions_manually_edited, created_at, updated_at, description, created_by, published_by`

func scanVersion(row interface{ Scan(...any) error }) (agentplane.Version, error) {
	var (
		v              agentplane.Version
		pubAt          *int64
		config, inputs []byte
		created, upd   int64
		by, pubBy      []byte
	)
	err := row.Scan(&v.ID, &v.OrganizationID, &v.AgentID, &v.Version, &v.Published, &pubAt, &v.BaseVersion, &config,
		&inputs, &v.InstructionsStatus, &v.InstructionsError, &v.InstructionsDirty,
		&v.InstructionsManuallyEdited, &created, &upd, &v.Description, &by, &pubBy)
	v.PublishedAt = timePtr(pubAt)
	v.CreatedBy, v.PublishedBy = actorOf(by), actorOf(pubBy)
	// Canonical JSON: both engines return the same bytes, so a version's
	// ETag doesn't depend on how PostgreSQL's jsonb reorders keys.
	v.Config = canonicalOrNil(config)
	if inputs != nil {
		v.InstructionBuilderInputs = canonicalOrNil(inputs)
	}
	v.CreatedAt, v.UpdatedAt = agentplane.TimeFromMillis(created), agentplane.TimeFromMillis(upd)
	return v, err
}

// nullJSON binds optional JSON: nil or JSON null become SQL NULL.
func nullJSON(raw []byte) any {
	if agentplane.IsNull(raw) {
		return nil
	}
	return string(raw)
}

// CreateVersion inserts v; a taken (agent, version) number is EConflict.
func (q *Queries) CreateVersion(ctx context.Context, v agentplane.Version) error {
	if err := q.touch(v.OrganizationID, v.AgentID); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO agent_versions (`+versionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, `+q.d.jsonParam(8)+`, `+q.d.jsonParam(9)+`, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		v.ID, v.OrganizationID, v.AgentID, v.Version, v.Published, nullMillisPtr(v.PublishedAt), v.BaseVersion, string(v.Config),
		nullJSON(v.InstructionBuilderInputs), v.InstructionsStatus, v.InstructionsError, v.InstructionsDirty,
		v.InstructionsManuallyEdited, v.CreatedAt.Millis(), v.UpdatedAt.Millis(), v.Description, actorText(v.CreatedBy),
		actorText(v.PublishedBy))
	if err = mapErr(err); isConflict(err) {
		return agentplane.Errorf(agentplane.EConflict, "version %d of this agent already exists", v.Version)
	}
	return err
}

func nullMillisPtr(t *agentplane.Time) any {
	if t == nil {
		return nil
	}
	return t.Millis()
}

// GetVersion returns version number n of orgID's agent. With lock the row
// is locked for the rest of the transaction (PostgreSQL; SQLite's
// immediate transaction already excludes other writers).
func (q *Queries) GetVersion(ctx context.Context, orgID, agentID string, n int, lock bool) (agentplane.Version, error) {
	if n < 1 || n > math.MaxInt32 {
		// Past PostgreSQL's integer column: no such version, not an error.
		return agentplane.Version{}, agentplane.Errorf(agentplane.ENotFound, "version %d not found", n)
	}
	suffix := ""
	if lock {
		suffix = q.d.forUpdate
	}
	v, err := scanVersion(q.q.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM agent_versions
		WHERE organization_id = $1 AND agent_id = $2 AND version = $3`+suffix, orgID, agentID, n))
	if errNoRows(err) {
		return v, agentplane.Errorf(agentplane.ENotFound, "version %d not found", n)
	}
	return v, err
}

// NewestVersion returns the agent's highest-numbered version, ENotFound when
// it has none.
func (q *Queries) NewestVersion(ctx context.Context, orgID, agentID string) (agentplane.Version, error) {
	v, err := scanVersion(q.q.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM agent_versions
		WHERE organization_id = $1 AND agent_id = $2 ORDER BY version DESC LIMIT 1`, orgID, agentID))
	if errNoRows(err) {
		return v, agentplane.Errorf(agentplane.ENotFound, "the agent has no versions")
	}
	return v, err
}

// UpdateVersion writes a version's mutable fields.
func (q *Queries) UpdateVersion(ctx context.Context, v agentplane.Version) error {
	if err := q.touch(v.OrganizationID, v.AgentID); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE agent_versions SET published = $4, published_at = $5,
		config = `+q.d.jsonParam(6)+`, instruction_builder_inputs = `+q.d.jsonParam(7)+`, instructions_status = $8,
		instructions_error = $9, instructions_dirty = $10, instructions_manually_edited = $11, updated_at = $12,
		description = $13
		WHERE organization_id = $1 AND agent_id = $2 AND version = $3`,
		v.OrganizationID, v.AgentID, v.Version, v.Published, nullMillisPtr(v.PublishedAt),
		string(v.Config), nullJSON(v.InstructionBuilderInputs), v.InstructionsStatus,
		v.InstructionsError, v.InstructionsDirty, v.InstructionsManuallyEdited, v.UpdatedAt.Millis(), v.Description)
	return affectedOne(res, err, "version not found")
}

// ListVersions pages through an agent's versions matching f, newest first.
func (q *Queries) ListVersions(ctx context.Context, orgID, agentID string, f agentplane.VersionFilter, p agentplane.Page) (agentplane.List[agentplane.Version], error) {
	var w where
	w.add("organization_id = ?", orgID)
	w.add("agent_id = ?", agentID)
	if f.Version != nil {
		w.add("version = ?", *f.Version)
	}
	if f.Published != nil {
		w.add("published = ?", *f.Published)
	}
	return listPage(ctx, q, "versions", `SELECT `+versionColumns+` FROM agent_versions WHERE `, &w, p, "", "id", scanVersion, func(v agentplane.Version) agentplane.Cursor {
		return agentplane.Cursor{CreatedAt: v.CreatedAt.Millis(), ID: v.ID}
	})
}

// LockAgent returns orgID's agent and, on PostgreSQL, locks its row for the
// rest of the transaction: version numbering and "latest" serialize on it.
func (q *Queries) LockAgent(ctx context.Context, orgID, id string) (agentplane.Agent, error) {
	a, err := scanAgent(q.q.QueryRowContext(ctx,
		`SELECT `+agentColumns+` FROM agents WHERE organization_id = $1 AND id = $2`+q.d.forUpdate, orgID, id))
	if errNoRows(err) {
		return a, agentplane.Errorf(agentplane.ENotFound, "agent not found")
	}
	return a, err
}

// LatestPublished returns the agent's highest-numbered published version;
// EConflict when it has none (nothing can answer for it yet).
func (q *Queries) LatestPublished(ctx context.Context, orgID, agentID string) (agentplane.Version, error) {
	v, err := scanVersion(q.q.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM agent_versions
		WHERE organization_id = $1 AND agent_id = $2 AND published ORDER BY version DESC LIMIT 1`, orgID, agentID))
	if errNoRows(err) {
		return v, agentplane.Errorf(agentplane.EConflict, "the agent has no published version; publish one first")
	}
	return v, err
}

// DeleteDraftVersion removes version n of orgID's agent if it is a draft
// (ENotFound otherwise): a failed scaffolding workflow takes back the
// version it added to an existing agent. Nothing pins a draft (numbers,
// widgets and conversations take published versions only). The agent's
// revision moves.
func (q *Queries) DeleteDraftVersion(ctx context.Context, orgID, agentID string, n int) error {
	if err := q.touch(orgID, agentID); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM agent_versions
		WHERE organization_id = $1 AND agent_id = $2 AND version = $3 AND NOT published`, orgID, agentID, n)
	return affectedOne(res, err, "draft version not found")
}
