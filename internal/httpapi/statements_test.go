package httpapi_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/dbtest"
)

// Statement counts of publish (DESIGN.md §6: a publish to N numbers runs a
// constant number of statements). Only publish tests live here.

// stSizes are the numbers of numbers each kind of publish is measured at.
var stSizes = []int{1, 10, 50}

// stNumbers registers n numbers and returns them in E.164, sorted.
func stNumbers(t *testing.T, e *env, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range n {
		out[i] = dpRegister(t, e, fmt.Sprintf("+1 415 555 01%02d", i), nil).PhoneNumber
	}
	return out
}

// stReversed is list backwards in a non-E.164 format, so a test sees that
// the response follows the request's order and is normalized.
func stReversed(list []string) []string {
	out := stBackward(list)
	for i, n := range out {
		out[i] = "+1 (" + n[2:5] + ") " + n[5:8] + "-" + n[8:]
	}
	return out
}

// stBackward is list in reverse order.
func stBackward(list []string) []string {
	out := slices.Clone(list)
	slices.Reverse(out)
	return out
}

// stCheck verifies a publish response: exactly want, in that order, each
// with slots, each exactly as the number now reads.
func stCheck(t *testing.T, e *env, what string, got []dpPhone, want []string, slots func(string) string) {
	t.Helper()
	if names := dpNames(got); !slices.Equal(names, want) {
		t.Fatalf("%s reported %v, want %v", what, names, want)
	}
	now := map[string]dpPhone{}
	for _, p := range dpNumbers(t, e, e.boot.OrgKey, "?limit=200").Data {
		now[p.PhoneNumber] = p
	}
	for _, p := range got {
		if p.slots() != slots(p.PhoneNumber) {
			t.Errorf("%s reported %s as %s, want %s", what, p.PhoneNumber, p.slots(), slots(p.PhoneNumber))
		}
		if !reflect.DeepEqual(p, now[p.PhoneNumber]) {
			t.Errorf("%s reported %+v, but the number reads %+v", what, p, now[p.PhoneNumber])
		}
	}
}

// TestPublishStatementsConstant: pinning, unassigning, and both at once
// send as many statements for 50 numbers as for one, on every engine, and
// the response still lists every changed number once, in request order,
// as it is after the change.
func TestPublishStatementsConstant(t *testing.T) {
	t.Parallel()
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			e, counter := dpCountingEnv(t, engine)
			agent := dpAgent(t, e, "Counted")
			v1, v2 := dpVersion(t, e, agent, "One"), dpVersion(t, e, agent, "Two")
			// Both published once before any is counted: a first publish
			// also moves the live version, which the sizes below must not
			// mix in.
			dpPublish(t, e, agent, v2.Version, nil)
			dpPublish(t, e, agent, v1.Version, nil)
			numbers := stNumbers(t, e, 2*stSizes[len(stSizes)-1])
			publish := func(v dpVer, body map[string]any) ([]dpPhone, int64) {
				t.Helper()
				before := counter.Load()
				ch := dpPublish(t, e, agent, v.Version, body)
				return ch, counter.Load() - before
			}
			reset := func() {
				t.Helper()
				publish(v1, map[string]any{"unassign_phone_numbers": numbers, "direction": "both"})
			}

			for _, c := range []struct {
				name string
				run  func(n int) ([]dpPhone, int64, []string, func(string) string)
			}{
				{"pin both slots", func(n int) ([]dpPhone, int64, []string, func(string) string) {
					reset()
					// v1 already holds half of them: those move to v2.
					publish(v1, map[string]any{"phone_numbers": numbers[:n/2], "direction": "both"})
					ch, stmts := publish(v2, map[string]any{"phone_numbers": stReversed(numbers[:n]), "direction": "both"})
					return ch, stmts, stBackward(numbers[:n]), func(string) string { return dpSlots(&v2, &v2) }
				}},
				{"unassign both slots", func(n int) ([]dpPhone, int64, []string, func(string) string) {
					reset()
					publish(v1, map[string]any{"phone_numbers": numbers[:n], "direction": "both"})
					ch, stmts := publish(v2, map[string]any{"unassign_phone_numbers": stReversed(numbers[:n]), "direction": "both"})
					return ch, stmts, stBackward(numbers[:n]), func(string) string { return dpSlots(nil, nil) }
				}},
				{"pin and unassign inbound", func(n int) ([]dpPhone, int64, []string, func(string) string) {
					reset()
					held := numbers[len(numbers)-n:]
					publish(v1, map[string]any{"phone_numbers": held, "direction": "both"})
					ch, stmts := publish(v2, map[string]any{"phone_numbers": numbers[:n], "unassign_phone_numbers": held})
					return ch, stmts, slices.Concat(numbers[:n], held), func(num string) string {
						if slices.Contains(held, num) {
							return dpSlots(nil, &v1)
						}
						return dpSlots(&v2, nil)
					}
				}},
			} {
				var counts []int64
				for _, n := range stSizes {
					ch, stmts, want, slots := c.run(n)
					stCheck(t, e, fmt.Sprintf("%s (%d numbers)", c.name, n), ch, want, slots)
					counts = append(counts, stmts)
				}
				t.Logf("%s: statements per publish request for %v numbers: %v", c.name, stSizes, counts)
				if slices.Min(counts) != slices.Max(counts) {
					t.Errorf("%s: statements per publish for %v numbers: %v, want the same for all", c.name, stSizes, counts)
				}
			}
		})
	}
}

// TestPublishStatementsConstantOnFailure: a publish naming unregistered
// numbers fails with the same number of statements for 1 number as for 50,
// names the first missing number in sorted order, and changes nothing.
func TestPublishStatementsConstantOnFailure(t *testing.T) {
	t.Parallel()
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			e, counter := dpCountingEnv(t, engine)
			agent, v1 := dpPublished(t, e, "Careful")
			dpVersion(t, e, agent, "Two")
			numbers := stNumbers(t, e, 50)
			dpPublish(t, e, agent, 1, map[string]any{"phone_numbers": numbers, "direction": "both"})
			before := dpNumbers(t, e, e.boot.OrgKey, "?limit=200").Data

			var counts []int64
			for _, n := range []int{1, 50} {
				// Two unregistered numbers, given out of order, after the
				// registered ones.
				body := map[string]any{"phone_numbers": append(slices.Clone(numbers[:n]), "+1 415 555 0199", "+1 415 555 0198"), "direction": "both"}
				start := counter.Load()
				eb := dpWantErr(t, e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/2/publish", body: body}), 404, "not_found")
				counts = append(counts, counter.Load()-start)
				if !strings.Contains(eb.Detail, "+14155550198") || strings.Contains(eb.Detail, "+14155550199") {
					t.Errorf("404 detail %q does not name the first missing number, +14155550198", eb.Detail)
				}
			}
			t.Logf("a failing publish: statements per request for 1 and 50 numbers: %v", counts)
			if counts[0] != counts[1] {
				t.Errorf("a failing publish sent %d statements for 1 number, %d for 50", counts[0], counts[1])
			}
			if after := dpNumbers(t, e, e.boot.OrgKey, "?limit=200").Data; !reflect.DeepEqual(after, before) {
				t.Errorf("a failing publish changed numbers")
			}
			for _, p := range before {
				if p.slots() != dpSlots(&v1, &v1) {
					t.Fatalf("%s is %s, want v1 in both slots", p.PhoneNumber, p.slots())
				}
			}
			if p, _ := dpVersionState(t, e, agent, 2); p {
				t.Errorf("a failing publish published v2")
			}
		})
	}
}
