package httpapi

import (
	"net/http"

	"github.com/agentplane/agentplane"
)

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.WebhookInput
	if err := decode(r, &in); err != nil {
		return err
	}
	nw, err := s.svc.CreateWebhook(r.Context(), callerFrom(r.Context()), in)
	if err != nil {
		return err
	}
	carriesSecret(w)
	writeJSON(w, http.StatusCreated, nw)
	return nil
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	lq := s.parseList(r.URL.Query(), "webhooks", c.OrganizationID)
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListWebhooks(r.Context(), c, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, l.Items, l.Next)
	return nil
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, err := s.svc.GetWebhook(r.Context(), callerFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wh)
	return nil
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.WebhookInput
	if err := decode(r, &in); err != nil {
		return err
	}
	wh, err := s.svc.UpdateWebhook(r.Context(), callerFrom(r.Context()), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wh)
	return nil
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteWebhook(r.Context(), callerFrom(r.Context()), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) rotateWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	nw, err := s.svc.RotateWebhookSecret(r.Context(), callerFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	carriesSecret(w)
	writeJSON(w, http.StatusOK, nw)
	return nil
}

func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.TestWebhook(r.Context(), callerFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, d)
	return nil
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	id := r.PathValue("id")
	lq := s.parseList(r.URL.Query(), "webhook-deliveries:"+id, c.OrganizationID)
	lq.immutable()
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListDeliveries(r.Context(), c, id, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, l.Items, l.Next)
	return nil
}

func (s *Server) redeliver(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.Redeliver(r.Context(), callerFrom(r.Context()), r.PathValue("id"), r.PathValue("delivery_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, d)
	return nil
}
