package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentplane/agentplane/internal/service"
)

// Scenarios of SPEC §4 (agents) and the §1 body and list rules as they
// apply to agents. Every exchange is also checked against openapi.yaml by
// the env's client.

// agAgent is the agent object as the API returns it.
type agAgent struct {
	ID             string         `json:"id"`
	OrganizationID string         `json:"organization_id"`
	Name           string         `json:"name"`
	Description    string         `json:"description"`
	Active         bool           `json:"active"`
	IsDemo         bool           `json:"is_demo"`
	Metadata       map[string]any `json:"metadata"`
	CreatedAt      string         `json:"created_at"`
	UpdatedAt      string         `json:"updated_at"`
}

// agPage is one page of GET /core/agents.
type agPage struct {
	Data       []agAgent `json:"data"`
	Pagination struct {
		Limit      int     `json:"limit"`
		NextCursor *string `json:"next_cursor"`
	} `json:"pagination"`
}

// agLoc is one expected entry of errors[]: where and what kind.
type agLoc struct {
	loc []any
	typ string
}

var (
	agTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
	agUUIDRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// agSub returns a copy of e whose helpers report to t, so a failure inside
// a subtest stops that subtest and not its parent.
func agSub(e *env, t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

func agCreate(t *testing.T, e *env, body any) agAgent {
	t.Helper()
	r := agSub(e, t).admin(req{method: "POST", path: "/core/agents", body: body}).want(t, 201)
	var a agAgent
	r.decodeInto(t, &a)
	return a
}

func agGet(t *testing.T, e *env, id string) agAgent {
	t.Helper()
	r := agSub(e, t).admin(req{method: "GET", path: "/core/agents/" + id}).want(t, 200)
	var a agAgent
	r.decodeInto(t, &a)
	return a
}

func agList(t *testing.T, e *env, query string) agPage {
	t.Helper()
	r := agSub(e, t).admin(req{method: "GET", path: "/core/agents?" + query}).want(t, 200)
	var p agPage
	r.decodeInto(t, &p)
	return p
}

func agNames(as []agAgent) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name
	}
	return out
}

// agJSON decodes a JSON text for comparisons.
func agJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON in test %q: %v", s, err)
	}
	return v
}

// agWantErr checks an error response: status, code and, when locs is not
// nil, exactly these errors[] entries in order.
func agWantErr(t *testing.T, r resp, status int, code string, locs []agLoc) errBody {
	t.Helper()
	r.want(t, status)
	b := r.err(t)
	if b.Code != code {
		t.Errorf("code %q, want %q; body %s", b.Code, code, r.body)
	}
	if locs == nil {
		return b
	}
	if len(b.Errors) != len(locs) {
		t.Fatalf("errors has %d entries, want %d: %s", len(b.Errors), len(locs), r.body)
	}
	for i, want := range locs {
		got := b.Errors[i]
		if !reflect.DeepEqual(got.Loc, want.loc) {
			t.Errorf("errors[%d].loc = %v, want %v", i, got.Loc, want.loc)
		}
		if want.typ != "" && got.Type != want.typ {
			t.Errorf("errors[%d].type = %q, want %q", i, got.Type, want.typ)
		}
		if got.Msg == "" {
			t.Errorf("errors[%d].msg is empty", i)
		}
	}
	return b
}

