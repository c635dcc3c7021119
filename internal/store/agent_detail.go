package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/agentplane/agentplane"
)

// The agent detail (GET /core/agents/{id}) is one statement: the agents row
// with one scalar sub-select per embed, each aggregating its rows to JSON.
// Six statements were six prepares and six round trips per read (the
// dominant cost of P1, docs/performance.md), and they were six snapshots;
// one statement reads the agent and its embeds as of one instant. Every
// sub-select filters by the agent's organization as well as its id.

// detailVersions are the agent's versions, newest first.
var detailVersions = jsonEmbed{
	fields: []jsonField{
		{"id", "v.id", jsonScalar}, {"version", "v.version", jsonScalar},
		{"published", "v.published", jsonBool}, {"published_at", "v.published_at", jsonScalar},
		{"created_at", "v.created_at", jsonScalar}, {"updated_at", "v.updated_at", jsonScalar},
	},
	from:    `agent_versions v WHERE v.organization_id = a.organization_id AND v.agent_id = a.id`,
	orderBy: "v.version DESC",
}

// detailPhones are the numbers with a slot pinned to a version of the
// agent, by number, each with the agent and version of both slots (a slot
// may pin another agent). The pinned numbers are found from the agent's
// versions through the slot indexes, one UNION arm per slot; an OR of the
// two slots would make both engines read every number of the organization.
// CROSS JOIN fixes SQLite's join order (PostgreSQL plans it freely):
// without statistics SQLite would rather walk the organization's numbers
// by phone_numbers_page than follow the slot and primary-key indexes. For
// the same reason the UNION arms leave the numbers' organization alone;
// the join to p checks it once per pinned number.
var detailPhones = jsonEmbed{
	fields: []jsonField{
		{"phone_number", "p.phone_number", jsonScalar}, {"organization_id", "p.organization_id", jsonScalar},
		{"label", "p.label", jsonScalar}, {"trunk_id", "p.trunk_id", jsonScalar},
		{"outbound_shareable", "p.outbound_shareable", jsonBool},
		{"inbound_agent_version_id", "p.inbound_agent_version_id", jsonScalar},
		{"outbound_agent_version_id", "p.outbound_agent_version_id", jsonScalar},
		{"inbound_agent_id", "vi.agent_id", jsonScalar}, {"inbound_version", "vi.version", jsonScalar},
		{"outbound_agent_id", "vo.agent_id", jsonScalar}, {"outbound_version", "vo.version", jsonScalar},
		{"created_at", "p.created_at", jsonScalar}, {"updated_at", "p.updated_at", jsonScalar},
	},
	from: `(SELECT pin.phone_number FROM agent_versions pv CROSS JOIN phone_numbers pin
				WHERE pv.organization_id = a.organization_id AND pv.agent_id = a.id
				AND pin.inbound_agent_version_id = pv.id
			UNION
			SELECT pout.phone_number FROM agent_versions pv CROSS JOIN phone_numbers pout
				WHERE pv.organization_id = a.organization_id AND pv.agent_id = a.id
				AND pout.outbound_agent_version_id = pv.id) pinned
		CROSS JOIN phone_numbers p
		LEFT JOIN agent_versions vi ON vi.organization_id = p.organization_id AND vi.id = p.inbound_agent_version_id
		LEFT JOIN agent_versions vo ON vo.organization_id = p.organization_id AND vo.id = p.outbound_agent_version_id
		WHERE p.phone_number = pinned.phone_number AND p.organization_id = a.organization_id`,
	orderBy: "p.phone_number",
}

// detailWidgets are the agent's widgets, newest first.
var detailWidgets = jsonEmbed{
	fields: []jsonField{
		{"id", "w.id", jsonScalar}, {"organization_id", "w.organization_id", jsonScalar}, {"name", "w.name", jsonScalar},
		{"agent_id", "w.agent_id", jsonScalar}, {"agent_version_id", "w.agent_version_id", jsonScalar},
		{"domains", "w.domains", jsonDoc}, {"published", "w.published", jsonBool}, {"config", "w.config", jsonDoc},
		{"created_at", "w.created_at", jsonScalar}, {"updated_at", "w.updated_at", jsonScalar},
	},
	from:    `web_widgets w WHERE w.organization_id = a.organization_id AND w.agent_id = a.id`,
	orderBy: "w.created_at DESC, w.id DESC",
}

