package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	ap "github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/service"
)

// The conversation ledger (SPEC §12).

func dpConvList(t *testing.T, e *env, token, org, query string) admPage[dpConv] {
	t.Helper()
	var p admPage[dpConv]
	e.do(req{method: "GET", path: "/core/conversations" + query, token: token, org: org}).want(t, 200).decodeInto(t, &p)
	return p
}

func dpConvIDs(cs []dpConv) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func dpPatchConv(t *testing.T, e *env, id string, body map[string]any) dpConv {
	t.Helper()
	var c dpConv
	e.admin(req{method: "PATCH", path: "/core/conversations/" + id, body: body}).want(t, 200).decodeInto(t, &c)
	return c
}

// TestConversationResolution: an explicit version beats the number's slot,
// which beats the widget, which beats the agent's latest published
// version; each answer carries that version's config and the channel's
// starting message. Nothing resolvable is 404, an unpublished version 409,
// and neither records a conversation.
func TestConversationResolution(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent := dpAgent(t, e, "Resolver")
		var v [6]dpVer
		for i := 1; i <= 3; i++ {
			v[i] = dpVersion(t, e, agent, fmt.Sprint("V", i))
		}
		cfg4 := `{"instructions":"Four","starting_message":{"text":"V4"},"channel_overrides":{"webrtc":{"starting_message":{"text":"V4 on the web"}}}}`
		e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions", body: `{"config":` + cfg4 + `}`}).want(t, 201).decodeInto(t, &v[4])
		for i := 1; i <= 4; i++ {
			dpPublish(t, e, agent, i, nil)
		}
		v[5] = dpVersion(t, e, agent, "V5 draft")
		number := dpRegister(t, e, "+1 415 555 0150", nil).PhoneNumber
		dpPublish(t, e, agent, 2, map[string]any{"phone_numbers": []string{number}, "direction": "inbound"})
		widget := dpCreateWidget(t, e, map[string]any{"name": "Site", "agent_id": agent, "agent_version_id": v[3].ID}).ID

		base := func(extra map[string]any) map[string]any {
			b := map[string]any{"channel": "telephone", "direction": "inbound", "user_id": "caller-1"}
			for k, x := range extra {
				b[k] = x
			}
			return b
		}
		for _, c := range []struct {
			name  string
			body  map[string]any
			want  int
			greet string
		}{
			{"agent_version_id beats all", base(map[string]any{"agent_version_id": v[1].ID, "agent_number": number, "web_widget_id": widget, "agent_id": agent}), 1, "V1"},
			{"agent_id+version beats the number", base(map[string]any{"agent_id": agent, "version": 1, "agent_number": number, "web_widget_id": widget}), 1, "V1"},
			{"number beats widget and agent", base(map[string]any{"agent_number": "(415) 555-0150", "web_widget_id": widget, "agent_id": agent}), 2, "V2"},
			{"widget beats agent", base(map[string]any{"web_widget_id": widget, "agent_id": agent, "channel": "text"}), 3, "V3"},
			{"agent's latest published", base(map[string]any{"agent_id": agent}), 4, "V4"},
			{"version latest", base(map[string]any{"agent_id": agent, "version": "latest"}), 4, "V4"},
			{"channel override", base(map[string]any{"agent_id": agent, "channel": "webrtc"}), 4, "V4 on the web"},
		} {
			s := dpStartConv(t, e, c.body)
			cv := s.Conversation
			if dpStr(cv.AgentVersionID) != v[c.want].ID || cv.Version == nil || *cv.Version != c.want || dpStr(cv.AgentID) != agent {
				t.Errorf("%s: resolved to %s (v%v), want v%d", c.name, dpStr(cv.AgentVersionID), cv.Version, c.want)
				continue
			}
			vrSame(t, c.name+": agent_config", s.AgentConfig, v[c.want].Config)
			// With its default filled in, as the whole config (SPEC §16).
			vrSame(t, c.name+": starting_message", s.StartingMessage, json.RawMessage(`{"interruptible":true,"text":"`+c.greet+`"}`))
			if w, ok := c.body["web_widget_id"]; ok && dpStr(cv.WebWidgetID) != w {
				t.Errorf("%s: web_widget_id %s, want %v", c.name, dpStr(cv.WebWidgetID), w)
			}
			if _, ok := c.body["agent_number"]; ok && dpStr(cv.AgentNumber) != number {
				t.Errorf("%s: agent_number %s, want %s", c.name, dpStr(cv.AgentNumber), number)
			}
		}
		recorded := len(dpConvList(t, e, e.boot.OrgKey, "", "?limit=200").Data)

		other := dpOtherOrg(t, e, "globex")
		post := func(body map[string]any) resp {
			return e.admin(req{method: "POST", path: "/core/conversations", body: body})
		}
		for name, body := range map[string]map[string]any{
			"nothing to resolve":         base(nil),
			"unregistered number":        base(map[string]any{"agent_number": "+14155550199"}),
			"empty outbound slot":        base(map[string]any{"agent_number": number, "direction": "outbound"}),
			"no such widget":             base(map[string]any{"web_widget_id": ap.NewID()}),
			"no such agent":              base(map[string]any{"agent_id": ap.NewID()}),
			"no such version id":         base(map[string]any{"agent_version_id": ap.NewID()}),
			"no such version number":     base(map[string]any{"agent_id": agent, "version": 99}),
			"another organization's one": base(map[string]any{"agent_id": agent, "version": 1}),
		} {
			token := e.boot.OrgKey
			if name == "another organization's one" {
				token = other
			}
			r := e.do(req{method: "POST", path: "/core/conversations", token: token, body: body})
			if r.status != 404 {
				t.Errorf("%s: status %d %s, want 404", name, r.status, r.body)
				continue
			}
			dpWantErr(t, r, 404, "not_found")
		}
		draftOnly := dpAgent(t, e, "Draft only")
		dpVersion(t, e, draftOnly, "Not yet")
		for name, body := range map[string]map[string]any{
			"draft by id":       base(map[string]any{"agent_version_id": v[5].ID}),
			"draft by number":   base(map[string]any{"agent_id": agent, "version": 5}),
			"nothing published": base(map[string]any{"agent_id": draftOnly}),
		} {
			if r := post(body); r.status != 409 {
				t.Errorf("%s: status %d %s, want 409", name, r.status, r.body)
			} else {
				dpWantErr(t, r, 409, "conflict")
			}
		}
		for _, c := range []struct {
			body map[string]any
			loc  []any
		}{
			{base(map[string]any{"agent_number": "12"}), []any{"body", "agent_number"}},
			{base(map[string]any{"version": 1}), []any{"body", "version"}},
			{base(map[string]any{"agent_id": agent, "version": "newest"}), []any{"body", "version"}},
			{base(map[string]any{"agent_id": agent, "channel": "fax"}), []any{"body", "channel"}},
			{base(map[string]any{"agent_id": agent, "direction": "sideways"}), []any{"body", "direction"}},
			{base(map[string]any{"agent_id": agent, "user_id": ""}), []any{"body", "user_id"}},
			{base(map[string]any{"agent_id": agent, "custom_metadata": []int{1}}), []any{"body", "custom_metadata"}},
			{base(map[string]any{"agent_id": agent, "status": "completed"}), []any{"body", "status"}},
			// Fields that did not decide the version must still fit it.
			{base(map[string]any{"agent_version_id": v[1].ID, "agent_id": draftOnly}), []any{"body", "agent_id"}},
			{base(map[string]any{"agent_version_id": v[1].ID, "web_widget_id": ap.NewID()}), []any{"body", "web_widget_id"}},
			{base(map[string]any{"agent_id": agent, "version": 1, "agent_number": "+14155550199"}), []any{"body", "agent_number"}},
		} {
			dpWantErr(t, post(c.body), 422, "invalid", c.loc...)
		}
		if l := dpConvList(t, e, e.boot.OrgKey, "", "?limit=200").Data; len(l) != recorded {
			t.Errorf("refused starts recorded conversations: %d, want %d; newest %+v", len(l), recorded, l[0])
		}
		if st := dpGetDetail(t, e, agent).ConversationStats; st.Total != int64(recorded) {
			t.Errorf("stats total %d, want %d", st.Total, recorded)
		}
	})
}

