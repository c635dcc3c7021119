package store

import (
	"context"
	"fmt"

	"github.com/agentplane/agentplane"
)

// The rollout state of SPEC §15: an agent's live version and running
// rollout (columns of its row, agents.go), its deployment history, the
// slots that follow the live version when it moves, and per-version
// conversation counters (conversations.go writes them).

const deploymentColumns = `id, agent_id, kind, version, previous_version, percent, description, actor, created_at`

func scanDeployment(row interface{ Scan(...any) error }) (agentplane.Deployment, error) {
	var (
		d       agentplane.Deployment
		actor   []byte
		created int64
	)
	err := row.Scan(&d.ID, &d.AgentID, &d.Kind, &d.Version, &d.PreviousVersion, &d.Percent, &d.Description, &actor, &created)
	d.Actor, d.CreatedAt = actorOf(actor), agentplane.TimeFromMillis(created)
	return d, err
}

// InsertDeployment appends d to the history of orgID's agent d.AgentID.
// Its created_at is d's, or 1 ms past the agent's newest record when that
// is later: concurrent changes take their clocks before they wait for the
// agent's lock, and the history must list them in the order they took
// effect, which is the lock's. Call it holding the agent's lock.
func (q *Queries) InsertDeployment(ctx context.Context, orgID string, d agentplane.Deployment) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO agent_deployments (`+deploymentColumns+`, organization_id)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, `+q.d.greatest+`($9, coalesce(max(created_at), 0) + 1), $10
		FROM agent_deployments WHERE organization_id = $10 AND agent_id = $2`, d.ID, d.AgentID, d.Kind, d.Version,
		d.PreviousVersion, d.Percent, d.Description, actorText(d.Actor), d.CreatedAt.Millis(), orgID)
	return mapErr(err)
}

// ListDeployments pages through the history of orgID's agent, newest
// first. Records never change: p's window may bound created_at only.
func (q *Queries) ListDeployments(ctx context.Context, orgID, agentID string, f agentplane.DeploymentFilter, p agentplane.Page) (agentplane.List[agentplane.Deployment], error) {
	var w where
	w.add("organization_id = ?", orgID)
	w.add("agent_id = ?", agentID)
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	return listPage(ctx, q, "deployments", `SELECT `+deploymentColumns+` FROM agent_deployments WHERE `, &w, p, "", "id", scanDeployment, func(d agentplane.Deployment) agentplane.Cursor {
		return agentplane.Cursor{CreatedAt: d.CreatedAt.Millis(), ID: d.ID}
	})
}

// RollbackTarget is the version a rollback without to_version goes to:
// the one that was live before the current one. It walks the records
// that moved the live version, newest first, for the first whose previous
// version differs from live (a republish of the live version records
// itself as its own previous one). ENotFound when there is none.
func (q *Queries) RollbackTarget(ctx context.Context, orgID, agentID string, live int) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT previous_version FROM agent_deployments
		WHERE organization_id = $1 AND agent_id = $2 AND kind IN ('publish', 'rollback', 'rollout_promoted')
		AND previous_version IS NOT NULL AND previous_version <> $3
		ORDER BY created_at DESC, id DESC LIMIT 1`, orgID, agentID, live).Scan(&n)
	if errNoRows(err) {
		return 0, agentplane.Errorf(agentplane.ENotFound, "no earlier live version")
	}
	return n, err
}

// LiveMove is a change of an agent's live version: by a publish, a
// rollback or a rollout's promotion.
type LiveMove struct {
	OrganizationID, AgentID string
	Kind                    string // agentplane.DeployPublish, DeployRollback or DeployRolloutPromoted
	Version                 int
	Previous                *int                     // the live version until now
	Rollout                 *agentplane.AgentRollout // the rollout running until now, which the move ends
	Description             *string
	Actor                   agentplane.Actor
	// IDs are the records' ids: the end of the rollout (when one ran and
	// the move is not its promotion), then the move itself, so a list
	// newest first shows the move above the rollout's end.
	IDs [2]string
	Now agentplane.Time
}

// MoveLive makes m.Version live, ends any rollout, and records both in the
// deployment history. Call it inside WithTx, holding the agent's lock.
func (q *Queries) MoveLive(ctx context.Context, m LiveMove) error {
	if err := q.SetLive(ctx, m.OrganizationID, m.AgentID, m.Version); err != nil {
		return err
	}
	rec := agentplane.Deployment{ID: m.IDs[1], AgentID: m.AgentID, Kind: m.Kind, Version: m.Version,
		PreviousVersion: m.Previous, Description: m.Description, Actor: &m.Actor, CreatedAt: m.Now}
	if r := m.Rollout; r != nil {
		if m.Kind == agentplane.DeployRolloutPromoted {
			rec.Percent = &r.Percent
		} else if err := q.InsertDeployment(ctx, m.OrganizationID, r.Aborted(m.IDs[0], m.AgentID, m.Previous, m.Actor, m.Now)); err != nil {
			return err
		}
	}
	return q.InsertDeployment(ctx, m.OrganizationID, rec)
}

