package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

var phoneTests = []test{
	{"Phones/LockBatch", testPhoneLockBatch},
	{"Phones/PinBatch", testPhonePinBatch},
}

// newVersion stores version 1 of agent a.
func newVersion(t *testing.T, s *store.Store, a agentplane.Agent) agentplane.Version {
	t.Helper()
	v := agentplane.Version{ID: agentplane.NewID(), OrganizationID: a.OrganizationID, AgentID: a.ID, Version: 1,
		Config: json.RawMessage(`{}`), InstructionsStatus: "idle", CreatedAt: base, UpdatedAt: base}
	must(t, "create version", inTx(s, func(q *store.Queries) error { return q.CreateVersion(ctx(), v) }))
	return v
}

// newNumbers registers n numbers in o, +1415555<prefix><i as 2 digits>,
// and returns them.
func newNumbers(t *testing.T, s *store.Store, o agentplane.Organization, prefix string, n int) []string {
	t.Helper()
	var out []string
	for i := range n {
		num := fmt.Sprintf("+1415555%s%02d", prefix, i)
		must(t, "register "+num, s.CreatePhoneNumber(ctx(), agentplane.PhoneNumber{PhoneNumber: num, OrganizationID: o.ID, CreatedAt: base, UpdatedAt: base}))
		out = append(out, num)
	}
	return out
}

// testPhoneLockBatch: a publish checks its whole set at once; a refusal
// names the first number missing from the organization in sorted order,
// whatever order the set came in (another organization's number is
// missing too), or the gate's reason, or the missing agent or version, and
// changes nothing; the gate sees the version as locked.
func testPhoneLockBatch(t *testing.T, s *store.Store) {
	a, b := newOrg(t, s, "a"), newOrg(t, s, "b")
	agent := createAgent(t, s, newAgent(a, "A", base))
	v := newVersion(t, s, agent)
	mine := newNumbers(t, s, a, "01", 3)
	theirs := newNumbers(t, s, b, "02", 1)
	publish := func(agentID string, n int, pin []string, gated func(*agentplane.Version)) ([]agentplane.PhoneNumber, error) {
		w := v
		if gated != nil {
			gated(&w)
		}
		must(t, "set the version's instructions", inTx(s, func(q *store.Queries) error { return q.UpdateVersion(ctx(), w) }))
		return s.PublishVersion(ctx(), store.Publish{OrganizationID: a.ID, AgentID: agentID, Version: n, Pin: pin,
			Inbound: true, Now: at(5)})
	}
	generating := func(w *agentplane.Version) { w.InstructionsStatus = agentplane.InstructionsGenerating }
	stale := func(w *agentplane.Version) { w.InstructionsDirty = true }
	unchanged := func(what string) {
		t.Helper()
		got, err := s.GetVersion(ctx(), a.ID, agent.ID, 1, false)
		must(t, what+": read the version", err)
		if got.Published {
			t.Errorf("%s published the version", what)
		}
		now, err := getNumbers(t, s, a.ID, mine)
		must(t, what+": read the numbers", err)
		for _, p := range now {
			if p.InboundAgentVersionID != nil || !p.UpdatedAt.Equal(base.Time) {
				t.Errorf("%s changed %s", what, p.PhoneNumber)
			}
		}
	}
	for _, c := range []struct {
		what    string
		agentID string
		n       int
		pin     []string
		gated   func(*agentplane.Version)
		code    agentplane.ErrorCode
		message string
	}{
		{"another agent", agentplane.NewID(), 1, mine, nil, agentplane.ENotFound, "agent not found"},
		{"another version", agent.ID, 2, mine, nil, agentplane.ENotFound, "version 2 not found"},
		{"a version past int32", agent.ID, 1 << 40, mine, nil, agentplane.ENotFound, "version 1099511627776 not found"},
		{"unregistered numbers", agent.ID, 1, []string{mine[1], "+14155550399", mine[0], "+14155550398"}, nil, agentplane.ENotFound, "+14155550398"},
		{"another organization's number", agent.ID, 1, []string{mine[0], theirs[0]}, nil, agentplane.ENotFound, theirs[0]},
		{"instructions being generated", agent.ID, 1, mine, generating, agentplane.EConflict, "being generated"},
		{"stale instructions", agent.ID, 1, mine, stale, agentplane.EConflict, "stale"},
		{"the gate before a missing number", agent.ID, 1, []string{"+14155550399"}, stale, agentplane.EConflict, "stale"},
	} {
		changed, err := publish(c.agentID, c.n, c.pin, c.gated)
		wantCode(t, "publish refused by "+c.what, err, c.code)
		if err != nil && !strings.Contains(err.Error(), c.message) {
			t.Errorf("publish refused by %s: %q, want %q", c.what, err, c.message)
		}
		if changed != nil {
			t.Errorf("publish refused by %s reported changes %v", c.what, changed)
		}
		unchanged("a publish refused by " + c.what)
	}
	// Stale but edited by hand passes the gate.
	edited := func(w *agentplane.Version) { w.InstructionsDirty, w.InstructionsManuallyEdited = true, true }
	changed, err := publish(agent.ID, 1, []string{mine[2], mine[0], mine[1]}, edited)
	must(t, "publish", err)
	if len(changed) != 3 {
		t.Errorf("publish changed %d numbers, want 3", len(changed))
	}
	got, err := s.GetVersion(ctx(), a.ID, agent.ID, 1, false)
	must(t, "read the version", err)
	if !got.Published || got.PublishedAt == nil || !got.PublishedAt.Equal(at(5).Time) {
		t.Errorf("after the publish the version is %+v, want published at %v", got, at(5))
	}
	changed, err = publish(agent.ID, 1, nil, edited)
	must(t, "publish to no numbers", err)
	if len(changed) != 0 {
		t.Errorf("a publish to no numbers changed %v", changed)
	}
}

