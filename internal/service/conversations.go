package service

import (
	"context"
	"encoding/json"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// resolution is what answers a new conversation: the version, its agent
// (with the agent's live version and rollout), and whether the version was
// reached without naming one, which a canary rollout may redirect.
type resolution struct {
	v      agentplane.Version
	agent  agentplane.Agent
	routed bool
}

// resolve finds the version that answers a new conversation (SPEC §12,
// §15): an explicit version (agent_version_id, or agent_id with an integer
// version) wins; else the number's slot for the direction; else the
// widget's pinned version; else the agent's live version. Nothing
// resolvable is ENotFound; a version that is not published is EConflict.
// The agent's live version, reached through a slot that pins it or
// through the agent, is routed: a running rollout may send the caller to
// its canary instead (canary).
func resolve(ctx context.Context, q *store.Queries, orgID string, in agentplane.ConversationInput, version int) (resolution, error) {
	var r resolution
	published := func(v agentplane.Version, err error) error {
		if err == nil && !v.Published {
			return agentplane.Errorf(agentplane.EConflict, "version %d of the agent is not published", v.Version)
		}
		if err == nil {
			r.v = v
			r.agent, err = q.GetAgent(ctx, orgID, v.AgentID)
		}
		return err
	}
	switch {
	case in.AgentVersionID != nil:
		return r, published(q.GetVersionByID(ctx, orgID, *in.AgentVersionID))
	case in.AgentID != nil && version > 0:
		return r, published(q.GetVersion(ctx, orgID, *in.AgentID, version, false))
	case in.AgentNumber != nil:
		p, err := q.GetPhoneNumber(ctx, orgID, *in.AgentNumber)
		if err != nil {
			return r, err
		}
		slot := p.InboundAgentVersionID
		if in.Direction == "outbound" {
			slot = p.OutboundAgentVersionID
		}
		if slot == nil {
			return r, agentplane.Errorf(agentplane.ENotFound, "no version is deployed on %s for %s calls", *in.AgentNumber, in.Direction)
		}
		if err := published(q.GetVersionByID(ctx, orgID, *slot)); err != nil {
			return r, err
		}
		r.routed = r.agent.LiveVersion != nil && *r.agent.LiveVersion == r.v.Version
		return r, nil
	case in.WebWidgetID != nil:
		w, err := q.GetWidget(ctx, orgID, *in.WebWidgetID)
		if err != nil {
			return r, err
		}
		return r, published(q.GetVersionByID(ctx, orgID, w.AgentVersionID))
	case in.AgentID != nil:
		a, err := q.GetAgent(ctx, orgID, *in.AgentID)
		if err != nil {
			return r, err
		}
		if a.LiveVersion == nil {
			return r, agentplane.Errorf(agentplane.EConflict, "the agent has no published version; publish one first")
		}
		if err := published(q.GetVersion(ctx, orgID, a.ID, *a.LiveVersion, false)); err != nil {
			return r, err
		}
		r.routed = true
		return r, nil
	}
	return r, agentplane.Errorf(agentplane.ENotFound, "nothing to resolve: give agent_version_id, agent_id, agent_number or web_widget_id")
}

// canary applies the agent's running rollout to r for userID's new
// conversation: a routed conversation in the canary's share goes to the
// canary version (rollout true), and a conversation of the rollout's live
// or canary version counts in the rollout's statistics (rolloutID).
func canary(ctx context.Context, q *store.Queries, r resolution, userID string) (v agentplane.Version, rolloutID *string, rollout bool, err error) {
	ro := r.agent.Rollout
	if ro == nil || r.agent.LiveVersion == nil {
		return r.v, nil, false, nil
	}
	v = r.v
	if r.routed && ro.Canary(userID, r.agent.ID) {
		if v, err = q.GetVersion(ctx, r.agent.OrganizationID, r.agent.ID, ro.Version, false); err != nil {
			return v, nil, false, err
		}
		rollout = true
	}
	if v.Version == ro.Version || v.Version == *r.agent.LiveVersion {
		rolloutID = &ro.ID
	}
	return v, rolloutID, rollout, nil
}

// StartConversation records a new conversation and returns the config the
// runtime should run, in one transaction with the agent's counters.
func (s *Service) StartConversation(ctx context.Context, c *agentplane.Caller, in agentplane.ConversationInput) (agentplane.ConversationStart, error) {
	return s.startConversation(ctx, c, in, "token_created")
}

// startConversation is StartConversation with the new conversation's
// status: token_created for the API, where the runtime reports the rest;
// ringing for a SIP call, which rings as it is resolved (SPEC §22) and so
// needs no second write.
func (s *Service) startConversation(ctx context.Context, c *agentplane.Caller, in agentplane.ConversationInput, status string) (agentplane.ConversationStart, error) {
	version, err := in.Validate()
	if err != nil {
		return agentplane.ConversationStart{}, err
	}
	if in.AgentNumber != nil {
		num, ok := NormalizeNumber(*in.AgentNumber)
		if !ok {
			var v agentplane.Violations
			v.Add("agent_number is not a valid phone number", "phone_number", "body", "agent_number")
			return agentplane.ConversationStart{}, v.Err()
		}
		in.AgentNumber = &num
	}
	var out agentplane.ConversationStart
	err = s.store.WithTx(ctx, func(q *store.Queries) error {
		r, err := resolve(ctx, q, c.OrganizationID, in, version)
		if err != nil {
			return err
		}
		v, rolloutID, rollout, err := canary(ctx, q, r, in.UserID)
		if err != nil {
			return err
		}
		// The runtime gets the complete config (SPEC §16).
		if v, err = withDefaults(v, nil); err != nil {
			return err
		}
		// Fields that didn't decide the version must still be true of it.
		var bad agentplane.Violations
		if in.AgentID != nil && *in.AgentID != v.AgentID {
			bad.Add("agent_id does not match the resolved version's agent", "mismatch", "body", "agent_id")
		}
		if in.WebWidgetID != nil {
			if _, err := q.GetWidget(ctx, c.OrganizationID, *in.WebWidgetID); agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
				bad.Add("web_widget_id names no widget of this organization", "not_found", "body", "web_widget_id")
			} else if err != nil {
				return err
			}
		}
		if in.AgentNumber != nil && (in.AgentVersionID != nil || version > 0) {
			if _, err := q.GetPhoneNumber(ctx, c.OrganizationID, *in.AgentNumber); agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
				bad.Add("agent_number is not registered in this organization", "not_found", "body", "agent_number")
			} else if err != nil {
				return err
			}
		}
		if err := bad.Err(); err != nil {
			return err
		}
		now := s.stamp()
		conv := agentplane.Conversation{
			ID: agentplane.NewID(), OrganizationID: c.OrganizationID, AgentID: &v.AgentID, AgentVersionID: &v.ID,
			Version: &v.Version, WebWidgetID: in.WebWidgetID, Channel: in.Channel, Direction: in.Direction,
			Status: status, UserID: in.UserID, InitialContext: compactOrNil(in.InitialContext),
			CustomMetadata: compactOrNil(in.CustomMetadata), Rollout: rollout, RolloutID: rolloutID, CreatedAt: now, UpdatedAt: now,
		}
		conv.AgentNumber = in.AgentNumber
		if err := q.CreateConversation(ctx, conv); err != nil {
			return err
		}
		out = agentplane.ConversationStart{Conversation: conv, AgentConfig: v.Config, StartingMessage: startingMessage(v.Config, in.Channel)}
		return s.record(ctx, q, c, change{action: agentplane.ActionConversationCreated, resourceID: conv.ID, agentID: v.AgentID,
			after: conv.Redacted()}, conversationEvents(nil, conv)...)
	})
	return out, err
}