// TestConversationUpdates: progress until a terminal status, after which
// every PATCH is 409 and nothing changes; bad values are 422; another
// organization's conversation is 404.
func TestConversationUpdates(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent, v := dpPublished(t, e, "Hi")
		start := func() dpConv {
			return dpStartConv(t, e, map[string]any{"channel": "webrtc", "direction": "inbound", "user_id": "u", "agent_id": agent,
				"initial_context": map[string]any{"page": "/pricing"}}).Conversation
		}
		c := start()
		if c.Status != "token_created" || dpStr(c.AgentVersionID) != v.ID || c.Duration != nil || c.UserTurnCount != nil {
			t.Fatalf("started %+v", c)
		}
		for _, status := range []string{"triggered", "ringing", "in_progress"} {
			if got := dpPatchConv(t, e, c.ID, map[string]any{"status": status}); got.Status != status {
				t.Errorf("PATCH %s → %s", status, got.Status)
			}
		}
		got := dpPatchConv(t, e, c.ID, map[string]any{"user_turn_count": 2, "duration": 12.25})
		if got.Status != "in_progress" || got.UserTurnCount == nil || *got.UserTurnCount != 2 || *got.Duration != 12.25 || got.CreatedAt != c.CreatedAt {
			t.Errorf("partial PATCH %+v", got)
		}
		done := dpPatchConv(t, e, c.ID, map[string]any{"status": "completed", "duration": 30, "summary": "Booked.", "transcript": []map[string]string{{"role": "user", "text": "hi"}}})
		if done.Status != "completed" || *done.Duration != 30 || *done.UserTurnCount != 2 {
			t.Errorf("completed %+v", done)
		}
		for _, body := range []map[string]any{{"status": "failed"}, {"status": "in_progress"}, {"status": "completed"}, {"duration": 31}, {"summary": "changed"}, {"user_turn_count": 9}} {
			eb := dpWantErr(t, e.admin(req{method: "PATCH", path: "/core/conversations/" + c.ID, body: body}), 409, "conflict")
			if !strings.Contains(eb.Detail, "completed") {
				t.Errorf("409 detail %q does not name the status", eb.Detail)
			}
		}
		var after dpConv
		e.admin(req{method: "GET", path: "/core/conversations/" + c.ID}).want(t, 200).decodeInto(t, &after)
		if after.Status != "completed" || *after.Duration != 30 || after.UpdatedAt != done.UpdatedAt {
			t.Errorf("after refused PATCHes %+v, want %+v", after, done)
		}

		// Every terminal status is final.
		for _, terminal := range []string{"failed", "cancelled", "transferred", "unanswered"} {
			x := start()
			dpPatchConv(t, e, x.ID, map[string]any{"status": terminal})
			dpWantErr(t, e.admin(req{method: "PATCH", path: "/core/conversations/" + x.ID, body: map[string]any{"status": "in_progress"}}), 409, "conflict")
		}

		open := start()
		for _, c := range []struct {
			body map[string]any
			loc  []any
		}{
			{map[string]any{"status": "bogus"}, []any{"body", "status"}},
			{map[string]any{"duration": -1}, []any{"body", "duration"}},
			{map[string]any{"user_turn_count": -1}, []any{"body", "user_turn_count"}},
			{map[string]any{"agent_id": ap.NewID()}, []any{"body", "agent_id"}},
			{map[string]any{"custom_metadata": map[string]any{}}, []any{"body", "custom_metadata"}},
		} {
			dpWantErr(t, e.admin(req{method: "PATCH", path: "/core/conversations/" + open.ID, body: c.body}), 422, "invalid", c.loc...)
		}
		dpWantErr(t, e.admin(req{method: "PATCH", path: "/core/conversations/" + ap.NewID(), body: map[string]any{"status": "ringing"}}), 404, "not_found")
		dpWantErr(t, e.admin(req{method: "GET", path: "/core/conversations/" + ap.NewID()}), 404, "not_found")
		other := dpOtherOrg(t, e, "globex")
		dpWantErr(t, e.do(req{method: "GET", path: "/core/conversations/" + open.ID, token: other}), 404, "not_found")
		dpWantErr(t, e.do(req{method: "PATCH", path: "/core/conversations/" + open.ID, token: other, body: map[string]any{"status": "completed"}}), 404, "not_found")
		var still dpConv
		e.admin(req{method: "GET", path: "/core/conversations/" + open.ID}).want(t, 200).decodeInto(t, &still)
		if still.Status != "token_created" {
			t.Errorf("another organization moved the conversation to %s", still.Status)
		}
		if l := dpConvList(t, e, other, "", ""); len(l.Data) != 0 {
			t.Errorf("another organization lists %v", dpConvIDs(l.Data))
		}

		st := dpGetDetail(t, e, agent).ConversationStats
		if st.Total != 6 || st.ByStatus["completed"] != 1 || st.ByStatus["failed"] != 1 || st.ByStatus["cancelled"] != 1 ||
			st.ByStatus["token_created"] != 1 || st.ByChannel["webrtc"] != 6 || st.TotalDurationSeconds != 30 || st.AverageDurationSeconds != 30 {
			t.Errorf("stats %s", st)
		}
	})
}

