package httpapi

import (
	"net/http"
	"strings"

	"github.com/agentplane/agentplane"
)

func (s *Server) listPhoneNumbers(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	lq := s.parseList(r.URL.Query(), "phone-numbers", c.OrganizationID, "phone_number", "agent_id", "trunk_id")
	f := agentplane.PhoneNumberFilter{PhoneNumber: digits(lq.vals.Get("phone_number")), AgentID: lq.id("agent_id"), TrunkID: lq.vals.Get("trunk_id")}
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListPhoneNumbers(r.Context(), c, f, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, l.Items, l.Next)
	return nil
}

func (s *Server) createPhoneNumber(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.PhoneNumberInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := s.svc.RegisterPhoneNumber(r.Context(), callerFrom(r.Context()), in)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusCreated, p, p)
	return nil
}

func (s *Server) getPhoneNumber(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.GetPhoneNumber(r.Context(), callerFrom(r.Context()), r.PathValue("phone_number"))
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusOK, p, p)
	return nil
}

func (s *Server) updatePhoneNumber(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.PhoneNumberPatch
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := s.svc.UpdatePhoneNumber(r.Context(), callerFrom(r.Context()), r.PathValue("phone_number"), ifMatch(r), in)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusOK, p, p)
	return nil
}

func (s *Server) deletePhoneNumber(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeletePhoneNumber(r.Context(), callerFrom(r.Context()), r.PathValue("phone_number"), ifMatch(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// digits keeps what can appear in an E.164 number, so "+1 (415)" and an
// unescaped "+" (a space in a query string) search as "+1415".
func digits(s string) string {
	t := strings.TrimLeft(s, " ")
	plus := len(t) < len(s) || strings.HasPrefix(t, "+")
	out := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, t)
	if out == "" {
		return s // nothing number-like: search for it as written
	}
	if plus {
		out = "+" + out
	}
	return out
}
