package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/agentplane/agentplane"
)

// Every change to what an agent's GET shows moves the agent's revision
// (the agent_revisions table) in the same transaction, so a node that
// keeps an agent's encoded detail can tell with one point read whether it
// is still what the database holds (AgentRevision). A write method that
// changes an agent's detail calls touch for every agent whose detail it
// changes, including agents it changes only through a shared number (a
// publish that takes another agent's slot, a number relabeled while two
// agents pin it); WithTx moves all the counters touched in one statement
// just before it commits.
//
// Moving them last, in one statement, in sorted order, is what keeps this
// free of deadlocks on PostgreSQL: a transaction that holds a counter's
// lock asks for no other lock afterwards but other counters, and those in
// the same order as every other transaction.

// errTouchOutsideTx is a write method that changes an agent's detail
// running on the pool, where its change and the revision could not be
// one transaction: a bug, caught by the tests that run every write.
var errTouchOutsideTx = errors.New("store: a change to an agent's detail outside a transaction")

// touches is the set of agents a transaction changed, by organization.
type touches map[string]map[string]struct{}

// touch records that this transaction changes the details of orgID's
// agents ids (empty ids are skipped).
func (q *Queries) touch(orgID string, ids ...string) error {
	if q.touched == nil {
		return errTouchOutsideTx
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		if q.touched[orgID] == nil {
			q.touched[orgID] = map[string]struct{}{}
		}
		q.touched[orgID][id] = struct{}{}
	}
	return nil
}

// touchSQL moves the counters of the agents in the JSON array $2, all of
// organization $1, inserting those that have none yet, in id order.
var touchSQL = map[Engine]string{
	SQLite: `INSERT INTO agent_revisions (agent_id, organization_id, revision)
		SELECT value, $1, 1 FROM json_each($2) WHERE true ORDER BY value
		ON CONFLICT (agent_id) DO UPDATE SET revision = agent_revisions.revision + 1`,
	Postgres: `INSERT INTO agent_revisions (agent_id, organization_id, revision)
		SELECT a::uuid, $1, 1 FROM jsonb_array_elements_text($2::jsonb) AS t(a) ORDER BY 1
		ON CONFLICT (agent_id) DO UPDATE SET revision = agent_revisions.revision + 1`,
}

// flushTouches moves the counters of every agent the transaction touched:
// one statement per organization (a transaction touches one).
func (q *Queries) flushTouches(ctx context.Context) error {
	for _, org := range slices.Sorted(maps.Keys(q.touched)) {
		ids := slices.Sorted(maps.Keys(q.touched[org]))
		if _, err := q.q.ExecContext(ctx, touchSQL[q.d.engine], org, listParam(ids)); err != nil {
			return fmt.Errorf("move agent revisions: %w", mapErr(err))
		}
	}
	return nil
}

// AgentRevision returns the revision of orgID's agent id, ENotFound when
// it has none: every agent gets its counter row when it is created (a
// trigger, migration 6), and only its organization's deletion removes it,
// so no row is no agent. A deleted agent's row stays, moved once more by
// the deletion, so a node holding its detail reads it again and gets 404.
func (q *Queries) AgentRevision(ctx context.Context, orgID, id string) (int64, error) {
	var rev int64
	err := q.q.QueryRowContext(ctx, `SELECT revision FROM agent_revisions WHERE organization_id = $1 AND agent_id = $2`,
		orgID, id).Scan(&rev)
	if errNoRows(err) {
		return 0, agentplane.Errorf(agentplane.ENotFound, "agent not found")
	}
	return rev, err
}

// slotOwners renders a statement listing, as one JSON array, the agents
// with a version pinned in either slot of organization $org's numbers
// that match where (a condition on phone_numbers p).
func slotOwners(d *dialect, org int, where string) string {
	return fmt.Sprintf(`SELECT %s FROM phone_numbers p JOIN agent_versions v
		ON v.organization_id = p.organization_id AND v.id IN (p.inbound_agent_version_id, p.outbound_agent_version_id)
		WHERE p.organization_id = $%d AND (%s)`, d.jsonArrayOfDistinct("v.agent_id"), org, where)
}

// numberOwnersSQL lists the agents pinned in a slot of organization $1's
// numbers in the JSON array $2.
var numberOwnersSQL = map[Engine]string{
	SQLite:   slotOwners(dialects[SQLite], 1, dialects[SQLite].inList("p.phone_number", 2)),
	Postgres: slotOwners(dialects[Postgres], 1, dialects[Postgres].inList("p.phone_number", 2)),
}

// touchNumberOwners touches every agent pinned in a slot of orgID's
// numbers, as they are now: a change to a number changes the detail of
// each agent it shows up under.
func (q *Queries) touchNumberOwners(ctx context.Context, orgID string, numbers []string) error {
	if len(numbers) == 0 {
		return nil
	}
	return q.touchListed(ctx, numberOwnersSQL[q.d.engine], orgID, listParam(numbers))
}

// coOwnersSQL lists the agents pinned in a slot of any of organization
// $1's numbers that pin a version of agent $2.
var coOwnersSQL = map[Engine]string{
	SQLite:   slotOwners(dialects[SQLite], 1, pinsAgent),
	Postgres: slotOwners(dialects[Postgres], 1, pinsAgent),
}

// pinsAgent is "a slot of number p pins a version of agent $2".
const pinsAgent = `p.inbound_agent_version_id IN (SELECT id FROM agent_versions WHERE organization_id = $1 AND agent_id = $2)
	OR p.outbound_agent_version_id IN (SELECT id FROM agent_versions WHERE organization_id = $1 AND agent_id = $2)`

// touchListed runs stmt, which returns one JSON array of agent ids of
// orgID, and touches them.
func (q *Queries) touchListed(ctx context.Context, stmt, orgID string, args ...any) error {
	if q.touched == nil {
		return errTouchOutsideTx
	}
	var owners string
	if err := q.q.QueryRowContext(ctx, stmt, append([]any{orgID}, args...)...).Scan(&owners); err != nil {
		return fmt.Errorf("agents to touch: %w", err)
	}
	var ids []string
	if err := json.Unmarshal([]byte(owners), &ids); err != nil {
		return fmt.Errorf("agents to touch: %w", err)
	}
	return q.touch(orgID, ids...)
}

// jsonArrayOfDistinct aggregates col's distinct values to a JSON array
// (text), [] over no rows.
func (d *dialect) jsonArrayOfDistinct(col string) string {
	if d.engine == Postgres {
		return "coalesce(json_agg(DISTINCT " + col + "), '[]')::text"
	}
	return "json_group_array(DISTINCT " + col + ")"
}
