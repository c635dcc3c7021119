package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/agentplane/agentplane"
)

const workflowColumns = `id, organization_id, kind, status, steps, agent_id, version, error, input, state, created_at, updated_at`

func scanWorkflow(row interface{ Scan(...any) error }) (agentplane.Workflow, error) {
	var (
		w                   agentplane.Workflow
		steps, input, state []byte
		created, upd        int64
	)
	err := row.Scan(&w.ID, &w.OrganizationID, &w.Kind, &w.Status, &steps, &w.AgentID, &w.Version, &w.Error, &input, &state, &created, &upd)
	if err != nil {
		return w, err
	}
	if err := json.Unmarshal(steps, &w.Steps); err != nil {
		return w, fmt.Errorf("workflow %s steps: %w", w.ID, err)
	}
	w.Input, w.State = input, state
	w.CreatedAt, w.UpdatedAt = agentplane.TimeFromMillis(created), agentplane.TimeFromMillis(upd)
	return w, nil
}

func workflowArgs(w agentplane.Workflow) (steps, input, state string, err error) {
	b, err := json.Marshal(w.Steps)
	if err != nil {
		return "", "", "", err
	}
	input, state = string(w.Input), string(w.State)
	if input == "" {
		input = "{}"
	}
	if state == "" {
		state = "{}"
	}
	return string(b), input, state, nil
}

// CreateWorkflow inserts w and, through the queue's JobInserter, its job,
// in the transaction of q: no job without its record, no record without
// its job. Without a registered queue it is EUnavailable.
func (q *Queries) CreateWorkflow(ctx context.Context, w agentplane.Workflow) error {
	steps, input, state, err := workflowArgs(w)
	if err != nil {
		return err
	}
	insert := q.jobs.inserter()
	if insert == nil {
		return agentplane.Errorf(agentplane.EUnavailable, "background jobs are not running on this node")
	}
	if q.tx == nil {
		return fmt.Errorf("store: CreateWorkflow needs a transaction, which its job row shares")
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO workflows (`+workflowColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		w.ID, w.OrganizationID, w.Kind, w.Status, steps, w.AgentID, w.Version, w.Error, input, state, w.CreatedAt.Millis(), w.UpdatedAt.Millis())
	if err != nil {
		return mapErr(err)
	}
	return insert(ctx, q.tx, w)
}

// SaveWorkflow writes a workflow's progress.
func (q *Queries) SaveWorkflow(ctx context.Context, w agentplane.Workflow) error {
	steps, _, state, err := workflowArgs(w)
	if err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE workflows SET status = $3, steps = $4, agent_id = $5, version = $6, error = $7,
		state = $8, updated_at = $9 WHERE organization_id = $1 AND id = $2`,
		w.OrganizationID, w.ID, w.Status, steps, w.AgentID, w.Version, w.Error, state, w.UpdatedAt.Millis())
	return affectedOne(res, err, "workflow not found")
}

// GetWorkflow returns orgID's workflow; with lock it is locked for the rest
// of the transaction (PostgreSQL).
func (q *Queries) GetWorkflow(ctx context.Context, orgID, id string, lock bool) (agentplane.Workflow, error) {
	suffix := ""
	if lock {
		suffix = q.d.forUpdate
	}
	w, err := scanWorkflow(q.q.QueryRowContext(ctx, `SELECT `+workflowColumns+` FROM workflows WHERE organization_id = $1 AND id = $2`+suffix, orgID, id))
	if errNoRows(err) {
		return w, agentplane.Errorf(agentplane.ENotFound, "workflow not found")
	}
	return w, err
}

// WorkflowOrg returns the organization of a workflow, for the job worker,
// which knows only the workflow id its job carries.
func (q *Queries) WorkflowOrg(ctx context.Context, id string) (string, error) {
	var org string
	err := q.q.QueryRowContext(ctx, `SELECT organization_id FROM workflows WHERE id = $1`, id).Scan(&org)
	if errNoRows(err) {
		return "", agentplane.Errorf(agentplane.ENotFound, "workflow not found")
	}
	return org, err
}

// ListWorkflows pages through orgID's workflows matching f.
func (q *Queries) ListWorkflows(ctx context.Context, orgID string, f agentplane.WorkflowFilter, p agentplane.Page) (agentplane.List[agentplane.Workflow], error) {
	var w where
	w.add("organization_id = ?", orgID)
	for _, eq := range []struct{ col, v string }{{"kind", f.Kind}, {"status", f.Status}, {"agent_id", f.AgentID}} {
		if eq.v != "" {
			w.add(eq.col+" = ?", eq.v)
		}
	}
	return listPage(ctx, q, "workflows", `SELECT `+workflowColumns+` FROM workflows WHERE `, &w, p, "", "id", scanWorkflow, func(x agentplane.Workflow) agentplane.Cursor {
		return agentplane.Cursor{CreatedAt: x.CreatedAt.Millis(), ID: x.ID}
	})
}

// JobCount is the number of queue jobs of one kind in one state.
type JobCount struct {
	Kind, State string
	Count       int64
}

// JobCounts groups River's jobs by kind and state (the /metrics gauge).
// River's tables are River's; this one read is the store's only look in.
func (s *Store) JobCounts(ctx context.Context) ([]JobCount, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT kind, state, COUNT(*) FROM river_job GROUP BY kind, state`)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (JobCount, error) {
		var jc JobCount
		err := r.Scan(&jc.Kind, &jc.State, &jc.Count)
		return jc, err
	})
}
