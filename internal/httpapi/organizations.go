package httpapi

import (
	"net/http"

	"github.com/agentplane/agentplane"
)

func (s *Server) createOrganization(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.OrganizationInput
	if err := decode(r, &in); err != nil {
		return err
	}
	o, err := s.svc.CreateOrganization(r.Context(), callerFrom(r.Context()), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) listOrganizations(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	lq := s.parseList(r.URL.Query(), "organizations", c.UserID)
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListOrganizations(r.Context(), c, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, l.Items, l.Next)
	return nil
}