func agTime(t *testing.T, s string) time.Time {
	t.Helper()
	if !agTimeRE.MatchString(s) {
		t.Fatalf("timestamp %q is not RFC 3339 UTC with milliseconds", s)
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// agPause makes the next timestamp differ from the last (they have
// millisecond precision).
func agPause() { time.Sleep(3 * time.Millisecond) }

func TestAgentCreate(t *testing.T) {
	t.Parallel()
	const org = "organization_id"
	meta16k := strings.Repeat("x", 16<<10-len(`{"k":""}`))
	type tc struct {
		name   string
		body   any
		header map[string]string
		status int
		check  func(t *testing.T, e *env, r resp)
	}
	created := func(want agAgent, metadata string) func(t *testing.T, e *env, r resp) {
		return func(t *testing.T, e *env, r resp) {
			var a agAgent
			r.decodeInto(t, &a)
			if !agUUIDRE.MatchString(a.ID) {
				t.Errorf("id %q is not a UUIDv7", a.ID)
			}
			if a.OrganizationID != e.boot.OrganizationID {
				t.Errorf("organization_id %q, want %q", a.OrganizationID, e.boot.OrganizationID)
			}
			if a.Name != want.Name || a.Description != want.Description || a.Active != want.Active || a.IsDemo != want.IsDemo {
				t.Errorf("got name=%q description=%q active=%v is_demo=%v, want %q %q %v %v",
					a.Name, a.Description, a.Active, a.IsDemo, want.Name, want.Description, want.Active, want.IsDemo)
			}
			if m := map[string]any(a.Metadata); !reflect.DeepEqual(any(m), agJSON(t, metadata)) {
				t.Errorf("metadata %v, want %s", a.Metadata, metadata)
			}
			if agTime(t, a.CreatedAt) != agTime(t, a.UpdatedAt) {
				t.Errorf("created_at %s != updated_at %s on a new agent", a.CreatedAt, a.UpdatedAt)
			}
			if d := time.Since(agTime(t, a.CreatedAt)); d < 0 || d > time.Minute {
				t.Errorf("created_at %s is not now", a.CreatedAt)
			}
			// What was returned is what is stored.
			if g := agGet(t, e, a.ID); !reflect.DeepEqual(g, a) {
				t.Errorf("GET returns %+v, POST returned %+v", g, a)
			}
		}
	}
	// The raw body must hold metadata as an object, {} when none was sent.
	rawMetadata := func(want string) func(t *testing.T, e *env, r resp) {
		return func(t *testing.T, e *env, r resp) {
			var raw map[string]json.RawMessage
			r.decodeInto(t, &raw)
			if got := string(raw["metadata"]); got != want {
				t.Errorf("raw metadata %s, want %s", got, want)
			}
			created(agAgent{Name: "defaults", Active: true}, want)(t, e, r)
		}
	}
	problem := func(status int, code string, locs []agLoc, detail string) func(t *testing.T, e *env, r resp) {
		return func(t *testing.T, e *env, r resp) {
			b := agWantErr(t, r, status, code, locs)
			if !strings.Contains(b.Detail, detail) {
				t.Errorf("detail %q does not contain %q", b.Detail, detail)
			}
			if locs == nil && len(b.Errors) != 0 {
				t.Errorf("a %d names no fields, got errors %v", status, b.Errors)
			}
		}
	}
	cases := []tc{
		{name: "defaults", body: map[string]any{"name": "defaults"}, status: 201, check: rawMetadata("{}")},
		{name: "name trimmed", body: map[string]any{"name": " \t Sales bot \n "}, status: 201,
			check: created(agAgent{Name: "Sales bot", Active: true}, "{}")},
		{name: "every field", status: 201,
			body: map[string]any{"name": "Full", "description": "Answers the phone", "active": false, "is_demo": true,
				"metadata": map[string]any{"tier": "gold", "n": 1, "tags": []string{"a", "b"}, "nested": map[string]any{"x": nil}}},
			check: created(agAgent{Name: "Full", Description: "Answers the phone", Active: false, IsDemo: true},
				`{"tier":"gold","n":1,"tags":["a","b"],"nested":{"x":null}}`)},
		{name: "name of 200 characters", body: map[string]any{"name": strings.Repeat("é", 200)}, status: 201,
			check: created(agAgent{Name: strings.Repeat("é", 200), Active: true}, "{}")},
		{name: "name of 1 character", body: map[string]any{"name": "x"}, status: 201,
			check: created(agAgent{Name: "x", Active: true}, "{}")},
		{name: "metadata of exactly 16 KiB", status: 201,
			body:  `{"name":"big meta","metadata":{"k":"` + meta16k + `"}}`,
			check: created(agAgent{Name: "big meta", Active: true}, `{"k":"`+meta16k+`"}`)},
		{name: "metadata of 16 KiB once compacted", status: 201,
			body:  `{"name":"spaced meta","metadata":{ "k" :  "` + meta16k + `" }}`,
			check: created(agAgent{Name: "spaced meta", Active: true}, `{"k":"`+meta16k+`"}`)},

		{name: "name missing", body: map[string]any{"description": "no name"}, status: 422,
			check: problem(422, "invalid", []agLoc{{[]any{"body", "name"}, "missing"}}, "name")},
		{name: "name empty", body: map[string]any{"name": ""}, status: 422,
			check: problem(422, "invalid", []agLoc{{[]any{"body", "name"}, "string_length"}}, "name")},
		{name: "name only spaces", body: map[string]any{"name": "   \t "}, status: 422,
			check: problem(422, "invalid", []agLoc{{[]any{"body", "name"}, "string_length"}}, "name")},
		{name: "name of 201 characters", body: map[string]any{"name": strings.Repeat("é", 201)}, status: 422,
			check: problem(422, "invalid", []agLoc{{[]any{"body", "name"}, "string_length"}}, "200")},
		{name: "metadata over 16 KiB", body: `{"name":"too big","metadata":{"k":"` + meta16k + `x"}}`, status: 422,
			check: problem(422, "invalid", []agLoc{{[]any{"body", "metadata"}, "max_size"}}, "16 KiB")},
		{name: "metadata an array", body: map[string]any{"name": "m", "metadata": []int{1}}, status: 422,
			check: problem(422, "invalid", []agLoc{{[]any{"body", "metadata"}, "object_type"}}, "object")},
		{name: "metadata a string", body: map[string]any{"name": "m", "metadata": "{}"}, status: 422,
			check: problem(422, "invalid", []agLoc{{[]any{"body", "metadata"}, "object_type"}}, "object")},
		{name: "metadata null", body: `{"name":"m","metadata":null}`, status: 422,
			check: problem(422, "invalid", []agLoc{{[]any{"body", "metadata"}, "object_type"}}, "object")},
		{name: "several violations at once", body: map[string]any{"name": "", "metadata": 5}, status: 422,
			check: problem(422, "invalid", []agLoc{{[]any{"body", "name"}, "string_length"}, {[]any{"body", "metadata"}, "object_type"}}, "")},
		{name: "unknown and server-owned fields", status: 422,
			body: map[string]any{"name": "sneaky", "id": "01900000-0000-7000-8000-000000000000", org: "01900000-0000-7000-8000-000000000001",
				"created_at": "2020-01-01T00:00:00.000Z", "updated_at": "2020-01-01T00:00:00.000Z", "colour": "red"},
			check: problem(422, "invalid", []agLoc{
				{[]any{"body", "colour"}, "extra_forbidden"},
				{[]any{"body", "created_at"}, "extra_forbidden"},
				{[]any{"body", "id"}, "extra_forbidden"},
				{[]any{"body", org}, "extra_forbidden"},
				{[]any{"body", "updated_at"}, "extra_forbidden"},
			}, "")},
		{name: "wrong types", status: 422,
			body: map[string]any{"name": 5, "description": false, "active": "yes", "is_demo": 1},
			check: problem(422, "invalid", []agLoc{
				{[]any{"body", "active"}, "type_error"},
				{[]any{"body", "description"}, "type_error"},
				{[]any{"body", "is_demo"}, "type_error"},
				{[]any{"body", "name"}, "type_error"},
			}, "must be")},
		{name: "body an array", body: `[{"name":"x"}]`, status: 422,
			check: problem(422, "invalid", []agLoc{{[]any{"body"}, "object_type"}}, "object")},
		{name: "malformed JSON", body: `{"name": "x",`, status: 400,
			check: problem(400, "invalid", nil, "byte offset")},
		{name: "trailing garbage", body: `{"name": "x"} {}`, status: 400,
			check: problem(400, "invalid", nil, "byte offset")},
		{name: "empty body", body: "  ", status: 400,
			check: problem(400, "invalid", nil, "empty")},
		{name: "body over 1 MiB", body: `{"name":"x","description":"` + strings.Repeat("a", 1<<20) + `"}`, status: 413,
			check: problem(413, "payload_too_large", nil, "limit")},
		{name: "text/plain", body: `{"name":"plain"}`, header: map[string]string{"Content-Type": "text/plain"}, status: 415,
			check: problem(415, "invalid", nil, "Content-Type")},
		{name: "content type with charset", body: `{"name":"charset"}`, header: map[string]string{"Content-Type": "application/json; charset=utf-8"}, status: 201,
			check: created(agAgent{Name: "charset", Active: true}, "{}")},
	}
	forEngine(t, func(t *testing.T, e *env) {
		var want []string
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				se := agSub(e, t)
				r := se.admin(req{method: "POST", path: "/core/agents", body: c.body, header: c.header})
				r.want(t, c.status)
				c.check(t, se, r)
			})
			if c.status == 201 {
				want = append(want, c.name)
			}
		}
		// Refused requests created nothing: the list holds exactly the
		// agents of the 201 cases.
		p := agList(t, e, "limit=200")
		if len(p.Data) != len(want) {
			t.Errorf("%d agents exist after the table, want %d: %v", len(p.Data), len(want), agNames(p.Data))
		}
		for _, a := range p.Data {
			if a.Name == "sneaky" || a.Name == "too big" || a.Name == "plain" || a.Name == "m" {
				t.Errorf("a refused create left agent %q", a.Name)
			}
		}
	})
}

