package service

import (
	"context"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// Rollback makes an earlier version live again (SPEC §15): to_version, or
// without it the version that was live before the current one (by the
// deployment history, so two rollbacks in a row toggle). In one
// transaction, under the agent's lock (as publishes take it): the live
// version moves, every slot that pinned the old live version now pins the
// target, a running rollout ends, and the history records it. 409 when
// the agent has no live version, no earlier one, or the target is not
// published or already live; 404 for a version that doesn't exist.
func (s *Service) Rollback(ctx context.Context, c *agentplane.Caller, agentID string, in agentplane.RollbackInput) (agentplane.Rollback, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.Rollback{}, notFoundAgent()
	}
	if err := in.Validate(); err != nil {
		return agentplane.Rollback{}, err
	}
	var out agentplane.Rollback
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		a, err := q.LockAgent(ctx, c.OrganizationID, agentID)
		if err != nil {
			return err
		}
		if a.LiveVersion == nil {
			return agentplane.Errorf(agentplane.EConflict, "the agent has no live version: nothing to roll back")
		}
		target := 0
		if in.ToVersion != nil {
			target = *in.ToVersion
		} else if target, err = q.RollbackTarget(ctx, c.OrganizationID, agentID, *a.LiveVersion); agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
			return agentplane.Errorf(agentplane.EConflict, "version %d has been live since the history began: there is nothing to roll back to; name to_version", *a.LiveVersion)
		} else if err != nil {
			return err
		}
		if out, err = s.moveLive(ctx, q, c, a, target, agentplane.DeployRollback, in.Description); err != nil {
			return err
		}
		after := a
		after.LiveVersion, after.Rollout, after.UpdatedAt = &out.LiveVersion, nil, s.stamp()
		return s.record(ctx, q, c, change{action: agentplane.ActionAgentRolledBack, resourceID: a.ID, agentID: a.ID, before: a, after: after},
			pinnedEvents(out.PhoneNumbers, s.stamp())...)
	})
	return out, err
}

// rolloutState is a rollout as its audit entries and events show it.
func rolloutState(agentID string, r *agentplane.AgentRollout, live *int, status string) map[string]any {
	return map[string]any{"id": r.ID, "agent_id": agentID, "version": r.Version, "percent": r.Percent,
		"started_at": r.StartedAt, "live_version": live, "status": status}
}

// pinnedEvents are the phone_number.pinned events of numbers whose slots
// a publish, rollback or promote changed (SPEC §18): events only, the
// change's audit entry covers them.
func pinnedEvents(numbers []agentplane.PhoneNumber, at agentplane.Time) []store.Event {
	out := make([]store.Event, 0, len(numbers))
	for _, n := range numbers {
		if ev, err := event(agentplane.EventPhoneNumberPinned, n, nil, at); err == nil {
			out = append(out, ev)
		}
	}
	return out
}

// moveLive makes version target of the locked agent a live, moving the
// slots that pin the live version to it, and records the move as kind.
func (s *Service) moveLive(ctx context.Context, q *store.Queries, c *agentplane.Caller, a agentplane.Agent, target int, kind string, note *string) (agentplane.Rollback, error) {
	live := *a.LiveVersion
	if target == live {
		return agentplane.Rollback{}, agentplane.Errorf(agentplane.EConflict, "version %d is already live", target)
	}
	to, err := q.GetVersion(ctx, c.OrganizationID, a.ID, target, true)
	if err != nil {
		return agentplane.Rollback{}, err
	}
	if !to.Published {
		return agentplane.Rollback{}, agentplane.Errorf(agentplane.EConflict, "version %d is not published; publish it first", target)
	}
	from, err := q.GetVersion(ctx, c.OrganizationID, a.ID, live, false)
	if err != nil {
		return agentplane.Rollback{}, err
	}
	now := s.stamp()
	ids := [2]string{agentplane.NewID(), agentplane.NewID()}
	moved, err := q.MoveSlots(ctx, c.OrganizationID, from.ID, to.ID, now)
	if err != nil {
		return agentplane.Rollback{}, err
	}
	if err := q.MoveLive(ctx, store.LiveMove{OrganizationID: c.OrganizationID, AgentID: a.ID, Kind: kind, Version: target,
		Previous: &live, Rollout: a.Rollout, Description: note, Actor: c.Actor(), IDs: ids, Now: now}); err != nil {
		return agentplane.Rollback{}, err
	}
	if moved == nil {
		moved = []agentplane.PhoneNumber{}
	}
	return agentplane.Rollback{LiveVersion: target, PreviousVersion: live, PhoneNumbers: moved}, nil
}

