package service

import (
	"context"
	"encoding/json"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

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

// The methods below are the job queue's (internal/jobs): its workers run
// the steps and call these with agentplane.SystemCaller.

// systemOnly refuses callers other than the server itself: these methods
// skip the checks a client's request goes through.
func systemOnly(c *agentplane.Caller) error {
	if c == nil || c.Kind != agentplane.KindSystem {
		return agentplane.Errorf(agentplane.EForbidden, "only the server's own jobs may do this")
	}
	return nil
}

// WorkflowToRun returns the workflow a job names. The caller's
// organization is the one the job carries; a job queued by an earlier
// release carries none, and then the workflow's own is looked up.
func (s *Service) WorkflowToRun(ctx context.Context, c *agentplane.Caller, id string) (agentplane.Workflow, error) {
	if err := systemOnly(c); err != nil {
		return agentplane.Workflow{}, err
	}
	org := c.OrganizationID
	if org == "" {
		var err error
		if org, err = s.store.WorkflowOrg(ctx, id); err != nil {
			return agentplane.Workflow{}, err
		}
	}
	return s.store.GetWorkflow(ctx, org, id, false)
}

// SaveWorkflow records a workflow's progress.
func (s *Service) SaveWorkflow(ctx context.Context, c *agentplane.Caller, w agentplane.Workflow) error {
	if err := systemIn(c, w); err != nil {
		return err
	}
	return s.store.SaveWorkflow(ctx, w)
}

// systemIn is systemOnly for a workflow of the caller's organization.
func systemIn(c *agentplane.Caller, w agentplane.Workflow) error {
	if err := systemOnly(c); err != nil {
		return err
	}
	if c.OrganizationID != w.OrganizationID {
		return agentplane.Errorf(agentplane.ENotFound, "workflow not found")
	}
	return nil
}

// FailWorkflow records a workflow that ended failed (agentplane.Workflow
// FailAt) and, in the same transaction, undoes what a failure must: a
// version left "generating" shows the failure instead.
func (s *Service) FailWorkflow(ctx context.Context, c *agentplane.Caller, w agentplane.Workflow) error {
	if err := systemIn(c, w); err != nil {
		return err
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		if w.Kind == agentplane.KindGenerateInstructions && w.AgentID != nil && w.Version != nil {
			v, err := q.GetVersion(ctx, w.OrganizationID, *w.AgentID, *w.Version, true)
			if err == nil && v.InstructionsStatus == agentplane.InstructionsGenerating {
				v.InstructionsStatus, v.InstructionsError, v.UpdatedAt = agentplane.InstructionsFailed, w.Error, w.UpdatedAt
				if err := q.UpdateVersion(ctx, v); err != nil {
					return err
				}
			} else if err != nil && agentplane.ErrorCodeOf(err) != agentplane.ENotFound {
				return err
			}
		}
		return q.SaveWorkflow(ctx, w)
	})
}