// detailCounters are the agent's conversation counters (kept at write
// time, so statistics never read the conversations).
var detailCounters = jsonEmbed{
	fields: []jsonField{{"name", "cs.name", jsonScalar}, {"value", "cs.value", jsonScalar}},
	from:   `agent_conversation_stats cs WHERE cs.organization_id = a.organization_id AND cs.agent_id = a.id`,
}

// jsonEmbed is one array embed of the detail: its members, the rows and
// their order.
type jsonEmbed struct {
	fields        []jsonField
	from, orderBy string
}

// agentDetailSQL is the statement's text per engine, built once: the text
// never varies with the agent, so a statement cache keyed by it holds one
// entry per engine.
var agentDetailSQL = map[Engine]string{
	SQLite:   buildAgentDetailSQL(dialects[SQLite]),
	Postgres: buildAgentDetailSQL(dialects[Postgres]),
}

func buildAgentDetailSQL(d *dialect) string {
	sip := []jsonField{{"sip_uri", "s.sip_uri", jsonScalar}, {"deployed_at", "s.deployed_at", jsonScalar}}
	cols := []string{
		agentColumns,
		d.jsonArray(detailVersions.fields, detailVersions.from, detailVersions.orderBy),
		d.jsonArray(detailPhones.fields, detailPhones.from, detailPhones.orderBy),
		d.jsonArray(detailWidgets.fields, detailWidgets.from, detailWidgets.orderBy),
		"(SELECT " + d.jsonObject(sip) + " FROM sip_endpoints s WHERE s.organization_id = a.organization_id AND s.agent_id = a.id)",
		d.jsonArray(detailCounters.fields, detailCounters.from, detailCounters.orderBy),
		// The newest conversation: one seek on conversations_agent.
		`(SELECT c.created_at FROM conversations c WHERE c.organization_id = a.organization_id AND c.agent_id = a.id
			ORDER BY c.created_at DESC, c.id DESC LIMIT 1)`,
	}
	// agentColumns are unqualified: the outer FROM has agents alone, so
	// they name its columns; the sub-selects qualify theirs.
	return "SELECT " + strings.Join(cols, ",\n\t") + "\nFROM agents a WHERE a.organization_id = $1 AND a.id = $2"
}

// AgentDetail returns orgID's agent id with everything its GET embeds:
// versions (newest first), the numbers pinning one of its versions (by
// number), widgets (newest first), SIP endpoint and conversation
// statistics, read by one statement whatever the agent's history. Empty
// embeds are empty slices, never nil, so they render as []. It leaves
// LatestPublishedVersion to the caller.
func (q *Queries) AgentDetail(ctx context.Context, orgID, id string) (agentplane.AgentDetail, error) {
	var (
		versions, phones, widgets, sip, counters []byte
		last                                     *int64
	)
	a, err := scanAgentAnd(q.q.QueryRowContext(ctx, agentDetailSQL[q.d.engine], orgID, id),
		&versions, &phones, &widgets, &sip, &counters, &last)
	if errNoRows(err) {
		return agentplane.AgentDetail{}, agentplane.Errorf(agentplane.ENotFound, "agent not found")
	}
	if err != nil {
		return agentplane.AgentDetail{}, fmt.Errorf("agent detail: %w", err)
	}
	d := agentplane.AgentDetail{Agent: a}
	if d.Versions, err = decodeVersions(versions); err != nil {
		return d, err
	}
	if d.PhoneNumbers, err = decodePhones(phones); err != nil {
		return d, err
	}
	if d.WebWidgets, err = decodeWidgets(widgets); err != nil {
		return d, err
	}
	if d.SIPEndpoint, err = decodeSIP(sip); err != nil {
		return d, err
	}
	if d.ConversationStats, err = decodeStats(counters, last); err != nil {
		return d, err
	}
	return d, nil
}