// TestConversationSensitiveFields: summary, transcript and custom_metadata
// are absent (not null) for callers holding only conversations:read — a
// viewer, a read-only key — and present for read_sensitive and manage, on
// both the single read and the list.
func TestConversationSensitiveFields(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent, _ := dpPublished(t, e, "Hi")
		c := dpStartConv(t, e, map[string]any{"channel": "telephone", "direction": "inbound", "user_id": "u", "agent_id": agent,
			"custom_metadata": map[string]any{"crm_id": "42"}, "initial_context": map[string]any{"lang": "en"}}).Conversation
		dpPatchConv(t, e, c.ID, map[string]any{"summary": "Wants a refund.", "transcript": []map[string]string{{"role": "user", "text": "refund"}}})

		viewer, _ := admViewer(t, e, "viewer@acme.test", "viewer-home")
		readOnly := admCreateKey(t, e, "/admin/organization-pats", e.boot.OrgKey, "", map[string]any{"name": "ro", "expires_at": nil, "scopes": []string{"conversations:read"}}).PATKey
		sensitive := admCreateKey(t, e, "/admin/organization-pats", e.boot.OrgKey, "", map[string]any{"name": "rs", "expires_at": nil, "scopes": []string{"conversations:read_sensitive"}}).PATKey
		both := admCreateKey(t, e, "/admin/organization-pats", e.boot.OrgKey, "", map[string]any{"name": "rrs", "expires_at": nil, "scopes": []string{"conversations:read", "conversations:read_sensitive"}}).PATKey
		manage := admCreateKey(t, e, "/admin/organization-pats", e.boot.OrgKey, "", map[string]any{"name": "m", "expires_at": nil, "scopes": []string{"conversations:manage"}}).PATKey
		agentsOnly := admCreateKey(t, e, "/admin/organization-pats", e.boot.OrgKey, "", map[string]any{"name": "a", "expires_at": nil, "scopes": []string{"agents:read"}}).PATKey

		check := func(who string, obj map[string]json.RawMessage, shown bool) {
			t.Helper()
			if string(obj["id"]) != `"`+c.ID+`"` || !ap.SameJSON(obj["initial_context"], json.RawMessage(`{"lang":"en"}`)) {
				t.Errorf("%s: not the conversation or no initial_context: %v", who, obj)
			}
			for field, want := range map[string]string{"summary": `"Wants a refund."`, "transcript": `[{"role":"user","text":"refund"}]`, "custom_metadata": `{"crm_id":"42"}`} {
				got, present := obj[field]
				switch {
				case shown && (!present || !ap.SameJSON(got, json.RawMessage(want))):
					t.Errorf("%s: %s = %s (present %v), want %s", who, field, got, present, want)
				case !shown && present:
					t.Errorf("%s: %s present (%s), want it absent", who, field, got)
				}
			}
		}
		for _, who := range []struct {
			name, token, org string
			shown            bool
		}{
			{"viewer PAT", viewer, "acme", false},
			{"conversations:read key", readOnly, "", false},
			{"conversations:read_sensitive key", sensitive, "", true},
			{"conversations:read+read_sensitive key", both, "", true},
			{"conversations:manage key", manage, "", true},
			{"admin key", e.boot.OrgKey, "", true},
			{"admin PAT", e.boot.PAT, "acme", true},
		} {
			var one map[string]json.RawMessage
			e.do(req{method: "GET", path: "/core/conversations/" + c.ID, token: who.token, org: who.org}).want(t, 200).decodeInto(t, &one)
			check(who.name+" GET", one, who.shown)
			var list struct {
				Data []map[string]json.RawMessage `json:"data"`
			}
			e.do(req{method: "GET", path: "/core/conversations", token: who.token, org: who.org}).want(t, 200).decodeInto(t, &list)
			if len(list.Data) != 1 {
				t.Fatalf("%s list: %d items", who.name, len(list.Data))
			}
			check(who.name+" list", list.Data[0], who.shown)
		}
		dpWantErr(t, e.do(req{method: "GET", path: "/core/conversations/" + c.ID, token: agentsOnly}), 403, "forbidden")
		dpWantErr(t, e.do(req{method: "POST", path: "/core/conversations", token: sensitive,
			body: map[string]any{"channel": "text", "direction": "inbound", "user_id": "u", "agent_id": agent}}), 403, "forbidden")
		dpWantErr(t, e.do(req{method: "PATCH", path: "/core/conversations/" + c.ID, token: viewer, org: "acme", body: map[string]any{"status": "ringing"}}), 403, "forbidden")
	})
}

