package service

import (
	"context"
	"encoding/json"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// CreateAgent creates an agent in the caller's organization.
func (s *Service) CreateAgent(ctx context.Context, c *agentplane.Caller, in agentplane.AgentInput) (agentplane.Agent, error) {
	if err := in.Validate(true); err != nil {
		return agentplane.Agent{}, err
	}
	now := s.stamp()
	a := agentplane.Agent{
		ID: agentplane.NewID(), OrganizationID: c.OrganizationID, Name: *in.Name,
		Active: true, Metadata: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now,
	}
	merge(&a, in)
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		if err := q.CreateAgent(ctx, a); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionAgentCreated, resourceID: a.ID, agentID: a.ID, after: a})
	})
	if err != nil {
		return agentplane.Agent{}, err
	}
	return a, nil
}

// merge applies the fields present in in onto a.
func merge(a *agentplane.Agent, in agentplane.AgentInput) {
	if in.Name != nil {
		a.Name = *in.Name
	}
	if in.Description != nil {
		a.Description = *in.Description
	}
	if in.Active != nil {
		a.Active = *in.Active
	}
	if in.IsDemo != nil {
		a.IsDemo = *in.IsDemo
	}
	if in.Metadata != nil {
		a.Metadata = in.Metadata
	}
}

// GetAgent returns the agent with its embeds, read by one statement (one
// snapshot) whatever the agent's history: versions and pins are indexed
// reads, statistics come from counters kept at write time.
func (s *Service) GetAgent(ctx context.Context, c *agentplane.Caller, id string) (agentplane.AgentDetail, error) {
	if !agentplane.ValidID(id) {
		return agentplane.AgentDetail{}, notFoundAgent()
	}
	d, err := s.store.AgentDetail(ctx, c.OrganizationID, id)
	if err != nil {
		return agentplane.AgentDetail{}, err
	}
	for _, v := range d.Versions { // newest first
		if v.Published {
			n := v.Version
			d.LatestPublishedVersion = &n
			break
		}
	}
	return d, nil
}

// AgentRevision returns the revision of the agent's detail
// (agentplane.AgentDetail.Revision), with one point read: what a node that
// keeps an agent's encoded detail asks before serving it again. A missing
// agent is ENotFound, as for GetAgent.
func (s *Service) AgentRevision(ctx context.Context, c *agentplane.Caller, id string) (int64, error) {
	if !agentplane.ValidID(id) {
		return 0, notFoundAgent()
	}
	return s.store.AgentRevision(ctx, c.OrganizationID, id)
}

// UpdateAgent applies a partial update: omitted fields keep their values.
func (s *Service) UpdateAgent(ctx context.Context, c *agentplane.Caller, id, ifMatch string, in agentplane.AgentInput) (agentplane.Agent, error) {
	if !agentplane.ValidID(id) {
		return agentplane.Agent{}, agentplane.Errorf(agentplane.ENotFound, "agent not found")
	}
	if err := in.Validate(false); err != nil {
		return agentplane.Agent{}, err
	}
	var a agentplane.Agent
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		var err error
		if a, err = q.LockAgent(ctx, c.OrganizationID, id); err != nil {
			return err
		}
		if err := precondition(ifMatch, a); err != nil {
			return err
		}
		before := a
		merge(&a, in)
		a.UpdatedAt = s.stamp()
		if err := q.UpdateAgent(ctx, a); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionAgentUpdated, resourceID: a.ID, agentID: a.ID, before: before, after: a})
	})
	return a, err
}

// DeleteAgent deletes the agent.
func (s *Service) DeleteAgent(ctx context.Context, c *agentplane.Caller, id, ifMatch string) error {
	if !agentplane.ValidID(id) {
		return agentplane.Errorf(agentplane.ENotFound, "agent not found")
	}
	// One transaction: pins on phone numbers are cleared, the SIP endpoint
	// and widgets go, then the agent and (by cascade) its versions.
	// Conversations stay as history.
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		a, err := q.LockAgent(ctx, c.OrganizationID, id)
		if err != nil {
			return err
		}
		if err := precondition(ifMatch, a); err != nil {
			return err
		}
		if err := q.ClearAgentPins(ctx, c.OrganizationID, id, s.stamp()); err != nil {
			return err
		}
		if err := q.DeleteAgentDeployments(ctx, c.OrganizationID, id); err != nil {
			return err
		}
		if err := q.DeleteAgent(ctx, c.OrganizationID, id); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionAgentDeleted, resourceID: id, agentID: id, before: a})
	})
}

// ListAgents pages through the organization's agents.
func (s *Service) ListAgents(ctx context.Context, c *agentplane.Caller, f agentplane.AgentFilter, p agentplane.Page) (agentplane.List[agentplane.Agent], error) {
	return s.store.ListAgents(ctx, c.OrganizationID, f, p)
}