func TestAgentGetEmbeds(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		a := agCreate(t, e, map[string]any{"name": "Embedded", "description": "d", "metadata": map[string]any{"k": "v"}})
		r := e.admin(req{method: "GET", path: "/core/agents/" + a.ID}).want(t, 200)

		var got agAgent
		r.decodeInto(t, &got)
		if !reflect.DeepEqual(got, a) {
			t.Errorf("agent fields %+v, want %+v", got, a)
		}
		var raw map[string]json.RawMessage
		r.decodeInto(t, &raw)
		embeds := map[string]string{
			"versions":                 `[]`,
			"phone_numbers":            `[]`,
			"web_widgets":              `[]`,
			"sip_endpoint":             `{"deployed":false,"sip_uri":null,"deployed_at":null}`,
			"latest_published_version": `null`,
			"live_version":             `null`,
			"conversation_stats": `{"total":0,"inbound":0,"outbound":0,"by_channel":{},"by_status":{},
				"total_duration_seconds":0,"average_duration_seconds":0,"last_conversation_at":null,"completion_rate":null}`,
		}
		for k, want := range embeds {
			v, ok := raw[k]
			if !ok {
				t.Errorf("embed %s is missing; body %s", k, r.body)
				continue
			}
			if !reflect.DeepEqual(agJSON(t, string(v)), agJSON(t, want)) {
				t.Errorf("embed %s = %s, want %s", k, v, want)
			}
		}
		// Presence of every nullable key, not just a zero value.
		var sip map[string]json.RawMessage
		_ = json.Unmarshal(raw["sip_endpoint"], &sip)
		for _, k := range []string{"deployed", "sip_uri", "deployed_at"} {
			if _, ok := sip[k]; !ok {
				t.Errorf("sip_endpoint lacks %s", k)
			}
		}
		if n := len(raw); n != 9+len(embeds) {
			t.Errorf("agent detail has %d keys, want %d: %s", n, 9+len(embeds), r.body)
		}

		for _, id := range []string{"01900000-0000-7000-8000-000000000000", "not-a-uuid", strings.ToUpper(a.ID) + "x"} {
			nf := e.admin(req{method: "GET", path: "/core/agents/" + id})
			if b := agWantErr(t, nf, 404, "not_found", nil); !strings.Contains(b.Detail, "agent") {
				t.Errorf("404 detail %q does not name the agent", b.Detail)
			}
		}
	})
}

