package client

import (
	"context"
	"iter"
)

// ListPhoneNumbers returns one page of the organization's phone numbers.
func (c *Client) ListPhoneNumbers(ctx context.Context, p *ListPhoneNumbersParams) (*Page[PhoneNumber], error) {
	r, err := c.ListPhoneNumbersWithResponse(ctx, p)
	l, err := ok(r, err, func() *PhoneNumberList { return r.JSON200 })
	if err != nil {
		return nil, err
	}
	return newPage(l.Data, l.Pagination), nil
}

// PhoneNumbers iterates over every phone number matching p.
func (c *Client) PhoneNumbers(ctx context.Context, p *ListPhoneNumbersParams) iter.Seq2[PhoneNumber, error] {
	return each(params(p).Cursor, func(cursor *string) (*Page[PhoneNumber], error) {
		q := params(p)
		q.Cursor = cursor
		return c.ListPhoneNumbers(ctx, q)
	})
}

// ListWebWidgets returns one page of the organization's web widgets.
func (c *Client) ListWebWidgets(ctx context.Context, p *ListWebWidgetsParams) (*Page[WebWidget], error) {
	r, err := c.ListWebWidgetsWithResponse(ctx, p)
	l, err := ok(r, err, func() *WebWidgetList { return r.JSON200 })
	if err != nil {
		return nil, err
	}
	return newPage(l.Data, l.Pagination), nil
}

// WebWidgets iterates over every web widget matching p.
func (c *Client) WebWidgets(ctx context.Context, p *ListWebWidgetsParams) iter.Seq2[WebWidget, error] {
	return each(params(p).Cursor, func(cursor *string) (*Page[WebWidget], error) {
		q := params(p)
		q.Cursor = cursor
		return c.ListWebWidgets(ctx, q)
	})
}

// ListConversations returns one page of the organization's conversations.
func (c *Client) ListConversations(ctx context.Context, p *ListConversationsParams) (*Page[Conversation], error) {
	r, err := c.ListConversationsWithResponse(ctx, p)
	l, err := ok(r, err, func() *ConversationList { return r.JSON200 })
	if err != nil {
		return nil, err
	}
	return newPage(l.Data, l.Pagination), nil
}

// Conversations iterates over every conversation matching p.
func (c *Client) Conversations(ctx context.Context, p *ListConversationsParams) iter.Seq2[Conversation, error] {
	return each(params(p).Cursor, func(cursor *string) (*Page[Conversation], error) {
		q := params(p)
		q.Cursor = cursor
		return c.ListConversations(ctx, q)
	})
}

// ListWorkflows returns one page of the organization's workflows.
func (c *Client) ListWorkflows(ctx context.Context, p *ListWorkflowsParams) (*Page[Workflow], error) {
	r, err := c.ListWorkflowsWithResponse(ctx, p)
	if err := Check(r, err); err != nil {
		return nil, err
	}
	if r.JSON200 == nil {
		return nil, errNoBody(r)
	}
	return newPage(r.JSON200.Data, r.JSON200.Pagination), nil
}

// Workflows iterates over every workflow matching p.
func (c *Client) Workflows(ctx context.Context, p *ListWorkflowsParams) iter.Seq2[Workflow, error] {
	return each(params(p).Cursor, func(cursor *string) (*Page[Workflow], error) {
		q := params(p)
		q.Cursor = cursor
		return c.ListWorkflows(ctx, q)
	})
}

// Healthz reports whether the server process is up.
func (c *Client) Healthz(ctx context.Context) error {
	r, err := c.GetHealthWithResponse(ctx)
	return Check(r, err)
}

// Readyz reports whether the server can take traffic: database reachable
// and migrated. A server that is not ready answers a 503 *Error.
func (c *Client) Readyz(ctx context.Context) error {
	r, err := c.GetReadinessWithResponse(ctx)
	return Check(r, err)
}
