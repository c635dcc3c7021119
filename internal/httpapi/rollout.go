package httpapi

import (
	"net/http"
	"slices"

	"github.com/agentplane/agentplane"
)

// Rollback, canary rollout and deployment history (SPEC §15).

func (s *Server) rollback(w http.ResponseWriter, r *http.Request) error {
	// The body is optional: an empty one rolls back to the previous live
	// version.
	var in agentplane.RollbackInput
	if err := decodeOptional(r, &in); err != nil {
		return err
	}
	out, err := s.svc.Rollback(r.Context(), callerFrom(r.Context()), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) listDeployments(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	agentID := r.PathValue("id")
	q := r.URL.Query()
	lq := s.parseList(q, "deployments:"+agentID, c.OrganizationID, "kind")
	// Records never change: an updated_* window would be a filter on
	// nothing, so it is refused as unknown.
	for _, k := range []string{"updated_after", "updated_before"} {
		if q.Has(k) {
			lq.v.Add("unknown query parameter "+k+": deployment records never change", "extra_forbidden", "query", k)
		}
	}
	f := agentplane.DeploymentFilter{Kind: lq.vals.Get("kind")}
	if f.Kind != "" && !slices.Contains(agentplane.DeploymentKinds, f.Kind) {
		lq.v.Add("kind must be one of publish, rollback, rollout_started, rollout_promoted, rollout_aborted", "enum", "query", "kind")
	}
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListDeployments(r.Context(), c, agentID, f, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, l.Items, l.Next)
	return nil
}

func (s *Server) startRollout(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.RolloutInput
	if err := decode(r, &in); err != nil {
		return err
	}
	out, err := s.svc.StartRollout(r.Context(), callerFrom(r.Context()), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getRollout(w http.ResponseWriter, r *http.Request) error {
	out, err := s.svc.GetRollout(r.Context(), callerFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) promoteRollout(w http.ResponseWriter, r *http.Request) error {
	out, err := s.svc.PromoteRollout(r.Context(), callerFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) endRollout(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.EndRollout(r.Context(), callerFrom(r.Context()), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