func TestAgentUpdate(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		model := agCreate(t, e, map[string]any{"name": "Original", "description": "first", "is_demo": false,
			"metadata": map[string]any{"tier": "gold", "n": 1}})
		createdAt := model.CreatedAt

		type step struct {
			name  string
			body  any
			apply func(a *agAgent)
			moves bool // updated_at must move forward
		}
		steps := []step{
			{"name only, trimmed", map[string]any{"name": "  Renamed  "}, func(a *agAgent) { a.Name = "Renamed" }, true},
			{"description only", map[string]any{"description": "second"}, func(a *agAgent) { a.Description = "second" }, true},
			{"active only", map[string]any{"active": false}, func(a *agAgent) { a.Active = false }, true},
			{"is_demo only", map[string]any{"is_demo": true}, func(a *agAgent) { a.IsDemo = true }, true},
			{"metadata replaced, not merged", map[string]any{"metadata": map[string]any{"tier": "silver"}},
				func(a *agAgent) { a.Metadata = map[string]any{"tier": "silver"} }, true},
			{"metadata emptied", map[string]any{"metadata": map[string]any{}}, func(a *agAgent) { a.Metadata = map[string]any{} }, true},
			{"description emptied", map[string]any{"description": ""}, func(a *agAgent) { a.Description = "" }, true},
			{"empty object changes nothing", map[string]any{}, func(a *agAgent) {}, false},
			{"every field", map[string]any{"name": "All", "description": "third", "active": true, "is_demo": false,
				"metadata": map[string]any{"x": []any{1.0, 2.0}}},
				func(a *agAgent) {
					a.Name, a.Description, a.Active, a.IsDemo = "All", "third", true, false
					a.Metadata = map[string]any{"x": []any{1.0, 2.0}}
				}, true},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				agPause()
				r := agSub(e, t).admin(req{method: "PUT", path: "/core/agents/" + model.ID, body: s.body}).want(t, 200)
				var got agAgent
				r.decodeInto(t, &got)
				prev := model
				s.apply(&model)
				model.UpdatedAt = got.UpdatedAt
				if !reflect.DeepEqual(got, model) {
					t.Errorf("PUT returned %+v, want %+v", got, model)
				}
				if got.CreatedAt != createdAt {
					t.Errorf("created_at moved: %s -> %s", createdAt, got.CreatedAt)
				}
				before, after := agTime(t, prev.UpdatedAt), agTime(t, got.UpdatedAt)
				if after.Before(before) || (s.moves && !after.After(before)) {
					t.Errorf("updated_at %s -> %s", prev.UpdatedAt, got.UpdatedAt)
				}
				if g := agGet(t, e, model.ID); !reflect.DeepEqual(g, model) {
					t.Errorf("GET after PUT %+v, want %+v", g, model)
				}
			})
		}

		other := agCreate(t, e, map[string]any{"name": "Bystander"})
		refused := []struct {
			name   string
			id     string
			body   any
			header map[string]string
			status int
			locs   []agLoc
			detail string
		}{
			{"name empty", model.ID, map[string]any{"name": ""}, nil, 422, []agLoc{{[]any{"body", "name"}, "string_length"}}, "name"},
			{"name only spaces", model.ID, map[string]any{"name": "   "}, nil, 422, []agLoc{{[]any{"body", "name"}, "string_length"}}, "name"},
			{"name too long", model.ID, map[string]any{"name": strings.Repeat("n", 201)}, nil, 422, []agLoc{{[]any{"body", "name"}, "string_length"}}, "name"},
			{"server-owned fields", model.ID, map[string]any{"id": other.ID, "organization_id": other.OrganizationID, "created_at": "2020-01-01T00:00:00.000Z"}, nil, 422,
				[]agLoc{{[]any{"body", "created_at"}, "extra_forbidden"}, {[]any{"body", "id"}, "extra_forbidden"}, {[]any{"body", "organization_id"}, "extra_forbidden"}}, ""},
			{"unknown field with a valid one", model.ID, map[string]any{"name": "Sneaky", "published": true}, nil, 422,
				[]agLoc{{[]any{"body", "published"}, "extra_forbidden"}}, "published"},
			{"wrong types", model.ID, map[string]any{"active": "no", "name": []string{"x"}}, nil, 422,
				[]agLoc{{[]any{"body", "active"}, "type_error"}, {[]any{"body", "name"}, "type_error"}}, ""},
			{"metadata not an object", model.ID, map[string]any{"metadata": []int{1}}, nil, 422, []agLoc{{[]any{"body", "metadata"}, "object_type"}}, "object"},
			{"metadata null", model.ID, `{"metadata":null}`, nil, 422, []agLoc{{[]any{"body", "metadata"}, "object_type"}}, "object"},
			{"malformed JSON", model.ID, `{"name":"x"`, nil, 400, nil, "byte offset"},
			{"empty body", model.ID, "", nil, 400, nil, "empty"},
			{"text/plain", model.ID, `{"name":"x"}`, map[string]string{"Content-Type": "text/plain"}, 415, nil, "Content-Type"},
			{"unknown id", "01900000-0000-7000-8000-000000000000", map[string]any{"name": "x"}, nil, 404, nil, "agent"},
			{"malformed id", "nope", map[string]any{"name": "x"}, nil, 404, nil, "agent"},
		}
		for _, c := range refused {
			t.Run(c.name, func(t *testing.T) {
				r := agSub(e, t).admin(req{method: "PUT", path: "/core/agents/" + c.id, body: c.body, header: c.header})
				code := map[int]string{400: "invalid", 404: "not_found", 415: "invalid", 422: "invalid"}[c.status]
				b := agWantErr(t, r, c.status, code, c.locs)
				if !strings.Contains(b.Detail, c.detail) {
					t.Errorf("detail %q does not contain %q", b.Detail, c.detail)
				}
				if g := agGet(t, e, model.ID); !reflect.DeepEqual(g, model) {
					t.Errorf("a refused PUT changed the agent: %+v, want %+v", g, model)
				}
			})
		}
		if g := agGet(t, e, other.ID); !reflect.DeepEqual(g, other) {
			t.Errorf("PUTs on one agent changed another: %+v, want %+v", g, other)
		}
	})
}

