package service

import (
	"context"

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
		ep, err = q.DeploySIP(ctx, c.OrganizationID, agentID, "sip:"+agentID+"@"+s.sipDomain, s.stamp())
		return err
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
		return q.UndeploySIP(ctx, c.OrganizationID, agentID)
	})
}
