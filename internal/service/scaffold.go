package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/configschema"
	"github.com/agentplane/agentplane/internal/fetch"
	"github.com/agentplane/agentplane/internal/llm"
	"github.com/agentplane/agentplane/internal/store"
)

// CrawlFunc fetches a site's start page and up to maxPages-1 same-site
// pages through the guarded fetcher.
type CrawlFunc func(ctx context.Context, start string, maxPages int) ([]fetch.Site, error)

// crawlPages is how many pages of a company's site scaffolding reads.
const crawlPages = 5

// WebsiteInput is the body of POST /core/agents/create-from-website.
type WebsiteInput struct {
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
	// Set by create-demo only.
	Instructions       *string `json:"instructions,omitempty"`
	IncludePhoneNumber bool    `json:"include_phone_number,omitempty"`
}

// DemoInput is the body of POST /core/agents/create-demo.
type DemoInput struct {
	CompanyWebsite     string  `json:"company_website"`
	Instructions       *string `json:"instructions"`
	IncludePhoneNumber *bool   `json:"include_phone_number"`
}

// validWebsite checks an http(s) URL with a host.
func validWebsite(v *agentplane.Violations, s string) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 2000 {
		v.Add("company_website must be an http or https URL", "url", "body", "company_website")
	}
}

// scaffoldState is what scaffolding steps hand to the next ones, kept in
// the workflow record so a resumed job continues where it stopped.
type scaffoldState struct {
	Sites   []fetch.Site                         `json:"sites,omitempty"`
	Inputs  *agentplane.InstructionBuilderInputs `json:"inputs,omitempty"`
	AgentID string                               `json:"agent_id,omitempty"`
	Version int                                  `json:"version,omitempty"`
}

var scaffoldStepNames = []string{"fetch_site", "extract_inputs", "create_agent", "generate_instructions", "publish"}

// CreateFromWebsite starts the workflow that builds an agent from a
// company's website.
func (s *Service) CreateFromWebsite(ctx context.Context, c *agentplane.Caller, in WebsiteInput) (WorkflowStarted, error) {
	var v agentplane.Violations
	in.CompanyName = strings.TrimSpace(in.CompanyName)
	if n := utf8.RuneCountInString(in.CompanyName); n > 200 {
		v.Add("company_name must be at most 200 characters", "string_length", "body", "company_name")
	}
	validWebsite(&v, in.CompanyWebsite)
	if in.ExistingAgentID != nil && !agentplane.ValidID(*in.ExistingAgentID) {
		v.Add("existing_agent_id must be a UUID", "uuid", "body", "existing_agent_id")
	}
	if err := v.Err(); err != nil {
		return WorkflowStarted{}, err
	}
	return s.startScaffold(ctx, c, agentplane.KindCreateFromWebsite, in)
}

// CreateDemo starts the workflow that builds a demo agent.
func (s *Service) CreateDemo(ctx context.Context, c *agentplane.Caller, in DemoInput) (WorkflowStarted, error) {
	var v agentplane.Violations
	validWebsite(&v, in.CompanyWebsite)
	if in.Instructions != nil && utf8.RuneCountInString(*in.Instructions) > maxInstructions {
		v.Add("instructions must be at most 100000 characters", "string_length", "body", "instructions")
	}
	if err := v.Err(); err != nil {
		return WorkflowStarted{}, err
	}
	demo := true
	return s.startScaffold(ctx, c, agentplane.KindCreateDemo, WebsiteInput{
		CompanyWebsite: in.CompanyWebsite, IsDemo: &demo, Instructions: in.Instructions,
		IncludePhoneNumber: in.IncludePhoneNumber != nil && *in.IncludePhoneNumber,
	})
}

func (s *Service) startScaffold(ctx context.Context, c *agentplane.Caller, kind string, in WebsiteInput) (WorkflowStarted, error) {
	var w agentplane.Workflow
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		if in.ExistingAgentID != nil {
			if _, err := q.GetAgent(ctx, c.OrganizationID, *in.ExistingAgentID); err != nil {
				return err
			}
		}
		var err error
		if w, err = s.newWorkflow(c.OrganizationID, kind, in, scaffoldStepNames...); err != nil {
			return err
		}
		return s.startWorkflow(ctx, q, w)
	})
	return WorkflowStarted{WorkflowID: w.ID, Status: w.Status}, err
}

// scaffoldSteps maps the steps of create-from-website and create-demo.
func (s *Service) scaffoldSteps() map[string]stepFunc {
	return map[string]stepFunc{
		"fetch_site":            s.withState(s.stepFetch),
		"extract_inputs":        s.withState(s.stepExtract),
		"create_agent":          s.stepCreateAgent,
		"generate_instructions": s.stepScaffoldInstructions,
		"publish":               s.withState(s.stepPublish),
	}
}