func TestAgentDelete(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		doomed := agCreate(t, e, map[string]any{"name": "Doomed"})
		kept := agCreate(t, e, map[string]any{"name": "Kept"})

		r := e.admin(req{method: "DELETE", path: "/core/agents/" + doomed.ID}).want(t, 204)
		if len(r.body) != 0 {
			t.Errorf("204 has a body: %q", r.body)
		}
		agWantErr(t, e.admin(req{method: "GET", path: "/core/agents/" + doomed.ID}), 404, "not_found", nil)
		agWantErr(t, e.admin(req{method: "PUT", path: "/core/agents/" + doomed.ID, body: map[string]any{"name": "Back"}}), 404, "not_found", nil)
		agWantErr(t, e.admin(req{method: "DELETE", path: "/core/agents/" + doomed.ID}), 404, "not_found", nil)
		agWantErr(t, e.admin(req{method: "DELETE", path: "/core/agents/not-a-uuid"}), 404, "not_found", nil)

		if p := agList(t, e, ""); !slices.Equal(agNames(p.Data), []string{"Kept"}) {
			t.Errorf("list after delete: %v, want [Kept]", agNames(p.Data))
		}
		if g := agGet(t, e, kept.ID); !reflect.DeepEqual(g, kept) {
			t.Errorf("the other agent changed: %+v, want %+v", g, kept)
		}
	})
}

func TestAgentListFilters(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		// Created in this order, so listed newest first as D, C, B, A.
		agCreate(t, e, map[string]any{"name": "Support Bot", "active": true, "is_demo": false,
			"metadata": map[string]any{"tier": "gold", "n": 1, "flag": true, "nested": map[string]any{"a": 1, "b": []int{1, 2}}}})
		agCreate(t, e, map[string]any{"name": "sales assistant", "active": false, "is_demo": true,
			"metadata": map[string]any{"tier": "silver", "n": "1", "flag": false}})
		agCreate(t, e, map[string]any{"name": "SUPPORT escalation", "active": true, "is_demo": true})
		agCreate(t, e, map[string]any{"name": "100% real_agent", "active": false, "is_demo": false,
			"metadata": map[string]any{"tier": "gold", "n": 2, "nested": map[string]any{"a": 1}}})
		const (
			A = "Support Bot"
			B = "sales assistant"
			C = "SUPPORT escalation"
			D = "100% real_agent"
		)
		q := func(kv ...string) string {
			v := url.Values{}
			for i := 0; i < len(kv); i += 2 {
				v.Add(kv[i], kv[i+1])
			}
			return v.Encode()
		}
		cases := []struct {
			name  string
			query string
			want  []string
		}{
			{"no filter, newest first", "", []string{D, C, B, A}},
			{"name substring", q("name", "support"), []string{C, A}},
			{"name upper case", q("name", "SUPPORT"), []string{C, A}},
			{"name mixed case across a space", q("name", "pORT b"), []string{A}},
			{"name no match", q("name", "nobody"), []string{}},
			{"name percent is literal", q("name", "%"), []string{D}},
			{"name underscore is literal", q("name", "_"), []string{D}},
			{"name empty means any", "name=", []string{D, C, B, A}},
			{"active true", q("active", "true"), []string{C, A}},
			{"active false", q("active", "false"), []string{D, B}},
			{"is_demo true", q("is_demo", "true"), []string{C, B}},
			{"is_demo false", q("is_demo", "false"), []string{D, A}},
			{"active and is_demo", q("active", "true", "is_demo", "true"), []string{C}},
			{"metadata string value", q("metadata", `{"tier":"gold"}`), []string{D, A}},
			{"metadata number is not the string", q("metadata", `{"n":1}`), []string{A}},
			{"metadata string is not the number", q("metadata", `{"n":"1"}`), []string{B}},
			{"metadata true", q("metadata", `{"flag":true}`), []string{A}},
			{"metadata false is not absent", q("metadata", `{"flag":false}`), []string{B}},
			{"metadata nested object equal", q("metadata", `{"nested":{"a":1,"b":[1,2]}}`), []string{A}},
			{"metadata nested object is compared whole", q("metadata", `{"nested":{"a":1}}`), []string{D}},
			{"metadata every key must match", q("metadata", `{"tier":"gold","n":2}`), []string{D}},
			{"metadata one key differs", q("metadata", `{"tier":"silver","n":1}`), []string{}},
			{"metadata absent key", q("metadata", `{"missing":null}`), []string{}},
			{"metadata empty object matches all", q("metadata", `{}`), []string{D, C, B, A}},
			{"name and metadata", q("name", "support", "metadata", `{"tier":"gold"}`), []string{A}},
			{"everything", q("name", "e", "active", "false", "is_demo", "false", "metadata", `{"n":2}`), []string{D}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p := agList(t, e, c.query)
				if got := agNames(p.Data); !slices.Equal(got, c.want) {
					t.Errorf("?%s: %q, want %q", c.query, got, c.want)
				}
				if p.Pagination.Limit != 50 || p.Pagination.NextCursor != nil {
					t.Errorf("pagination %+v, want limit 50 and no next cursor", p.Pagination)
				}
			})
		}

		bad := []struct {
			name  string
			query string
			locs  []agLoc
		}{
			{"unknown parameter", "colour=red", []agLoc{{[]any{"query", "colour"}, "extra_forbidden"}}},
			{"filter of another list", "role=admin", []agLoc{{[]any{"query", "role"}, "extra_forbidden"}}},
			{"limit 0", "limit=0", []agLoc{{[]any{"query", "limit"}, ""}}},
			{"limit 201", "limit=201", []agLoc{{[]any{"query", "limit"}, ""}}},
			{"limit -1", "limit=-1", []agLoc{{[]any{"query", "limit"}, ""}}},
			{"limit abc", "limit=abc", []agLoc{{[]any{"query", "limit"}, ""}}},
			{"limit 1.5", "limit=1.5", []agLoc{{[]any{"query", "limit"}, ""}}},
			{"active not a boolean", "active=yes", []agLoc{{[]any{"query", "active"}, ""}}},
			{"is_demo 1", "is_demo=1", []agLoc{{[]any{"query", "is_demo"}, ""}}},
			{"metadata an array", q("metadata", `[1]`), []agLoc{{[]any{"query", "metadata"}, "object_type"}}},
			{"metadata not JSON", q("metadata", `tier=gold`), []agLoc{{[]any{"query", "metadata"}, "object_type"}}},
			{"metadata null", q("metadata", `null`), []agLoc{{[]any{"query", "metadata"}, "object_type"}}},
			{"created_after not a time", "created_after=yesterday", []agLoc{{[]any{"query", "created_after"}, ""}}},
			{"updated_before date only", "updated_before=2026-01-01", []agLoc{{[]any{"query", "updated_before"}, ""}}},
			{"cursor garbage", "cursor=abc", []agLoc{{[]any{"query", "cursor"}, ""}}},
			{"every problem at once", "limit=0&colour=red", []agLoc{{[]any{"query", "colour"}, "extra_forbidden"}, {[]any{"query", "limit"}, ""}}},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				r := agSub(e, t).admin(req{method: "GET", path: "/core/agents?" + c.query})
				agWantErr(t, r, 422, "invalid", c.locs)
			})
		}
	})
}

