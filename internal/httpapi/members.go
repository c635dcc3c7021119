package httpapi

import (
	"net/http"

	"github.com/agentplane/agentplane"
)

// myScopes is the flat list of what the caller may do here.
func (s *Server) myScopes(w http.ResponseWriter, r *http.Request) error {
	scopes := callerFrom(r.Context()).Scopes.Expand()
	if scopes == nil {
		scopes = agentplane.Scopes{}
	}
	writeJSON(w, http.StatusOK, scopes)
	return nil
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	lq := s.parseList(r.URL.Query(), "members", c.OrganizationID)
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListMembers(r.Context(), c, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, l.Items, l.Next)
	return nil
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.MemberInput
	if err := decode(r, &in); err != nil {
		return err
	}
	m, err := s.svc.AddMember(r.Context(), callerFrom(r.Context()), in)
	if err != nil {
		return err
	}
	if u := s.opts.PublicURL; u != nil {
		m.InviteURL = u.String() + m.InviteURL
	}
	// The link signs its holder in: shown once, never replayed.
	carriesSecret(w)
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) updateMember(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.MemberUpdate
	if err := decode(r, &in); err != nil {
		return err
	}
	m, err := s.svc.UpdateMember(r.Context(), callerFrom(r.Context()), r.PathValue("user_id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.RemoveMember(r.Context(), callerFrom(r.Context()), r.PathValue("user_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
