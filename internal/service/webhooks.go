package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// Webhook endpoints (SPEC §18): their secrets are needed in clear to sign,
// so they are stored sealed under the server key, never in clear.

// secretPrefix starts every webhook secret, as Standard Webhooks writes them.
const secretPrefix = "whsec_"

// newWebhookSecret is "whsec_" and the base64 of 32 random bytes.
func newWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return secretPrefix + base64.StdEncoding.EncodeToString(b)
}

// sealLabel binds a sealed secret to its endpoint: a value copied onto
// another row doesn't open.
func sealLabel(id string) string { return "webhook_endpoints:" + id }

// sealWebhookSecret seals secret for endpoint id; without a server key
// (PostgreSQL without AGENTPLANE_SECRET_KEY) webhooks are unavailable.
func (s *Service) sealWebhookSecret(id, secret string) ([]byte, error) {
	if s.secrets == nil {
		return nil, agentplane.Errorf(agentplane.EUnavailable, "webhooks need a server key to keep their secrets: set AGENTPLANE_SECRET_KEY (base64 of 32 random bytes, the same on every node)")
	}
	return s.secrets.Seal([]byte(secret), sealLabel(id)), nil
}

// checkWebhookURL applies the guarded fetcher's rules that need no
// network (scheme, port, address literals) at create and update; every
// delivery's dial applies them all again.
func (s *Service) checkWebhookURL(raw string) error {
	if s.checkURL == nil {
		return nil
	}
	if err := s.checkURL(raw); err != nil {
		var v agentplane.Violations
		v.Add("url is not allowed: "+err.Error(), "url_not_allowed", "body", "url")
		return v.Err()
	}
	return nil
}

// CreateWebhook creates an endpoint and returns it with its secret, shown
// this once.
func (s *Service) CreateWebhook(ctx context.Context, c *agentplane.Caller, in agentplane.WebhookInput) (agentplane.NewWebhook, error) {
	if err := in.Validate(true); err != nil {
		return agentplane.NewWebhook{}, err
	}
	if err := s.checkWebhookURL(*in.URL); err != nil {
		return agentplane.NewWebhook{}, err
	}
	now := s.stamp()
	w := agentplane.Webhook{ID: agentplane.NewID(), OrganizationID: c.OrganizationID, URL: *in.URL, Events: *in.Events,
		Enabled: in.Enabled == nil || *in.Enabled, CreatedAt: now, UpdatedAt: now}
	if in.Description != nil {
		w.Description = *in.Description
	}
	secret := newWebhookSecret()
	sealed, err := s.sealWebhookSecret(w.ID, secret)
	if err != nil {
		return agentplane.NewWebhook{}, err
	}
	err = s.store.WithTx(ctx, func(q *store.Queries) error {
		if err := q.CreateWebhook(ctx, w, sealed); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionWebhookCreated, resourceID: w.ID, after: w})
	})
	if err != nil {
		return agentplane.NewWebhook{}, err
	}
	return agentplane.NewWebhook{Webhook: w, Secret: secret}, nil
}

// GetWebhook returns one of the organization's endpoints.
func (s *Service) GetWebhook(ctx context.Context, c *agentplane.Caller, id string) (agentplane.Webhook, error) {
	if !agentplane.ValidID(id) {
		return agentplane.Webhook{}, notFoundWebhook()
	}
	return s.store.GetWebhook(ctx, c.OrganizationID, id)
}

func notFoundWebhook() error { return agentplane.Errorf(agentplane.ENotFound, "webhook not found") }

// ListWebhooks pages through the organization's endpoints.
func (s *Service) ListWebhooks(ctx context.Context, c *agentplane.Caller, p agentplane.Page) (agentplane.List[agentplane.Webhook], error) {
	return s.store.ListWebhooks(ctx, c.OrganizationID, p)
}

// UpdateWebhook changes any of url, events, description and enabled.
// Turning an endpoint off fails what it had pending; turning it on clears
// the reason the server disabled it for.
func (s *Service) UpdateWebhook(ctx context.Context, c *agentplane.Caller, id string, in agentplane.WebhookInput) (agentplane.Webhook, error) {
	if !agentplane.ValidID(id) {
		return agentplane.Webhook{}, notFoundWebhook()
	}
	if err := in.Validate(false); err != nil {
		return agentplane.Webhook{}, err
	}
	if in.URL != nil {
		if err := s.checkWebhookURL(*in.URL); err != nil {
			return agentplane.Webhook{}, err
		}
	}
	var w agentplane.Webhook
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		var err error
		if w, err = q.LockWebhook(ctx, c.OrganizationID, id); err != nil {
			return err
		}
		before := w
		if in.URL != nil {
			w.URL = *in.URL
		}
		if in.Events != nil {
			w.Events = *in.Events
		}
		if in.Description != nil {
			w.Description = *in.Description
		}
		if in.Enabled != nil {
			w.Enabled = *in.Enabled
			if w.Enabled {
				w.DisabledReason = ""
			}
		}
		w.UpdatedAt = s.stamp()
		if err := q.UpdateWebhook(ctx, w); err != nil {
			return err
		}
		if before.Enabled && !w.Enabled {
			if err := q.FailPendingDeliveries(ctx, c.OrganizationID, id); err != nil {
				return err
			}
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionWebhookUpdated, resourceID: id, before: before, after: w})
	})
	return w, err
}