func compactOrNil(raw json.RawMessage) json.RawMessage {
	if agentplane.IsNull(raw) {
		return nil
	}
	c, err := agentplane.CompactObject(raw)
	if err != nil {
		return nil
	}
	return c
}

// UpdateConversation records progress; a terminal status is final (409).
func (s *Service) UpdateConversation(ctx context.Context, c *agentplane.Caller, id string, in agentplane.ConversationUpdate) (agentplane.Conversation, error) {
	if !agentplane.ValidID(id) {
		return agentplane.Conversation{}, agentplane.Errorf(agentplane.ENotFound, "conversation not found")
	}
	if err := in.Validate(); err != nil {
		return agentplane.Conversation{}, err
	}
	var conv agentplane.Conversation
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		old, err := q.GetConversation(ctx, c.OrganizationID, id, true)
		if err != nil {
			return err
		}
		if agentplane.Terminal(old.Status) {
			return agentplane.Errorf(agentplane.EConflict, "the conversation is %s; a finished conversation can't change", old.Status)
		}
		conv = old
		if in.Status != nil {
			conv.Status = *in.Status
		}
		if in.Duration != nil {
			conv.Duration = in.Duration
		}
		if in.UserTurnCount != nil {
			conv.UserTurnCount = in.UserTurnCount
		}
		if in.Summary != nil {
			conv.Summary = in.Summary
		}
		if in.Transcript != nil {
			// Canonical form: invalid UTF-8 and lone surrogates become
			// replacement characters instead of a JSONB error, and the
			// answer matches a later read.
			t, err := agentplane.CanonicalJSON(in.Transcript)
			if err != nil {
				var v agentplane.Violations
				v.Add("transcript must be JSON", "json_invalid", "body", "transcript")
				return v.Err()
			}
			conv.Transcript = t
		}
		conv.UpdatedAt = s.stamp()
		if err := q.UpdateConversation(ctx, old, conv); err != nil {
			return err
		}
		agentID := ""
		if conv.AgentID != nil {
			agentID = *conv.AgentID
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionConversationUpdated, resourceID: conv.ID, agentID: agentID,
			before: old.Redacted(), after: conv.Redacted()}, conversationEvents(&old, conv)...)
	})
	return conv, err
}

