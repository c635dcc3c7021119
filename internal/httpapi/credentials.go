package httpapi

import (
	"net/http"

	"github.com/agentplane/agentplane"
)

// credentialView is a credential as listed: never the secret, and scopes as
// the effective list.
type credentialView struct {
	KeyID      string            `json:"key_id"`
	Name       string            `json:"name"`
	Scopes     agentplane.Scopes `json:"scopes"`
	ExpiresAt  *int64            `json:"expires_at"`
	CreatedAt  agentplane.Time   `json:"created_at"`
	LastUsedAt *agentplane.Time  `json:"last_used_at"`
}

// createdCredential is the one response that carries the full key.
type createdCredential struct {
	PATKey    string            `json:"pat_key"`
	KeyID     string            `json:"key_id"`
	Name      string            `json:"name"`
	Scopes    agentplane.Scopes `json:"scopes"`
	ExpiresAt *int64            `json:"expires_at"`
	CreatedAt agentplane.Time   `json:"created_at"`
}

// scopesOf is the list a credential was created with, or every scope when
// it was created without narrowing.
func scopesOf(c agentplane.Credential) agentplane.Scopes {
	if c.Scopes == nil {
		return agentplane.Scopes(agentplane.AllScopes).Expand()
	}
	return c.Scopes.Expand()
}

func viewCredentials(cs []agentplane.Credential) []credentialView {
	out := make([]credentialView, len(cs))
	for i, c := range cs {
		out[i] = credentialView{KeyID: c.ID, Name: c.Name, Scopes: nonNil(scopesOf(c)), ExpiresAt: c.ExpiresAt, CreatedAt: c.CreatedAt, LastUsedAt: c.LastUsedAt}
	}
	return out
}

func nonNil(s agentplane.Scopes) agentplane.Scopes {
	if s == nil {
		return agentplane.Scopes{}
	}
	return s
}

// writeCreated shows a new credential, its secret this once.
func writeCreated(w http.ResponseWriter, nc agentplane.NewCredential) {
	carriesSecret(w)
	writeJSON(w, http.StatusCreated, createdCredential{
		PATKey: nc.Token, KeyID: nc.ID, Name: nc.Name, Scopes: nonNil(scopesOf(nc.Credential)),
		ExpiresAt: nc.ExpiresAt, CreatedAt: nc.CreatedAt,
	})
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
