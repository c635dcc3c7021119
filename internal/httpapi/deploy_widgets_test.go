package httpapi_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	ap "github.com/agentplane/agentplane"
)

// Web widgets (SPEC §11).

func dpCreateWidget(t *testing.T, e *env, body map[string]any) dpWidget {
	t.Helper()
	var w dpWidget
	e.admin(req{method: "POST", path: "/core/web-widgets", body: body}).want(t, 201).decodeInto(t, &w)
	return w
}

func dpGetWidget(t *testing.T, e *env, id string) dpWidget {
	t.Helper()
	var w dpWidget
	e.admin(req{method: "GET", path: "/core/web-widgets/" + id}).want(t, 200).decodeInto(t, &w)
	return w
}

// dpSameWidget compares every field, config as JSON.
func dpSameWidget(t *testing.T, what string, got, want dpWidget) {
	t.Helper()
	g, w := got, want
	g.Config, w.Config = nil, nil
	if g.ID != w.ID || g.OrganizationID != w.OrganizationID || g.Name != w.Name || g.AgentID != w.AgentID ||
		g.AgentVersionID != w.AgentVersionID || !slices.Equal(g.Domains, w.Domains) || g.Published != w.Published ||
		g.CreatedAt != w.CreatedAt || g.UpdatedAt != w.UpdatedAt || !ap.SameJSON(got.Config, want.Config) {
		t.Errorf("%s: %+v (config %s), want %+v (config %s)", what, got, got.Config, want, want.Config)
	}
}

func dpWidgetIDs(ws []dpWidget) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.ID
	}
	return out
}

