package service

import (
	"context"
	"strings"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// DeploySIP exposes the agent at sip:<agent-id>@<sip domain>. The agent
// needs a published version (409 otherwise); deploying again is harmless
// and keeps the first deployed_at.
func (s *Service) DeploySIP(ctx context.Context, c *agentplane.Caller, agentID string) (agentplane.SIPEndpoint, error) {
	if !agentplane.ValidID(agentID) {
		return agentplane.SIPEndpoint{}, notFoundAgent()
	}
	var ep agentplane.SIPEndpoint
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		if _, err := q.LockAgent(ctx, c.OrganizationID, agentID); err != nil {
			return err
		}
		if _, err := q.LatestPublished(ctx, c.OrganizationID, agentID); err != nil {
			return err
		}
		var err error
		if ep, err = q.DeploySIP(ctx, c.OrganizationID, agentID, "sip:"+agentID+"@"+s.sipDomain, s.stamp()); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionSIPDeployed, resourceID: agentID, agentID: agentID, after: ep})
	})
	return ep, err
}

// UndeploySIP removes the agent's SIP endpoint; 404 when not deployed.
func (s *Service) UndeploySIP(ctx context.Context, c *agentplane.Caller, agentID string) error {
	if !agentplane.ValidID(agentID) {
		return notFoundAgent()
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		if _, err := q.GetAgent(ctx, c.OrganizationID, agentID); err != nil {
			return err
		}
		if err := q.UndeploySIP(ctx, c.OrganizationID, agentID); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionSIPUndeployed, resourceID: agentID, agentID: agentID,
			before: map[string]any{"agent_id": agentID, "sip_uri": "sip:" + agentID + "@" + s.sipDomain}})
	})
}

// StartSIPCall starts the conversation, ringing, of a call to requestURI
// (SPEC §10, §22): sip:<agent id>@<sip domain> reaches an agent deployed as SIP,
// sip:<E.164>@<sip domain> a registered number's inbound slot. It is
// resolved exactly as POST /core/conversations resolves agent_id or
// agent_number — the live version, a canary rollout, the slot — in the
// organization that owns the agent or number, for the caller fromUser
// (the From URI's user part; "anonymous" when empty). A URI of another
// domain, an unknown or undeployed agent, or an unknown number is
// ENotFound.
func (s *Service) StartSIPCall(ctx context.Context, requestURI, fromUser string) (agentplane.ConversationStart, error) {
	user, host, ok := splitSIPURI(requestURI)
	if !ok || !strings.EqualFold(host, s.sipDomain) {
		return agentplane.ConversationStart{}, agentplane.Errorf(agentplane.ENotFound, "no agent answers at %.200s", requestURI)
	}
	if fromUser == "" {
		fromUser = "anonymous"
	}
	in := agentplane.ConversationInput{Channel: "telephone", Direction: "inbound", UserID: fromUser}
	var (
		org string
		err error
	)
	if agentplane.ValidID(user) {
		org, err = s.store.SIPAgentOrganization(ctx, user)
		in.AgentID = &user
	} else if number, valid := NormalizeNumber(user); valid && strings.HasPrefix(user, "+") {
		org, err = s.store.NumberOrganization(ctx, number)
		in.AgentNumber = &number
	} else {
		err = agentplane.Errorf(agentplane.ENotFound, "no agent answers at %.200s", requestURI)
	}
	if err != nil {
		return agentplane.ConversationStart{}, err
	}
	return s.startConversation(ctx, agentplane.SystemCaller(org), in, "ringing")
}

// splitSIPURI returns the user and host (without port) of a sip: or sips:
// URI, without its parameters and headers.
func splitSIPURI(uri string) (user, host string, ok bool) {
	if len(uri) > 1024 { // no agent id or number is near this long
		return "", "", false
	}
	var rest string
	switch lower := strings.ToLower(uri); {
	case strings.HasPrefix(lower, "sips:"):
		rest = uri[5:]
	case strings.HasPrefix(lower, "sip:"):
		rest = uri[4:]
	default:
		return "", "", false
	}
	if i := strings.IndexAny(rest, ";?"); i >= 0 {
		rest = rest[:i]
	}
	user, host, ok = strings.Cut(rest, "@")
	host, _, _ = strings.Cut(host, ":") // the port
	if !ok || user == "" || host == "" {
		return "", "", false
	}
	return user, host, true
}
