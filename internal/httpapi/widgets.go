package httpapi

import (
	"net/http"

	"github.com/agentplane/agentplane"
)

func (s *Server) listWidgets(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	lq := s.parseList(r.URL.Query(), "web-widgets", c.OrganizationID, "agent_id")
	agentID := lq.id("agent_id")
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListWidgets(r.Context(), c, agentID, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, l.Items, l.Next)
	return nil
}

func (s *Server) createWidget(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.WebWidgetInput
	if err := decode(r, &in); err != nil {
		return err
	}
	wd, err := s.svc.CreateWidget(r.Context(), callerFrom(r.Context()), in)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusCreated, wd, wd)
	return nil
}

func (s *Server) getWidget(w http.ResponseWriter, r *http.Request) error {
	wd, err := s.svc.GetWidget(r.Context(), callerFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusOK, wd, wd)
	return nil
}

func (s *Server) updateWidget(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.WebWidgetInput
	if err := decode(r, &in); err != nil {
		return err
	}
	wd, err := s.svc.UpdateWidget(r.Context(), callerFrom(r.Context()), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusOK, wd, wd)
	return nil
}

func (s *Server) deleteWidget(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteWidget(r.Context(), callerFrom(r.Context()), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// publicWidget is the credential-free read an embedding page makes. The
// answer varies by Origin, so caches must key on it.
func (s *Server) publicWidget(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Vary", "Origin")
	wd, err := s.svc.GetPublicWidget(r.Context(), r.PathValue("id"), r.Header.Get("Origin"))
	if err != nil {
		return err
	}
	if o := r.Header.Get("Origin"); o != "" {
		w.Header().Set("Access-Control-Allow-Origin", o)
	}
	writeJSON(w, http.StatusOK, wd)
	return nil
}
