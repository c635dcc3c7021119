package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/configschema"
	"github.com/agentplane/agentplane/internal/fetch"
	"github.com/agentplane/agentplane/internal/prompt"
	"github.com/agentplane/agentplane/internal/service"
)

// CrawlFunc fetches a site's start page and up to maxPages-1 same-site
// pages through the guarded fetcher.
type CrawlFunc func(ctx context.Context, start string, maxPages int) ([]fetch.Site, error)

// crawlPages is how many pages of a company's site scaffolding reads.
const crawlPages = 5

// scaffoldState is what the scaffolding steps hand to the next ones, kept
// in the workflow record so a resumed job continues where it stopped. The
// agent and version created are the workflow's own AgentID and Version.
type scaffoldState struct {
	Sites  []fetch.Site                         `json:"sites,omitempty"`
	Inputs *agentplane.InstructionBuilderInputs `json:"inputs,omitempty"`
}

// scaffoldSteps maps the steps of create-from-website and create-demo
// (service.ScaffoldSteps).
func (q *Queue) scaffoldSteps() map[string]step {
	return map[string]step{
		"fetch_site":            withState(q.stepFetch),
		"extract_inputs":        withState(q.stepExtract),
		"create_agent":          withState(q.stepCreateAgent),
		"generate_instructions": q.stepGenerate, // the version create_agent made
		"publish":               withState(q.stepPublish),
	}
}

// scaffoldStep is a scaffolding step with the workflow's input and state
// decoded.
type scaffoldStep func(ctx context.Context, c *agentplane.Caller, w *agentplane.Workflow, i int, in agentplane.ScaffoldInput, st *scaffoldState) error

