package storetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

var agentDetailTests = []test{
	{"AgentDetail/MatchesPerEmbedReads", testAgentDetailMatches},
	{"AgentDetail/Empty", testAgentDetailEmpty},
	{"AgentDetail/NotFound", testAgentDetailNotFound},
}

// detailFixture is an organization whose agent "main" has every embed of
// the detail filled in ways that differ between the engines' JSON: several
// versions (published and not), numbers pinning it in either or both slots
// (one also pinning another agent), widgets with awkward JSON configs (one
// nested past SQLite's JSON limit), a SIP endpoint and counters with
// fractional durations. A second agent and a second organization hold rows
// the detail must not show.
type detailFixture struct {
	org, otherOrg agentplane.Organization
	main, side    agentplane.Agent
	mainVersions  []agentplane.Version // by number, from 1
	// stats is what the counters written below must add up to.
	stats agentplane.ConversationStats
}

func seedDetail(t *testing.T, s *store.Store) detailFixture {
	t.Helper()
	f := detailFixture{org: newOrg(t, s, "acme"), otherOrg: newOrg(t, s, "other")}
	f.main = newAgent(f.org, "main", at(1))
	f.main.Description = "the one under test"
	f.main.Metadata = json.RawMessage(`{"big":12345678901234567890123,"k":[1,2.5,"x"],"z":{"é":true}}`)
	createAgent(t, s, f.main)
	f.side = createAgent(t, s, newAgent(f.org, "side", at(2)))
	stranger := createAgent(t, s, newAgent(f.otherOrg, "stranger", at(3)))

	version := func(a agentplane.Agent, n int, published bool) agentplane.Version {
		v := agentplane.Version{ID: agentplane.NewID(), OrganizationID: a.OrganizationID, AgentID: a.ID, Version: n,
			Config: json.RawMessage(`{"instructions":"v` + fmt.Sprint(n) + `"}`), InstructionsStatus: "idle",
			CreatedAt: at(int64(100 + 10*n)), UpdatedAt: at(int64(105 + 10*n))}
		if n%3 != 0 {
			// Change notes that JSON must escape, and some empty.
			v.Description = fmt.Sprintf("note %d: \"é\"\n\t\\ \u2028 %s", n, strings.Repeat("x", 10*n))
		}
		if published {
			v.Published, v.PublishedAt = true, ptr(at(int64(107+10*n)))
		}
		must(t, "create version", inTx(s, func(q *store.Queries) error { return q.CreateVersion(ctx(), v) }))
		return v
	}
	for n := 1; n <= 7; n++ {
		f.mainVersions = append(f.mainVersions, version(f.main, n, n%2 == 0))
	}
	sideV1 := version(f.side, 1, true)
	strangerV1 := version(stranger, 1, true)

	// Registered in an order unlike the numbers' own, which orders the embed.
	phone := func(o agentplane.Organization, number string, when int64, label *string, shareable bool, in, out *agentplane.Version) {
		p := agentplane.PhoneNumber{PhoneNumber: number, OrganizationID: o.ID, Label: label, OutboundShareable: shareable,
			CreatedAt: at(when), UpdatedAt: at(when)}
		if label != nil {
			p.TrunkID = ptr("trunk-" + *label)
		}
		must(t, "create phone number", s.CreatePhoneNumber(ctx(), p))
		for _, slot := range []struct {
			v       *agentplane.Version
			in, out bool
		}{{in, true, false}, {out, false, true}} {
			if slot.v != nil {
				must(t, "pin slot", s.WithTx(ctx(), func(q *store.Queries) error {
					_, err := q.PinSlots(ctx(), o.ID, []string{number}, slot.in, slot.out, slot.v.ID, at(when+1))
					return err
				}))
			}
		}
	}
	mv := f.mainVersions
	phone(f.org, "+14155550300", 200, ptr("both"), false, &mv[1], &mv[3])
	phone(f.org, "+14155550100", 210, ptr("inbound only"), true, &mv[3], nil)
	phone(f.org, "+14155550200", 220, nil, false, &sideV1, &mv[5]) // inbound slot: another agent
	phone(f.org, "+14155550050", 230, nil, true, nil, &mv[1])
	phone(f.org, "+14155550400", 240, ptr("side only"), false, &sideV1, &sideV1)
	phone(f.org, "+14155550500", 250, nil, false, nil, nil)
	phone(f.otherOrg, "+14155550000", 260, nil, false, &strangerV1, &strangerV1)
	// Never written by the service (publish pins only the organization's
	// own numbers): another organization's number pinning main's version.
	// Tenancy must keep it out of main's detail all the same.
	phone(f.otherOrg, "+14155550001", 270, nil, false, &mv[1], nil)

	widget := func(a agentplane.Agent, v agentplane.Version, name string, when int64, domains []string, config string) {
		w := agentplane.WebWidget{ID: agentplane.NewID(), OrganizationID: a.OrganizationID, Name: name, AgentID: a.ID,
			AgentVersionID: v.ID, Domains: domains, Published: len(domains) > 0, Config: json.RawMessage(config),
			CreatedAt: at(when), UpdatedAt: at(when + 3)}
		must(t, "create widget", inTx(s, func(q *store.Queries) error { return q.CreateWidget(ctx(), w) }))
	}
	widget(f.main, mv[1], "plain", 300, nil, `{}`)
	widget(f.main, mv[3], "awkward", 310, []string{"https://a.test", "https://b.test:8443"},
		`{"n":12345678901234567890123,"f":0.30000000000000004,"e":1.0e2,"s":"é\u00e9\n\"","a":[true,null,{"z":1,"a":2}]}`)
	// Two created in the same millisecond: ids break the tie.
	widget(f.main, mv[3], "twin 1", 320, []string{"https://c.test"}, `{"x":1}`)
	widget(f.main, mv[5], "twin 2", 320, []string{"https://c.test"}, `{"x":2}`)
	widget(f.main, mv[1], "deep", 330, nil, `{"d":`+strings.Repeat(`[`, 1500)+strings.Repeat(`]`, 1500)+`}`)
	widget(f.side, sideV1, "side widget", 340, nil, `{}`)
	widget(stranger, strangerV1, "stranger widget", 350, nil, `{}`)

	deploySIP := func(a agentplane.Agent, uri string, when int64) {
		must(t, "deploy sip", inTx(s, func(q *store.Queries) error {
			_, err := q.DeploySIP(ctx(), f.org.ID, a.ID, uri, at(when))
			return err
		}))
	}
	deploySIP(f.main, "sip:main@sip.test", 400)
	deploySIP(f.side, "sip:side@sip.test", 401)

	f.stats = agentplane.ConversationStats{ByChannel: map[string]int64{}, ByStatus: map[string]int64{}}
	conversation := func(a agentplane.Agent, i int, channel, direction string, duration *float64) {
		c := agentplane.Conversation{ID: agentplane.NewID(), OrganizationID: a.OrganizationID, AgentID: &a.ID,
			Channel: channel, Direction: direction, Status: "token_created", UserID: fmt.Sprint("user-", i),
			CreatedAt: at(int64(500 + i)), UpdatedAt: at(int64(500 + i))}
		must(t, "conversation", s.WithTx(ctx(), func(q *store.Queries) error {
			if err := q.CreateConversation(ctx(), c); err != nil {
				return err
			}
			if duration == nil {
				return nil
			}
			done := c
			done.Status, done.Duration = "completed", duration
			return q.UpdateConversation(ctx(), c, done)
		}))
		if a.ID != f.main.ID {
			return
		}
		f.stats.Total++
		if direction == "inbound" {
			f.stats.Inbound++
		} else {
			f.stats.Outbound++
		}
		f.stats.ByChannel[channel]++
		if duration != nil {
			f.stats.ByStatus["completed"]++
			f.stats.TotalDurationSeconds += *duration
		} else {
			f.stats.ByStatus["token_created"]++
		}
		f.stats.LastConversationAt = &c.CreatedAt
	}
	// Every conversation started is completed, so "token_created" counts
	// down to zero and must drop out; 0.1 + 0.2 is not 0.3 in float64.
	conversation(f.main, 1, "telephone", "inbound", ptr(0.1))
	conversation(f.main, 2, "webrtc", "outbound", ptr(0.2))
	conversation(f.main, 3, "telephone", "inbound", ptr(1e-7))
	conversation(f.side, 4, "email", "inbound", ptr(5.0))
	conversation(stranger, 5, "text", "inbound", nil)
	f.stats.AverageDurationSeconds = f.stats.TotalDurationSeconds / 3
	one := 1.0 // the three conversations of main all completed
	f.stats.CompletionRate = &one
	return f
}

