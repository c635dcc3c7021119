package client

import (
	"context"
	"iter"
	"strconv"
)

// ListAgents returns one page of the organization's agents, newest first.
func (c *Client) ListAgents(ctx context.Context, p *ListAgentsParams) (*Page[Agent], error) {
	r, err := c.ListAgentsWithResponse(ctx, p)
	l, err := ok(r, err, func() *AgentList { return r.JSON200 })
	if err != nil {
		return nil, err
	}
	return newPage(l.Data, l.Pagination), nil
}

// Agents iterates over every agent matching p (from p.Cursor on),
// fetching pages as it goes. It stops after the first error, which it
// yields.
func (c *Client) Agents(ctx context.Context, p *ListAgentsParams) iter.Seq2[Agent, error] {
	return each(params(p).Cursor, func(cursor *string) (*Page[Agent], error) {
		q := params(p)
		q.Cursor = cursor
		return c.ListAgents(ctx, q)
	})
}

// CreateAgent creates an agent; in.Name is required.
func (c *Client) CreateAgent(ctx context.Context, in AgentInput) (*Agent, error) {
	r, err := c.CreateAgentWithResponse(ctx, nil, in)
	return ok(r, err, func() *Agent { return r.JSON201 })
}

// GetAgent returns an agent with its versions, phone numbers, widgets, SIP
// endpoint and conversation statistics.
func (c *Client) GetAgent(ctx context.Context, id AgentID) (*AgentDetail, error) {
	r, err := c.GetAgentWithResponse(ctx, id, nil)
	return ok(r, err, func() *AgentDetail { return r.JSON200 })
}

// UpdateAgent changes the fields set in in and leaves the others as they
// are.
func (c *Client) UpdateAgent(ctx context.Context, id AgentID, in AgentUpdate) (*Agent, error) {
	r, err := c.UpdateAgentWithResponse(ctx, id, nil, in)
	return ok(r, err, func() *Agent { return r.JSON200 })
}

// DeleteAgent deletes an agent with its versions, SIP endpoint and
// widgets; its conversations stay.
func (c *Client) DeleteAgent(ctx context.Context, id AgentID) error {
	r, err := c.DeleteAgentWithResponse(ctx, id, nil)
	return Check(r, err)
}

// ListVersions returns one page of an agent's versions, newest first.
func (c *Client) ListVersions(ctx context.Context, id AgentID, p *ListVersionsParams) (*Page[Version], error) {
	r, err := c.ListVersionsWithResponse(ctx, id, p)
	l, err := ok(r, err, func() *VersionList { return r.JSON200 })
	if err != nil {
		return nil, err
	}
	return newPage(l.Data, l.Pagination), nil
}

// Versions iterates over every version of an agent matching p.
func (c *Client) Versions(ctx context.Context, id AgentID, p *ListVersionsParams) iter.Seq2[Version, error] {
	return each(params(p).Cursor, func(cursor *string) (*Page[Version], error) {
		q := params(p)
		q.Cursor = cursor
		return c.ListVersions(ctx, id, q)
	})
}

// CreateVersion creates a draft from in.Config or from in.BaseVersion
// (exactly one of them).
func (c *Client) CreateVersion(ctx context.Context, id AgentID, in VersionCreate) (*Version, error) {
	r, err := c.CreateVersionWithResponse(ctx, id, nil, in)
	return ok(r, err, func() *Version { return r.JSON201 })
}

// GetVersion returns version number version of an agent. (The generated
// methods take "latest" too, on every version route.)
func (c *Client) GetVersion(ctx context.Context, id AgentID, version int) (*Version, error) {
	r, err := c.GetVersionWithResponse(ctx, id, strconv.Itoa(version), nil)
	return ok(r, err, func() *Version { return r.JSON200 })
}

// UpdateVersion replaces what in sets on a draft; a published version is a
// 400.
func (c *Client) UpdateVersion(ctx context.Context, id AgentID, version int, in VersionUpdate) (*Version, error) {
	r, err := c.UpdateVersionWithResponse(ctx, id, strconv.Itoa(version), nil, in)
	return ok(r, err, func() *Version { return r.JSON200 })
}

// PatchVersionWithResponse sends body as a JSON merge patch, the only
// media type the operation takes: it is the generated
// PatchVersionWithApplicationMergePatchPlusJSONBodyWithResponse under the
// name every other operation's typed form has. version is a number or
// "latest".
func (c *Client) PatchVersionWithResponse(ctx context.Context, id AgentID, version VersionNumber, params *PatchVersionParams,
	body VersionPatch, reqEditors ...RequestEditorFn) (*PatchVersionResponse, error) {
	return c.PatchVersionWithApplicationMergePatchPlusJSONBodyWithResponse(ctx, id, version, params, body, reqEditors...)
}

// PatchVersion applies patch to a draft as a JSON merge patch: the fields
// it sets change, objects merge. (A typed patch can't send null, which
// removes a field; PatchVersionWithBodyWithResponse with
// "application/merge-patch+json" can.)
func (c *Client) PatchVersion(ctx context.Context, id AgentID, version int, patch VersionPatch) (*Version, error) {
	r, err := c.PatchVersionWithResponse(ctx, id, strconv.Itoa(version), nil, patch)
	return ok(r, err, func() *Version { return r.JSON200 })
}

// PublishVersion publishes a version and pins or unpins the numbers in
// in; it returns the phone numbers that changed.
func (c *Client) PublishVersion(ctx context.Context, id AgentID, version int, in PublishInput) ([]PhoneNumber, error) {
	r, err := c.PublishVersionWithResponse(ctx, id, strconv.Itoa(version), nil, in)
	changed, err := ok(r, err, func() *[]PhoneNumber { return r.JSON200 })
	if err != nil {
		return nil, err
	}
	return *changed, nil
}
