package service

import (
	"context"
	"encoding/json"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/configschema"
	"github.com/agentplane/agentplane/internal/store"
)

func notFoundAgent() error { return agentplane.Errorf(agentplane.ENotFound, "agent not found") }

// ValidateConfig checks an AgentConfig without saving it (locs start at
// prefix) and returns it as it would be stored: canonical, every schema
// default filled in.
func (s *Service) ValidateConfig(raw json.RawMessage, prefix ...any) (agentplane.ConfigCheck, error) {
	if err := configschema.Validate(raw, prefix...); err != nil {
		return agentplane.ConfigCheck{}, err
	}
	config, err := configschema.Normalize(raw)
	if err != nil {
		return agentplane.ConfigCheck{}, err
	}
	return agentplane.ConfigCheck{Valid: true, Config: config}, nil
}

// ConfigSchema is the served JSON Schema of AgentConfig.
func (s *Service) ConfigSchema() []byte { return configschema.JSON() }

// withDefaults returns a version read from the store with its config
// normalized (configschema.Normalize): every path that shows or uses a
// config reads versions through it, so a row stored before defaults were
// stored (SPEC §16) reads as if it had been, and its row stays as it is.
// Normalize is a pure function of the stored bytes and the compiled-in
// schema, so every read of one row — on any node, cached or not — agrees.
func withDefaults(v agentplane.Version, err error) (agentplane.Version, error) {
	if err != nil {
		return v, err
	}
	v.Config, err = configschema.Normalize(v.Config)
	return v, err
}

// ListVersions pages through an agent's versions.
func (s *Service) ListVersions(ctx context.Context, c *agentplane.Caller, agentID string, f agentplane.VersionFilter, p agentplane.Page) (agentplane.List[agentplane.Version], error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.List[agentplane.Version]{}, notFoundAgent()
	}
	if _, err := s.store.GetAgent(ctx, c.OrganizationID, agentID); err != nil {
		return agentplane.List[agentplane.Version]{}, err
	}
	l, err := s.store.ListVersions(ctx, c.OrganizationID, agentID, f, p)
	for i := range l.Items {
		if err != nil {
			break
		}
		l.Items[i], err = withDefaults(l.Items[i], nil)
	}
	return l, err
}

// GetVersion returns version n of the agent with the statistics of the
// conversations it answered; agentplane.Latest is
// LatestVersion.
func (s *Service) GetVersion(ctx context.Context, c *agentplane.Caller, agentID string, n int) (agentplane.Version, error) {
	var (
		v   agentplane.Version
		err error
	)
	switch {
	case n == agentplane.Latest:
		v, err = s.LatestVersion(ctx, c, agentID)
	case !agentplane.ValidID(agentID):
		return v, notFoundAgent()
	default:
		if _, err := s.store.GetAgent(ctx, c.OrganizationID, agentID); err != nil {
			return v, err
		}
		v, err = withDefaults(s.store.GetVersion(ctx, c.OrganizationID, agentID, n, false))
	}
	if err != nil {
		return v, err
	}
	// The conversations it answered (SPEC §15), from its counters.
	st, err := s.store.VersionStats(ctx, c.OrganizationID, v.ID, "")
	v.ConversationStats = &st
	return v, err
}

// LatestVersion returns the agent's newest version if it is a draft, and
// otherwise creates the next draft — copied from the newest version, or
// from the config defaults when there is none — and returns it (see
// latestDraft).
func (s *Service) LatestVersion(ctx context.Context, c *agentplane.Caller, agentID string) (agentplane.Version, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.Version{}, notFoundAgent()
	}
	// Fast path without a write transaction: a draft already exists.
	newest, err := s.store.NewestVersion(ctx, c.OrganizationID, agentID)
	if err == nil && !newest.Published {
		return withDefaults(newest, nil)
	}
	var out agentplane.Version
	err = s.store.WithTx(ctx, func(q *store.Queries) error {
		var created bool
		if out, created, err = s.latestDraft(ctx, q, c, agentID); err != nil || !created {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionVersionCreated, resourceID: out.ID, agentID: agentID, after: out})
	})
	return out, err
}

// latestDraft is, inside q's transaction, the draft "latest" names, its
// row locked for a write: the newest version if it is a draft, otherwise
// a new one numbered next, copied from the newest version or made of the
// config defaults when there is none. It takes the agent's row lock
// (PostgreSQL; SQLite's write lock already excludes other writers) and
// looks for the newest version under it, so concurrent calls create one
// draft between them. created says whether it made the draft.
func (s *Service) latestDraft(ctx context.Context, q *store.Queries, c *agentplane.Caller, agentID string) (out agentplane.Version, created bool, err error) {
	orgID := c.OrganizationID
	if _, err := q.LockAgent(ctx, orgID, agentID); err != nil {
		return out, false, err
	}
	newest, err := q.NewestVersion(ctx, orgID, agentID)
	switch {
	case err == nil && !newest.Published:
		out, err = withDefaults(q.GetVersion(ctx, orgID, agentID, newest.Version, true))
		return out, false, err
	case err == nil:
		if newest, err = withDefaults(newest, nil); err != nil {
			return out, false, err
		}
		out = s.newVersion(c, agentID, newest.Version+1).NextFrom(newest)
	case agentplane.ErrorCodeOf(err) == agentplane.ENotFound:
		out = s.newVersion(c, agentID, 1)
		if out.Config, err = configschema.Normalize(agentplane.DefaultConfig); err != nil {
			return out, false, err
		}
	default:
		return out, false, err
	}
	return out, true, q.CreateVersion(ctx, out)
}

