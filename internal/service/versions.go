package service

import (
	"context"
	"encoding/json"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/configschema"
	"github.com/agentplane/agentplane/internal/store"
)

func notFoundAgent() error { return agentplane.Errorf(agentplane.ENotFound, "agent not found") }

// ValidateConfig checks an AgentConfig without saving it; locs start at
// prefix.
func (s *Service) ValidateConfig(raw json.RawMessage, prefix ...any) error {
	return configschema.Validate(raw, prefix...)
}

// ConfigSchema is the served JSON Schema of AgentConfig.
func (s *Service) ConfigSchema() []byte { return configschema.JSON() }

// ListVersions pages through an agent's versions.
func (s *Service) ListVersions(ctx context.Context, c *agentplane.Caller, agentID string, f agentplane.VersionFilter, p agentplane.Page) (agentplane.List[agentplane.Version], error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.List[agentplane.Version]{}, notFoundAgent()
	}
	if _, err := s.store.GetAgent(ctx, c.OrganizationID, agentID); err != nil {
		return agentplane.List[agentplane.Version]{}, err
	}
	return s.store.ListVersions(ctx, c.OrganizationID, agentID, f, p)
}

// GetVersion returns version n of the agent.
func (s *Service) GetVersion(ctx context.Context, c *agentplane.Caller, agentID string, n int) (agentplane.Version, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.Version{}, notFoundAgent()
	}
	if _, err := s.store.GetAgent(ctx, c.OrganizationID, agentID); err != nil {
		return agentplane.Version{}, err
	}
	return s.store.GetVersion(ctx, c.OrganizationID, agentID, n, false)
}

// LatestVersion returns the agent's newest version if it is a draft, and
// otherwise creates the next draft — copied from the newest version, or
// from the config defaults when there is none — and returns it. Creation
// happens under the agent's row lock (PostgreSQL) or the database write
// lock (SQLite), re-checking the newest version inside, so concurrent calls
// create one draft between them.
func (s *Service) LatestVersion(ctx context.Context, c *agentplane.Caller, agentID string) (agentplane.Version, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.Version{}, notFoundAgent()
	}
	// Fast path without a write transaction: a draft already exists.
	newest, err := s.store.NewestVersion(ctx, c.OrganizationID, agentID)
	if err == nil && !newest.Published {
		return newest, nil
	}
	var out agentplane.Version
	err = s.store.WithTx(ctx, func(q *store.Queries) error {
		if _, err := q.LockAgent(ctx, c.OrganizationID, agentID); err != nil {
			return err
		}
		newest, err := q.NewestVersion(ctx, c.OrganizationID, agentID)
		switch {
		case err == nil && !newest.Published:
			out = newest
			return nil
		case err == nil:
			out = s.newVersion(c.OrganizationID, agentID, newest.Version+1).NextFrom(newest)
		case agentplane.ErrorCodeOf(err) == agentplane.ENotFound:
			out = s.newVersion(c.OrganizationID, agentID, 1)
			out.Config = agentplane.DefaultConfig
		default:
			return err
		}
		return q.CreateVersion(ctx, out)
	})
	return out, err
}

// newVersion is an empty draft numbered n.
func (s *Service) newVersion(orgID, agentID string, n int) agentplane.Version {
	now := s.stamp()
	return agentplane.Version{
		ID: agentplane.NewID(), OrganizationID: orgID, AgentID: agentID, Version: n,
		InstructionsStatus: agentplane.InstructionsIdle, CreatedAt: now, UpdatedAt: now,
	}
}

// CreateVersion creates the next draft from a config or from a base
// version (exactly one), numbered max+1.
func (s *Service) CreateVersion(ctx context.Context, c *agentplane.Caller, agentID string, in agentplane.VersionCreate) (agentplane.Version, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.Version{}, notFoundAgent()
	}
	hasConfig, hasBase := !agentplane.IsNull(in.Config), in.BaseVersion != nil
	if hasConfig == hasBase {
		var v agentplane.Violations
		v.Add("give exactly one of config or base_version", "xor", "body")
		return agentplane.Version{}, v.Err()
	}
	if hasConfig {
		if err := configschema.Validate(in.Config, "body", "config"); err != nil {
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
		out = s.newVersion(c.OrganizationID, agentID, next)
		if hasBase {
			base, err := q.GetVersion(ctx, c.OrganizationID, agentID, *in.BaseVersion, false)
			if agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
				var v agentplane.Violations
				v.Add("base_version does not exist", "not_found", "body", "base_version")
				return v.Err()
			} else if err != nil {
				return err
			}
			out = out.NextFrom(base)
		} else {
			out.Config = canon(in.Config)
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
		return q.CreateVersion(ctx, out)
	})
	return out, err
}

// UpdateVersion changes a draft's config and/or builder inputs and keeps
// the instruction flags true to what changed (SPEC §5).
func (s *Service) UpdateVersion(ctx context.Context, c *agentplane.Caller, agentID string, n int, ifMatch string, in agentplane.VersionUpdate) (agentplane.Version, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.Version{}, notFoundAgent()
	}
	if in.Config != nil {
		if err := configschema.Validate(in.Config, "body", "config"); err != nil {
			return agentplane.Version{}, err
		}
	}
	if in.InstructionBuilderInputs != nil && !agentplane.IsNull(in.InstructionBuilderInputs) {
		if err := configschema.ValidateInputs(in.InstructionBuilderInputs, "body", "instruction_builder_inputs"); err != nil {
			return agentplane.Version{}, err
		}
	}
	var v agentplane.Version
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		var err error
		if v, err = q.GetVersion(ctx, c.OrganizationID, agentID, n, true); err != nil {
			return err
		}
		if err := v.Editable(); err != nil {
			return err
		}
		if err := precondition(ifMatch, v); err != nil {
			return err
		}
		if in.Config != nil {
			if agentplane.InstructionsOf(in.Config) != agentplane.InstructionsOf(v.Config) {
				v.InstructionsManuallyEdited = true
			}
			v.Config = canon(in.Config)
		}
		if in.InstructionBuilderInputs != nil {
			if !agentplane.SameJSON(in.InstructionBuilderInputs, v.InstructionBuilderInputs) {
				v.InstructionsDirty = true
			}
			v.InstructionBuilderInputs = canon(in.InstructionBuilderInputs)
			if agentplane.IsNull(in.InstructionBuilderInputs) {
				v.InstructionBuilderInputs = nil
			}
		}
		v.UpdatedAt = s.stamp()
		return q.UpdateVersion(ctx, v)
	})
	return v, err
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