// StartRollout starts a canary rollout of a published version other than
// the live one, or retunes the running one (SPEC §15). The same version
// keeps the rollout (its id, start and statistics) and changes only its
// percent; another version starts a new rollout, which deals every caller
// again and counts from zero. A start is recorded in the history; a
// retune is not.
func (s *Service) StartRollout(ctx context.Context, c *agentplane.Caller, agentID string, in agentplane.RolloutInput) (agentplane.RolloutView, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.RolloutView{}, notFoundAgent()
	}
	if err := in.Validate(); err != nil {
		return agentplane.RolloutView{}, err
	}
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		a, err := q.LockAgent(ctx, c.OrganizationID, agentID)
		if err != nil {
			return err
		}
		if a.LiveVersion == nil {
			return agentplane.Errorf(agentplane.EConflict, "the agent has no live version: publish one before a rollout")
		}
		if *in.Version == *a.LiveVersion {
			return agentplane.Errorf(agentplane.EConflict, "version %d is the live version; roll out another one", *in.Version)
		}
		v, err := q.GetVersion(ctx, c.OrganizationID, agentID, *in.Version, false)
		if err != nil {
			return err
		}
		if !v.Published {
			return agentplane.Errorf(agentplane.EConflict, "version %d is not published; publish it (a first publish makes it live), roll back, then start the rollout", v.Version)
		}
		now := s.stamp()
		r := a.Rollout
		if r != nil && r.Version == *in.Version {
			before := rolloutState(agentID, r, a.LiveVersion, "running")
			retuned := *r
			retuned.Percent = *in.Percent
			if err := q.SetRollout(ctx, c.OrganizationID, agentID, &retuned); err != nil {
				return err
			}
			return s.record(ctx, q, c, change{action: agentplane.ActionRolloutStarted, resourceID: r.ID, agentID: agentID,
				before: before, after: rolloutState(agentID, &retuned, a.LiveVersion, "running")})
		}
		// Another version: the running rollout (if any) ends first.
		actor := c.Actor()
		if err := q.EndRollout(ctx, c.OrganizationID, agentID, a.LiveVersion, r, actor, agentplane.NewID(), now); err != nil {
			return err
		}
		r = &agentplane.AgentRollout{ID: agentplane.NewID(), Version: *in.Version, Percent: *in.Percent, StartedAt: now}
		if err := q.SetRollout(ctx, c.OrganizationID, agentID, r); err != nil {
			return err
		}
		if err := q.InsertDeployment(ctx, c.OrganizationID, agentplane.Deployment{ID: agentplane.NewID(), AgentID: agentID,
			Kind: agentplane.DeployRolloutStarted, Version: r.Version, PreviousVersion: a.LiveVersion, Percent: &r.Percent,
			Description: in.Description, Actor: &actor, CreatedAt: now}); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionRolloutStarted, resourceID: r.ID, agentID: agentID,
			after: rolloutState(agentID, r, a.LiveVersion, "running")})
	})
	if err != nil {
		return agentplane.RolloutView{}, err
	}
	return s.GetRollout(ctx, c, agentID)
}

