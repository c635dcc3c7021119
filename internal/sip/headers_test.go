package sip

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/agentplane/agentplane"
)

// TestRefusal: what the service says about a call becomes the SIP answer
// of SPEC §22, wrapped or not.
func TestRefusal(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		code int
	}{
		{agentplane.Errorf(agentplane.ENotFound, "no agent answers"), 404},
		{fmt.Errorf("start: %w", agentplane.Errorf(agentplane.ENotFound, "no slot")), 404},
		{agentplane.Errorf(agentplane.EConflict, "the agent has no published version"), 480},
		{agentplane.Errorf(agentplane.EUnavailable, "database down"), 503},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), 503},
		{errors.New("a bug"), 500},
	} {
		if code, _, _ := refusal(c.err); code != c.code {
			t.Errorf("%v: %d, want %d", c.err, code, c.code)
		}
	}
}
