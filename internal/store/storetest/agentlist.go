package storetest

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

var agentListTests = []test{
	{"AgentList/Name", testAgentFilterName},
	{"AgentList/Flags", testAgentFilterFlags},
	{"AgentList/Metadata", testAgentFilterMetadata},
	{"AgentList/MetadataComparedAsJSON", testAgentFilterMetadataJSON},
	{"AgentList/TimeWindow", testAgentTimeWindow},
	{"AgentList/KeysetPaging", testAgentPaging},
	{"AgentList/PagingWithFilter", testAgentPagingFiltered},
	{"AgentList/PageByteBudget", testAgentPageBytes},
	{"AgentList/MetadataFilterSurvivesDeepRows", testAgentFilterDeepRow},
}

// listNames returns the names of orgID's agents matching f, in list order,
// on one page big enough for every test's seed.
func listNames(t *testing.T, s *store.Store, orgID string, f agentplane.AgentFilter, w agentplane.TimeWindow) []string {
	t.Helper()
	l, err := s.ListAgents(ctx(), orgID, f, agentplane.Page{Limit: agentplane.MaxLimit, Window: w})
	must(t, "list agents", err)
	if l.Next != nil {
		t.Fatalf("seed larger than one page")
	}
	names := []string{}
	for _, a := range l.Items {
		names = append(names, a.Name)
	}
	return names
}

// seedNamed creates one agent per name in o, the first oldest, so a list
// returns them in reverse.
func seedNamed(t *testing.T, s *store.Store, o agentplane.Organization, names ...string) []agentplane.Agent {
	t.Helper()
	var out []agentplane.Agent
	for i, n := range names {
		out = append(out, createAgent(t, s, newAgent(o, n, at(int64(i)))))
	}
	return out
}

