package httpapi

import (
	"net/http"

	"github.com/agentplane/agentplane"
)

// viewCredentials is a page of credentials as the API lists them.
func viewCredentials(cs []agentplane.Credential) []agentplane.CredentialView {
	out := make([]agentplane.CredentialView, len(cs))
	for i, c := range cs {
		out[i] = c.View()
	}
	return out
}

// writeCreated shows a new credential, its secret this once.
func writeCreated(w http.ResponseWriter, nc agentplane.NewCredential) {
	carriesSecret(w)
	writeJSON(w, http.StatusCreated, nc.Created())
}

func (s *Server) createOrgKey(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.CredentialInput
	if err := decode(r, &in); err != nil {
		return err
	}
	nc, err := s.svc.CreateOrgKey(r.Context(), callerFrom(r.Context()), in)
	if err != nil {
		return err
	}
	writeCreated(w, nc)
	return nil
}

func (s *Server) listOrgKeys(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	lq := s.parseList(r.URL.Query(), "organization-pats", c.OrganizationID)
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListOrgKeys(r.Context(), c, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, viewCredentials(l.Items), l.Next)
	return nil
}

func (s *Server) revokeOrgKey(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.RevokeOrgKey(r.Context(), callerFrom(r.Context()), r.PathValue("key_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) createUserPAT(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.CredentialInput
	if err := decode(r, &in); err != nil {
		return err
	}
	nc, err := s.svc.CreateUserPAT(r.Context(), callerFrom(r.Context()), in)
	if err != nil {
		return err
	}
	writeCreated(w, nc)
	return nil
}

func (s *Server) listUserPATs(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	lq := s.parseList(r.URL.Query(), "user-pats", c.UserID)
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListUserPATs(r.Context(), c, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, viewCredentials(l.Items), l.Next)
	return nil
}

func (s *Server) revokeUserPAT(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.RevokeUserPAT(r.Context(), callerFrom(r.Context()), r.PathValue("key_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
