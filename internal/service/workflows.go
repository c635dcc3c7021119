package service

import (
	"context"
	"encoding/json"
	"fmt"

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

// SucceedWorkflow records a workflow that ended succeeded and, in the same
// transaction, does what only success may: a scaffolding workflow that
// built a new version of an existing agent gives that agent what the
// request asked of it (is_demo, and avatar_url, demo_type and the website
// in its metadata), so a failure leaves the agent as it was.
func (s *Service) SucceedWorkflow(ctx context.Context, c *agentplane.Caller, w agentplane.Workflow) error {
	if err := systemIn(c, w); err != nil {
		return err
	}
	in, scaffold, err := scaffoldInput(w)
	if err != nil {
		return err
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		if !scaffold || in.ExistingAgentID == nil {
			if err := q.SaveWorkflow(ctx, w); err != nil {
				return err
			}
			return s.workflowEvent(ctx, q, agentplane.EventWorkflowSucceeded, w)
		}
		a, err := q.LockAgent(ctx, w.OrganizationID, *in.ExistingAgentID)
		switch {
		case agentplane.ErrorCodeOf(err) == agentplane.ENotFound:
			// Deleted while the workflow ran: nothing to give it.
		case err != nil:
			return err
		default:
			if err := giveScaffoldFields(&a, in, w.UpdatedAt); err != nil {
				return err
			}
			if err := q.UpdateAgent(ctx, a); err != nil {
				return err
			}
		}
		if err := q.SaveWorkflow(ctx, w); err != nil {
			return err
		}
		return s.workflowEvent(ctx, q, agentplane.EventWorkflowSucceeded, w)
	})
}

// workflowEvent enqueues a workflow's ending (an event, not a change of
// its own: SPEC §18).
func (s *Service) workflowEvent(ctx context.Context, q *store.Queries, typ string, w agentplane.Workflow) error {
	ev, err := event(typ, w, nil, s.stamp())
	if err != nil {
		return err
	}
	return s.emit(ctx, q, w.OrganizationID, ev)
}

// giveScaffoldFields merges the agent fields of a scaffolding request
// into an existing agent.
func giveScaffoldFields(a *agentplane.Agent, in agentplane.ScaffoldInput, now agentplane.Time) error {
	meta := map[string]json.RawMessage{}
	if !agentplane.IsNull(a.Metadata) {
		if err := json.Unmarshal(a.Metadata, &meta); err != nil {
			return err
		}
	}
	for k, v := range in.AgentMetadata() {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		meta[k] = b
	}
	b, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	a.Metadata, a.UpdatedAt = b, now
	if in.IsDemo != nil {
		a.IsDemo = *in.IsDemo
	}
	return nil
}

// scaffoldInput decodes the request a scaffolding workflow was started
// with; false for the other kinds.
func scaffoldInput(w agentplane.Workflow) (agentplane.ScaffoldInput, bool, error) {
	var in agentplane.ScaffoldInput
	if w.Kind != agentplane.KindCreateFromWebsite && w.Kind != agentplane.KindCreateDemo {
		return in, false, nil
	}
	if err := json.Unmarshal(w.Input, &in); err != nil {
		return in, true, fmt.Errorf("workflow %s input: %w", w.ID, err)
	}
	return in, true, nil
}

// FailWorkflow records a workflow that ended failed (agentplane.Workflow
// FailAt) and, in the same transaction, undoes what a failure must: a
// version left "generating" shows the failure instead, and a scaffolding
// workflow takes back what it made (undoScaffold).
func (s *Service) FailWorkflow(ctx context.Context, c *agentplane.Caller, w agentplane.Workflow) error {
	if err := systemIn(c, w); err != nil {
		return err
	}
	in, scaffold, err := scaffoldInput(w)
	if err != nil {
		return err
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		if scaffold {
			if err := s.undoScaffold(ctx, q, &w, in); err != nil {
				return err
			}
		}
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
		if err := q.SaveWorkflow(ctx, w); err != nil {
			return err
		}
		return s.workflowEvent(ctx, q, agentplane.EventWorkflowFailed, w)
	})
}

// undoScaffold takes back what a failed scaffolding workflow made, so the
// organization is as if it had never run: the agent it created is deleted
// (as DELETE /core/agents/{id} would: pins, SIP endpoint, widgets, then
// the agent and its versions); to an existing agent, the draft version it
// added is deleted and the agent keeps everything else it had (the agent
// fields of the request are only given on success: SucceedWorkflow). A
// version published meanwhile by someone else stays. The record then
// points only at what still exists (agent_id, version), and its error says
// what was taken back.
func (s *Service) undoScaffold(ctx context.Context, q *store.Queries, w *agentplane.Workflow, in agentplane.ScaffoldInput) error {
	// What create_agent recorded, read under the lock it takes: the
	// runner's copy may name an agent whose transaction never committed.
	cur, err := q.GetWorkflow(ctx, w.OrganizationID, w.ID, true)
	if err != nil {
		return err
	}
	w.AgentID, w.Version = cur.AgentID, cur.Version
	if w.AgentID == nil || w.Version == nil {
		w.AgentID, w.Version = nil, nil
		return nil // it failed before creating anything
	}
	org, agentID, n := w.OrganizationID, *w.AgentID, *w.Version
	note := ""
	_, err = q.LockAgent(ctx, org, agentID)
	switch {
	case agentplane.ErrorCodeOf(err) == agentplane.ENotFound:
		// Deleted by someone while the workflow ran.
		w.AgentID, w.Version = nil, nil
		if in.ExistingAgentID == nil {
			note = "the agent it created was deleted"
		}
	case err != nil:
		return err
	case in.ExistingAgentID == nil:
		if err := q.ClearAgentPins(ctx, org, agentID, w.UpdatedAt); err != nil {
			return err
		}
		if err := q.DeleteAgentDeployments(ctx, org, agentID); err != nil {
			return err
		}
		if err := q.DeleteAgent(ctx, org, agentID); err != nil {
			return err
		}
		w.AgentID, w.Version = nil, nil
		note = "the agent it created was deleted"
	default:
		v, err := q.GetVersion(ctx, org, agentID, n, true)
		switch {
		case agentplane.ErrorCodeOf(err) == agentplane.ENotFound:
			w.Version = nil
		case err != nil:
			return err
		case v.Published:
			note = fmt.Sprintf("version %d it added to the agent stays: it was published meanwhile", n)
		default:
			if err := q.DeleteDraftVersion(ctx, org, agentID, n); err != nil {
				return err
			}
			w.Version = nil
			note = fmt.Sprintf("version %d it added to the agent was deleted; the agent is as it was", n)
		}
	}
	if note != "" && w.Error != nil {
		msg := *w.Error + " (" + note + ")"
		w.Error = &msg
	}
	return nil
}
