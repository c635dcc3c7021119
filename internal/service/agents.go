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
	if err := s.store.CreateAgent(ctx, a); err != nil {
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

// GetAgent returns the agent with its embeds.
func (s *Service) GetAgent(ctx context.Context, c *agentplane.Caller, id string) (agentplane.AgentDetail, error) {
	if !agentplane.ValidID(id) {
		return agentplane.AgentDetail{}, agentplane.Errorf(agentplane.ENotFound, "agent not found")
	}
	a, err := s.store.GetAgent(ctx, c.OrganizationID, id)
	if err != nil {
		return agentplane.AgentDetail{}, err
	}
	versions, err := s.store.VersionSummaries(ctx, c.OrganizationID, id)
	if err != nil {
		return agentplane.AgentDetail{}, err
	}
	if versions == nil {
		versions = []agentplane.VersionSummary{}
	}
	var latest *int
	for _, v := range versions { // newest first
		if v.Published {
			n := v.Version
			latest = &n
			break
		}
	}
	return agentplane.AgentDetail{
		Agent:                  a,
		Versions:               versions,
		LatestPublishedVersion: latest,
		PhoneNumbers:           []json.RawMessage{},
		WebWidgets:             []json.RawMessage{},
		ConversationStats:      agentplane.ConversationStats{ByChannel: map[string]int64{}, ByStatus: map[string]int64{}},
	}, nil
}

// UpdateAgent applies a partial update: omitted fields keep their values.
func (s *Service) UpdateAgent(ctx context.Context, c *agentplane.Caller, id string, in agentplane.AgentInput) (agentplane.Agent, error) {
	if !agentplane.ValidID(id) {
		return agentplane.Agent{}, agentplane.Errorf(agentplane.ENotFound, "agent not found")
	}
	if err := in.Validate(false); err != nil {
		return agentplane.Agent{}, err
	}
	var a agentplane.Agent
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		var err error
		if a, err = q.GetAgent(ctx, c.OrganizationID, id); err != nil {
			return err
		}
		merge(&a, in)
		a.UpdatedAt = s.stamp()
		return q.UpdateAgent(ctx, a)
	})
	return a, err
}

// DeleteAgent deletes the agent.
func (s *Service) DeleteAgent(ctx context.Context, c *agentplane.Caller, id string) error {
	if !agentplane.ValidID(id) {
		return agentplane.Errorf(agentplane.ENotFound, "agent not found")
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		return q.DeleteAgent(ctx, c.OrganizationID, id)
	})
}

// ListAgents pages through the organization's agents.
func (s *Service) ListAgents(ctx context.Context, c *agentplane.Caller, f agentplane.AgentFilter, p agentplane.Page) (agentplane.List[agentplane.Agent], error) {
	return s.store.ListAgents(ctx, c.OrganizationID, f, p)
}