// withState decodes the workflow's input and state around a step and
// stores the state back on success.
func (s *Service) withState(fn func(ctx context.Context, w *agentplane.Workflow, in WebsiteInput, st *scaffoldState) error) stepFunc {
	return func(ctx context.Context, w *agentplane.Workflow) error {
		in, st, err := decodeScaffold(w)
		if err != nil {
			return err
		}
		if err := fn(ctx, w, in, &st); err != nil {
			return err
		}
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		w.State = b
		return nil
	}
}

func decodeScaffold(w *agentplane.Workflow) (WebsiteInput, scaffoldState, error) {
	var in WebsiteInput
	var st scaffoldState
	if err := json.Unmarshal(w.Input, &in); err != nil {
		return in, st, err
	}
	if err := json.Unmarshal(w.State, &st); err != nil {
		return in, st, err
	}
	return in, st, nil
}

// stepFetch crawls the site through the guarded fetcher. A refused
// address or a site that can't be read ends the workflow: retrying won't
// change the answer.
func (s *Service) stepFetch(ctx context.Context, w *agentplane.Workflow, in WebsiteInput, st *scaffoldState) error {
	if s.crawl == nil {
		return agentplane.Errorf(agentplane.EUnavailable, "website fetching is not configured on this node")
	}
	sites, err := s.crawl(ctx, strings.TrimSpace(in.CompanyWebsite), crawlPages)
	if err != nil {
		if fe, ok := errors.AsType[*fetch.Error](err); ok {
			// The user sees fetch's address-free text; the resolver and
			// the address a name resolved to help the operator, here only.
			s.log.InfoContext(ctx, "website fetch failed", "workflow_id", w.ID, "err", err, "detail", fe.Cause)
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return agentplane.Errorf(agentplane.EInvalid, "could not read %s: %v", in.CompanyWebsite, err)
	}
	st.Sites = sites
	return nil
}

// stepExtract derives builder inputs from the pages: with a model, as
// schema-validated JSON; without one, with the heuristic extractor.
func (s *Service) stepExtract(ctx context.Context, w *agentplane.Workflow, in WebsiteInput, st *scaffoldState) error {
	var inputs agentplane.InstructionBuilderInputs
	if s.model == nil {
		inputs = HeuristicInputs(in.CompanyName, in.CompanyOverview, st.Sites)
	} else {
		raw, err := s.llmInputs(ctx, in, st.Sites)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(raw, &inputs); err != nil {
			return agentplane.Errorf(agentplane.EInvalid, "the language model's inputs don't decode: %v", err)
		}
	}
	if in.Instructions != nil && strings.TrimSpace(*in.Instructions) != "" {
		adv := strings.TrimSpace(*in.Instructions)
		inputs.AdvancedInstructions = &adv
	}
	st.Inputs = &inputs
	return nil
}

// llmInputs asks the model for builder inputs and refuses anything that is
// not valid against their schema: model output is untrusted input.
func (s *Service) llmInputs(ctx context.Context, in WebsiteInput, sites []fetch.Site) (json.RawMessage, error) {
	schema, _ := json.Marshal(json.RawMessage(configschema.InputsJSON()))
	pages, _ := json.Marshal(sites)
	user := fmt.Sprintf("Company name: %s\nWebsite: %s\n", in.CompanyName, in.CompanyWebsite)
	if in.CompanyOverview != nil {
		user += "Overview: " + *in.CompanyOverview + "\n"
	}
	user += "Pages (JSON):\n" + string(pages)
	raw, err := s.model.CompleteJSON(ctx, []llm.Message{
		{Role: "system", Content: "From a company's web pages, write the inputs for a phone agent's instructions as one JSON object " +
			"with only these keys: company_name, industry, purpose, personality, language, opening_line, conversation_flow, closing, " +
			"guardrails (array of strings), faqs (array of {question, answer}), knowledge, escalation, advanced_instructions. " +
			"Use only facts from the pages; include services, contact details and opening hours in knowledge."},
		{Role: "user", Content: user},
	}, "instruction_builder_inputs", schema)
	if errors.Is(err, llm.ErrInvalidOutput) || errors.Is(err, llm.ErrTooLarge) {
		return nil, agentplane.Errorf(agentplane.EInvalid, "the language model returned unusable inputs: %v", err)
	}
	if err != nil {
		return nil, err
	}
	if verr := configschema.ValidateInputs(raw, "instruction_builder_inputs"); verr != nil {
		return nil, agentplane.Errorf(agentplane.EInvalid, "the language model's inputs are invalid: %v", verr)
	}
	return raw, nil
}

// stepCreateAgent creates the agent (or a new version of the existing
// one) and records its ids in the workflow in the same transaction, so a
// retry finds them and creates nothing twice.
func (s *Service) stepCreateAgent(ctx context.Context, w *agentplane.Workflow) error {
	in, st, err := decodeScaffold(w)
	if err != nil {
		return err
	}
	if st.AgentID != "" {
		return nil // done by an earlier attempt
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		cur, err := q.GetWorkflow(ctx, w.OrganizationID, w.ID, true)
		if err != nil {
			return err
		}
		var latest scaffoldState
		if err := json.Unmarshal(cur.State, &latest); err == nil && latest.AgentID != "" {
			st = latest
			return nil
		}
		now := s.stamp()
		name := companyName(in, st)
		agentID := ""
		if in.ExistingAgentID != nil {
			agentID = *in.ExistingAgentID
			if _, err := q.LockAgent(ctx, w.OrganizationID, agentID); err != nil {
				return err
			}
		} else {
			a := agentplane.Agent{ID: agentplane.NewID(), OrganizationID: w.OrganizationID, Name: name,
				Description: "Created from " + in.CompanyWebsite, Active: true, IsDemo: in.IsDemo != nil && *in.IsDemo,
				Metadata: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now}
			if in.AvatarURL != nil {
				meta, _ := json.Marshal(map[string]string{"avatar_url": *in.AvatarURL, "website": in.CompanyWebsite})
				a.Metadata = meta
			}
			if err := q.CreateAgent(ctx, a); err != nil {
				return err
			}
			agentID = a.ID
		}
		next := 1
		if newest, err := q.NewestVersion(ctx, w.OrganizationID, agentID); err == nil {
			next = newest.Version + 1
		}
		v := s.newVersion(w.OrganizationID, agentID, next)
		v.Config = scaffoldConfig(in)
		if v.InstructionBuilderInputs, err = json.Marshal(st.Inputs); err != nil {
			return err
		}
		v.InstructionsDirty = true
		if err := q.CreateVersion(ctx, v); err != nil {
			return err
		}
		st.AgentID, st.Version = agentID, next
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		w.State, w.AgentID, w.Version = b, &agentID, &next
		return q.SaveWorkflow(ctx, *w)
	})
}

