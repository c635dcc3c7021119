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
	wd, err := s.svc.UpdateWidget(r.Context(), callerFrom(r.Context()), r.PathValue("id"), ifMatch(r), in)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusOK, wd, wd)
	return nil
}

func (s *Server) deleteWidget(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteWidget(r.Context(), callerFrom(r.Context()), r.PathValue("id"), ifMatch(r)); err != nil {
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
	allowOrigin(w, r)
	writeJSON(w, http.StatusOK, wd)
	return nil
}

// widgetPreflightMaxAge is how long (seconds) a browser may reuse a
// preflight answer. Short, so a domain taken off a widget stops passing
// preflights soon; the GET itself checks the origin again either way.
const widgetPreflightMaxAge = "600"

// preflightPublicWidget answers a browser's CORS preflight for the public
// read: 204 with the allowed origin, methods, headers and max age when the
// widget is published and the Origin may read it; otherwise the GET's own
// error (404, 403) and no Access-Control-Allow-Origin, so the browser
// stops there.
func (s *Server) preflightPublicWidget(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Vary", "Origin")
	if err := s.svc.CheckPublicWidgetOrigin(r.Context(), r.PathValue("id"), r.Header.Get("Origin")); err != nil {
		return err
	}
	allowOrigin(w, r)
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	// What a page's fetch may add that is not CORS-safelisted: a JSON
	// Content-Type, and the request id this API echoes. No Authorization:
	// the route takes no credential.
	h.Set("Access-Control-Allow-Headers", "Content-Type, X-Request-Id")
	h.Set("Access-Control-Max-Age", widgetPreflightMaxAge)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// allowOrigin echoes the request's Origin, already allowed by the service,
// in Access-Control-Allow-Origin in its canonical form: browsers compare
// that header with their own serialization byte for byte, which is the
// canonical one, whatever spelling reached us.
func allowOrigin(w http.ResponseWriter, r *http.Request) {
	if o, ok := agentplane.CanonicalOrigin(r.Header.Get("Origin")); ok {
		w.Header().Set("Access-Control-Allow-Origin", o)
	}
}
