package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// Queue puts a workflow's job in the queue inside the transaction that
// creates the workflow record (internal/jobs implements it with River).
type Queue interface {
	Enqueue(ctx context.Context, q *store.Queries, workflowID string) error
}

// newWorkflow builds a queued workflow record.
func (s *Service) newWorkflow(orgID, kind string, input any, steps ...string) (agentplane.Workflow, error) {
	in, err := json.Marshal(input)
	if err != nil {
		return agentplane.Workflow{}, err
	}
	now := s.stamp()
	return agentplane.Workflow{ID: agentplane.NewID(), OrganizationID: orgID, Kind: kind, Status: agentplane.WorkflowQueued,
		Steps: agentplane.NewSteps(steps...), Input: in, State: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now}, nil
}

// startWorkflow stores w and enqueues its job in one transaction (q).
func (s *Service) startWorkflow(ctx context.Context, q *store.Queries, w agentplane.Workflow) error {
	if s.queue == nil {
		return agentplane.Errorf(agentplane.EUnavailable, "background jobs are not running on this node")
	}
	if err := q.CreateWorkflow(ctx, w); err != nil {
		return err
	}
	return s.queue.Enqueue(ctx, q, w.ID)
}

// GetWorkflow returns one of the organization's workflows.
func (s *Service) GetWorkflow(ctx context.Context, c *agentplane.Caller, id string) (agentplane.Workflow, error) {
	if !agentplane.ValidID(id) {
		return agentplane.Workflow{}, agentplane.Errorf(agentplane.ENotFound, "workflow not found")
	}
	return s.store.GetWorkflow(ctx, c.OrganizationID, id, false)
}

// ListWorkflows pages through the organization's workflows.
func (s *Service) ListWorkflows(ctx context.Context, c *agentplane.Caller, f agentplane.WorkflowFilter, p agentplane.Page) (agentplane.List[agentplane.Workflow], error) {
	return s.store.ListWorkflows(ctx, c.OrganizationID, f, p)
}

// stepFunc does one step; it reads and writes the workflow's state. It must
// be idempotent: a crash after its effect but before its step is marked
// succeeded runs it again.
type stepFunc func(ctx context.Context, w *agentplane.Workflow) error

// RunWorkflow does the workflow's remaining steps in order, recording each
// step's start and end. It is what the queue's worker calls, on every
// attempt. A failed step returns its error so the queue retries; on the
// final attempt (final) the failure is recorded as the workflow's end.
func (s *Service) RunWorkflow(ctx context.Context, id string, final bool) error {
	org, err := s.store.WorkflowOrg(ctx, id)
	if agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
		return nil // deleted with its organization: nothing to do
	} else if err != nil {
		return err
	}
	w, err := s.store.GetWorkflow(ctx, org, id, false)
	if err != nil {
		return err
	}
	if w.Status == agentplane.WorkflowSucceeded || w.Status == agentplane.WorkflowFailed {
		return nil // a duplicate delivery of a finished job
	}
	steps := s.stepsOf(w.Kind)
	w.Status = agentplane.WorkflowRunning
	for i := range w.Steps {
		st := &w.Steps[i]
		if st.Status == "succeeded" || st.Status == "skipped" {
			continue
		}
		fn, ok := steps[st.Name]
		if !ok {
			return s.failWorkflow(ctx, &w, i, fmt.Errorf("unknown step %q", st.Name))
		}
		now := s.stamp()
		st.Status, st.StartedAt, st.FinishedAt = "running", &now, nil
		w.UpdatedAt = now
		if err := s.store.SaveWorkflow(ctx, w); err != nil {
			return err
		}
		if err := fn(ctx, &w); err != nil {
			if final || agentplane.ErrorCodeOf(err) != agentplane.EInternal {
				// A final attempt, or an error no retry can fix (bad
				// input, a refused address): end the workflow now.
				return s.failWorkflow(ctx, &w, i, err)
			}
			st.Status = "pending"
			w.UpdatedAt = s.stamp()
			_ = s.store.SaveWorkflow(ctx, w)
			return err
		}
		done := s.stamp()
		if st.Status == "running" {
			st.Status = "succeeded"
		}
		st.FinishedAt, w.UpdatedAt = &done, done
		if err := s.store.SaveWorkflow(ctx, w); err != nil {
			return err
		}
	}
	w.Status, w.UpdatedAt = agentplane.WorkflowSucceeded, s.stamp()
	return s.store.SaveWorkflow(ctx, w)
}

// failWorkflow records a workflow's failed end and undoes what a failure
// must undo (a version left "generating").
func (s *Service) failWorkflow(ctx context.Context, w *agentplane.Workflow, step int, cause error) error {
	// Users see what they can act on; anything else (a network or
	// database failure, whose text may name internal addresses) stays in
	// the server log, which the workflow id finds (SPEC §24).
	msg := "the step failed on the server; the operator's log has the details under workflow_id " + w.ID
	if e, ok := errors.AsType[*agentplane.Error](cause); ok {
		msg = e.Message
	}
	now := s.stamp()
	w.Steps[step].Status, w.Steps[step].FinishedAt = "failed", &now
	for i := step + 1; i < len(w.Steps); i++ {
		w.Steps[i].Status = "skipped"
	}
	w.Status, w.Error, w.UpdatedAt = agentplane.WorkflowFailed, &msg, now
	s.log.WarnContext(ctx, "workflow failed", "workflow_id", w.ID, "kind", w.Kind, "step", w.Steps[step].Name, "err", cause)
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		if w.Kind == agentplane.KindGenerateInstructions && w.AgentID != nil && w.Version != nil {
			v, err := q.GetVersion(ctx, w.OrganizationID, *w.AgentID, *w.Version, true)
			if err == nil && v.InstructionsStatus == agentplane.InstructionsGenerating {
				v.InstructionsStatus, v.InstructionsError, v.UpdatedAt = agentplane.InstructionsFailed, &msg, now
				if err := q.UpdateVersion(ctx, v); err != nil {
					return err
				}
			}
		}
		return q.SaveWorkflow(ctx, *w)
	})
}

// stepsOf maps a workflow kind's step names to their functions.
func (s *Service) stepsOf(kind string) map[string]stepFunc {
	switch kind {
	case agentplane.KindGenerateInstructions:
		return map[string]stepFunc{"generate_instructions": s.stepGenerate}
	}
	return s.scaffoldSteps()
}