func TestAgentListTimeWindows(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		a := agCreate(t, e, map[string]any{"name": "A"})
		agPause()
		b := agCreate(t, e, map[string]any{"name": "B"})
		agPause()
		c := agCreate(t, e, map[string]any{"name": "C"})
		agPause()
		// A is now the most recently updated, the oldest created.
		r := e.admin(req{method: "PUT", path: "/core/agents/" + a.ID, body: map[string]any{"description": "touched"}}).want(t, 200)
		r.decodeInto(t, &a)
		if !agTime(t, a.UpdatedAt).After(agTime(t, c.CreatedAt)) {
			t.Fatalf("setup: A.updated_at %s is not after C.created_at %s", a.UpdatedAt, c.CreatedAt)
		}
		ms := func(s string) string { return strconv.FormatInt(agTime(t, s).UnixMilli(), 10) }
		plus2h := func(s string) string { return agTime(t, s).In(time.FixedZone("", 2*3600)).Format(time.RFC3339Nano) }
		minus1ms := func(s string) string { return agTime(t, s).Add(-time.Millisecond).Format(time.RFC3339Nano) }

		cases := []struct {
			name  string
			query url.Values
			want  []string
		}{
			{"created_after is inclusive (RFC 3339)", url.Values{"created_after": {b.CreatedAt}}, []string{"C", "B"}},
			{"created_after is inclusive (epoch ms)", url.Values{"created_after": {ms(b.CreatedAt)}}, []string{"C", "B"}},
			{"created_after with an offset", url.Values{"created_after": {plus2h(b.CreatedAt)}}, []string{"C", "B"}},
			{"created_after just before", url.Values{"created_after": {minus1ms(b.CreatedAt)}}, []string{"C", "B"}},
			{"created_before is exclusive (RFC 3339)", url.Values{"created_before": {b.CreatedAt}}, []string{"A"}},
			{"created_before is exclusive (epoch ms)", url.Values{"created_before": {ms(b.CreatedAt)}}, []string{"A"}},
			{"created window", url.Values{"created_after": {a.CreatedAt}, "created_before": {c.CreatedAt}}, []string{"B", "A"}},
			{"empty created window", url.Values{"created_after": {b.CreatedAt}, "created_before": {b.CreatedAt}}, []string{}},
			{"updated_after is inclusive", url.Values{"updated_after": {a.UpdatedAt}}, []string{"A"}},
			{"updated_after (epoch ms)", url.Values{"updated_after": {ms(c.UpdatedAt)}}, []string{"C", "A"}},
			{"updated_before is exclusive", url.Values{"updated_before": {a.UpdatedAt}}, []string{"C", "B"}},
			{"updated_before (epoch ms)", url.Values{"updated_before": {ms(c.UpdatedAt)}}, []string{"B"}},
			{"created and updated together", url.Values{"created_before": {b.CreatedAt}, "updated_after": {c.CreatedAt}}, []string{"A"}},
			{"epoch 0", url.Values{"created_after": {"0"}}, []string{"C", "B", "A"}},
			{"the future", url.Values{"created_after": {time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}}, []string{}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p := agList(t, e, tc.query.Encode())
				if got := agNames(p.Data); !slices.Equal(got, tc.want) {
					t.Errorf("?%s: %q, want %q", tc.query.Encode(), got, tc.want)
				}
			})
		}
	})
}

