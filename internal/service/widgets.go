package service

import (
	"context"
	"encoding/json"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// checkPin verifies that a widget's version belongs to its agent and is
// published (422 otherwise, located at the field).
func checkPin(ctx context.Context, q *store.Queries, orgID string, w agentplane.WebWidget) error {
	if _, err := q.GetAgent(ctx, orgID, w.AgentID); agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
		var v agentplane.Violations
		v.Add("agent_id names no agent of this organization", "not_found", "body", "agent_id")
		return v.Err()
	} else if err != nil {
		return err
	}
	ver, err := q.GetVersionByID(ctx, orgID, w.AgentVersionID)
	var v agentplane.Violations
	switch {
	case agentplane.ErrorCodeOf(err) == agentplane.ENotFound || (err == nil && ver.AgentID != w.AgentID):
		v.Add("agent_version_id must be a version of agent_id", "not_found", "body", "agent_version_id")
	case err != nil:
		return err
	case !ver.Published:
		v.Add("agent_version_id must be a published version", "unpublished", "body", "agent_version_id")
	}
	return v.Err()
}

// CreateWidget creates a web widget pinned to a published version.
func (s *Service) CreateWidget(ctx context.Context, c *agentplane.Caller, in agentplane.WebWidgetInput) (agentplane.WebWidget, error) {
	if err := in.Validate(true); err != nil {
		return agentplane.WebWidget{}, err
	}
	now := s.stamp()
	w := agentplane.WebWidget{ID: agentplane.NewID(), OrganizationID: c.OrganizationID, Name: *in.Name, AgentID: *in.AgentID,
		AgentVersionID: *in.AgentVersionID, Domains: []string{}, Config: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now}
	mergeWidget(&w, in)
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		if err := checkPin(ctx, q, c.OrganizationID, w); err != nil {
			return err
		}
		if err := q.CreateWidget(ctx, w); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionWebWidgetCreated, resourceID: w.ID, agentID: w.AgentID, after: w})
	})
	return w, err
}

func mergeWidget(w *agentplane.WebWidget, in agentplane.WebWidgetInput) {
	if in.Name != nil {
		w.Name = *in.Name
	}
	if in.AgentID != nil {
		w.AgentID = *in.AgentID
	}
	if in.AgentVersionID != nil {
		w.AgentVersionID = *in.AgentVersionID
	}
	if in.Domains != nil {
		w.Domains = *in.Domains
	}
	if in.Published != nil {
		w.Published = *in.Published
	}
	if in.Config != nil {
		w.Config = in.Config
	}
}

// GetWidget returns one of the organization's widgets.
func (s *Service) GetWidget(ctx context.Context, c *agentplane.Caller, id string) (agentplane.WebWidget, error) {
	if !agentplane.ValidID(id) {
		return agentplane.WebWidget{}, agentplane.Errorf(agentplane.ENotFound, "web widget not found")
	}
	return s.store.GetWidget(ctx, c.OrganizationID, id)
}

// UpdateWidget applies a partial update; a changed pin is checked again.
func (s *Service) UpdateWidget(ctx context.Context, c *agentplane.Caller, id, ifMatch string, in agentplane.WebWidgetInput) (agentplane.WebWidget, error) {
	if !agentplane.ValidID(id) {
		return agentplane.WebWidget{}, agentplane.Errorf(agentplane.ENotFound, "web widget not found")
	}
	if err := in.Validate(false); err != nil {
		return agentplane.WebWidget{}, err
	}
	var w agentplane.WebWidget
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		var err error
		if w, err = q.GetWidget(ctx, c.OrganizationID, id); err != nil {
			return err
		}
		if err := precondition(ifMatch, w); err != nil {
			return err
		}
		before := w
		mergeWidget(&w, in)
		if in.AgentID != nil || in.AgentVersionID != nil {
			if err := checkPin(ctx, q, c.OrganizationID, w); err != nil {
				return err
			}
		}
		w.UpdatedAt = s.stamp()
		if err := q.UpdateWidget(ctx, w); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionWebWidgetUpdated, resourceID: w.ID, agentID: w.AgentID, before: before, after: w})
	})
	return w, err
}