// DeleteWebhook deletes an endpoint with its deliveries.
func (s *Service) DeleteWebhook(ctx context.Context, c *agentplane.Caller, id string) error {
	if !agentplane.ValidID(id) {
		return notFoundWebhook()
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		w, err := q.LockWebhook(ctx, c.OrganizationID, id)
		if err != nil {
			return err
		}
		if err := q.DeleteWebhook(ctx, c.OrganizationID, id); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionWebhookDeleted, resourceID: id, before: w})
	})
}

// RotateWebhookSecret gives the endpoint a new secret, returned this once;
// the old one keeps signing beside it for 24 hours, so receivers can
// switch without losing events.
func (s *Service) RotateWebhookSecret(ctx context.Context, c *agentplane.Caller, id string) (agentplane.NewWebhook, error) {
	if !agentplane.ValidID(id) {
		return agentplane.NewWebhook{}, notFoundWebhook()
	}
	secret := newWebhookSecret()
	sealed, err := s.sealWebhookSecret(id, secret)
	if err != nil {
		return agentplane.NewWebhook{}, err
	}
	var w agentplane.Webhook
	err = s.store.WithTx(ctx, func(q *store.Queries) error {
		if w, err = q.LockWebhook(ctx, c.OrganizationID, id); err != nil {
			return err
		}
		old, err := q.WebhookSecrets(ctx, c.OrganizationID, id)
		if err != nil {
			return err
		}
		now := s.stamp()
		if err := q.RotateWebhookSecret(ctx, c.OrganizationID, id, sealed, old.Current, now.Add(previousSecretTTL).UnixMilli(), now.Millis()); err != nil {
			return err
		}
		before := w
		w.UpdatedAt = now
		// The secrets themselves never appear: the entry says only that
		// it changed, through updated_at.
		return s.record(ctx, q, c, change{action: agentplane.ActionWebhookSecretRotated, resourceID: id, before: before, after: w})
	})
	if err != nil {
		return agentplane.NewWebhook{}, err
	}
	return agentplane.NewWebhook{Webhook: w, Secret: secret}, nil
}

// TestWebhook sends a webhook.test event to the endpoint, whatever it
// subscribes to, and returns the delivery to follow.
func (s *Service) TestWebhook(ctx context.Context, c *agentplane.Caller, id string) (agentplane.WebhookDelivery, error) {
	if !agentplane.ValidID(id) {
		return agentplane.WebhookDelivery{}, notFoundWebhook()
	}
	var d agentplane.WebhookDelivery
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		w, err := q.GetWebhook(ctx, c.OrganizationID, id)
		if err != nil {
			return err
		}
		if !w.Enabled {
			return agentplane.Errorf(agentplane.EConflict, "the webhook is disabled; enable it before testing it")
		}
		ev, err := event(agentplane.EventWebhookTest, map[string]any{"webhook_id": id, "message": "a test event from agentplane"}, nil, s.stamp())
		if err != nil {
			return err
		}
		ev.Endpoint = id
		if err := s.emit(ctx, q, c.OrganizationID, ev); err != nil {
			return err
		}
		d, err = q.GetDelivery(ctx, c.OrganizationID, id, ev.ID)
		return err
	})
	return d, err
}

// ListDeliveries pages through the endpoint's deliveries, newest first.
func (s *Service) ListDeliveries(ctx context.Context, c *agentplane.Caller, id string, p agentplane.Page) (agentplane.List[agentplane.WebhookDelivery], error) {
	if !agentplane.ValidID(id) {
		return agentplane.List[agentplane.WebhookDelivery]{}, notFoundWebhook()
	}
	if _, err := s.store.GetWebhook(ctx, c.OrganizationID, id); err != nil {
		return agentplane.List[agentplane.WebhookDelivery]{}, err
	}
	return s.store.ListDeliveries(ctx, c.OrganizationID, id, p)
}

// Redeliver sends a delivery again, with its webhook-id, now; the
// endpoint must be enabled.
func (s *Service) Redeliver(ctx context.Context, c *agentplane.Caller, id, eventID string) (agentplane.WebhookDelivery, error) {
	if !agentplane.ValidID(id) || !agentplane.ValidID(eventID) {
		return agentplane.WebhookDelivery{}, agentplane.Errorf(agentplane.ENotFound, "delivery not found")
	}
	var d agentplane.WebhookDelivery
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		w, err := q.GetWebhook(ctx, c.OrganizationID, id)
		if err != nil {
			return err
		}
		if !w.Enabled {
			return agentplane.Errorf(agentplane.EConflict, "the webhook is disabled; enable it before redelivering")
		}
		if err := q.Redeliver(ctx, c.OrganizationID, id, eventID, s.stamp().Millis()); err != nil {
			return err
		}
		d, err = q.GetDelivery(ctx, c.OrganizationID, id, eventID)
		return err
	})
	return d, err
}
