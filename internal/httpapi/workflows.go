package httpapi

import (
	"net/http"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/service"
)

// websiteBody is the public body of create-from-website: the service's
// input without the fields only create-demo sets, so those are unknown
// fields here.
type websiteBody struct {
	CompanyName          string  `json:"company_name"`
	CompanyWebsite       string  `json:"company_website"`
	CompanyOverview      *string `json:"company_overview"`
	IsDemo               *bool   `json:"is_demo"`
	SkipDeployment       *bool   `json:"skip_deployment"`
	VoiceID              *string `json:"voice_id"`
	AvatarURL            *string `json:"avatar_url"`
	ExistingAgentID      *string `json:"existing_agent_id"`
	ExistingCollectionID *string `json:"existing_collection_id"`
	DemoType             *string `json:"demo_type"`
	Instructions         *string `json:"-"`
	IncludePhoneNumber   bool    `json:"-"`
}

func (s *Server) generateInstructions(w http.ResponseWriter, r *http.Request) error {
	n, err := versionParam(r, false)
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
	var in websiteBody
	if err := decode(r, &in); err != nil {
		return err
	}
	started, err := s.svc.CreateFromWebsite(r.Context(), callerFrom(r.Context()), service.WebsiteInput(in))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, started)
	return nil
}

func (s *Server) createDemo(w http.ResponseWriter, r *http.Request) error {
	var in service.DemoInput
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
