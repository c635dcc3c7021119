package store

import (
	"context"
	"math"
	"strings"

	"github.com/agentplane/agentplane"
)

// qualified prefixes every column of a column list with table alias t.
func qualified(t, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = t + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// versionOfAgent reads a version through its agent, so one statement locks
// both rows (PostgreSQL: FOR UPDATE applies to every table of the join).
var versionOfAgent = `SELECT ` + qualified("v", versionColumns) + ` FROM agents a
	JOIN agent_versions v ON v.organization_id = a.organization_id AND v.agent_id = a.id AND v.version = $3
	WHERE a.organization_id = $1 AND a.id = $2`

// LockAgentVersion locks orgID's agent and its version n for the rest of
// the transaction and returns the version: LockAgent then GetVersion in
// one statement, the agent's lock taken first as every writer of an
// agent's versions and pins takes it. A publish holds the lock from this
// statement to its commit, and every round trip in between is time other
// publishes of the agent wait, so it saves one.
func (q *Queries) LockAgentVersion(ctx context.Context, orgID, agentID string, n int) (agentplane.Version, error) {
	if n < 1 || n > math.MaxInt32 {
		if _, err := q.LockAgent(ctx, orgID, agentID); err != nil {
			return agentplane.Version{}, err
		}
		return agentplane.Version{}, agentplane.Errorf(agentplane.ENotFound, "version %d not found", n)
	}
	v, err := scanVersion(q.q.QueryRowContext(ctx, versionOfAgent+q.d.forUpdate, orgID, agentID, n))
	if errNoRows(err) {
		// Which of the two is missing decides the message; only a failing
		// publish pays for asking.
		if _, err := q.LockAgent(ctx, orgID, agentID); err != nil {
			return v, err
		}
		return v, agentplane.Errorf(agentplane.ENotFound, "version %d not found", n)
	}
	return v, err
}