func TestAgentListPaging(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		const n = 7
		var ids, demoIDs []string // newest first
		for i := range n {
			a := agCreate(t, e, map[string]any{"name": "agent " + strconv.Itoa(i), "is_demo": i%2 == 0})
			ids = append([]string{a.ID}, ids...)
			if a.IsDemo {
				demoIDs = append([]string{a.ID}, demoIDs...)
			}
		}

		// walk follows next_cursor until null and returns the ids in order
		// and the page sizes.
		walk := func(t *testing.T, query url.Values) (got []string, sizes []int) {
			t.Helper()
			limit, _ := strconv.Atoi(query.Get("limit"))
			for range n + 2 {
				p := agList(t, e, query.Encode())
				if p.Pagination.Limit != limit {
					t.Errorf("pagination.limit %d, want %d", p.Pagination.Limit, limit)
				}
				for _, a := range p.Data {
					got = append(got, a.ID)
				}
				sizes = append(sizes, len(p.Data))
				if p.Pagination.NextCursor == nil {
					return got, sizes
				}
				if *p.Pagination.NextCursor == "" {
					t.Fatal("next_cursor is an empty string, not null")
				}
				query.Set("cursor", *p.Pagination.NextCursor)
			}
			t.Fatalf("paging did not end after %d pages", n+2)
			return nil, nil
		}
		cases := []struct {
			name  string
			query url.Values
			want  []string
			sizes []int
		}{
			{"limit 3", url.Values{"limit": {"3"}}, ids, []int{3, 3, 1}},
			{"limit 1", url.Values{"limit": {"1"}}, ids, []int{1, 1, 1, 1, 1, 1, 1}},
			{"limit equal to the count", url.Values{"limit": {"7"}}, ids, []int{7}},
			{"limit one less than the count", url.Values{"limit": {"6"}}, ids, []int{6, 1}},
			{"limit 200", url.Values{"limit": {"200"}}, ids, []int{7}},
			{"default limit", url.Values{}, ids, []int{7}},
			{"with a filter", url.Values{"limit": {"2"}, "is_demo": {"true"}}, demoIDs, []int{2, 2}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var got []string
				var sizes []int
				if c.query.Get("limit") == "" {
					p := agList(t, e, "")
					if p.Pagination.Limit != 50 {
						t.Errorf("default pagination.limit %d, want 50", p.Pagination.Limit)
					}
					if p.Pagination.NextCursor != nil {
						t.Errorf("next_cursor %q on the only page", *p.Pagination.NextCursor)
					}
					for _, a := range p.Data {
						got = append(got, a.ID)
					}
					sizes = []int{len(p.Data)}
				} else {
					got, sizes = walk(t, c.query)
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("paged ids %v, want each once newest first %v", got, c.want)
				}
				if !slices.Equal(sizes, c.sizes) {
					t.Errorf("page sizes %v, want %v", sizes, c.sizes)
				}
			})
		}

		// Cursors that must be refused.
		first := agList(t, e, "limit=2")
		if first.Pagination.NextCursor == nil {
			t.Fatal("no next_cursor on a partial page")
		}
		cursor := *first.Pagination.NextCursor
		payload, mac, ok := strings.Cut(cursor, ".")
		if !ok {
			t.Fatalf("cursor %q has no signature part", cursor)
		}
		raw, err := base64.RawURLEncoding.DecodeString(payload)
		if err != nil {
			t.Fatalf("cursor payload %q: %v", payload, err)
		}
		// Move the position one millisecond back: a forged cursor.
		ts, id, _ := strings.Cut(string(raw), ".")
		msv, _ := strconv.ParseInt(ts, 10, 64)
		forged := base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(msv-1, 10)+"."+id)) + "." + mac
		// flip changes the first character, whose six bits all count (the
		// last one of a base64 text may hold only padding bits).
		flip := func(s string) string {
			b := []byte(s)
			if b[0] == 'A' {
				b[0] = 'B'
			} else {
				b[0] = 'A'
			}
			return string(b)
		}

		ctx := context.Background()
		beta, err := e.svc.Bootstrap(ctx, service.BootstrapInput{OrgName: "Beta", OrgSlug: "beta", Email: "admin@beta.test"})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			e.do(req{method: "POST", path: "/core/agents", token: beta.OrgKey, body: map[string]any{"name": "beta " + strconv.Itoa(i)}}).want(t, 201)
		}
		var betaPage agPage
		e.do(req{method: "GET", path: "/core/agents?limit=1", token: beta.OrgKey}).want(t, 200).decodeInto(t, &betaPage)
		if betaPage.Pagination.NextCursor == nil {
			t.Fatal("no next_cursor in beta's list")
		}
		betaCursor := *betaPage.Pagination.NextCursor

		refused := []struct {
			name  string
			token string
			path  string
		}{
			{"payload changed", e.boot.OrgKey, "/core/agents?cursor=" + url.QueryEscape(forged)},
			{"signature changed", e.boot.OrgKey, "/core/agents?cursor=" + url.QueryEscape(payload+"."+flip(mac))},
			{"signature missing", e.boot.OrgKey, "/core/agents?cursor=" + url.QueryEscape(payload)},
			{"signature of another cursor", e.boot.OrgKey, "/core/agents?cursor=" + url.QueryEscape(payload+"."+strings.SplitN(betaCursor, ".", 2)[1])},
			{"truncated", e.boot.OrgKey, "/core/agents?cursor=" + url.QueryEscape(cursor[:len(cursor)-3])},
			{"agents cursor on the members list", e.boot.OrgKey, "/admin/members?cursor=" + url.QueryEscape(cursor)},
			{"agents cursor on the org keys list", e.boot.OrgKey, "/admin/organization-pats?cursor=" + url.QueryEscape(cursor)},
			{"another organization's cursor", e.boot.OrgKey, "/core/agents?cursor=" + url.QueryEscape(betaCursor)},
			{"this organization's cursor in another", beta.OrgKey, "/core/agents?cursor=" + url.QueryEscape(cursor)},
		}
		for _, c := range refused {
			t.Run(c.name, func(t *testing.T) {
				r := agSub(e, t).do(req{method: "GET", path: c.path, token: c.token})
				b := agWantErr(t, r, 422, "invalid", []agLoc{{[]any{"query", "cursor"}, "cursor"}})
				if !strings.Contains(b.Detail, "cursor") {
					t.Errorf("detail %q does not mention the cursor", b.Detail)
				}
			})
		}
		// The genuine cursor still works, and goes on where the page ended.
		p := agList(t, e, "limit=2&cursor="+url.QueryEscape(cursor))
		if got := []string{p.Data[0].ID, p.Data[1].ID}; !slices.Equal(got, ids[2:4]) {
			t.Errorf("second page %v, want %v", got, ids[2:4])
		}
	})
}

