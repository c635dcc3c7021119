package service

import (
	"context"
	"encoding/json"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// GenerateInstructions starts generating config.instructions from the
// version's builder inputs; n may be agentplane.Latest (the draft "latest"
// names, created if need be). The version must be a draft with inputs (400
// otherwise) and not already generating (409). The version is marked
// generating, and the workflow record and its job are created, in one
// transaction: a refusal leaves nothing behind, not even a draft "latest"
// created.
func (s *Service) GenerateInstructions(ctx context.Context, c *agentplane.Caller, agentID string, n int) (agentplane.WorkflowStarted, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.WorkflowStarted{}, notFoundAgent()
	}
	var w agentplane.Workflow
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		v, err := s.draftToEdit(ctx, q, c, agentID, n)
		if err != nil {
			return err
		}
		n := v.Version
		if err := v.Editable(); err != nil {
			return err
		}
		if agentplane.IsNull(v.InstructionBuilderInputs) {
			return agentplane.Errorf(agentplane.EBadRequest, "version %d has no instruction_builder_inputs; set them first", n)
		}
		if v.InstructionsStatus == agentplane.InstructionsGenerating {
			return agentplane.Errorf(agentplane.EConflict, "instructions of version %d are already being generated", n)
		}
		if w, err = s.newWorkflow(c.OrganizationID, agentplane.KindGenerateInstructions, map[string]any{}, "generate_instructions"); err != nil {
			return err
		}
		w.AgentID, w.Version = &agentID, &n
		v.InstructionsStatus, v.InstructionsError, v.UpdatedAt = agentplane.InstructionsGenerating, nil, s.stamp()
		if err := q.UpdateVersion(ctx, v); err != nil {
			return err
		}
		if err := q.CreateWorkflow(ctx, w); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionWorkflowStarted, resourceID: w.ID, agentID: agentID, after: w})
	})
	return agentplane.WorkflowStarted{WorkflowID: w.ID, Status: w.Status}, err
}

// SetGeneratedInstructions writes generated text as the version's
// instructions and clears its flags, other config keys untouched. Writing
// the same text twice is harmless (a retried step).
func (s *Service) SetGeneratedInstructions(ctx context.Context, c *agentplane.Caller, agentID string, n int, text string) error {
	if err := systemOnly(c); err != nil {
		return err
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		v, err := withDefaults(q.GetVersion(ctx, c.OrganizationID, agentID, n, true))
		if err != nil {
			return err
		}
		if v.Config, err = setInstructions(v.Config, text); err != nil {
			return err
		}
		v.InstructionsStatus, v.InstructionsError = agentplane.InstructionsIdle, nil
		v.InstructionsDirty, v.InstructionsManuallyEdited = false, false
		v.UpdatedAt = s.stamp()
		return q.UpdateVersion(ctx, v)
	})
}

// setInstructions returns config with "instructions" replaced, other keys
// untouched (a normalized config stays normalized).
func setInstructions(config json.RawMessage, text string) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if !agentplane.IsNull(config) {
		if err := json.Unmarshal(config, &m); err != nil {
			return nil, err
		}
	}
	b, err := json.Marshal(text)
	if err != nil {
		return nil, err
	}
	m["instructions"] = b
	out, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return canon(out), nil
}
