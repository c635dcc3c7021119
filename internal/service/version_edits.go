package service

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/configschema"
	"github.com/agentplane/agentplane/internal/jsondiff"
	"github.com/agentplane/agentplane/internal/store"
)

// edit is a change to a draft: each field set replaces the stored one.
type edit struct {
	config      json.RawMessage // valid and normalized; nil: unchanged
	inputs      json.RawMessage // valid and canonical, nil when cleared
	setInputs   bool
	description *string
}

// apply makes the change and keeps the instruction flags true to it
// (SPEC §5): new builder inputs make the instructions stale, new
// instructions are a hand edit.
func (e edit) apply(v *agentplane.Version) {
	if e.config != nil {
		if agentplane.InstructionsOf(e.config) != agentplane.InstructionsOf(v.Config) {
			v.InstructionsManuallyEdited = true
		}
		v.Config = e.config
	}
	if e.setInputs {
		if !agentplane.SameJSON(e.inputs, v.InstructionBuilderInputs) {
			v.InstructionsDirty = true
		}
		v.InstructionBuilderInputs = e.inputs
	}
	if e.description != nil {
		v.Description = *e.description
	}
}

// editDraft changes draft n of the agent (agentplane.Latest: the draft
// "latest" names, created if need be) in one transaction: a published
// version is refused (400), then a stale ifMatch (412), then whatever
// edits refuses (typically 422). A refusal leaves everything as it was,
// including a draft "latest" would have created.
func (s *Service) editDraft(ctx context.Context, c *agentplane.Caller, agentID string, n int, ifMatch string,
	edits func(v agentplane.Version) (edit, error)) (agentplane.Version, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.Version{}, notFoundAgent()
	}
	var v agentplane.Version
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		var err error
		if v, err = s.draftToEdit(ctx, q, c, agentID, n); err != nil {
			return err
		}
		if err := v.Editable(); err != nil {
			return err
		}
		if err := precondition(ifMatch, v); err != nil {
			return err
		}
		e, err := edits(v)
		if err != nil {
			return err
		}
		before := v
		e.apply(&v)
		v.UpdatedAt = s.stamp()
		if err := q.UpdateVersion(ctx, v); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionVersionUpdated, resourceID: v.ID, agentID: agentID, before: before, after: v})
	})
	return v, err
}

// UpdateVersion replaces what in names on a draft — config,
// instruction_builder_inputs (null clears them), description — and keeps
// the instruction flags true to what changed (SPEC §5). The config is
// stored normalized (SPEC §16).
func (s *Service) UpdateVersion(ctx context.Context, c *agentplane.Caller, agentID string, n int, ifMatch string, in agentplane.VersionUpdate) (agentplane.Version, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.Version{}, notFoundAgent()
	}
	var e edit
	if in.Config != nil {
		if err := configschema.Validate(in.Config, "body", "config"); err != nil {
			return agentplane.Version{}, err
		}
		var err error
		if e.config, err = configschema.Normalize(in.Config); err != nil {
			return agentplane.Version{}, err
		}
	}
	if in.InstructionBuilderInputs != nil {
		if err := setInputs(&e, in.InstructionBuilderInputs); err != nil {
			return agentplane.Version{}, err
		}
	}
	var bad agentplane.Violations
	agentplane.CheckVersionDescription(&bad, in.Description)
	if err := bad.Err(); err != nil {
		return agentplane.Version{}, err
	}
	e.description = in.Description
	return s.editDraft(ctx, c, agentID, n, ifMatch, func(agentplane.Version) (edit, error) { return e, nil })
}

// setInputs validates new builder inputs (JSON null clears them) into e.
func setInputs(e *edit, inputs json.RawMessage) error {
	e.setInputs = true
	if agentplane.IsNull(inputs) {
		return nil
	}
	if err := configschema.ValidateInputs(inputs, "body", "instruction_builder_inputs"); err != nil {
		return err
	}
	e.inputs = canon(inputs)
	return nil
}

// PatchVersion applies a JSON merge patch (RFC 7396) to a draft's
// {config, instruction_builder_inputs, description} (SPEC §16): null
// removes a member (inputs cleared, description emptied; the config can't
// be removed), an object merges into it. The result is validated as a
// whole — one 422 names every violation, with locs as for PUT — and the
// instruction flags change as for PUT; nothing is saved when it is
// invalid.
func (s *Service) PatchVersion(ctx context.Context, c *agentplane.Caller, agentID string, n int, ifMatch string, in agentplane.VersionPatch) (agentplane.Version, error) {
	return s.editDraft(ctx, c, agentID, n, ifMatch, func(v agentplane.Version) (edit, error) {
		var (
			e   edit
			bad agentplane.Violations
		)
		if in.Config != nil {
			if agentplane.IsNull(in.Config) {
				bad.Add("config can't be removed; patch its members instead", "missing", "body", "config")
			} else if merged, err := jsondiff.MergeJSON(v.Config, in.Config); err != nil {
				return e, err
			} else if err := gather(&bad, configschema.Validate(merged, "body", "config")); err != nil {
				return e, err
			} else if len(bad) == 0 {
				if e.config, err = configschema.Normalize(merged); err != nil {
					return e, err
				}
			}
		}
		if in.InstructionBuilderInputs != nil {
			inputs := in.InstructionBuilderInputs
			if !agentplane.IsNull(inputs) {
				var err error
				if inputs, err = jsondiff.MergeJSON(v.InstructionBuilderInputs, inputs); err != nil {
					return e, err
				}
			}
			if err := gather(&bad, setInputs(&e, inputs)); err != nil {
				return e, err
			}
		}
		if in.Description != nil {
			d := ""
			if !agentplane.IsNull(in.Description) && json.Unmarshal(in.Description, &d) != nil {
				bad.Add("description must be a string or null", "string_type", "body", "description")
			}
			e.description = &d
			agentplane.CheckVersionDescription(&bad, e.description)
		}
		return e, bad.Err()
	})
}

// gather adds the violations of a validation error to bad and returns
// nil, or returns err when it is not one.
func gather(bad *agentplane.Violations, err error) error {
	if e, ok := errors.AsType[*agentplane.Error](err); ok && e.Code == agentplane.EInvalid && len(e.Fields) > 0 {
		*bad = append(*bad, e.Fields...)
		return nil
	}
	return err
}
