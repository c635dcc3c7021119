package httpapi

import (
	"net/http"

	"github.com/agentplane/agentplane"
)

func (s *Server) generateInstructions(w http.ResponseWriter, r *http.Request) error {
	n, err := versionRef(r)
	if err != nil {
		return err
	}
	started, err := s.svc.GenerateInstructions(r.Context(), callerFrom(r.Context()), r.PathValue("id"), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, started)
	return nil
}

func (s *Server) getWorkflow(w http.ResponseWriter, r *http.Request) error {
	wf, err := s.svc.GetWorkflow(r.Context(), callerFrom(r.Context()), r.PathValue("workflow_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wf)
	return nil
}

func (s *Server) listWorkflows(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	lq := s.parseList(r.URL.Query(), "workflows", c.OrganizationID, "kind", "status", "agent_id")
	f := agentplane.WorkflowFilter{
		Kind:    lq.oneOf("kind", []string{agentplane.KindGenerateInstructions, agentplane.KindCreateFromWebsite, agentplane.KindCreateDemo}),
		Status:  lq.oneOf("status", []string{agentplane.WorkflowQueued, agentplane.WorkflowRunning, agentplane.WorkflowSucceeded, agentplane.WorkflowFailed}),
		AgentID: lq.id("agent_id"),
	}
	if err := lq.err(); err != nil {
		return err
	}
	l, err := s.svc.ListWorkflows(r.Context(), c, f, lq.page)
	if err != nil {
		return err
	}
	s.writeList(w, *lq, l.Items, l.Next)
	return nil
}

func (s *Server) createFromWebsite(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.WebsiteInput
	if err := decode(r, &in); err != nil {
		return err
	}
	started, err := s.svc.CreateFromWebsite(r.Context(), callerFrom(r.Context()), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, started)
	return nil
}

func (s *Server) createDemo(w http.ResponseWriter, r *http.Request) error {
	var in agentplane.DemoInput
	if err := decode(r, &in); err != nil {
		return err
	}
	started, err := s.svc.CreateDemo(r.Context(), callerFrom(r.Context()), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, started)
	return nil
}
