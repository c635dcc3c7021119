package store

import (
	"context"

	"github.com/agentplane/agentplane"
)

// DeploySIP records the agent's SIP endpoint, keeping the first deployment
// time when it is deployed already, and returns the stored endpoint.
func (q *Queries) DeploySIP(ctx context.Context, orgID, agentID, uri string, now agentplane.Time) (agentplane.SIPEndpoint, error) {
	if err := q.touch(orgID, agentID); err != nil {
		return agentplane.SIPEndpoint{}, err
	}
	if _, err := q.q.ExecContext(ctx, `INSERT INTO sip_endpoints (agent_id, organization_id, sip_uri, deployed_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (agent_id) DO UPDATE SET sip_uri = excluded.sip_uri`,
		agentID, orgID, uri, now.Millis()); err != nil {
		return agentplane.SIPEndpoint{}, mapErr(err)
	}
	return q.GetSIP(ctx, orgID, agentID)
}

// GetSIP returns the agent's endpoint, or {deployed: false} when there is
// none.
func (q *Queries) GetSIP(ctx context.Context, orgID, agentID string) (agentplane.SIPEndpoint, error) {
	var (
		uri string
		at  int64
	)
	err := q.q.QueryRowContext(ctx, `SELECT sip_uri, deployed_at FROM sip_endpoints WHERE organization_id = $1 AND agent_id = $2`,
		orgID, agentID).Scan(&uri, &at)
	if errNoRows(err) {
		return agentplane.SIPEndpoint{}, nil
	}
	if err != nil {
		return agentplane.SIPEndpoint{}, err
	}
	t := agentplane.TimeFromMillis(at)
	return agentplane.SIPEndpoint{Deployed: true, SIPURI: &uri, DeployedAt: &t}, nil
}

// UndeploySIP removes the agent's endpoint; ENotFound when not deployed.
func (q *Queries) UndeploySIP(ctx context.Context, orgID, agentID string) error {
	if err := q.touch(orgID, agentID); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM sip_endpoints WHERE organization_id = $1 AND agent_id = $2`, orgID, agentID)
	return affectedOne(res, err, "the agent is not deployed as SIP")
}

// DeleteAgentDeployments removes the agent's SIP endpoint, widgets and
// statistics counters
// (agent deletion; the caller's transaction also deletes the agent).
func (q *Queries) DeleteAgentDeployments(ctx context.Context, orgID, agentID string) error {
	if err := q.touch(orgID, agentID); err != nil {
		return err
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM sip_endpoints WHERE organization_id = $1 AND agent_id = $2`, orgID, agentID); err != nil {
		return err
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM web_widgets WHERE organization_id = $1 AND agent_id = $2`, orgID, agentID); err != nil {
		return err
	}
	// The agent's counters, and its versions', go with it; its
	// conversations stay as history.
	if _, err := q.q.ExecContext(ctx, `DELETE FROM version_conversation_stats WHERE organization_id = $1
		AND agent_version_id IN (SELECT id FROM agent_versions WHERE organization_id = $1 AND agent_id = $2)`, orgID, agentID); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `DELETE FROM agent_conversation_stats WHERE organization_id = $1 AND agent_id = $2`, orgID, agentID)
	return err
}

// SIPAgentOrganization returns the organization of the agent deployed as
// SIP under agentID, or ENotFound. Like the public widget read it looks up
// by id alone: a call to a SIP URI carries no credential, and agent ids
// are unique across organizations.
func (q *Queries) SIPAgentOrganization(ctx context.Context, agentID string) (string, error) {
	var org string
	err := q.q.QueryRowContext(ctx, `SELECT organization_id FROM sip_endpoints WHERE agent_id = $1`, agentID).Scan(&org)
	if errNoRows(err) {
		return "", agentplane.Errorf(agentplane.ENotFound, "no agent is deployed as SIP under %s", agentID)
	}
	return org, err
}

// NumberOrganization returns the organization that registered number
// (E.164), or ENotFound: numbers are unique across organizations, and a
// call to one carries no credential.
func (q *Queries) NumberOrganization(ctx context.Context, number string) (string, error) {
	var org string
	err := q.q.QueryRowContext(ctx, `SELECT organization_id FROM phone_numbers WHERE phone_number = $1`, number).Scan(&org)
	if errNoRows(err) {
		return "", agentplane.Errorf(agentplane.ENotFound, "%s is not registered", number)
	}
	return org, err
}