// TestWidgetLifecycle: a widget must pin a published version of its own
// agent (422 at the field otherwise); domains become origins; PUT is
// partial and re-checks a changed pin; lists filter by agent; another
// organization sees nothing.
func TestWidgetLifecycle(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		a, a1 := dpPublished(t, e, "A one")
		a2 := dpVersion(t, e, a, "A draft")
		b, b1 := dpPublished(t, e, "B one")
		other := dpOtherOrg(t, e, "globex")
		var theirs struct{ ID string }
		e.do(req{method: "POST", path: "/core/agents", token: other, body: map[string]any{"name": "Theirs"}}).want(t, 201).decodeInto(t, &theirs)

		valid := func(extra map[string]any) map[string]any {
			body := map[string]any{"name": "Site", "agent_id": a, "agent_version_id": a1.ID}
			for k, v := range extra {
				if v == nil {
					delete(body, k)
				} else {
					body[k] = v
				}
			}
			return body
		}
		for _, c := range []struct {
			body map[string]any
			loc  []any
		}{
			{valid(map[string]any{"agent_version_id": a2.ID}), []any{"body", "agent_version_id"}},                    // a draft
			{valid(map[string]any{"agent_version_id": b1.ID}), []any{"body", "agent_version_id"}},                    // another agent's
			{valid(map[string]any{"agent_version_id": ap.NewID()}), []any{"body", "agent_version_id"}},               // none
			{valid(map[string]any{"agent_id": ap.NewID()}), []any{"body", "agent_id"}},                               // no such agent
			{valid(map[string]any{"agent_id": theirs.ID}), []any{"body", "agent_id"}},                                // another org's
			{valid(map[string]any{"agent_id": "nope"}), []any{"body", "agent_id"}},                                   // not a UUID
			{valid(map[string]any{"name": nil}), []any{"body", "name"}},                                              // required
			{valid(map[string]any{"name": "   "}), []any{"body", "name"}},                                            // blank
			{valid(map[string]any{"agent_version_id": nil}), []any{"body", "agent_version_id"}},                      // required
			{valid(map[string]any{"domains": []string{"ftp://x"}}), []any{"body", "domains", 0}},                     // scheme
			{valid(map[string]any{"domains": []string{"ok.test", "https://x.test/p"}}), []any{"body", "domains", 1}}, // a path
			{valid(map[string]any{"config": "dark"}), []any{"body", "config"}},
			{valid(map[string]any{"id": ap.NewID()}), []any{"body", "id"}},
			{valid(map[string]any{"organization_id": ap.NewID()}), []any{"body", "organization_id"}},
		} {
			dpWantErr(t, e.admin(req{method: "POST", path: "/core/web-widgets", body: c.body}), 422, "invalid", c.loc...)
		}
		var none admPage[dpWidget]
		e.admin(req{method: "GET", path: "/core/web-widgets"}).want(t, 200).decodeInto(t, &none)
		if len(none.Data) != 0 {
			t.Fatalf("refused creates left widgets: %+v", none.Data)
		}

		w := dpCreateWidget(t, e, valid(map[string]any{"name": "  Site  ",
			"domains": []string{"example.com", "http://localhost:3000", "https://Example.com/"}, "config": map[string]any{"theme": "dark"}}))
		if !ap.ValidID(w.ID) || w.Name != "Site" || w.AgentID != a || w.AgentVersionID != a1.ID || w.OrganizationID != e.boot.OrganizationID ||
			!slices.Equal(w.Domains, []string{"https://example.com", "http://localhost:3000"}) || w.Published ||
			!ap.SameJSON(w.Config, json.RawMessage(`{"theme":"dark"}`)) || !dpTimeRE.MatchString(w.CreatedAt) || w.UpdatedAt != w.CreatedAt {
			t.Fatalf("created %+v (config %s)", w, w.Config)
		}
		dpSameWidget(t, "GET after create", dpGetWidget(t, e, w.ID), w)
		bare := dpCreateWidget(t, e, map[string]any{"name": "Bare", "agent_id": b, "agent_version_id": b1.ID})
		if bare.Domains == nil || len(bare.Domains) != 0 || !ap.SameJSON(bare.Config, json.RawMessage(`{}`)) || bare.Published {
			t.Errorf("defaults: %+v (config %s)", bare, bare.Config)
		}

		// PUT is partial.
		var put dpWidget
		e.admin(req{method: "PUT", path: "/core/web-widgets/" + w.ID, body: map[string]any{"published": true}}).want(t, 200).decodeInto(t, &put)
		want := w
		want.Published, want.UpdatedAt = true, put.UpdatedAt
		dpSameWidget(t, "PUT published", put, want)
		if put.UpdatedAt < w.UpdatedAt {
			t.Errorf("updated_at went back: %s < %s", put.UpdatedAt, w.UpdatedAt)
		}
		e.admin(req{method: "PUT", path: "/core/web-widgets/" + w.ID, body: map[string]any{"domains": []string{"shop.example.com"}}}).want(t, 200).decodeInto(t, &put)
		want.Domains, want.UpdatedAt = []string{"https://shop.example.com"}, put.UpdatedAt
		dpSameWidget(t, "PUT domains", put, want)
		for _, c := range []struct {
			body map[string]any
			loc  []any
		}{
			{map[string]any{"agent_version_id": a2.ID}, []any{"body", "agent_version_id"}},
			{map[string]any{"agent_id": b}, []any{"body", "agent_version_id"}}, // a1 is not B's
			{map[string]any{"domains": []string{"javascript:alert(1)"}}, []any{"body", "domains", 0}},
			{map[string]any{"name": ""}, []any{"body", "name"}},
			{map[string]any{"created_at": "2020-01-01T00:00:00.000Z"}, []any{"body", "created_at"}},
		} {
			dpWantErr(t, e.admin(req{method: "PUT", path: "/core/web-widgets/" + w.ID, body: c.body}), 422, "invalid", c.loc...)
		}
		dpSameWidget(t, "after refused PUTs", dpGetWidget(t, e, w.ID), want)
		e.admin(req{method: "PUT", path: "/core/web-widgets/" + bare.ID, body: map[string]any{"agent_id": a, "agent_version_id": a1.ID}}).
			want(t, 200).decodeInto(t, &put)
		if put.AgentID != a || put.AgentVersionID != a1.ID || put.Name != "Bare" {
			t.Errorf("moved widget %+v", put)
		}
		e.admin(req{method: "PUT", path: "/core/web-widgets/" + bare.ID, body: map[string]any{"agent_id": b, "agent_version_id": b1.ID}}).want(t, 200)

		// Lists and the agent's embed.
		var all, ofA admPage[dpWidget]
		e.admin(req{method: "GET", path: "/core/web-widgets"}).want(t, 200).decodeInto(t, &all)
		if !slices.Equal(dpWidgetIDs(all.Data), []string{bare.ID, w.ID}) {
			t.Errorf("list %v, want newest first [%s %s]", dpWidgetIDs(all.Data), bare.ID, w.ID)
		}
		e.admin(req{method: "GET", path: "/core/web-widgets?agent_id=" + a}).want(t, 200).decodeInto(t, &ofA)
		if !slices.Equal(dpWidgetIDs(ofA.Data), []string{w.ID}) {
			t.Errorf("list of A %v", dpWidgetIDs(ofA.Data))
		}
		var page admPage[dpWidget]
		e.admin(req{method: "GET", path: "/core/web-widgets?limit=1"}).want(t, 200).decodeInto(t, &page)
		if !slices.Equal(dpWidgetIDs(page.Data), []string{bare.ID}) || page.Pagination.NextCursor == nil {
			t.Errorf("first page of one %+v", page)
		}
		dpWantErr(t, e.admin(req{method: "GET", path: "/core/web-widgets?agent_id=x"}), 422, "invalid", "query", "agent_id")
		dpWantErr(t, e.admin(req{method: "GET", path: "/core/web-widgets?domain=x"}), 422, "invalid", "query", "domain")
		if d := dpGetDetail(t, e, a); len(d.WebWidgets) != 1 || d.WebWidgets[0].ID != w.ID || !slices.Equal(d.WebWidgets[0].Domains, want.Domains) {
			t.Errorf("A's web_widgets embed %+v", d.WebWidgets)
		}

		// Another organization: 404 everywhere, an empty list.
		for _, r := range []req{
			{method: "GET", path: "/core/web-widgets/" + w.ID},
			{method: "PUT", path: "/core/web-widgets/" + w.ID, body: map[string]any{"name": "stolen"}},
			{method: "DELETE", path: "/core/web-widgets/" + w.ID},
		} {
			r.token = other
			dpWantErr(t, e.do(r), 404, "not_found")
		}
		var theirList admPage[dpWidget]
		e.do(req{method: "GET", path: "/core/web-widgets", token: other}).want(t, 200).decodeInto(t, &theirList)
		if len(theirList.Data) != 0 {
			t.Errorf("another organization lists %v", dpWidgetIDs(theirList.Data))
		}
		dpSameWidget(t, "after another organization's attempts", dpGetWidget(t, e, w.ID), want)

		e.admin(req{method: "DELETE", path: "/core/web-widgets/" + bare.ID}).want(t, 204)
		dpWantErr(t, e.admin(req{method: "GET", path: "/core/web-widgets/" + bare.ID}), 404, "not_found")
		dpWantErr(t, e.admin(req{method: "DELETE", path: "/core/web-widgets/" + bare.ID}), 404, "not_found")
		dpWantErr(t, e.admin(req{method: "GET", path: "/core/web-widgets/not-a-uuid"}), 404, "not_found")
	})
}

