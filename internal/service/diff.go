package service

import (
	"context"
	"encoding/json"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/jsondiff"
)

// Comparison is what changed between two versions of an agent.
type Comparison struct {
	From, To      agentplane.Version
	ConfigPatch   []jsondiff.Op
	ConfigChanges []jsondiff.Change
	InputsPatch   []jsondiff.Op
	InputsChanges []jsondiff.Change
}

// CompareVersions loads versions from and to of the agent and diffs their
// configs and builder inputs. A missing agent or version is ENotFound, so
// callers can answer 404 before streaming anything.
func (s *Service) CompareVersions(ctx context.Context, c *agentplane.Caller, agentID string, from, to int) (Comparison, error) {
	if !agentplane.ValidID(agentID) {
		return Comparison{}, notFoundAgent()
	}
	if _, err := s.store.GetAgent(ctx, c.OrganizationID, agentID); err != nil {
		return Comparison{}, err
	}
	// Both normalized (SPEC §16): a default is never reported as removed
	// because one of them was stored before defaults were.
	a, err := withDefaults(s.store.GetVersion(ctx, c.OrganizationID, agentID, from, false))
	if err != nil {
		return Comparison{}, err
	}
	b, err := withDefaults(s.store.GetVersion(ctx, c.OrganizationID, agentID, to, false))
	if err != nil {
		return Comparison{}, err
	}
	cmp := Comparison{From: a, To: b}
	if cmp.ConfigPatch, cmp.ConfigChanges, err = jsondiff.DiffJSON(a.Config, b.Config); err != nil {
		return Comparison{}, err
	}
	if cmp.InputsPatch, cmp.InputsChanges, err = jsondiff.DiffJSON(orEmpty(a.InstructionBuilderInputs), orEmpty(b.InstructionBuilderInputs)); err != nil {
		return Comparison{}, err
	}
	if cmp.ConfigPatch == nil {
		cmp.ConfigPatch = []jsondiff.Op{}
	}
	return cmp, nil
}

// orEmpty treats absent builder inputs as an empty object, so setting them
// for the first time reads as fields being added.
func orEmpty(raw json.RawMessage) json.RawMessage {
	if agentplane.IsNull(raw) {
		return json.RawMessage(`{}`)
	}
	return raw
}