// TestConversationListFilters: every filter narrows to exactly the
// matching conversations, newest first, and pages cleanly; bad values are
// 422.
func TestConversationListFilters(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		a, av := dpPublished(t, e, "A")
		b, bv := dpPublished(t, e, "B")
		number := dpRegister(t, e, "+1 212 555 0199", nil).PhoneNumber
		dpPublish(t, e, a, 1, map[string]any{"phone_numbers": []string{number}, "direction": "both"})

		type spec struct {
			body  map[string]any
			patch map[string]any
		}
		specs := []spec{
			{map[string]any{"channel": "telephone", "direction": "inbound", "agent_number": number}, map[string]any{"status": "completed", "duration": 5}},
			{map[string]any{"channel": "webrtc", "direction": "inbound", "agent_id": a}, map[string]any{"status": "completed", "duration": 15}},
			{map[string]any{"channel": "text", "direction": "outbound", "agent_id": b}, map[string]any{"status": "failed", "duration": 25}},
			{map[string]any{"channel": "email", "direction": "inbound", "agent_version_id": bv.ID}, nil},
			{map[string]any{"channel": "telephone", "direction": "outbound", "agent_number": number}, map[string]any{"status": "in_progress", "duration": 10}},
		}
		var convs []dpConv
		for i, s := range specs {
			s.body["user_id"] = fmt.Sprint("user-", i)
			c := dpStartConv(t, e, s.body).Conversation
			if s.patch != nil {
				c = dpPatchConv(t, e, c.ID, s.patch)
			}
			convs = append(convs, c)
		}
		// Newest first: created_at desc, id desc.
		sorted := slices.Clone(convs)
		slices.SortFunc(sorted, func(x, y dpConv) int {
			if c := strings.Compare(y.CreatedAt, x.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(y.ID, x.ID)
		})
		pick := func(idx ...int) []string {
			var out []string
			for _, c := range sorted {
				for _, i := range idx {
					if c.ID == convs[i].ID {
						out = append(out, c.ID)
					}
				}
			}
			return out
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"", pick(0, 1, 2, 3, 4)},
			{"?direction=inbound", pick(0, 1, 3)},
			{"?direction=outbound", pick(2, 4)},
			{"?channel=telephone", pick(0, 4)},
			{"?channel=email", pick(3)},
			{"?status=completed", pick(0, 1)},
			{"?status=token_created", pick(3)},
			{"?status=cancelled", nil},
			{"?agent_id=" + a, pick(0, 1, 4)},
			{"?agent_id=" + b, pick(2, 3)},
			{"?agent_version_id=" + av.ID, pick(0, 1, 4)},
			{"?agent_number=" + url.QueryEscape(number), pick(0, 4)},
			{"?agent_number=" + url.QueryEscape("(212) 555-0199"), pick(0, 4)},
			{"?agent_number=+12125550199", pick(0, 4)}, // an unescaped "+"
			{"?duration_above=10", pick(1, 2)},
			{"?duration_below=10", pick(0)},
			{"?duration_above=5&duration_below=25", pick(1, 4)},
			{"?duration_above=4.5", pick(0, 1, 2, 4)},
			{"?agent_id=" + a + "&direction=inbound&channel=webrtc", pick(1)},
			{"?agent_id=" + b + "&status=completed", nil},
		} {
			if got := dpConvIDs(dpConvList(t, e, e.boot.OrgKey, "", c.query).Data); !slices.Equal(got, c.want) {
				t.Errorf("list%s = %v, want %v", c.query, got, c.want)
			}
		}

		var paged []string
		query := "?limit=2"
		for range 4 {
			p := dpConvList(t, e, e.boot.OrgKey, "", query)
			paged = append(paged, dpConvIDs(p.Data)...)
			if p.Pagination.NextCursor == nil {
				break
			}
			query = "?limit=2&cursor=" + url.QueryEscape(*p.Pagination.NextCursor)
		}
		if !slices.Equal(paged, pick(0, 1, 2, 3, 4)) {
			t.Errorf("paged %v, want %v", paged, pick(0, 1, 2, 3, 4))
		}

		for _, c := range []struct{ query, param string }{
			{"?direction=sideways", "direction"},
			{"?channel=fax", "channel"},
			{"?status=done", "status"},
			{"?agent_id=x", "agent_id"},
			{"?agent_version_id=x", "agent_version_id"},
			{"?duration_above=long", "duration_above"},
			{"?duration_below=short", "duration_below"},
			{"?duration_above=NaN", "duration_above"},
			{"?agent_number=12", "agent_number"},
			{"?user_id=u", "user_id"},
		} {
			dpWantErr(t, e.admin(req{method: "GET", path: "/core/conversations" + c.query}), 422, "invalid", "query", c.param)
		}
	})
}

