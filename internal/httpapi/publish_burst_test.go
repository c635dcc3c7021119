package httpapi_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

// TestPublishBurstOfOneAgent: 40 publishes of one agent at once, switching
// three numbers between its two versions, with refused publishes (an
// unregistered number) among them; each must be answered as if it had run
// alone. Whatever the order, a publish reports a change exactly when the
// one applied before it pinned the other version, so the reported changes
// alternate: v2, v1, v2, … starting from v1. Every refusal is a 404 that
// changes nothing, and the numbers end pinned by the version that changed
// them last.
func TestPublishBurstOfOneAgent(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent := dpAgent(t, e, "Bursty")
		v1, v2 := dpVersion(t, e, agent, "One"), dpVersion(t, e, agent, "Two")
		var numbers []string
		for i := range 3 {
			numbers = append(numbers, dpRegister(t, e, fmt.Sprintf("+1 415 555 07%02d", i), nil).PhoneNumber)
		}
		dpPublish(t, e, agent, 1, map[string]any{"phone_numbers": numbers, "direction": "both"})

		for round := range 5 {
			before := dpGetPhone(t, e, numbers[0]).slots()
			const burst = 40
			results := make([]resp, burst)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range burst {
				wg.Go(func() {
					<-start
					list := numbers
					if i%7 == 3 {
						list = append([]string{"+1 415 555 0799"}, numbers...)
					}
					results[i] = e.admin(req{method: "POST", path: fmt.Sprintf("/core/agents/%s/versions/%d/publish", agent, 1+i%2),
						body: map[string]any{"phone_numbers": list, "direction": "both"}})
				})
			}
			close(start)
			wg.Wait()

			changes := map[int]int{}
			for i, r := range results {
				if i%7 == 3 {
					dpWantErr(t, r, 404, "not_found")
					continue
				}
				v := []*dpVer{&v1, &v2}[i%2]
				if r.status != 200 {
					t.Fatalf("round %d publish %d: %d %s", round, i, r.status, r.body)
				}
				var ch []dpPhone
				if err := json.Unmarshal(r.body, &ch); err != nil {
					t.Fatalf("round %d publish %d: %s", round, i, r.body)
				}
				if len(ch) == 0 {
					continue
				}
				if len(ch) != len(numbers) {
					t.Fatalf("round %d publish %d of v%d reported %d numbers, want none or all %d", round, i, v.Version, len(ch), len(numbers))
				}
				for j, p := range ch {
					if p.PhoneNumber != numbers[j] || p.slots() != dpSlots(v, v) {
						t.Fatalf("round %d publish %d of v%d reported %s %s", round, i, v.Version, p.PhoneNumber, p.slots())
					}
				}
				changes[v.Version]++
			}
			// From the version that held the numbers before the burst, the
			// changes alternate: the other version's count is equal or one
			// more, and the numbers end with the one that changed last.
			held, other := 1, 2
			if before == dpSlots(&v2, &v2) {
				held, other = 2, 1
			}
			want := held
			if d := changes[other] - changes[held]; d == 1 {
				want = other
			} else if d != 0 {
				t.Errorf("round %d: starting from v%d, %d publishes of v%d and %d of v%d reported a change; they must alternate",
					round, held, changes[other], other, changes[held], held)
			}
			final := dpGetPhone(t, e, numbers[0]).slots()
			if v := []*dpVer{&v1, &v2}[want-1]; final != dpSlots(v, v) {
				t.Errorf("round %d: the numbers ended with %s, want v%d in both slots (changes: %v)", round, final, want, changes)
			}
			for _, num := range numbers {
				if got := dpGetPhone(t, e, num).slots(); got != final {
					t.Errorf("round %d: %s ended with %s, %s with %s", round, numbers[0], final, num, got)
				}
			}
			if changes[1]+changes[2] == 0 {
				t.Errorf("round %d: no publish reported a change", round)
			}
		}
	})
}
