package httpapi

import (
	"net/http"

	"github.com/agentplane/agentplane"
)

func (s *Server) listPhoneNumbers(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	lq := s.parseList(r.URL.Query(), "phone-numbers", c.OrganizationID, "phone_number", "agent_id", "trunk_id")
	f := agentplane.PhoneNumberFilter{PhoneNumber: lq.vals.Get("phone_number"), AgentID: lq.id("agent_id"), TrunkID: lq.vals.Get("trunk_id")}
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
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) getPhoneNumber(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.GetPhoneNumber(r.Context(), callerFrom(r.Context()), r.PathValue("phone_number"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) updatePhoneNumber(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.PhoneNumberPatch
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := s.svc.UpdatePhoneNumber(r.Context(), callerFrom(r.Context()), r.PathValue("phone_number"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) deletePhoneNumber(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeletePhoneNumber(r.Context(), callerFrom(r.Context()), r.PathValue("phone_number")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