func testAgentFilterName(t *testing.T, s *store.Store) {
	o, other := newOrg(t, s, "acme"), newOrg(t, s, "other")
	seedNamed(t, s, o,
		"Alpha Support", "alpha sales", "ALPHABET", "Beta",
		"100% Real", "100 Real", "snake_case bot", "snakeXcase bot",
		`back\slash`, "backslash",
	)
	seedNamed(t, s, other, "Alpha Elsewhere")

	cases := []struct{ filter, why string }{
		{"", "no filter lists all"},
		{"alpha", "substring, any case"},
		{"ALPHA S", "case folds in the pattern too, spaces count"},
		{"PPORT", "a substring at the end"},
		{"100%", "% is literal, not a wildcard"},
		{"%", "a lone % is literal"},
		{"e_c", "_ is literal, not any one character"},
		{"_", "a lone _ is literal"},
		{`\`, "a backslash is literal, not an escape"},
		{`k\s`, "a backslash before a letter is literal too"},
		{"gamma", "no match is an empty list"},
	}
	all := []string{"backslash", `back\slash`, "snakeXcase bot", "snake_case bot", "100 Real", "100% Real", "Beta", "ALPHABET", "alpha sales", "Alpha Support"}
	for _, c := range cases {
		// The expectation is computed with ASCII case folding, the part
		// both engines agree on (SPEC leaves non-ASCII folding open).
		want := []string{}
		for _, n := range all {
			if strings.Contains(strings.ToLower(n), strings.ToLower(c.filter)) {
				want = append(want, n)
			}
		}
		diff(t, "name filter "+c.filter+" ("+c.why+")", listNames(t, s, o.ID, agentplane.AgentFilter{Name: c.filter}, agentplane.TimeWindow{}), want)
	}
}

func testAgentFilterFlags(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	for i, c := range []struct {
		name           string
		active, isDemo bool
	}{{"on", true, false}, {"off", false, false}, {"on demo", true, true}, {"off demo", false, true}} {
		a := newAgent(o, c.name, at(int64(i)))
		a.Active, a.IsDemo = c.active, c.isDemo
		createAgent(t, s, a)
	}
	cases := []struct {
		active, isDemo *bool
		want           []string
	}{
		{nil, nil, []string{"off demo", "on demo", "off", "on"}},
		{ptr(true), nil, []string{"on demo", "on"}},
		{ptr(false), nil, []string{"off demo", "off"}},
		{nil, ptr(true), []string{"off demo", "on demo"}},
		{nil, ptr(false), []string{"off", "on"}},
		{ptr(true), ptr(false), []string{"on"}},
		{ptr(false), ptr(true), []string{"off demo"}},
	}
	for _, c := range cases {
		got := listNames(t, s, o.ID, agentplane.AgentFilter{Active: c.active, IsDemo: c.isDemo}, agentplane.TimeWindow{})
		diff(t, "flags filter", got, c.want)
	}
}

func testAgentFilterMetadata(t *testing.T, s *store.Store) {
	o, other := newOrg(t, s, "acme"), newOrg(t, s, "other")
	for i, m := range []struct{ name, meta string }{
		{"A", `{"tier":"gold","count":1,"vip":true,"nested":{"x":1,"y":[1,"two"]},"gone":null,"a.b":"dot","list":[1,2]}`},
		{"B", `{"tier":"silver","count":2,"vip":false,"flag":1}`},
		{"C", `{"tier":"gold","count":1.5,"vip":1,"nested":{"x":2}}`},
		{"D", `{}`},
		{"E", `{"tier":"gold","count":"1","vip":"true","gone":"null","nested":"{\"x\":1}"}`},
	} {
		a := newAgent(o, m.name, at(int64(i)))
		a.Metadata = json.RawMessage(m.meta)
		createAgent(t, s, a)
	}
	f := newAgent(other, "F", at(9)) // would match everything A matches
	f.Metadata = json.RawMessage(`{"tier":"gold","count":1,"vip":true}`)
	createAgent(t, s, f)

	cases := []struct {
		why    string
		filter map[string]string
		want   []string
	}{
		{"empty filter", map[string]string{}, []string{"E", "D", "C", "B", "A"}},
		{"string", map[string]string{"tier": `"gold"`}, []string{"E", "C", "A"}},
		{"strings match exactly, not case-folded", map[string]string{"tier": `"GOLD"`}, []string{}},
		{"integer", map[string]string{"count": `1`}, []string{"A"}},
		{"a number never matches its string", map[string]string{"count": `"1"`}, []string{"E"}},
		{"fraction", map[string]string{"count": `1.5`}, []string{"C"}},
		{"true does not match 1", map[string]string{"vip": `true`}, []string{"A"}},
		{"1 does not match true", map[string]string{"vip": `1`}, []string{"C"}},
		{"false", map[string]string{"vip": `false`}, []string{"B"}},
		{"0 does not match false", map[string]string{"vip": `0`}, []string{}},
		{"nested object", map[string]string{"nested": `{"x":1,"y":[1,"two"]}`}, []string{"A"}},
		{"nested object with whitespace", map[string]string{"nested": `{ "x": 1, "y": [ 1, "two" ] }`}, []string{"A"}},
		{"a nested object equals, it does not contain", map[string]string{"nested": `{"x":1}`}, []string{}},
		{"array", map[string]string{"list": `[1,2]`}, []string{"A"}},
		{"array order matters", map[string]string{"list": `[2,1]`}, []string{}},
		{"null needs the key present", map[string]string{"gone": `null`}, []string{"A"}},
		{"a key with a dot is one key, not a path", map[string]string{"a.b": `"dot"`}, []string{"A"}},
		{"absent key", map[string]string{"nope": `"gold"`}, []string{}},
		{"all keys are required", map[string]string{"tier": `"gold"`, "count": `1`}, []string{"A"}},
		{"one failing key excludes", map[string]string{"tier": `"gold"`, "vip": `false`}, []string{}},
		{"three keys", map[string]string{"tier": `"gold"`, "vip": `1`, "count": `1.5`}, []string{"C"}},
	}
	for _, c := range cases {
		filter := map[string]json.RawMessage{}
		for k, v := range c.filter {
			filter[k] = json.RawMessage(v)
		}
		got := listNames(t, s, o.ID, agentplane.AgentFilter{Metadata: filter}, agentplane.TimeWindow{})
		diff(t, "metadata filter: "+c.why, got, c.want)
	}

	// Metadata combines with the other filters by AND.
	got := listNames(t, s, o.ID, agentplane.AgentFilter{Name: "c", Metadata: map[string]json.RawMessage{"tier": json.RawMessage(`"gold"`)}}, agentplane.TimeWindow{})
	diff(t, "name and metadata", got, []string{"C"})
}

func testAgentFilterMetadataJSON(t *testing.T, s *store.Store) {
	// SPEC §4: filter values are "compared as JSON", so spellings of one
	// JSON value must match each other: object key order and number
	// notation carry no meaning.
	o := newOrg(t, s, "acme")
	a := newAgent(o, "A", at(1))
	a.Metadata = json.RawMessage(`{"obj":{"x":1,"y":[1,2]},"int":1,"frac":1.0,"exp":1e2}`)
	createAgent(t, s, a)
	cases := []struct{ why, key, value string }{
		{"object keys in another order", "obj", `{"y":[1,2],"x":1}`},
		{"1.0 stored, 1 asked", "frac", `1`},
		{"1 stored, 1.0 asked", "int", `1.0`},
		{"1e2 stored, 100 asked", "exp", `100`},
	}
	for _, c := range cases {
		t.Run(c.why, func(t *testing.T) {
			got := listNames(t, s, o.ID, agentplane.AgentFilter{Metadata: map[string]json.RawMessage{c.key: json.RawMessage(c.value)}}, agentplane.TimeWindow{})
			if len(got) == 1 {
				return
			}
			t.Fatalf("filter %s=%s: got %v, want [A] (stored %s)", c.key, c.value, got, a.Metadata)
		})
	}
}

func testAgentTimeWindow(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	// created at 10, 20, 30, 40; updated in the reverse order, so a window
	// on the wrong column gives a different answer.
	for i, name := range []string{"a", "b", "c", "d"} {
		a := newAgent(o, name, at(int64(10*(i+1))))
		a.UpdatedAt = at(int64(100 - 10*i))
		createAgent(t, s, a)
	}
	cases := []struct {
		why  string
		w    agentplane.TimeWindow
		want []string
	}{
		{"created_after is inclusive", agentplane.TimeWindow{CreatedAfter: ptr(at(20))}, []string{"d", "c", "b"}},
		{"created_after between rows", agentplane.TimeWindow{CreatedAfter: ptr(at(21))}, []string{"d", "c"}},
		{"created_before is exclusive", agentplane.TimeWindow{CreatedBefore: ptr(at(30))}, []string{"b", "a"}},
		{"created window", agentplane.TimeWindow{CreatedAfter: ptr(at(20)), CreatedBefore: ptr(at(40))}, []string{"c", "b"}},
		{"empty created window", agentplane.TimeWindow{CreatedAfter: ptr(at(30)), CreatedBefore: ptr(at(30))}, []string{}},
		{"updated_after is inclusive", agentplane.TimeWindow{UpdatedAfter: ptr(at(90))}, []string{"b", "a"}},
		{"updated_before is exclusive", agentplane.TimeWindow{UpdatedBefore: ptr(at(80))}, []string{"d"}},
		{"updated window", agentplane.TimeWindow{UpdatedAfter: ptr(at(80)), UpdatedBefore: ptr(at(100))}, []string{"c", "b"}},
		{"created and updated", agentplane.TimeWindow{CreatedAfter: ptr(at(20)), UpdatedAfter: ptr(at(90))}, []string{"b"}},
	}
	for _, c := range cases {
		diff(t, c.why, listNames(t, s, o.ID, agentplane.AgentFilter{}, c.w), c.want)
	}
}

// byCreatedDesc sorts agents in list order: newest first, higher id first
// among agents of one millisecond.
func byCreatedDesc(as []agentplane.Agent) []agentplane.Agent {
	as = slices.Clone(as)
	slices.SortFunc(as, func(a, b agentplane.Agent) int {
		if c := b.CreatedAt.Compare(a.CreatedAt.Time); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return as
}

// seedMany creates n agents whose creation times are shuffled against
// their (time-ordered) ids and crowd into few milliseconds, so the id
// tie-breaker is exercised on almost every page boundary.
func seedMany(t *testing.T, s *store.Store, o agentplane.Organization, n int) []agentplane.Agent {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var out []agentplane.Agent
	err := s.WithTx(ctx(), func(q *store.Queries) error {
		for i := range n {
			// Half of the agents share one millisecond; the rest spread
			// over 20 more.
			ms := int64(500)
			if i%2 == 1 {
				ms = rng.Int64N(20) * 50
			}
			a := newAgent(o, "agent", at(ms))
			a.Active = i%3 != 0
			if err := q.CreateAgent(ctx(), a); err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	must(t, "seed agents", err)
	return out
}

func testAgentPaging(t *testing.T, s *store.Store) {
	o, other := newOrg(t, s, "acme"), newOrg(t, s, "other")
	const n = 250
	want := byCreatedDesc(seedMany(t, s, o, n))
	seedMany(t, s, other, 20)

	for _, limit := range []int{7, 10, 1, agentplane.MaxLimit} {
		got, pages := pageAll(t, limit, n, func(p agentplane.Page) (agentplane.List[agentplane.Agent], error) {
			return s.ListAgents(ctx(), o.ID, agentplane.AgentFilter{}, p)
		})
		diff(t, "every agent exactly once, newest first", got, want)
		if pages != wantPages(n, limit) {
			t.Errorf("limit %d: pages = %d, want %d", limit, pages, wantPages(n, limit))
		}
	}

	// A cursor taken from inside a crowded millisecond resumes right after
	// its own row: here the 100th agent.
	cur := &agentplane.Cursor{CreatedAt: want[99].CreatedAt.Millis(), ID: want[99].ID}
	l, err := s.ListAgents(ctx(), o.ID, agentplane.AgentFilter{}, agentplane.Page{Limit: 5, After: cur})
	must(t, "list after a cursor", err)
	diff(t, "page after the 100th agent", l.Items, want[100:105])
	diff(t, "its next cursor", l.Next, &agentplane.Cursor{CreatedAt: want[104].CreatedAt.Millis(), ID: want[104].ID})
}

func testAgentPagingFiltered(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	var want []agentplane.Agent
	for _, a := range byCreatedDesc(seedMany(t, s, o, 120)) {
		if a.Active && !a.CreatedAt.Before(at(100).Time) {
			want = append(want, a)
		}
	}
	got, pages := pageAll(t, 6, len(want), func(p agentplane.Page) (agentplane.List[agentplane.Agent], error) {
		p.Window.CreatedAfter = ptr(at(100))
		return s.ListAgents(ctx(), o.ID, agentplane.AgentFilter{Active: ptr(true)}, p)
	})
	diff(t, "active agents created from 100 on, across pages", got, want)
	if pages != wantPages(len(want), 6) {
		t.Errorf("pages = %d, want %d", pages, wantPages(len(want), 6))
	}
}

// testAgentPageBytes: a page ends early once its rows hold
// agentplane.MaxPageBytes, still with at least one item, and following the
// cursors yields every agent exactly once.
func testAgentPageBytes(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	const n, size = 20, 40 << 10 // 20 agents of 40 KiB metadata: 800 KiB
	var made []agentplane.Agent
	for i := range n {
		a := newAgent(o, "big", at(int64(i)))
		a.Metadata = json.RawMessage(`{"blob":"` + strings.Repeat("x", size) + `"}`)
		made = append(made, createAgent(t, s, a))
	}
	want := byCreatedDesc(made)
	first, err := s.ListAgents(ctx(), o.ID, agentplane.AgentFilter{}, agentplane.Page{Limit: agentplane.MaxLimit})
	must(t, "first page", err)
	if per := agentplane.MaxPageBytes/size + 1; len(first.Items) != per || first.Next == nil {
		t.Fatalf("first page: %d items (next %v), want %d and a cursor", len(first.Items), first.Next, per)
	}
	var got []agentplane.Agent
	for p := (agentplane.Page{Limit: agentplane.MaxLimit}); len(got) <= n; {
		l, err := s.ListAgents(ctx(), o.ID, agentplane.AgentFilter{}, p)
		must(t, "next page", err)
		if len(l.Items) == 0 {
			t.Fatal("an empty page")
		}
		got = append(got, l.Items...)
		if l.Next == nil {
			break
		}
		p.After = l.Next
	}
	diff(t, "every agent exactly once across budget-cut pages", got, want)

	// One row over the budget still makes a page of one.
	huge := newAgent(o, "huge", at(1000))
	huge.Metadata = json.RawMessage(`{"blob":"` + strings.Repeat("y", agentplane.MaxPageBytes+1) + `"}`)
	createAgent(t, s, huge)
	l, err := s.ListAgents(ctx(), o.ID, agentplane.AgentFilter{}, agentplane.Page{Limit: 5})
	must(t, "page with one huge row", err)
	if len(l.Items) != 1 || l.Items[0].ID != huge.ID || l.Next == nil {
		t.Errorf("huge row: %d items, next %v", len(l.Items), l.Next)
	}
}

// testAgentFilterDeepRow: a row whose metadata nests past SQLite's JSON
// limit (stored before requests were capped) doesn't fail the metadata
// filter for the whole organization; it just doesn't match.
func testAgentFilterDeepRow(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	plain := newAgent(o, "plain", at(1))
	plain.Metadata = json.RawMessage(`{"k":"v"}`)
	createAgent(t, s, plain)
	deep := newAgent(o, "deep", at(2))
	deep.Metadata = json.RawMessage(`{"k":"v","d":` + strings.Repeat(`[`, 1500) + strings.Repeat(`]`, 1500) + `}`)
	createAgent(t, s, deep)
	l, err := s.ListAgents(ctx(), o.ID, agentplane.AgentFilter{Metadata: map[string]json.RawMessage{"k": json.RawMessage(`"v"`)}}, agentplane.Page{Limit: 10})
	must(t, "filter with a deep row present", err)
	if len(l.Items) == 0 || l.Items[len(l.Items)-1].ID != plain.ID {
		t.Errorf("filter found %d agents, want the plain one among them", len(l.Items))
	}
}