// TestWidgetPublicRead: the credential-free read answers only for a
// published widget (404 otherwise) and, when the widget lists domains,
// only to a listed Origin (403 for another or none); with no domains any
// page may read it. The answer carries the version's starting message.
func TestWidgetPublicRead(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent, v1 := dpPublished(t, e, "Welcome to Acme")
		w := dpCreateWidget(t, e, map[string]any{"name": "Site", "agent_id": agent, "agent_version_id": v1.ID,
			"domains": []string{"example.com", "http://localhost:3000"}, "config": map[string]any{"color": "#123456"}}).ID
		public := func(id, origin string) resp {
			t.Helper()
			r := req{method: "GET", path: "/core/public/web-widgets/" + id}
			if origin != "" {
				r.header = map[string]string{"Origin": origin}
			}
			return e.do(r) // no Authorization
		}

		dpWantErr(t, public(w, "https://example.com"), 404, "not_found")
		dpWantErr(t, public(w, ""), 404, "not_found")
		e.admin(req{method: "PUT", path: "/core/web-widgets/" + w, body: map[string]any{"published": true}}).want(t, 200)

		for _, origin := range []string{"https://evil.example", "", "http://example.com", "https://example.com.evil.test", "https://sub.example.com", "null"} {
			dpWantErr(t, public(w, origin), 403, "forbidden")
		}
		// Allowed origins, however spelled, are echoed in canonical form:
		// the one a browser compares Access-Control-Allow-Origin with.
		for origin, echo := range map[string]string{
			"https://example.com": "https://example.com", "http://localhost:3000": "http://localhost:3000",
			"HTTPS://Example.COM:443": "https://example.com", "https://example.com/": "https://example.com",
			"http://LocalHost:3000/": "http://localhost:3000",
		} {
			r := public(w, origin).want(t, 200)
			var got struct {
				dpWidget
				StartingMessage json.RawMessage `json:"starting_message"`
			}
			r.decodeInto(t, &got)
			if got.ID != w || got.Name != "Site" || got.AgentID != agent || got.AgentVersionID != v1.ID || !got.Published ||
				!slices.Equal(got.Domains, []string{"https://example.com", "http://localhost:3000"}) || !ap.SameJSON(got.Config, json.RawMessage(`{"color":"#123456"}`)) {
				t.Errorf("public read from %s: %s", origin, r.body)
			}
			vrSame(t, "public starting_message", got.StartingMessage, json.RawMessage(`{"interruptible":true,"text":"Welcome to Acme"}`))
			if acao := r.header.Get("Access-Control-Allow-Origin"); acao != echo {
				t.Errorf("Access-Control-Allow-Origin %q for Origin %q, want %q", acao, origin, echo)
			}
			if !strings.Contains(r.header.Get("Vary"), "Origin") {
				t.Errorf("Vary %q lacks Origin", r.header.Get("Vary"))
			}
		}

		// No domains: any page, or none, may read it; a version without a
		// starting message gives null.
		silent := dpAgent(t, e, "Silent")
		var sv dpVer
		e.admin(req{method: "POST", path: "/core/agents/" + silent + "/versions", body: map[string]any{"config": map[string]any{"instructions": "Listen."}}}).
			want(t, 201).decodeInto(t, &sv)
		dpPublish(t, e, silent, sv.Version, nil)
		open := dpCreateWidget(t, e, map[string]any{"name": "Open", "agent_id": silent, "agent_version_id": sv.ID, "published": true}).ID
		for _, origin := range []string{"", "https://anything.test", "http://127.0.0.1:8080"} {
			var got map[string]json.RawMessage
			public(open, origin).want(t, 200).decodeInto(t, &got)
			if string(got["id"]) != `"`+open+`"` || string(got["starting_message"]) != "null" || string(got["domains"]) != "[]" {
				t.Errorf("open widget from %q: %v", origin, got)
			}
		}

		// Unpublishing hides it again; unknown ids are 404.
		e.admin(req{method: "PUT", path: "/core/web-widgets/" + open, body: map[string]any{"published": false}}).want(t, 200)
		dpWantErr(t, public(open, ""), 404, "not_found")
		dpWantErr(t, public(ap.NewID(), ""), 404, "not_found")
		dpWantErr(t, public("not-a-uuid", ""), 404, "not_found")
		// A credential changes nothing on the public route.
		r := e.admin(req{method: "GET", path: "/core/public/web-widgets/" + w})
		dpWantErr(t, r, 403, "forbidden")
	})
}