func TestAgentOtherOrganization(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		beta, err := e.svc.Bootstrap(context.Background(), service.BootstrapInput{OrgName: "Beta", OrgSlug: "beta", Email: "admin@beta.test"})
		if err != nil {
			t.Fatal(err)
		}
		var theirs agAgent
		e.do(req{method: "POST", path: "/core/agents", token: beta.OrgKey, body: map[string]any{"name": "Theirs", "metadata": map[string]any{"o": "beta"}}}).
			want(t, 201).decodeInto(t, &theirs)
		if theirs.OrganizationID != beta.OrganizationID {
			t.Fatalf("beta's agent has organization_id %s, want %s", theirs.OrganizationID, beta.OrganizationID)
		}
		mine := agCreate(t, e, map[string]any{"name": "Mine"})

		cases := []struct {
			name string
			r    req
		}{
			{"get", req{method: "GET", path: "/core/agents/" + theirs.ID}},
			{"put", req{method: "PUT", path: "/core/agents/" + theirs.ID, body: map[string]any{"name": "Stolen"}}},
			{"delete", req{method: "DELETE", path: "/core/agents/" + theirs.ID}},
			{"get, naming the org by id", req{method: "GET", path: "/core/agents/" + theirs.ID, org: e.boot.OrganizationID}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				b := agWantErr(t, agSub(e, t).admin(c.r), 404, "not_found", nil)
				if strings.Contains(b.Detail, "Theirs") || strings.Contains(b.Detail, beta.OrganizationID) {
					t.Errorf("404 leaks the other organization's data: %q", b.Detail)
				}
			})
		}
		// Nothing of beta's shows in acme's list, even filtered for it.
		for _, q := range []string{"", "name=Theirs", "metadata=" + url.QueryEscape(`{"o":"beta"}`)} {
			p := agList(t, e, q)
			for _, a := range p.Data {
				if a.ID == theirs.ID {
					t.Errorf("?%s lists the other organization's agent", q)
				}
			}
		}
		if p := agList(t, e, ""); !slices.Equal(agNames(p.Data), []string{"Mine"}) {
			t.Errorf("acme lists %v, want [Mine]", agNames(p.Data))
		}
		// Beta's agent is untouched; beta can't see acme's either.
		var got agAgent
		e.do(req{method: "GET", path: "/core/agents/" + theirs.ID, token: beta.OrgKey}).want(t, 200).decodeInto(t, &got)
		if !reflect.DeepEqual(got, theirs) {
			t.Errorf("beta's agent changed: %+v, want %+v", got, theirs)
		}
		agWantErr(t, e.do(req{method: "GET", path: "/core/agents/" + mine.ID, token: beta.OrgKey}), 404, "not_found", nil)

		// An org key naming another organization is refused (403, the
		// credential's problem, not the object's); a PAT acts in the org
		// it names if its user is a member.
		agWantErr(t, e.admin(req{method: "GET", path: "/core/agents", org: "beta"}), 403, "forbidden", nil)
		agWantErr(t, e.do(req{method: "GET", path: "/core/agents", token: e.boot.PAT, org: "beta"}), 403, "forbidden", nil)
		var viaPAT agAgent
		e.do(req{method: "POST", path: "/core/agents", token: e.boot.PAT, org: "acme", body: map[string]any{"name": "Via PAT"}}).
			want(t, 201).decodeInto(t, &viaPAT)
		if viaPAT.OrganizationID != e.boot.OrganizationID {
			t.Errorf("agent created with a PAT in acme has organization_id %s, want %s", viaPAT.OrganizationID, e.boot.OrganizationID)
		}
		if viaPAT.Name != "Via PAT" || !viaPAT.Active {
			t.Errorf("agent created with a PAT: %+v", viaPAT)
		}
	})
}