// referenceDetail builds the detail independently of AgentDetail: from the
// store's list reads filtered by the agent, GetSIP, and the statistics the
// fixture's conversations must add up to. (Until AgentDetail replaced them,
// the old per-embed methods were compared too, and matched.)
func referenceDetail(t *testing.T, s *store.Store, f detailFixture) agentplane.AgentDetail {
	t.Helper()
	orgID, id := f.org.ID, f.main.ID
	d := agentplane.AgentDetail{Agent: getAgent(t, s, orgID, id)}
	page := agentplane.Page{Limit: agentplane.MaxLimit}
	versions, err := s.ListVersions(ctx(), orgID, id, agentplane.VersionFilter{}, page)
	must(t, "list versions", err)
	for _, v := range versions.Items {
		d.Versions = append(d.Versions, v.Summary())
	}
	slices.SortFunc(d.Versions, func(a, b agentplane.VersionSummary) int { return b.Version - a.Version })
	phones, err := s.ListPhoneNumbers(ctx(), orgID, agentplane.PhoneNumberFilter{AgentID: id}, page)
	must(t, "list phone numbers", err)
	d.PhoneNumbers = phones.Items
	slices.SortFunc(d.PhoneNumbers, func(a, b agentplane.PhoneNumber) int { return strings.Compare(a.PhoneNumber, b.PhoneNumber) })
	widgets, err := s.ListWidgets(ctx(), orgID, id, page)
	must(t, "list widgets", err)
	d.WebWidgets = widgets.Items
	d.SIPEndpoint, err = s.GetSIP(ctx(), orgID, id)
	must(t, "get sip", err)
	d.ConversationStats = f.stats
	return d
}