// TestWidgetPreflight: the CORS preflight of the public read answers 204
// with the origin, methods, headers and max age only for a published
// widget and an Origin that may read it; an unknown or unpublished widget
// is 404 and a foreign origin 403, both without Access-Control-* headers.
// The origin is echoed in canonical form, by the preflight and the read.
func TestWidgetPreflight(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		agent, v1 := dpPublished(t, e, "Welcome to Acme")
		w := dpCreateWidget(t, e, map[string]any{"name": "Site", "agent_id": agent, "agent_version_id": v1.ID,
			"domains": []string{"example.com", "http://localhost:3000"}, "published": true}).ID
		open := dpCreateWidget(t, e, map[string]any{"name": "Open", "agent_id": agent, "agent_version_id": v1.ID, "published": true}).ID
		hidden := dpCreateWidget(t, e, map[string]any{"name": "Hidden", "agent_id": agent, "agent_version_id": v1.ID}).ID
		preflight := func(id, origin string) resp {
			t.Helper()
			return e.do(req{method: "OPTIONS", path: "/core/public/web-widgets/" + id, header: map[string]string{
				"Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "content-type"}})
		}
		corsHeaders := []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"}

		for _, tc := range []struct{ id, origin, echo string }{
			{w, "https://example.com", "https://example.com"},
			{w, "HTTPS://Example.COM:443", "https://example.com"},
			{w, "https://example.com/", "https://example.com"},
			{w, "http://LOCALHOST:3000", "http://localhost:3000"},
			{open, "https://anything.test", "https://anything.test"},
			{open, "Https://Anything.test:443", "https://anything.test"},
			{open, "null", "null"},
		} {
			r := preflight(tc.id, tc.origin).want(t, 204)
			h := r.header
			if got := h.Get("Access-Control-Allow-Origin"); got != tc.echo {
				t.Errorf("preflight from %q: Access-Control-Allow-Origin %q, want %q", tc.origin, got, tc.echo)
			}
			if got := h.Get("Access-Control-Allow-Methods"); got != "GET, OPTIONS" {
				t.Errorf("preflight from %q: Access-Control-Allow-Methods %q", tc.origin, got)
			}
			if got := strings.ToLower(h.Get("Access-Control-Allow-Headers")); !strings.Contains(got, "content-type") {
				t.Errorf("preflight from %q: Access-Control-Allow-Headers %q lacks Content-Type", tc.origin, got)
			}
			if got := h.Get("Access-Control-Max-Age"); got != "600" {
				t.Errorf("preflight from %q: Access-Control-Max-Age %q", tc.origin, got)
			}
			if !slices.Contains(h.Values("Vary"), "Origin") || len(r.body) != 0 {
				t.Errorf("preflight from %q: Vary %q, body %q", tc.origin, h.Values("Vary"), r.body)
			}
			// The read itself echoes the same canonical form.
			get := e.do(req{method: "GET", path: "/core/public/web-widgets/" + tc.id, header: map[string]string{"Origin": tc.origin}}).want(t, 200)
			if got := get.header.Get("Access-Control-Allow-Origin"); got != tc.echo {
				t.Errorf("GET from %q: Access-Control-Allow-Origin %q, want %q", tc.origin, got, tc.echo)
			}
		}

		for _, tc := range []struct {
			id, origin string
			status     int
			code       string
		}{
			{w, "https://evil.example", 403, "forbidden"},
			{w, "https://example.com.evil.test", 403, "forbidden"},
			{w, "https://example.com:8443", 403, "forbidden"},
			{w, "null", 403, "forbidden"},
			{w, "", 403, "forbidden"},
			{ap.NewID(), "https://example.com", 404, "not_found"},
			{"not-a-uuid", "https://example.com", 404, "not_found"},
			{hidden, "https://example.com", 404, "not_found"},
		} {
			r := preflight(tc.id, tc.origin)
			dpWantErr(t, r, tc.status, tc.code)
			for _, name := range corsHeaders {
				if v := r.header.Get(name); v != "" {
					t.Errorf("refused preflight (%s from %q) carries %s: %q", tc.id, tc.origin, name, v)
				}
			}
		}
	})
}
