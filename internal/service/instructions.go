package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/llm"
	"github.com/agentplane/agentplane/internal/store"
)

// WorkflowStarted is the 202 body of the routes that start workflows.
type WorkflowStarted struct {
	WorkflowID string `json:"workflow_id"`
	Status     string `json:"status"`
}

// GenerateInstructions starts generating config.instructions from the
// version's builder inputs. The version must be a draft with inputs (400
// otherwise) and not already generating (409). The version is marked
// generating, and the workflow record and its job are created, in one
// transaction.
func (s *Service) GenerateInstructions(ctx context.Context, c *agentplane.Caller, agentID string, n int) (WorkflowStarted, error) {
	if !agentplane.ValidID(agentID) {
		return WorkflowStarted{}, notFoundAgent()
	}
	var w agentplane.Workflow
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		v, err := q.GetVersion(ctx, c.OrganizationID, agentID, n, true)
		if err != nil {
			return err
		}
		if err := v.Editable(); err != nil {
			return err
		}
		if agentplane.IsNull(v.InstructionBuilderInputs) {
			return agentplane.Errorf(agentplane.EBadRequest, "version %d has no instruction_builder_inputs; set them first", n)
		}
		if v.InstructionsStatus == agentplane.InstructionsGenerating {
			return agentplane.Errorf(agentplane.EConflict, "instructions of version %d are already being generated", n)
		}
		if w, err = s.newWorkflow(c.OrganizationID, agentplane.KindGenerateInstructions, map[string]any{}, "generate_instructions"); err != nil {
			return err
		}
		w.AgentID, w.Version = &agentID, &n
		v.InstructionsStatus, v.InstructionsError, v.UpdatedAt = agentplane.InstructionsGenerating, nil, s.stamp()
		if err := q.UpdateVersion(ctx, v); err != nil {
			return err
		}
		return s.startWorkflow(ctx, q, w)
	})
	return WorkflowStarted{WorkflowID: w.ID, Status: w.Status}, err
}

// stepGenerate writes the generated instructions into the version and
// clears its flags. Running it twice writes the same thing twice.
func (s *Service) stepGenerate(ctx context.Context, w *agentplane.Workflow) error {
	v, err := s.store.GetVersion(ctx, w.OrganizationID, *w.AgentID, *w.Version, false)
	if err != nil {
		return err
	}
	var in agentplane.InstructionBuilderInputs
	if err := json.Unmarshal(v.InstructionBuilderInputs, &in); err != nil {
		return agentplane.Errorf(agentplane.EInvalid, "instruction_builder_inputs can't be read: %v", err)
	}
	text, err := s.instructionsFor(ctx, in)
	if err != nil {
		return err
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		v, err := q.GetVersion(ctx, w.OrganizationID, *w.AgentID, *w.Version, true)
		if err != nil {
			return err
		}
		if v.Config, err = setInstructions(v.Config, text); err != nil {
			return err
		}
		v.InstructionsStatus, v.InstructionsError = agentplane.InstructionsIdle, nil
		v.InstructionsDirty, v.InstructionsManuallyEdited = false, false
		v.UpdatedAt = s.stamp()
		return q.UpdateVersion(ctx, v)
	})
}

// setInstructions returns config with "instructions" replaced, other keys
// untouched.
func setInstructions(config json.RawMessage, text string) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if !agentplane.IsNull(config) {
		if err := json.Unmarshal(config, &m); err != nil {
			return nil, err
		}
	}
	b, err := json.Marshal(text)
	if err != nil {
		return nil, err
	}
	m["instructions"] = b
	out, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return canon(out), nil
}

// maxInstructions is the schema's bound on config.instructions; model
// output is untrusted and capped to it.
const maxInstructions = 100000

// instructionsFor asks the model when one is configured, else fills the
// deterministic template.
func (s *Service) instructionsFor(ctx context.Context, in agentplane.InstructionBuilderInputs) (string, error) {
	if s.model == nil {
		return InstructionsTemplate(in), nil
	}
	inputs, _ := json.Marshal(in)
	text, err := s.model.Complete(ctx, []llm.Message{
		{Role: "system", Content: "You write system prompts for voice agents that talk to callers on the phone. " +
			"Write the complete system prompt from the JSON inputs the user gives: identity, purpose, personality, " +
			"conversation flow, knowledge, FAQs, guardrails, escalation and closing. Plain text with short headed sections; " +
			"no markdown tables. Speak to the agent as \"you\"."},
		{Role: "user", Content: string(inputs)},
	})
	if err != nil {
		return "", modelError("generate instructions", err)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return "", agentplane.Errorf(agentplane.EInvalid, "the language model returned empty instructions")
	}
	if len([]rune(text)) > maxInstructions {
		text = string([]rune(text)[:maxInstructions])
	}
	return text, nil
}

// InstructionsTemplate turns builder inputs into a system prompt with one
// section per input, deterministic so it can be tested and diffed.
func InstructionsTemplate(in agentplane.InstructionBuilderInputs) string {
	var b strings.Builder
	val := func(p *string) string {
		if p == nil {
			return ""
		}
		return strings.TrimSpace(*p)
	}
	section := func(title, body string) {
		if body == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString("## " + title + "\n" + body)
	}
	company := val(in.CompanyName)
	identity := "You are a voice assistant"
	if company != "" {
		identity = "You are the voice assistant of " + company
	}
	if ind := val(in.Industry); ind != "" {
		identity += ", a business in " + ind
	}
	identity += ". You speak with callers on the phone: keep sentences short and natural, one question at a time."
	if lang := val(in.Language); lang != "" {
		identity += " Speak " + lang + "."
	}
	section("Identity", identity)
	section("Purpose", val(in.Purpose))
	section("Personality", val(in.Personality))
	if o := val(in.OpeningLine); o != "" {
		section("Opening", "Start the call with: \""+o+"\"")
	}
	section("Conversation flow", val(in.ConversationFlow))
	section("Knowledge", val(in.Knowledge))
	if len(in.FAQs) > 0 {
		var f strings.Builder
		for i, q := range in.FAQs {
			if i > 0 {
				f.WriteString("\n")
			}
			f.WriteString("Q: " + strings.TrimSpace(q.Question) + "\nA: " + strings.TrimSpace(q.Answer))
		}
		section("Frequently asked questions", f.String())
	}
	if len(in.Guardrails) > 0 {
		var g strings.Builder
		for i, r := range in.Guardrails {
			if i > 0 {
				g.WriteString("\n")
			}
			g.WriteString("- " + strings.TrimSpace(r))
		}
		section("Guardrails", g.String())
	}
	section("Escalation", val(in.Escalation))
	section("Closing", val(in.Closing))
	section("Additional instructions", val(in.AdvancedInstructions))
	return b.String()
}

// modelError classifies a model failure for the step runner: an answer no
// retry will change (a 4xx other than 429, unusable output) ends the
// workflow at once; anything else (5xx, 429, network) is retried.
func modelError(what string, err error) error {
	var se *llm.StatusError
	if errors.As(err, &se) && se.StatusCode >= 400 && se.StatusCode < 500 && se.StatusCode != http.StatusTooManyRequests {
		return agentplane.Errorf(agentplane.EUnavailable, "%s: the language model refused the request: %v", what, se)
	}
	if errors.Is(err, llm.ErrInvalidOutput) || errors.Is(err, llm.ErrTooLarge) {
		return agentplane.Errorf(agentplane.EInvalid, "%s: the language model's answer is unusable: %v", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