// TestConversationConcurrentStarts: many calls for one agent start and end
// at once; every one succeeds and the agent's counters add up.
func TestConversationConcurrentStarts(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent, _ := dpPublished(t, e, "Busy")
		const n = 40
		channels := []string{"telephone", "webrtc", "email", "text"}
		ids := make([]string, n)
		fails := make([]string, n)
		run := func(fn func(i int) resp, want int) {
			var wg sync.WaitGroup
			gate := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-gate
					if r := fn(i); r.status != want {
						fails[i] = fmt.Sprintf("status %d: %s", r.status, r.body)
					} else if want == 201 {
						var s dpStart
						if json.Unmarshal(r.body, &s) == nil {
							ids[i] = s.Conversation.ID
						}
					}
				})
			}
			close(gate)
			wg.Wait()
			for i, f := range fails {
				if f != "" {
					t.Errorf("call %d: %s", i, f)
				}
			}
			if t.Failed() {
				for _, line := range strings.Split(e.logs.String(), "\n") {
					if strings.Contains(line, "internal error") {
						t.Logf("server log: %s", line)
						break
					}
				}
			}
			clear(fails)
		}
		run(func(i int) resp {
			dir := "inbound"
			if i%2 == 1 {
				dir = "outbound"
			}
			return e.admin(req{method: "POST", path: "/core/conversations",
				body: map[string]any{"channel": channels[i%4], "direction": dir, "user_id": fmt.Sprint("u", i), "agent_id": agent}})
		}, 201)
		if t.Failed() {
			t.FailNow()
		}
		run(func(i int) resp {
			return e.admin(req{method: "PATCH", path: "/core/conversations/" + ids[i], body: map[string]any{"status": "completed", "duration": 2}})
		}, 200)

		st := dpGetDetail(t, e, agent).ConversationStats
		want := dpStats{Total: n, Inbound: n / 2, Outbound: n / 2, ByChannel: map[string]int64{"telephone": n / 4, "webrtc": n / 4, "email": n / 4, "text": n / 4},
			ByStatus: map[string]int64{"completed": n}, TotalDurationSeconds: 2 * n, AverageDurationSeconds: 2, LastConversationAt: st.LastConversationAt}
		if st.String() != want.String() || st.LastConversationAt == nil {
			t.Errorf("stats %s,\nwant %s", st, want)
		}
	})
}

