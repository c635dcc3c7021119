package client

import (
	"context"
	"iter"
)

// ListAuditLog returns one page of the organization's audit log, newest
// first.
func (c *Client) ListAuditLog(ctx context.Context, p *ListAuditLogParams) (*Page[AuditEntry], error) {
	r, err := c.ListAuditLogWithResponse(ctx, p)
	l, err := ok(r, err, func() *AuditEntryList { return r.JSON200 })
	if err != nil {
		return nil, err
	}
	return newPage(l.Data, l.Pagination), nil
}

// AuditLog iterates over every audit entry matching p.
func (c *Client) AuditLog(ctx context.Context, p *ListAuditLogParams) iter.Seq2[AuditEntry, error] {
	return each(params(p).Cursor, func(cursor *string) (*Page[AuditEntry], error) {
		q := params(p)
		q.Cursor = cursor
		return c.ListAuditLog(ctx, q)
	})
}

// ListWebhooks returns one page of the organization's webhooks.
func (c *Client) ListWebhooks(ctx context.Context, p *ListWebhooksParams) (*Page[Webhook], error) {
	r, err := c.ListWebhooksWithResponse(ctx, p)
	l, err := ok(r, err, func() *WebhookList { return r.JSON200 })
	if err != nil {
		return nil, err
	}
	return newPage(l.Data, l.Pagination), nil
}

// Webhooks iterates over every webhook matching p.
func (c *Client) Webhooks(ctx context.Context, p *ListWebhooksParams) iter.Seq2[Webhook, error] {
	return each(params(p).Cursor, func(cursor *string) (*Page[Webhook], error) {
		q := params(p)
		q.Cursor = cursor
		return c.ListWebhooks(ctx, q)
	})
}