// DeleteWidget removes a widget.
func (s *Service) DeleteWidget(ctx context.Context, c *agentplane.Caller, id, ifMatch string) error {
	if !agentplane.ValidID(id) {
		return agentplane.Errorf(agentplane.ENotFound, "web widget not found")
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		w, err := q.GetWidget(ctx, c.OrganizationID, id)
		if err != nil {
			return err
		}
		if err := precondition(ifMatch, w); err != nil {
			return err
		}
		if err := q.DeleteWidget(ctx, c.OrganizationID, id); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionWebWidgetDeleted, resourceID: id, agentID: w.AgentID, before: w})
	})
}

// ListWidgets pages through the organization's widgets.
func (s *Service) ListWidgets(ctx context.Context, c *agentplane.Caller, agentID string, p agentplane.Page) (agentplane.List[agentplane.WebWidget], error) {
	return s.store.ListWidgets(ctx, c.OrganizationID, agentID, p)
}

// PublicWidget is what an embedding page may read without a credential.
type PublicWidget struct {
	agentplane.WebWidget
	StartingMessage json.RawMessage `json:"starting_message"`
}

// GetPublicWidget serves a published widget to a page on one of its
// domains: 404 when it doesn't exist or isn't published, 403 when it has
// domains and origin is not one of them (or absent).
func (s *Service) GetPublicWidget(ctx context.Context, id, origin string) (PublicWidget, error) {
	w, err := s.publicWidget(ctx, id, origin)
	if err != nil {
		return PublicWidget{}, err
	}
	v, err := withDefaults(s.store.GetVersionByID(ctx, w.OrganizationID, w.AgentVersionID))
	if err != nil {
		return PublicWidget{}, err
	}
	return PublicWidget{WebWidget: w, StartingMessage: startingMessage(v.Config, "webrtc")}, nil
}

// CheckPublicWidgetOrigin answers a CORS preflight: nil when a page at
// origin may read the widget, else the error GetPublicWidget would give
// (404 unknown or unpublished, 403 origin not allowed). It reads no
// version: a preflight answers with headers only.
func (s *Service) CheckPublicWidgetOrigin(ctx context.Context, id, origin string) error {
	_, err := s.publicWidget(ctx, id, origin)
	return err
}

// publicWidget is the widget id if it is published and origin may read it.
func (s *Service) publicWidget(ctx context.Context, id, origin string) (agentplane.WebWidget, error) {
	notFound := agentplane.Errorf(agentplane.ENotFound, "web widget not found")
	if !agentplane.ValidID(id) {
		return agentplane.WebWidget{}, notFound
	}
	w, err := s.store.GetPublicWidget(ctx, id)
	if err != nil {
		return agentplane.WebWidget{}, err
	}
	if !w.Published {
		return agentplane.WebWidget{}, notFound
	}
	if !w.AllowsOrigin(origin) {
		return agentplane.WebWidget{}, agentplane.Errorf(agentplane.EForbidden, "this widget may only be embedded on its listed domains")
	}
	return w, nil
}

// startingMessage is the config's opening line for a channel: the
// channel's override when it sets one, else the config's; JSON null when
// there is none.
func startingMessage(config json.RawMessage, channel string) json.RawMessage {
	var c struct {
		StartingMessage  json.RawMessage `json:"starting_message"`
		ChannelOverrides map[string]struct {
			StartingMessage json.RawMessage `json:"starting_message"`
		} `json:"channel_overrides"`
	}
	_ = json.Unmarshal(config, &c)
	if o, ok := c.ChannelOverrides[channel]; ok && o.StartingMessage != nil {
		return o.StartingMessage
	}
	if c.StartingMessage == nil {
		return json.RawMessage("null")
	}
	return c.StartingMessage
}
