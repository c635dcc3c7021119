package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/llm"
	"github.com/agentplane/agentplane/internal/prompt"
)

// stepGenerate writes instructions for the workflow's version from its
// builder inputs. Running it twice writes the same thing twice.
func (q *Queue) stepGenerate(ctx context.Context, c *agentplane.Caller, w *agentplane.Workflow, _ int) error {
	if w.AgentID == nil || w.Version == nil {
		return agentplane.Permanent(fmt.Errorf("workflow %s names no version", w.ID))
	}
	v, err := q.svc.GetVersion(ctx, c, *w.AgentID, *w.Version)
	if err != nil {
		return answer(err)
	}
	var in agentplane.InstructionBuilderInputs
	if err := json.Unmarshal(v.InstructionBuilderInputs, &in); err != nil {
		return agentplane.Permanent(agentplane.Errorf(agentplane.EInvalid, "instruction_builder_inputs can't be read: %v", err))
	}
	text, err := q.instructionsFor(ctx, in)
	if err != nil {
		return err
	}
	return answer(q.svc.SetGeneratedInstructions(ctx, c, *w.AgentID, *w.Version, text))
}

// instructionsFor asks the model when one is configured, else fills the
// deterministic template; either is capped to what config.instructions
// holds (long inputs, such as a demo's own instructions, can fill the
// template past it).
func (q *Queue) instructionsFor(ctx context.Context, in agentplane.InstructionBuilderInputs) (string, error) {
	if q.opts.Model == nil {
		return truncate(InstructionsTemplate(in), agentplane.MaxInstructions), nil
	}
	inputs, _ := json.Marshal(in)
	text, err := q.opts.Model.Complete(ctx, prompt.Instructions(inputs))
	if err != nil {
		return "", modelError("generate instructions", err)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return "", agentplane.Permanent(agentplane.Errorf(agentplane.EInvalid, "the language model returned empty instructions"))
	}
	return truncate(text, agentplane.MaxInstructions), nil
}

// modelError says what a model failure means for the workflow: an answer
// no retry will change (a refused request, unusable output) ends it at
// once; anything else (5xx, 429, the network) is retried.
func modelError(what string, err error) error {
	if !llm.IsPermanent(err) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if _, ok := errors.AsType[*llm.StatusError](err); ok {
		return agentplane.Permanent(agentplane.Errorf(agentplane.EUnavailable, "%s: the language model refused the request: %v", what, err))
	}
	return agentplane.Permanent(agentplane.Errorf(agentplane.EInvalid, "%s: the language model's answer is unusable: %v", what, err))
}
