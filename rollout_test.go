package agentplane

import (
	"fmt"
	"testing"
)

// TestCanaryShare: the hash deals callers to the canary in proportion to
// the percent, every percent from 1 to 99, and a new rollout deals them
// again rather than keeping the old split.
func TestCanaryShare(t *testing.T) {
	const callers = 20_000
	for _, percent := range []int{1, 10, 30, 50, 99} {
		r := AgentRollout{ID: "0192d3a4-0000-7000-8000-000000000001", Percent: percent}
		in := 0
		for i := range callers {
			if r.Canary(fmt.Sprintf("+1415555%04d", i), "agent-1") {
				in++
			}
		}
		// Binomial: 4 standard deviations is ±1.4 points at 50%.
		if share := float64(in) * 100 / callers; share < float64(percent)-1.5 || share > float64(percent)+1.5 {
			t.Errorf("at %d%% the canary got %.2f%% of %d callers", percent, share, callers)
		}
	}
	a := AgentRollout{ID: "rollout-a", Percent: 50}
	b := AgentRollout{ID: "rollout-b", Percent: 50}
	moved := 0
	for i := range callers {
		user := fmt.Sprint("caller-", i)
		if a.Canary(user, "agent-1") != b.Canary(user, "agent-1") {
			moved++
		}
	}
	// Independent deals at 50% disagree for about half of the callers.
	if moved < callers*45/100 || moved > callers*55/100 {
		t.Errorf("a new rollout changed the side of %d of %d callers", moved, callers)
	}
}