// withState decodes the workflow's input and state around a step and
// stores the state back in the workflow on success.
func withState(fn scaffoldStep) step {
	return func(ctx context.Context, c *agentplane.Caller, w *agentplane.Workflow, i int) error {
		var in agentplane.ScaffoldInput
		var st scaffoldState
		if err := json.Unmarshal(w.Input, &in); err != nil {
			return agentplane.Permanent(err)
		}
		if err := json.Unmarshal(w.State, &st); err != nil {
			return agentplane.Permanent(err)
		}
		if err := fn(ctx, c, w, i, in, &st); err != nil {
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

// stepFetch crawls the site through the guarded fetcher. A refused
// address or a site that can't be read ends the workflow: retrying won't
// change the answer.
func (q *Queue) stepFetch(ctx context.Context, _ *agentplane.Caller, w *agentplane.Workflow, _ int, in agentplane.ScaffoldInput, st *scaffoldState) error {
	if q.opts.Crawl == nil {
		return agentplane.Permanent(agentplane.Errorf(agentplane.EUnavailable, "website fetching is not configured on this node"))
	}
	sites, err := q.opts.Crawl(ctx, strings.TrimSpace(in.CompanyWebsite), crawlPages)
	if err != nil {
		if fe, ok := errors.AsType[*fetch.Error](err); ok {
			// The user sees fetch's address-free text; the resolver and
			// the address a name resolved to help the operator, here only.
			q.opts.Logger.InfoContext(ctx, "website fetch failed", "workflow_id", w.ID, "err", err, "detail", fe.Cause)
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return agentplane.Permanent(agentplane.Errorf(agentplane.EInvalid, "could not read %s: %v", in.CompanyWebsite, err))
	}
	st.Sites = sites
	return nil
}

// stepExtract derives builder inputs from the pages: with a model, as
// schema-validated JSON; without one, with the heuristic extractor.
func (q *Queue) stepExtract(ctx context.Context, _ *agentplane.Caller, _ *agentplane.Workflow, _ int, in agentplane.ScaffoldInput, st *scaffoldState) error {
	var inputs agentplane.InstructionBuilderInputs
	if q.opts.Model == nil {
		inputs = HeuristicInputs(in.CompanyName, in.CompanyOverview, st.Sites)
	} else {
		raw, err := q.modelInputs(ctx, in, st.Sites)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(raw, &inputs); err != nil {
			return agentplane.Permanent(agentplane.Errorf(agentplane.EInvalid, "the language model's inputs don't decode: %v", err))
		}
	}
	if in.Instructions != nil && strings.TrimSpace(*in.Instructions) != "" {
		adv := strings.TrimSpace(*in.Instructions)
		inputs.AdvancedInstructions = &adv
	}
	st.Inputs = &inputs
	return nil
}

// modelInputs asks the model for builder inputs and refuses anything that
// is not valid against their schema: model output is untrusted input.
func (q *Queue) modelInputs(ctx context.Context, in agentplane.ScaffoldInput, sites []fetch.Site) (json.RawMessage, error) {
	schema, _ := json.Marshal(json.RawMessage(configschema.InputsJSON()))
	pages, _ := json.Marshal(sites)
	raw, err := q.opts.Model.CompleteJSON(ctx, prompt.BuilderInputs(in.CompanyName, in.CompanyWebsite, in.CompanyOverview, pages),
		prompt.BuilderInputsSchemaName, schema)
	if err != nil {
		return nil, modelError("extract the agent's inputs", err)
	}
	if verr := configschema.ValidateInputs(raw, prompt.BuilderInputsSchemaName); verr != nil {
		return nil, agentplane.Permanent(agentplane.Errorf(agentplane.EInvalid, "the language model's inputs are invalid: %v", verr))
	}
	return raw, nil
}

// stepCreateAgent creates the agent (or a new version of the existing
// one); the service records both in the workflow in the same transaction.
func (q *Queue) stepCreateAgent(ctx context.Context, c *agentplane.Caller, w *agentplane.Workflow, _ int, in agentplane.ScaffoldInput, st *scaffoldState) error {
	if w.AgentID != nil && w.Version != nil {
		return nil // done by an earlier attempt
	}
	inputs, err := json.Marshal(st.Inputs)
	if err != nil {
		return err
	}
	// An existing agent gets its fields (is_demo, metadata) only when the
	// workflow succeeds (service.SucceedWorkflow).
	meta, err := json.Marshal(in.AgentMetadata())
	if err != nil {
		return err
	}
	a := service.ScaffoldAgent{Name: companyName(in, st), Description: "Created from " + in.CompanyWebsite,
		IsDemo: in.IsDemo != nil && *in.IsDemo, Metadata: meta, Config: scaffoldConfig(in), Inputs: inputs, ExistingAgentID: in.ExistingAgentID}
	return answer(q.svc.CreateScaffoldAgent(ctx, c, w, a))
}

func companyName(in agentplane.ScaffoldInput, st *scaffoldState) string {
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

// scaffoldConfig is the new version's config before instructions: the
// defaults, the voice asked for, and the knowledge base (collection) to
// answer from.
func scaffoldConfig(in agentplane.ScaffoldInput) json.RawMessage {
	var cfg map[string]any
	_ = json.Unmarshal(agentplane.DefaultConfig, &cfg)
	if in.VoiceID != nil && *in.VoiceID != "" {
		cfg["voice"] = map[string]any{"provider": "default", "voice_id": *in.VoiceID}
	}
	if in.ExistingCollectionID != nil {
		cfg["knowledge_base_ids"] = []string{*in.ExistingCollectionID}
	}
	b, _ := json.Marshal(cfg)
	return b
}

// stepPublish publishes the version unless skip_deployment, and for a demo
// that wants one pins a free phone number. Publishing again is harmless.
func (q *Queue) stepPublish(ctx context.Context, c *agentplane.Caller, w *agentplane.Workflow, i int, in agentplane.ScaffoldInput, _ *scaffoldState) error {
	if in.SkipDeployment != nil && *in.SkipDeployment {
		w.SkipStep(i)
		return nil
	}
	if w.AgentID == nil || w.Version == nil {
		return agentplane.Permanent(errors.New("publish: no agent was created"))
	}
	var pin service.PublishInput
	if in.IncludePhoneNumber {
		free, err := q.svc.FreeNumberFor(ctx, c, *w.AgentID)
		if err != nil {
			return answer(err)
		}
		pin.PhoneNumbers = []string{free}
		both := string(agentplane.Both)
		pin.Direction = &both
	}
	_, err := q.svc.PublishVersion(ctx, c, *w.AgentID, *w.Version, pin)
	return answer(err)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
