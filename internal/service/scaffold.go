package service

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/configschema"
	"github.com/agentplane/agentplane/internal/store"
)

// ScaffoldSteps are the steps of create-from-website and create-demo, in
// order; internal/jobs runs them.
var ScaffoldSteps = []string{"fetch_site", "extract_inputs", "create_agent", "generate_instructions", "publish"}

// validWebsite checks an http(s) URL with a host.
func validWebsite(v *agentplane.Violations, s string) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 2000 {
		v.Add("company_website must be an http or https URL", "url", "body", "company_website")
	}
}

// CreateFromWebsite starts the workflow that builds an agent from a
// company's website.
func (s *Service) CreateFromWebsite(ctx context.Context, c *agentplane.Caller, in agentplane.WebsiteInput) (agentplane.WorkflowStarted, error) {
	var v agentplane.Violations
	in.CompanyName = strings.TrimSpace(in.CompanyName)
	switch n := utf8.RuneCountInString(in.CompanyName); {
	case n == 0:
		v.Add("company_name is required", "missing", "body", "company_name")
	case n > 200:
		v.Add("company_name must be at most 200 characters", "string_length", "body", "company_name")
	}
	validWebsite(&v, in.CompanyWebsite)
	if in.ExistingAgentID != nil && !agentplane.ValidID(*in.ExistingAgentID) {
		v.Add("existing_agent_id must be a UUID", "uuid", "body", "existing_agent_id")
	}
	if in.ExistingCollectionID != nil {
		// Any UUID spelling; stored in the canonical lowercase one.
		id := strings.ToLower(*in.ExistingCollectionID)
		if !agentplane.ValidID(id) {
			v.Add("existing_collection_id must be a UUID", "uuid", "body", "existing_collection_id")
		}
		in.ExistingCollectionID = &id
	}
	if in.DemoType != nil && utf8.RuneCountInString(*in.DemoType) > agentplane.MaxDemoType {
		v.Add("demo_type must be at most 64 characters", "string_length", "body", "demo_type")
	}
	// voice_id becomes the version's config.voice.voice_id, which the
	// config schema bounds to 1..200 characters.
	if in.VoiceID != nil {
		if n := utf8.RuneCountInString(*in.VoiceID); n == 0 || n > 200 {
			v.Add("voice_id must be 1 to 200 characters; omit it for the default voice", "string_length", "body", "voice_id")
		}
	}
	if in.AvatarURL != nil && utf8.RuneCountInString(*in.AvatarURL) > 2000 {
		v.Add("avatar_url must be at most 2000 characters", "string_length", "body", "avatar_url")
	}
	if err := v.Err(); err != nil {
		return agentplane.WorkflowStarted{}, err
	}
	return s.startScaffold(ctx, c, agentplane.KindCreateFromWebsite, agentplane.ScaffoldInput{WebsiteInput: in})
}

// CreateDemo starts the workflow that builds a demo agent.
func (s *Service) CreateDemo(ctx context.Context, c *agentplane.Caller, in agentplane.DemoInput) (agentplane.WorkflowStarted, error) {
	var v agentplane.Violations
	validWebsite(&v, in.CompanyWebsite)
	if in.Instructions != nil && utf8.RuneCountInString(*in.Instructions) > agentplane.MaxInstructions {
		v.Add("instructions must be at most 100000 characters", "string_length", "body", "instructions")
	}
	if err := v.Err(); err != nil {
		return agentplane.WorkflowStarted{}, err
	}
	demo := true
	return s.startScaffold(ctx, c, agentplane.KindCreateDemo, agentplane.ScaffoldInput{
		WebsiteInput: agentplane.WebsiteInput{CompanyWebsite: in.CompanyWebsite, IsDemo: &demo},
		Instructions: in.Instructions, IncludePhoneNumber: in.IncludePhoneNumber != nil && *in.IncludePhoneNumber,
	})
}

// startScaffold stores the workflow; the store writes its job in the same
// transaction.
func (s *Service) startScaffold(ctx context.Context, c *agentplane.Caller, kind string, in agentplane.ScaffoldInput) (agentplane.WorkflowStarted, error) {
	var w agentplane.Workflow
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		if in.ExistingAgentID != nil {
			if _, err := q.GetAgent(ctx, c.OrganizationID, *in.ExistingAgentID); err != nil {
				return err
			}
		}
		var err error
		if w, err = s.newWorkflow(c.OrganizationID, kind, in, ScaffoldSteps...); err != nil {
			return err
		}
		if err := q.CreateWorkflow(ctx, w); err != nil {
			return err
		}
		agentID := ""
		if in.ExistingAgentID != nil {
			agentID = *in.ExistingAgentID
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionWorkflowStarted, resourceID: w.ID, agentID: agentID, after: w})
	})
	return agentplane.WorkflowStarted{WorkflowID: w.ID, Status: w.Status}, err
}

