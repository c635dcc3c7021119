package httpapi

import (
	"net/http"

	"github.com/agentplane/agentplane"
)

// immutable refuses updated_* on a list of entries that never change.
func (lq *listQuery) immutable() {
	for _, name := range []string{"updated_after", "updated_before"} {
		if lq.vals.Has(name) {
			lq.v.Add(name+" is not a filter of this list: its entries never change; use created_after and created_before", "unknown_parameter", "query", name)
		}
	}
}

func (s *Server) listAuditLog(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	lq := s.parseList(r.URL.Query(), "audit-log", c.OrganizationID, "action", "resource_type", "resource_id", "agent_id", "actor_id")
	lq.immutable()
	f := agentplane.AuditFilter{
		Action: lq.vals.Get("action"), ResourceType: lq.vals.Get("resource_type"), ResourceID: lq.vals.Get("resource_id"),
		AgentID: lq.id("agent_id"), ActorID: lq.vals.Get("actor_id"),
	}
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListAuditLog(r.Context(), c, f, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, l.Items, l.Next)
	return nil
}