// TestDeployAgentQueryCount: GET /core/agents/{id} for an agent with 1,000
// conversations sends exactly as many statements as for one with none,
// and its statistics are still right.
func TestDeployAgentQueryCount(t *testing.T) {
	t.Parallel()
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			e, counter := dpCountingEnv(t, engine)
			ctx := context.Background()
			caller, err := e.svc.Authenticate(ctx, e.boot.OrgKey, "", service.InOrg)
			if err != nil {
				t.Fatal(err)
			}
			// Two agents of the same shape: a published version, a pinned
			// number, a widget, a SIP endpoint.
			busy, bv := dpPublished(t, e, "Busy")
			idle, iv := dpPublished(t, e, "Idle")
			for i, a := range []struct {
				id string
				v  dpVer
			}{{busy, bv}, {idle, iv}} {
				n := dpRegister(t, e, fmt.Sprintf("+1 415 555 01%02d", i), nil).PhoneNumber
				dpPublish(t, e, a.id, 1, map[string]any{"phone_numbers": []string{n}, "direction": "both"})
				e.admin(req{method: "POST", path: "/core/web-widgets", body: map[string]any{"name": "W", "agent_id": a.id, "agent_version_id": a.v.ID}}).want(t, 201)
				e.admin(req{method: "POST", path: "/core/agents/" + a.id + "/deploy-as-sip"}).want(t, 200)
			}

			measure := func(agent string) int64 {
				t.Helper()
				before := counter.Load()
				e.admin(req{method: "GET", path: "/core/agents/" + agent}).want(t, 200)
				return counter.Load() - before
			}
			measure(idle) // warm anything lazily loaded
			empty := measure(idle)
			if empty <= 0 {
				t.Fatalf("the counter saw %d statements for a GET: is QueryCounter wired?", empty)
			}

			const total = 1000
			channels := []string{"telephone", "webrtc", "email", "text"}
			var durations float64
			for i := range total {
				dir := "inbound"
				if i%3 == 0 {
					dir = "outbound"
				}
				s, err := e.svc.StartConversation(ctx, caller, ap.ConversationInput{Channel: channels[i%4], Direction: dir,
					UserID: fmt.Sprint("user-", i), AgentID: &busy})
				if err != nil {
					t.Fatalf("conversation %d: %v", i, err)
				}
				if i%10 == 0 {
					status, d := "completed", float64(i%7+1)
					durations += d
					if _, err := e.svc.UpdateConversation(ctx, caller, s.Conversation.ID, ap.ConversationUpdate{Status: &status, Duration: &d}); err != nil {
						t.Fatal(err)
					}
				}
			}
			heavy := measure(busy)
			if heavy != empty {
				t.Errorf("GET of an agent with %d conversations sent %d statements, with none %d", total, heavy, empty)
			}
			if again := measure(idle); again != empty {
				t.Errorf("GET of the idle agent sent %d statements, earlier %d", again, empty)
			}

			st := dpGetDetail(t, e, busy).ConversationStats
			completed := int64(total / 10)
			if st.Total != total || st.Outbound != 334 || st.Inbound != total-334 ||
				st.ByChannel["telephone"] != 250 || st.ByChannel["text"] != 250 || len(st.ByChannel) != 4 ||
				st.ByStatus["completed"] != completed || st.ByStatus["token_created"] != total-completed || len(st.ByStatus) != 2 ||
				st.TotalDurationSeconds != durations || st.LastConversationAt == nil {
				t.Errorf("stats after %d conversations: %+v (durations %v)", total, st, durations)
			}
			if avg := st.AverageDurationSeconds; avg != durations/float64(completed) && avg != durations/total {
				t.Errorf("average_duration_seconds %v, want total/with-duration %v or total/count %v", avg, durations/float64(completed), durations/total)
			}
			if idleStats := dpGetDetail(t, e, idle).ConversationStats; idleStats.Total != 0 || !slices.Equal([]int64{idleStats.Inbound, idleStats.Outbound}, []int64{0, 0}) {
				t.Errorf("idle agent's stats %+v", idleStats)
			}
		})
	}
}