// GetRollout shows the running rollout with the statistics of the
// conversations each side answered since it started, read from counters
// kept per rollout; 404 when none runs.
func (s *Service) GetRollout(ctx context.Context, c *agentplane.Caller, agentID string) (agentplane.RolloutView, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.RolloutView{}, notFoundAgent()
	}
	var out agentplane.RolloutView
	// One transaction: a snapshot (PostgreSQL) in which the rollout and
	// its counters agree.
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		a, err := q.GetAgent(ctx, c.OrganizationID, agentID)
		if err != nil {
			return err
		}
		r := a.Rollout
		if r == nil || a.LiveVersion == nil {
			return agentplane.Errorf(agentplane.ENotFound, "no rollout is running on this agent")
		}
		out = agentplane.RolloutView{ID: r.ID, Version: r.Version, Percent: r.Percent, StartedAt: r.StartedAt,
			Live: agentplane.RolloutArm{Version: *a.LiveVersion}, Canary: agentplane.RolloutArm{Version: r.Version}}
		for _, arm := range []*agentplane.RolloutArm{&out.Live, &out.Canary} {
			v, err := q.GetVersion(ctx, c.OrganizationID, agentID, arm.Version, false)
			if err != nil {
				return err
			}
			if arm.Stats, err = q.VersionStats(ctx, c.OrganizationID, v.ID, r.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// PromoteRollout makes the running rollout's version live, as a rollback
// to it would (slots that pin the old live version move), and ends the
// rollout; 404 when none runs.
func (s *Service) PromoteRollout(ctx context.Context, c *agentplane.Caller, agentID string) (agentplane.Rollback, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.Rollback{}, notFoundAgent()
	}
	var out agentplane.Rollback
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		a, err := q.LockAgent(ctx, c.OrganizationID, agentID)
		if err != nil {
			return err
		}
		if a.Rollout == nil || a.LiveVersion == nil {
			return agentplane.Errorf(agentplane.ENotFound, "no rollout is running on this agent")
		}
		if out, err = s.moveLive(ctx, q, c, a, a.Rollout.Version, agentplane.DeployRolloutPromoted, nil); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionRolloutPromoted, resourceID: a.Rollout.ID, agentID: agentID,
			before: rolloutState(agentID, a.Rollout, a.LiveVersion, "running"),
			after:  rolloutState(agentID, a.Rollout, &out.LiveVersion, "promoted")},
			pinnedEvents(out.PhoneNumbers, s.stamp())...)
	})
	return out, err
}

// EndRollout stops the running rollout and changes nothing else; 404 when
// none runs.
func (s *Service) EndRollout(ctx context.Context, c *agentplane.Caller, agentID string) error {
	if !agentplane.ValidID(agentID) {
		return notFoundAgent()
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		a, err := q.LockAgent(ctx, c.OrganizationID, agentID)
		if err != nil {
			return err
		}
		if a.Rollout == nil {
			return agentplane.Errorf(agentplane.ENotFound, "no rollout is running on this agent")
		}
		if err := q.EndRollout(ctx, c.OrganizationID, agentID, a.LiveVersion, a.Rollout, c.Actor(), agentplane.NewID(), s.stamp()); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionRolloutAborted, resourceID: a.Rollout.ID, agentID: agentID,
			before: rolloutState(agentID, a.Rollout, a.LiveVersion, "running"),
			after:  rolloutState(agentID, a.Rollout, a.LiveVersion, "aborted")})
	})
}

// ListDeployments pages through the agent's deployment history, newest
// first.
func (s *Service) ListDeployments(ctx context.Context, c *agentplane.Caller, agentID string, f agentplane.DeploymentFilter, p agentplane.Page) (agentplane.List[agentplane.Deployment], error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.List[agentplane.Deployment]{}, notFoundAgent()
	}
	if _, err := s.store.GetAgent(ctx, c.OrganizationID, agentID); err != nil {
		return agentplane.List[agentplane.Deployment]{}, err
	}
	return s.store.ListDeployments(ctx, c.OrganizationID, agentID, f, p)
}
