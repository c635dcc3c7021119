package httpapi

import "net/http"

func (s *Server) deploySIP(w http.ResponseWriter, r *http.Request) error {
	ep, err := s.svc.DeploySIP(r.Context(), callerFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ep)
	return nil
}

func (s *Server) undeploySIP(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.UndeploySIP(r.Context(), callerFrom(r.Context()), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
