package jobs

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/llm"
)

// TestWhichFailuresEndAWorkflow: a step's failure ends its workflow at
// once only when no retry can change it.
func TestWhichFailuresEndAWorkflow(t *testing.T) {
	for _, c := range []struct {
		name      string
		err       error
		permanent bool
		code      agentplane.ErrorCode // of the message users see; "" for the generic one
	}{
		{"the service says not found", answer(agentplane.Errorf(agentplane.ENotFound, "agent not found")), true, agentplane.ENotFound},
		{"the service says conflict", answer(agentplane.Errorf(agentplane.EConflict, "no free phone number")), true, agentplane.EConflict},
		{"a database failure", answer(errors.New("connection refused")), false, ""},
		{"an internal error", answer(agentplane.Errorf(agentplane.EInternal, "boom")), false, agentplane.EInternal},
		{"a timeout", answer(context.DeadlineExceeded), false, ""},
		{"the model refuses (400)", modelError("extract", &llm.StatusError{StatusCode: 400}), true, agentplane.EUnavailable},
		{"the model is rate limited (429)", modelError("extract", &llm.StatusError{StatusCode: 429}), false, ""},
		{"the model fails (503)", modelError("extract", &llm.StatusError{StatusCode: 503}), false, ""},
		{"the model's answer is unusable", modelError("extract", fmt.Errorf("reply: %w", llm.ErrInvalidOutput)), true, agentplane.EInvalid},
		{"the model's answer is too large", modelError("extract", llm.ErrTooLarge), true, agentplane.EInvalid},
		{"the stream broke", modelError("extract", llm.ErrInterrupted), false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := agentplane.IsPermanent(c.err); got != c.permanent {
				t.Errorf("permanent = %v, want %v (%v)", got, c.permanent, c.err)
			}
			var code agentplane.ErrorCode
			if e, ok := errors.AsType[*agentplane.Error](c.err); ok {
				code = e.Code
			}
			if code != c.code {
				t.Errorf("code of the message users see %q, want %q (%v)", code, c.code, c.err)
			}
		})
	}
	if answer(nil) != nil {
		t.Error("answer(nil) is not nil")
	}
}