func companyName(in WebsiteInput, st scaffoldState) string {
	if in.CompanyName != "" {
		return in.CompanyName
	}
	if st.Inputs != nil && st.Inputs.CompanyName != nil && *st.Inputs.CompanyName != "" {
		return *st.Inputs.CompanyName
	}
	if len(st.Sites) > 0 && st.Sites[0].Title != "" {
		return truncate(st.Sites[0].Title, 200)
	}
	return "Website agent"
}

// scaffoldConfig is the new version's config before instructions.
func scaffoldConfig(in WebsiteInput) json.RawMessage {
	var cfg map[string]any
	_ = json.Unmarshal(agentplane.DefaultConfig, &cfg)
	if in.VoiceID != nil && *in.VoiceID != "" {
		cfg["voice"] = map[string]any{"provider": "default", "voice_id": *in.VoiceID}
	}
	b, _ := json.Marshal(cfg)
	return b
}

// stepScaffoldInstructions writes instructions for the created version.
func (s *Service) stepScaffoldInstructions(ctx context.Context, w *agentplane.Workflow) error {
	_, st, err := decodeScaffold(w)
	if err != nil {
		return err
	}
	gen := *w
	gen.AgentID, gen.Version = &st.AgentID, &st.Version
	return s.stepGenerate(ctx, &gen)
}

// stepPublish publishes the version unless skip_deployment, and for a demo
// that wants one pins a free phone number. Publishing again is harmless.
func (s *Service) stepPublish(ctx context.Context, w *agentplane.Workflow, in WebsiteInput, st *scaffoldState) error {
	if in.SkipDeployment != nil && *in.SkipDeployment {
		w.Steps[len(w.Steps)-1].Status = "skipped"
		return nil
	}
	c := &agentplane.Caller{OrganizationID: w.OrganizationID}
	var pin PublishInput
	if in.IncludePhoneNumber {
		free, err := s.freeNumberFor(ctx, w.OrganizationID, st)
		if err != nil {
			return err
		}
		pin.PhoneNumbers = []string{free}
		both := string(agentplane.Both)
		pin.Direction = &both
	}
	_, err := s.PublishVersion(ctx, c, st.AgentID, st.Version, pin)
	return err
}

// freeNumberFor returns a number with both slots empty — or one already
// pinned by this agent, when an earlier attempt got that far.
func (s *Service) freeNumberFor(ctx context.Context, orgID string, st *scaffoldState) (string, error) {
	pinned, err := s.store.AgentPhoneNumbers(ctx, orgID, st.AgentID)
	if err != nil {
		return "", err
	}
	if len(pinned) > 0 {
		return pinned[0].PhoneNumber, nil
	}
	p, err := s.store.FreePhoneNumber(ctx, orgID)
	if agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
		return "", agentplane.Errorf(agentplane.EConflict, "no free phone number: register one, or create the demo without include_phone_number")
	}
	return p.PhoneNumber, err
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