// EndRollout ends the agent's running rollout r, if any, recording it as
// aborted by actor (a publish that moved no live version ends it too,
// SPEC §15). live is the agent's live version. Call it holding the agent's
// lock.
func (q *Queries) EndRollout(ctx context.Context, orgID, agentID string, live *int, r *agentplane.AgentRollout, actor agentplane.Actor, id string, now agentplane.Time) error {
	if r == nil {
		return nil
	}
	if err := q.SetRollout(ctx, orgID, agentID, nil); err != nil {
		return err
	}
	return q.InsertDeployment(ctx, orgID, r.Aborted(id, agentID, live, actor, now))
}

// SetLive makes version live the agent's live version and ends its
// rollout, if one runs.
func (q *Queries) SetLive(ctx context.Context, orgID, agentID string, live int) error {
	if err := q.touch(orgID, agentID); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE agents SET live_version = $3, rollout_id = NULL, rollout_version = NULL,
		rollout_percent = NULL, rollout_started_at = NULL WHERE organization_id = $1 AND id = $2`, orgID, agentID, live)
	return affectedOne(res, err, "agent not found")
}

// SetRollout starts, retunes (r.ID unchanged) or, with r nil, ends the
// agent's rollout.
func (q *Queries) SetRollout(ctx context.Context, orgID, agentID string, r *agentplane.AgentRollout) error {
	if err := q.touch(orgID, agentID); err != nil {
		return err
	}
	var (
		id               *string
		version, percent *int
		started          *int64
	)
	if r != nil {
		ms := r.StartedAt.Millis()
		id, version, percent, started = &r.ID, &r.Version, &r.Percent, &ms
	}
	res, err := q.q.ExecContext(ctx, `UPDATE agents SET rollout_id = $3, rollout_version = $4, rollout_percent = $5,
		rollout_started_at = $6 WHERE organization_id = $1 AND id = $2`, orgID, agentID, id, version, percent, started)
	return affectedOne(res, err, "agent not found")
}

// MoveSlots points every slot of orgID's numbers that pins version from
// at version to instead, and returns the numbers that changed, as they
// are now, sorted. The numbers are locked in sorted order first, as a
// publish locks them, so the two can't deadlock. Call it inside WithTx,
// holding the agent's lock.
func (q *Queries) MoveSlots(ctx context.Context, orgID, from, to string, now agentplane.Time) ([]agentplane.PhoneNumber, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT phone_number FROM phone_numbers WHERE organization_id = $1
		AND (inbound_agent_version_id = $2 OR outbound_agent_version_id = $2) ORDER BY phone_number`+q.d.forUpdate, orgID, from)
	if err != nil {
		return nil, fmt.Errorf("move slots: %w", err)
	}
	numbers, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var n string
		return n, r.Scan(&n)
	})
	if err != nil || len(numbers) == 0 {
		return nil, err
	}
	// Every agent these numbers show up under changes: the one moving
	// and any other pinned in a number's other slot.
	if err := q.touchNumberOwners(ctx, orgID, numbers); err != nil {
		return nil, err
	}
	return q.updateSlots(ctx, `UPDATE phone_numbers SET
		inbound_agent_version_id = CASE WHEN inbound_agent_version_id = $2 THEN $3 ELSE inbound_agent_version_id END,
		outbound_agent_version_id = CASE WHEN outbound_agent_version_id = $2 THEN $3 ELSE outbound_agent_version_id END,
		updated_at = $4
		WHERE organization_id = $1 AND `+q.d.inList("phone_number", 5)+slotReturning, orgID, from, to, now.Millis(), listParam(numbers))
}

// VersionStats returns the statistics of the conversations orgID's
// version answered: over all time (rolloutID "") or counted in a rollout.
// It reads the version's counters, never its conversations.
func (q *Queries) VersionStats(ctx context.Context, orgID, versionID, rolloutID string) (agentplane.ConversationStats, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT name, value FROM version_conversation_stats
		WHERE organization_id = $1 AND agent_version_id = $2 AND rollout_id = $3`, orgID, versionID, rolloutID)
	if err != nil {
		return agentplane.ConversationStats{}, fmt.Errorf("version stats: %w", err)
	}
	counters, err := collect(rows, func(r interface{ Scan(...any) error }) (counter, error) {
		var c counter
		return c, r.Scan(&c.name, &c.value)
	})
	if err != nil {
		return agentplane.ConversationStats{}, fmt.Errorf("version stats: %w", err)
	}
	return statsOf(counters), nil
}