// draftToEdit is, inside q's transaction, version n (agentplane.Latest:
// latestDraft) with its row locked for a write. It may be published:
// callers decide what that means.
func (s *Service) draftToEdit(ctx context.Context, q *store.Queries, c *agentplane.Caller, agentID string, n int) (agentplane.Version, error) {
	if n == agentplane.Latest {
		// A draft made here is part of the edit: the edit's entry records it.
		v, _, err := s.latestDraft(ctx, q, c, agentID)
		return v, err
	}
	return withDefaults(q.GetVersion(ctx, c.OrganizationID, agentID, n, true))
}

// newVersion is an empty draft numbered n, made by c.
func (s *Service) newVersion(c *agentplane.Caller, agentID string, n int) agentplane.Version {
	now := s.stamp()
	by := c.Actor()
	return agentplane.Version{
		ID: agentplane.NewID(), OrganizationID: c.OrganizationID, AgentID: agentID, Version: n,
		InstructionsStatus: agentplane.InstructionsIdle, CreatedBy: &by, CreatedAt: now, UpdatedAt: now,
	}
}

// CreateVersion creates the next draft from a config or from a base
// version (exactly one), numbered max+1. The config is stored normalized
// (SPEC §16); a copy of a base version gets in's description, not the
// base's.
func (s *Service) CreateVersion(ctx context.Context, c *agentplane.Caller, agentID string, in agentplane.VersionCreate) (agentplane.Version, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.Version{}, notFoundAgent()
	}
	hasConfig, hasBase := !agentplane.IsNull(in.Config), in.BaseVersion != nil
	var bad agentplane.Violations
	if hasConfig == hasBase {
		bad.Add("give exactly one of config or base_version", "xor", "body")
	}
	agentplane.CheckVersionDescription(&bad, in.Description)
	if err := bad.Err(); err != nil {
		return agentplane.Version{}, err
	}
	var config json.RawMessage
	if hasConfig {
		if err := configschema.Validate(in.Config, "body", "config"); err != nil {
			return agentplane.Version{}, err
		}
		var err error
		if config, err = configschema.Normalize(in.Config); err != nil {
			return agentplane.Version{}, err
		}
	}
	if !agentplane.IsNull(in.InstructionBuilderInputs) {
		if err := configschema.ValidateInputs(in.InstructionBuilderInputs, "body", "instruction_builder_inputs"); err != nil {
			return agentplane.Version{}, err
		}
	}
	var out agentplane.Version
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		if _, err := q.LockAgent(ctx, c.OrganizationID, agentID); err != nil {
			return err
		}
		next := 1
		if newest, err := q.NewestVersion(ctx, c.OrganizationID, agentID); err == nil {
			next = newest.Version + 1
		} else if agentplane.ErrorCodeOf(err) != agentplane.ENotFound {
			return err
		}
		out = s.newVersion(c, agentID, next)
		if hasBase {
			base, err := withDefaults(q.GetVersion(ctx, c.OrganizationID, agentID, *in.BaseVersion, false))
			if agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
				var v agentplane.Violations
				v.Add("base_version does not exist", "not_found", "body", "base_version")
				return v.Err()
			} else if err != nil {
				return err
			}
			out = out.NextFrom(base)
		} else {
			out.Config = config
		}
		if in.Description != nil {
			out.Description = *in.Description
		}
		if !agentplane.IsNull(in.InstructionBuilderInputs) {
			if hasBase && !agentplane.SameJSON(out.InstructionBuilderInputs, in.InstructionBuilderInputs) {
				out.InstructionsDirty = true
			}
			out.InstructionBuilderInputs = canon(in.InstructionBuilderInputs)
			if !hasBase {
				// Fresh inputs have never been turned into instructions.
				out.InstructionsDirty = true
			}
		}
		if err := q.CreateVersion(ctx, out); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionVersionCreated, resourceID: out.ID, agentID: agentID, after: out})
	})
	return out, err
}

// canon returns raw in canonical JSON (what the store returns), so a
// response built from the input has the same bytes, and ETag, as a later
// read.
func canon(raw json.RawMessage) json.RawMessage {
	if agentplane.IsNull(raw) {
		return raw
	}
	if c, err := agentplane.CanonicalJSON(raw); err == nil {
		return c
	}
	return raw
}
