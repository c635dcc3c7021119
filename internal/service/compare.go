package service

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/llm"
	"github.com/agentplane/agentplane/internal/prompt"
	"github.com/agentplane/agentplane/internal/summary"
)

// StreamSummary writes a plain-language summary of cmp through emit as it
// is produced: the configured model's, token by token, or without one the
// builtin summarizer's, one sentence per line. A model that fails before
// its first token is EUnavailable, so the caller can still answer with a
// JSON error; a failure after that is returned wrapped in
// llm.ErrInterrupted.
func (s *Service) StreamSummary(ctx context.Context, cmp Comparison, emit func(string) error) error {
	if s.model == nil {
		for _, line := range summary.Summarize(cmp.ConfigChanges, cmp.InputsChanges) {
			if err := emit(line + "\n"); err != nil {
				return err
			}
		}
		return nil
	}
	configPatch, err := json.Marshal(cmp.ConfigPatch)
	if err != nil {
		return err
	}
	inputsPatch, err := json.Marshal(cmp.InputsPatch)
	if err != nil {
		return err
	}
	err = s.model.Stream(ctx, prompt.Compare(cmp.From.Version, cmp.To.Version, configPatch, inputsPatch), emit)
	if errors.Is(err, llm.ErrNotStarted) && ctx.Err() == nil {
		s.log.WarnContext(ctx, "compare: language model unavailable", "err", err)
		return agentplane.Errorf(agentplane.EUnavailable, "the language model could not produce a summary; try again later")
	}
	return err
}