// testAgentDetailMatches: the one-statement detail encodes to the same
// bytes as the reference detail, on each engine.
// (Bytes, not cmp: cmp takes exponential time on the deep widget config.)
func testAgentDetailMatches(t *testing.T, s *store.Store) {
	f := seedDetail(t, s)
	got, err := s.AgentDetail(ctx(), f.org.ID, f.main.ID)
	must(t, "agent detail", err)
	want := referenceDetail(t, s, f)
	if len(want.Versions) != 7 || len(want.PhoneNumbers) != 4 || len(want.WebWidgets) != 5 || !want.SIPEndpoint.Deployed {
		t.Fatalf("fixture: %d versions, %d numbers, %d widgets, sip %v", len(want.Versions), len(want.PhoneNumbers), len(want.WebWidgets), want.SIPEndpoint.Deployed)
	}
	sameJSON(t, got, want)
}

// sameJSON fails t unless got and want encode to the same bytes, naming
// the first part that differs.
func sameJSON(t *testing.T, got, want agentplane.AgentDetail) {
	t.Helper()
	parts := func(d agentplane.AgentDetail) []any {
		out := []any{d.Agent, d.Versions, d.PhoneNumbers, d.SIPEndpoint, d.ConversationStats, d.LatestPublishedVersion, len(d.WebWidgets)}
		for _, w := range d.WebWidgets {
			out = append(out, w)
		}
		return out
	}
	g, w := parts(got), parts(want)
	for i := range min(len(g), len(w)) {
		gb, err := json.Marshal(g[i])
		must(t, "encode", err)
		wb, err := json.Marshal(w[i])
		must(t, "encode", err)
		if !bytes.Equal(gb, wb) {
			t.Fatalf("part %d of the encoded detail differs:\n got %.3000s\nwant %.3000s", i, gb, wb)
		}
	}
	gb, err := json.Marshal(got)
	must(t, "encode", err)
	wb, err := json.Marshal(want)
	must(t, "encode", err)
	if !bytes.Equal(gb, wb) {
		t.Fatalf("encoded detail differs:\n got %.3000s\nwant %.3000s", gb, wb)
	}
}

// testAgentDetailEmpty: an agent with nothing attached has empty (not
// nil) embeds, an undeployed SIP endpoint and zero statistics.
func testAgentDetailEmpty(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	a := createAgent(t, s, newAgent(o, "bare", at(1)))
	got, err := s.AgentDetail(ctx(), o.ID, a.ID)
	must(t, "agent detail", err)
	want := agentplane.AgentDetail{Agent: a, Versions: []agentplane.VersionSummary{}, PhoneNumbers: []agentplane.PhoneNumber{},
		WebWidgets:        []agentplane.WebWidget{},
		ConversationStats: agentplane.ConversationStats{ByChannel: map[string]int64{}, ByStatus: map[string]int64{}}}
	diff(t, "empty agent detail", got, want)
	b, err := json.Marshal(got)
	must(t, "encode", err)
	for _, part := range []string{`"versions":[]`, `"phone_numbers":[]`, `"web_widgets":[]`,
		`"sip_endpoint":{"deployed":false,"sip_uri":null,"deployed_at":null}`, `"by_channel":{}`, `"last_conversation_at":null`} {
		if !bytes.Contains(b, []byte(part)) {
			t.Errorf("encoded empty detail lacks %s: %s", part, b)
		}
	}
}

// testAgentDetailNotFound: an unknown agent, and an agent of another
// organization, are ENotFound.
func testAgentDetailNotFound(t *testing.T, s *store.Store) {
	o, other := newOrg(t, s, "acme"), newOrg(t, s, "other")
	a := createAgent(t, s, newAgent(o, "mine", at(1)))
	_, err := s.AgentDetail(ctx(), other.ID, a.ID)
	wantCode(t, "another organization's agent", err, agentplane.ENotFound)
	_, err = s.AgentDetail(ctx(), o.ID, agentplane.NewID())
	wantCode(t, "unknown agent", err, agentplane.ENotFound)
}
