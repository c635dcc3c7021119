package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/agentplane/agentplane"
)

// The agent detail (GET /core/agents/{id}) is one statement: the agents row
// with one scalar sub-select per embed, each aggregating its rows to JSON.
// It replaced seven statements (agent, versions, numbers, widgets, SIP, and
// two for the statistics): seven prepares and seven round trips per read,
// the dominant cost of P1 (docs/performance.md), and seven snapshots; one
// statement reads the agent and its embeds as of one instant. Every
// sub-select filters by the agent's organization as well as its id.

// agentDetailSQL is the statement's text per engine, built once: the text
// never varies with the agent, so a statement cache keyed by it holds one
// entry per engine.
var agentDetailSQL = map[Engine]string{
	SQLite:   buildAgentDetailSQL(dialects[SQLite]),
	Postgres: buildAgentDetailSQL(dialects[Postgres]),
}

// buildAgentDetailSQL writes the statement for d. The columns of each
// embed's rows are listed in the order its reader (agent_detail_decode.go)
// takes them. The embeds come unordered: an ORDER BY inside an aggregate
// costs SQLite a temporary b-tree per embed, ~17% of executing the
// statement, while AgentDetail sorts a few dozen rows in Go for next to
// nothing, on keys Go orders as both engines do (see sortDetail).
func buildAgentDetailSQL(d *dialect) string {
	// The agent's versions (readVersions).
	versions := d.jsonRows([]string{"v.id", "v.version", "v.description", "v.published", "v.published_at", "v.created_at", "v.updated_at"},
		`agent_versions v WHERE v.organization_id = a.organization_id AND v.agent_id = a.id`, "")

	// The numbers with a slot pinned to a version of the agent, each with
	// the agent and version of both slots, since a slot may pin another
	// agent (readPhones). They are found from the agent's versions through
	// the two slot indexes; a number whose slots pin two of its versions
	// meets both and is kept for the inbound one. CROSS JOIN fixes SQLite's
	// join order (PostgreSQL plans it freely). The numbers' organization is
	// checked in FILTER, not WHERE: in WHERE, SQLite (without statistics)
	// would walk all the organization's numbers by phone_numbers_page
	// instead of following the slot indexes.
	phones := d.jsonRows([]string{"p.phone_number", "p.organization_id", "p.label", "p.trunk_id", "p.outbound_shareable",
		"p.inbound_agent_version_id", "p.outbound_agent_version_id", "vi.agent_id", "vi.version", "vo.agent_id", "vo.version",
		"p.created_at", "p.updated_at"},
		`agent_versions pv CROSS JOIN phone_numbers p
		LEFT JOIN agent_versions vi ON vi.organization_id = p.organization_id AND vi.id = p.inbound_agent_version_id
		LEFT JOIN agent_versions vo ON vo.organization_id = p.organization_id AND vo.id = p.outbound_agent_version_id
		WHERE pv.organization_id = a.organization_id AND pv.agent_id = a.id
		AND (p.inbound_agent_version_id = pv.id OR p.outbound_agent_version_id = pv.id)
		AND (p.inbound_agent_version_id = pv.id OR vi.agent_id IS DISTINCT FROM a.id)`,
		"p.organization_id = a.organization_id")

	// The agent's widgets (readWidgets).
	widgets := d.jsonRows([]string{"w.id", "w.organization_id", "w.name", "w.agent_id", "w.agent_version_id",
		d.jsonDoc("w.domains"), "w.published", d.jsonDoc("w.config"), "w.created_at", "w.updated_at"},
		`web_widgets w WHERE w.organization_id = a.organization_id AND w.agent_id = a.id`, "")

	// The SIP endpoint, NULL when there is none (readSIP).
	sip := "(SELECT " + d.jsonRow([]string{"s.sip_uri", "s.deployed_at"}) +
		" FROM sip_endpoints s WHERE s.organization_id = a.organization_id AND s.agent_id = a.id)"

	// The conversation counters, kept at write time so statistics never
	// read the conversations (readStats).
	counters := d.jsonRows([]string{"cs.name", "cs.value"},
		`agent_conversation_stats cs WHERE cs.organization_id = a.organization_id AND cs.agent_id = a.id`, "")

	// The newest conversation: one seek on conversations_agent.
	last := `(SELECT c.created_at FROM conversations c WHERE c.organization_id = a.organization_id AND c.agent_id = a.id
		ORDER BY c.created_at DESC, c.id DESC LIMIT 1)`

	// The revision the detail is at (revisions.go), read in the same
	// snapshot as the rest.
	revision := `coalesce((SELECT r.revision FROM agent_revisions r
		WHERE r.organization_id = a.organization_id AND r.agent_id = a.id), 0)`

	// agentColumns are unqualified: the outer FROM has agents alone, so
	// they name its columns; the sub-selects qualify theirs.
	return "SELECT " + strings.Join([]string{agentColumns, versions, phones, widgets, sip, counters, last, revision}, ",\n\t") +
		"\nFROM agents a WHERE a.organization_id = $1 AND a.id = $2"
}

// AgentDetail returns orgID's agent id with everything its GET embeds:
// versions (newest first), the numbers pinning one of its versions (by
// number), widgets (newest first), SIP endpoint and conversation
// statistics, and the revision all that is at (revisions.go), read by one
// statement whatever the agent's history. Empty
// embeds are empty slices, never nil, so they render as []. It leaves
// LatestPublishedVersion to the caller.
func (q *Queries) AgentDetail(ctx context.Context, orgID, id string) (agentplane.AgentDetail, error) {
	var (
		versions, phones, widgets, sip, counters []byte
		last                                     *int64
		revision                                 int64
	)
	a, err := scanAgentAnd(q.q.QueryRowContext(ctx, agentDetailSQL[q.d.engine], orgID, id),
		&versions, &phones, &widgets, &sip, &counters, &last, &revision)
	if errNoRows(err) {
		return agentplane.AgentDetail{}, agentplane.Errorf(agentplane.ENotFound, "agent not found")
	}
	if err != nil {
		return agentplane.AgentDetail{}, fmt.Errorf("agent detail: %w", err)
	}
	d := agentplane.AgentDetail{Agent: a, Revision: revision}
	if d.Versions, err = readVersions(versions); err != nil {
		return d, err
	}
	if d.PhoneNumbers, err = readPhones(phones); err != nil {
		return d, err
	}
	if d.WebWidgets, err = readWidgets(widgets); err != nil {
		return d, err
	}
	if d.SIPEndpoint, err = readSIP(sip); err != nil {
		return d, err
	}
	if d.ConversationStats, err = readStats(counters, last); err != nil {
		return d, err
	}
	sortDetail(&d)
	return d, nil
}

// sortDetail puts the embeds in their API order: versions newest first,
// numbers by number, widgets newest first (then by id, as their list
// pages). Go's order is the engines' on these keys: integers; ids, whose
// canonical lowercase text orders as PostgreSQL orders uuid; and E.164
// numbers ("+" and digits), which order alike bytewise and under any
// collation.
func sortDetail(d *agentplane.AgentDetail) {
	slices.SortFunc(d.Versions, func(a, b agentplane.VersionSummary) int { return cmp.Compare(b.Version, a.Version) })
	slices.SortFunc(d.PhoneNumbers, func(a, b agentplane.PhoneNumber) int { return strings.Compare(a.PhoneNumber, b.PhoneNumber) })
	slices.SortFunc(d.WebWidgets, func(a, b agentplane.WebWidget) int {
		return cmp.Or(cmp.Compare(b.CreatedAt.Millis(), a.CreatedAt.Millis()), strings.Compare(b.ID, a.ID))
	})
}
