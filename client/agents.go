package client

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/agentplane/agentplane"
)

// ListAgentsParams are the filters of GET /core/agents, with paging and
// time windows. Zero values are not sent.
type ListAgentsParams struct {
	ListParams
	Name   string // case-insensitive substring of the name
	Active *bool  // only active (true) or inactive (false) agents
	IsDemo *bool  // only demo (true) or non-demo (false) agents
	// Metadata keeps agents whose metadata contains every key with an
	// equal JSON value.
	Metadata map[string]any
}

func (p ListAgentsParams) values() (url.Values, error) {
	q := p.ListParams.values()
	if p.Name != "" {
		q.Set("name", p.Name)
	}
	if p.Active != nil {
		q.Set("active", strconv.FormatBool(*p.Active))
	}
	if p.IsDemo != nil {
		q.Set("is_demo", strconv.FormatBool(*p.IsDemo))
	}
	if p.Metadata != nil {
		b, err := json.Marshal(p.Metadata)
		if err != nil {
			return nil, fmt.Errorf("agentplane: encode metadata filter: %w", err)
		}
		q.Set("metadata", string(b))
	}
	return q, nil
}

// ListAgents returns one page of the organization's agents, newest first.
func (c *Client) ListAgents(ctx context.Context, p ListAgentsParams) (*Page[agentplane.Agent], error) {
	q, err := p.values()
	if err != nil {
		return nil, err
	}
	return list[agentplane.Agent](ctx, c, "/core/agents", q)
}

// Agents iterates over every agent matching p, fetching pages as it goes
// (p.Cursor is where it starts). It stops after the first error, which it
// yields.
func (c *Client) Agents(ctx context.Context, p ListAgentsParams) iter.Seq2[agentplane.Agent, error] {
	return func(yield func(agentplane.Agent, error) bool) {
		for {
			page, err := c.ListAgents(ctx, p)
			if err != nil {
				yield(agentplane.Agent{}, err)
				return
			}
			for _, a := range page.Data {
				if !yield(a, nil) {
					return
				}
			}
			if page.NextCursor == "" {
				return
			}
			p.Cursor = page.NextCursor
		}
	}
}

// agentBody is the JSON of an AgentInput with the unset fields left out,
// so an update changes only what was set.
func agentBody(in agentplane.AgentInput) map[string]any {
	b := map[string]any{}
	if in.Name != nil {
		b["name"] = *in.Name
	}
	if in.Description != nil {
		b["description"] = *in.Description
	}
	if in.Active != nil {
		b["active"] = *in.Active
	}
	if in.IsDemo != nil {
		b["is_demo"] = *in.IsDemo
	}
	if in.Metadata != nil {
		b["metadata"] = in.Metadata
	}
	return b
}

// CreateAgent creates an agent; in.Name is required.
func (c *Client) CreateAgent(ctx context.Context, in agentplane.AgentInput) (*agentplane.Agent, error) {
	var a agentplane.Agent
	if err := c.do(ctx, http.MethodPost, "/core/agents", nil, agentBody(in), &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// GetAgent returns an agent with its versions, phone numbers, widgets, SIP
// endpoint and conversation statistics.
func (c *Client) GetAgent(ctx context.Context, id string) (*agentplane.AgentDetail, error) {
	var a agentplane.AgentDetail
	if err := c.do(ctx, http.MethodGet, "/core/agents/"+escape(id), nil, nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// UpdateAgent changes the fields set in in and leaves the others as they
// are.
func (c *Client) UpdateAgent(ctx context.Context, id string, in agentplane.AgentInput) (*agentplane.Agent, error) {
	var a agentplane.Agent
	if err := c.do(ctx, http.MethodPut, "/core/agents/"+escape(id), nil, agentBody(in), &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// DeleteAgent deletes an agent with its versions, SIP endpoint and
// widgets; its conversations stay.
func (c *Client) DeleteAgent(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/core/agents/"+escape(id), nil, nil, nil)
}