// ScaffoldAgent is the agent and first version a scaffolding workflow
// creates.
type ScaffoldAgent struct {
	Name, Description string
	IsDemo            bool
	Metadata          json.RawMessage
	Config            json.RawMessage
	Inputs            json.RawMessage // the instruction builder inputs
	// ExistingAgentID, when set, gets a new version instead of a new agent.
	ExistingAgentID *string
}

// CreateScaffoldAgent creates the agent (or a new version of the existing
// one) and records its id and version in w (AgentID, Version) and saves w,
// all in one transaction: a retried step finds them recorded and creates
// nothing twice, and then w gets the recorded ones.
func (s *Service) CreateScaffoldAgent(ctx context.Context, c *agentplane.Caller, w *agentplane.Workflow, a ScaffoldAgent) error {
	if err := systemIn(c, *w); err != nil {
		return err
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		cur, err := q.GetWorkflow(ctx, w.OrganizationID, w.ID, true)
		if err != nil {
			return err
		}
		if cur.AgentID != nil && cur.Version != nil {
			w.AgentID, w.Version = cur.AgentID, cur.Version
			return nil
		}
		now := s.stamp()
		agentID := ""
		var made *agentplane.Agent
		if a.ExistingAgentID != nil {
			agentID = *a.ExistingAgentID
			if _, err := q.LockAgent(ctx, w.OrganizationID, agentID); err != nil {
				return err
			}
		} else {
			ag := agentplane.Agent{ID: agentplane.NewID(), OrganizationID: w.OrganizationID, Name: a.Name,
				Description: a.Description, Active: true, IsDemo: a.IsDemo, Metadata: a.Metadata, CreatedAt: now, UpdatedAt: now}
			if len(ag.Metadata) == 0 {
				ag.Metadata = json.RawMessage(`{}`)
			}
			if err := q.CreateAgent(ctx, ag); err != nil {
				return err
			}
			agentID, made = ag.ID, &ag
		}
		next := 1
		newest, err := q.NewestVersion(ctx, w.OrganizationID, agentID)
		switch {
		case err == nil:
			next = newest.Version + 1
		case agentplane.ErrorCodeOf(err) != agentplane.ENotFound:
			return err
		}
		v := s.newVersion(agentplane.SystemCaller(w.OrganizationID), agentID, next)
		// Stored as every config is: with the schema's defaults (SPEC §16).
		if v.Config, err = configschema.Normalize(a.Config); err != nil {
			return err
		}
		v.InstructionBuilderInputs, v.InstructionsDirty = a.Inputs, true
		if err := q.CreateVersion(ctx, v); err != nil {
			return err
		}
		w.AgentID, w.Version, w.UpdatedAt = &agentID, &next, now
		if err := q.SaveWorkflow(ctx, *w); err != nil {
			return err
		}
		// The workflow's changes are the system's, each one entry.
		if made != nil {
			return s.record(ctx, q, c, change{action: agentplane.ActionAgentCreated, resourceID: agentID, agentID: agentID, after: made})
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionVersionCreated, resourceID: v.ID, agentID: agentID, after: v})
	})
}

// FreeNumberFor returns a number of the caller's organization with both
// slots empty, or one the agent already has pinned (an earlier attempt
// got that far).
func (s *Service) FreeNumberFor(ctx context.Context, c *agentplane.Caller, agentID string) (string, error) {
	if err := systemOnly(c); err != nil {
		return "", err
	}
	pinned, err := s.store.AgentPhoneNumbers(ctx, c.OrganizationID, agentID)
	if err != nil {
		return "", err
	}
	if len(pinned) > 0 {
		return pinned[0].PhoneNumber, nil
	}
	p, err := s.store.FreePhoneNumber(ctx, c.OrganizationID)
	if agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
		return "", agentplane.Errorf(agentplane.EConflict, "no free phone number: register one, or create the demo without include_phone_number")
	}
	return p.PhoneNumber, err
}
