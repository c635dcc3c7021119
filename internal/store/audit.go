package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/agentplane/agentplane"
)

// The audit log (SPEC §17). Entries are only ever appended, in the
// transaction of the change they record, and deleted by age.

const auditColumns = `id, organization_id, created_at, actor_type, actor_id, actor_name, credential_id,
	action, resource_type, resource_id, agent_id, request_id, ip, via, changes`

const appendAuditSQL = `INSERT INTO audit_log (` + auditColumns + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`

// auditArgs are appendAuditSQL's parameters for e.
func auditArgs(e agentplane.AuditEntry) []any {
	return []any{e.ID, e.OrganizationID, e.OccurredAt.Millis(), e.Actor.Type, e.Actor.ID, e.Actor.Name, e.CredentialID,
		e.Action, e.ResourceType, e.ResourceID, e.AgentID, e.RequestID, e.IP, e.Via, string(e.Changes)}
}

// AppendAudit writes e; call it inside the change's transaction.
func (q *Queries) AppendAudit(ctx context.Context, e agentplane.AuditEntry) error {
	_, err := q.q.ExecContext(ctx, appendAuditSQL, auditArgs(e)...)
	return mapErr(err)
}

func scanAudit(r rowScanner) (agentplane.AuditEntry, error) {
	var (
		e       agentplane.AuditEntry
		at      int64
		changes string
	)
	err := r.Scan(&e.ID, &e.OrganizationID, &at, &e.Actor.Type, &e.Actor.ID, &e.Actor.Name, &e.CredentialID,
		&e.Action, &e.ResourceType, &e.ResourceID, &e.AgentID, &e.RequestID, &e.IP, &e.Via, &changes)
	e.OccurredAt = agentplane.TimeFromMillis(at)
	e.Changes = json.RawMessage(changes)
	return e, err
}

// ListAudit pages through orgID's audit log, newest first.
func (q *Queries) ListAudit(ctx context.Context, orgID string, f agentplane.AuditFilter, p agentplane.Page) (agentplane.List[agentplane.AuditEntry], error) {
	var w where
	w.add("organization_id = ?", orgID)
	if prefix, ok := f.ActionPrefix(); ok {
		w.add("substr(action, 1, ?) = ?", len(prefix), prefix)
	} else if f.Action != "" {
		w.add("action = ?", f.Action)
	}
	if f.ResourceType != "" {
		w.add("resource_type = ?", f.ResourceType)
	}
	if f.ResourceID != "" {
		w.add("resource_id = ?", f.ResourceID)
	}
	if f.AgentID != "" {
		w.add("agent_id = ?", f.AgentID)
	}
	if f.ActorID != "" {
		w.add("actor_id = ?", f.ActorID)
	}
	return listPage(ctx, q, "audit log", `SELECT `+auditColumns+` FROM audit_log WHERE `, &w, p, "", "id", scanAudit, func(e agentplane.AuditEntry) agentplane.Cursor {
		return agentplane.Cursor{CreatedAt: e.OccurredAt.Millis(), ID: e.ID}
	})
}

// PruneAudit deletes entries older than before (epoch ms), at most batch
// of them, across organizations (retention, SPEC §17), and says how many
// went.
func (s *Store) PruneAudit(ctx context.Context, before int64, batch int) (int64, error) {
	res, err := s.q.ExecContext(ctx, `DELETE FROM audit_log WHERE id IN (
		SELECT id FROM audit_log WHERE created_at < $1 ORDER BY created_at LIMIT $2)`, before, batch)
	if err != nil {
		return 0, fmt.Errorf("prune audit log: %w", err)
	}
	return res.RowsAffected()
}