// testPhonePinBatch: pin and unpin change only the organization's numbers
// whose slot differs (pin) or holds a version of the agent (unpin), touch
// updated_at only there, and report exactly those numbers.
func testPhonePinBatch(t *testing.T, s *store.Store) {
	a, b := newOrg(t, s, "a"), newOrg(t, s, "b")
	agentA, agentA2 := createAgent(t, s, newAgent(a, "A", base)), createAgent(t, s, newAgent(a, "A2", base))
	agentB := createAgent(t, s, newAgent(b, "B", base))
	va, va2, vb := newVersion(t, s, agentA), newVersion(t, s, agentA2), newVersion(t, s, agentB)
	n := newNumbers(t, s, a, "01", 4)
	theirs := newNumbers(t, s, b, "02", 1)
	// tx runs a slot update the way the service does, in a transaction,
	// and checks that the rows it returns are the numbers as they now read.
	tx := func(f func(q *store.Queries) ([]agentplane.PhoneNumber, error)) (changed []string, err error) {
		var rows []agentplane.PhoneNumber
		err = s.WithTx(ctx(), func(q *store.Queries) error {
			rows, err = f(q)
			return err
		})
		for _, p := range rows {
			changed = append(changed, p.PhoneNumber)
		}
		if err == nil && len(rows) > 0 {
			now, rerr := getNumbers(t, s, rows[0].OrganizationID, changed)
			must(t, "re-read the changed numbers", rerr)
			diff(t, "the changed numbers as returned", rows, now)
		}
		return changed, err
	}
	_, err := tx(func(q *store.Queries) ([]agentplane.PhoneNumber, error) {
		return q.PinSlots(ctx(), b.ID, theirs, true, true, vb.ID, at(1))
	})
	must(t, "pin B's number", err)
	theirsBefore, err := getNumbers(t, s, b.ID, theirs)
	must(t, "read B's number", err)

	// state reads n back as "inbound/outbound@updated" per number.
	state := func() string {
		t.Helper()
		got, err := getNumbers(t, s, a.ID, slices.Concat([]string{theirs[0], "+14155550399"}, backward(n)))
		must(t, "get phone numbers", err)
		name := map[string]string{va.ID: "a", va2.ID: "a2"}
		var out []string
		for _, p := range got {
			slot := func(id *string) string {
				if id == nil {
					return "-"
				}
				return name[*id]
			}
			out = append(out, fmt.Sprintf("%s %s/%s@%d", p.PhoneNumber[len(p.PhoneNumber)-1:], slot(p.InboundAgentVersionID), slot(p.OutboundAgentVersionID), p.UpdatedAt.Millis()-base.Millis()))
		}
		return strings.Join(out, " ")
	}
	type queries = store.Queries
	for _, step := range []struct {
		what      string
		run       func(q *queries) ([]agentplane.PhoneNumber, error)
		want, now string
	}{
		{"pin inbound", func(q *queries) ([]agentplane.PhoneNumber, error) {
			return q.PinSlots(ctx(), a.ID, []string{n[1], n[0], theirs[0]}, true, false, va.ID, at(10))
		}, "0 1", "0 a/-@10 1 a/-@10 2 -/-@0 3 -/-@0"},
		{"pin both", func(q *queries) ([]agentplane.PhoneNumber, error) {
			return q.PinSlots(ctx(), a.ID, n[:3], true, true, va.ID, at(20))
		},
			"0 1 2", "0 a/a@20 1 a/a@20 2 a/a@20 3 -/-@0"},
		{"pin again", func(q *queries) ([]agentplane.PhoneNumber, error) {
			return q.PinSlots(ctx(), a.ID, n[:3], true, true, va.ID, at(30))
		},
			"", "0 a/a@20 1 a/a@20 2 a/a@20 3 -/-@0"},
		{"pin outbound to another agent", func(q *queries) ([]agentplane.PhoneNumber, error) {
			return q.PinSlots(ctx(), a.ID, n[1:2], false, true, va2.ID, at(40))
		},
			"1", "0 a/a@20 1 a/a2@40 2 a/a@20 3 -/-@0"},
		{"unpin the first agent", func(q *queries) ([]agentplane.PhoneNumber, error) {
			return q.UnpinSlots(ctx(), a.ID, n, true, true, agentA.ID, at(50))
		},
			"0 1 2", "0 -/-@50 1 -/a2@50 2 -/-@50 3 -/-@0"},
		{"unpin again", func(q *queries) ([]agentplane.PhoneNumber, error) {
			return q.UnpinSlots(ctx(), a.ID, n, true, true, agentA.ID, at(60))
		},
			"", "0 -/-@50 1 -/a2@50 2 -/-@50 3 -/-@0"},
		{"unpin inbound only", func(q *queries) ([]agentplane.PhoneNumber, error) {
			return q.UnpinSlots(ctx(), a.ID, n, true, false, agentA2.ID, at(70))
		},
			"", "0 -/-@50 1 -/a2@50 2 -/-@50 3 -/-@0"},
		{"unpin another organization's number", func(q *queries) ([]agentplane.PhoneNumber, error) {
			return q.UnpinSlots(ctx(), a.ID, theirs, true, true, agentB.ID, at(80))
		}, "", "0 -/-@50 1 -/a2@50 2 -/-@50 3 -/-@0"},
		{"nothing to pin", func(q *queries) ([]agentplane.PhoneNumber, error) {
			return q.PinSlots(ctx(), a.ID, nil, true, true, va.ID, at(90))
		},
			"", "0 -/-@50 1 -/a2@50 2 -/-@50 3 -/-@0"},
	} {
		changed, err := tx(step.run)
		must(t, step.what, err)
		var short []string
		for _, c := range changed {
			short = append(short, c[len(c)-1:])
		}
		if got := strings.Join(short, " "); got != step.want {
			t.Errorf("%s reported %q changed, want %q", step.what, got, step.want)
		}
		if got := state(); got != step.now {
			t.Fatalf("after %s: %s, want %s", step.what, got, step.now)
		}
	}
	theirsAfter, err := getNumbers(t, s, b.ID, theirs)
	must(t, "read B's number", err)
	diff(t, "B's number", theirsAfter, theirsBefore)
}

// backward is list in reverse order.
func backward(list []string) []string {
	out := slices.Clone(list)
	slices.Reverse(out)
	return out
}

// getNumbers reads those of numbers registered in org, sorted.
func getNumbers(t *testing.T, s *store.Store, orgID string, numbers []string) ([]agentplane.PhoneNumber, error) {
	t.Helper()
	var out []agentplane.PhoneNumber
	for _, n := range slices.Sorted(slices.Values(numbers)) {
		p, err := s.GetPhoneNumber(ctx(), orgID, n)
		if agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