// conversationEvents are the events a conversation's status change makes
// beside its audit entry (SPEC §18): conversation.started when it enters
// in_progress, conversation.completed when it ends, whatever the ending.
// Events carry the redacted conversation: no transcript, summary or
// custom metadata ever leaves through a webhook.
func conversationEvents(old *agentplane.Conversation, conv agentplane.Conversation) []store.Event {
	was := ""
	if old != nil {
		was = old.Status
	}
	typ := ""
	switch {
	case conv.Status == was:
		return nil
	case conv.Status == "in_progress":
		typ = agentplane.EventConversationStarted
	case agentplane.Terminal(conv.Status):
		typ = agentplane.EventConversationCompleted
	default:
		return nil
	}
	ev, err := event(typ, conv.Redacted(), nil, conv.UpdatedAt)
	if err != nil {
		return nil
	}
	return []store.Event{ev}
}

// sensitive reports whether the caller may see transcripts, summaries and
// custom metadata.
func sensitive(c *agentplane.Caller) bool {
	return c.Scopes.AllowsAny(agentplane.ScopeConversationsReadSensitive, agentplane.ScopeConversationsManage)
}

// GetConversation returns one conversation, redacted unless the caller may
// read sensitive fields.
func (s *Service) GetConversation(ctx context.Context, c *agentplane.Caller, id string) (agentplane.Conversation, error) {
	if !agentplane.ValidID(id) {
		return agentplane.Conversation{}, agentplane.Errorf(agentplane.ENotFound, "conversation not found")
	}
	conv, err := s.store.GetConversation(ctx, c.OrganizationID, id, false)
	if err == nil && !sensitive(c) {
		conv = conv.Redacted()
	}
	return conv, err
}

// ListConversations pages through the organization's conversations,
// redacted unless the caller may read sensitive fields.
func (s *Service) ListConversations(ctx context.Context, c *agentplane.Caller, f agentplane.ConversationFilter, p agentplane.Page) (agentplane.List[agentplane.Conversation], error) {
	l, err := s.store.ListConversations(ctx, c.OrganizationID, f, p)
	if err == nil && !sensitive(c) {
		for i := range l.Items {
			l.Items[i] = l.Items[i].Redacted()
		}
	}
	return l, err
}
