package httpapi

import (
	"net/http"

	"github.com/agentplane/agentplane"
)

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	lq := s.parseList(r.URL.Query(), "agents", c.OrganizationID, "name", "active", "is_demo", "metadata")
	f := agentplane.AgentFilter{
		Name:     lq.vals.Get("name"),
		Active:   lq.bool("active"),
		IsDemo:   lq.bool("is_demo"),
		Metadata: lq.jsonObject("metadata"),
	}
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListAgents(r.Context(), c, f, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, l.Items, l.Next)
	return nil
}

func (s *Server) createAgent(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.AgentInput
	if err := decode(r, &in); err != nil {
		return err
	}
	a, err := s.svc.CreateAgent(r.Context(), callerFrom(r.Context()), in)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusCreated, a, a)
	return nil
}

func (s *Server) updateAgent(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.AgentInput
	if err := decode(r, &in); err != nil {
		return err
	}
	a, err := s.svc.UpdateAgent(r.Context(), callerFrom(r.Context()), r.PathValue("id"), ifMatch(r), in)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusOK, a, a)
	return nil
}

func (s *Server) deleteAgent(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteAgent(r.Context(), callerFrom(r.Context()), r.PathValue("id"), ifMatch(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
