package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/store"
)

// Regression tests for the holes issue 9 found under attack (SPEC §24).
// The secret replay (item 1) is in idempotency_test.go, the lockout of
// valid keys (item 5) in limits_test.go, slow readers (item 2) against a
// child process in internal/app.

// TestNoEscalationThroughMembers (item 4): a key with only members:manage
// can't make anyone an admin (who could then mint a full key), nor change
// or remove a member whose role holds more than it does.
func TestNoEscalationThroughMembers(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		mm := admCreateKey(t, e, "/admin/organization-pats", e.boot.OrgKey, "", map[string]any{"name": "hr", "scopes": []string{"members:manage"}})
		for _, role := range []string{"admin", "viewer"} {
			eb := e.do(req{method: "POST", path: "/admin/members", token: mm.PATKey, body: map[string]any{"email": role + "@evil.test", "role": role}}).want(t, 403).err(t)
			if !strings.Contains(eb.Detail, "role "+role) {
				t.Errorf("adding %s: %q", role, eb.Detail)
			}
		}
		var members struct{ Data []admMember }
		e.admin(req{method: "GET", path: "/admin/members"}).want(t, 200).decodeInto(t, &members)
		if len(members.Data) != 1 {
			t.Fatalf("refused adds left %d members, want 1", len(members.Data))
		}
		// The bootstrap admin can't be demoted or removed by it either.
		admin := members.Data[0].UserID
		e.do(req{method: "PUT", path: "/admin/members/" + admin, token: mm.PATKey, body: map[string]any{"role": "viewer"}}).want(t, 403)
		e.do(req{method: "DELETE", path: "/admin/members/" + admin, token: mm.PATKey}).want(t, 403)

		// A credential holding every scope of a role may grant it.
		var m admMember
		e.admin(req{method: "POST", path: "/admin/members", body: map[string]any{"email": "second@acme.test", "role": "admin"}}).want(t, 201).decodeInto(t, &m)
		e.admin(req{method: "PUT", path: "/admin/members/" + m.UserID, body: map[string]any{"role": "viewer"}}).want(t, 200)
	})
}

// TestRepeatedAuthHeaders (item 8): two Authorization or X-Anyreach-Org
// headers are a 400, not a guess at which one was meant.
func TestRepeatedAuthHeaders(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		for _, h := range [][2]string{{"Authorization", "Bearer " + e.boot.OrgKey}, {"X-Anyreach-Org", "acme"}} {
			hr, _ := http.NewRequest("GET", e.url+"/core/agents", nil)
			hr.Header.Set("Authorization", "Bearer "+e.boot.PAT)
			hr.Header.Set("X-Anyreach-Org", "acme")
			hr.Header.Add(h[0], h[1])
			res, err := http.DefaultClient.Do(hr)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 400 || !strings.Contains(string(body), h[0]) {
				t.Errorf("two %s headers: %d %s", h[0], res.StatusCode, body)
			}
		}
	})
}

// TestStrictJSONBodies (item 8): duplicate keys, invalid UTF-8 and lone
// surrogate escapes are 422 naming where, not silently last-wins or U+FFFD;
// nesting past 64 levels is 422 (item 6: SQLite failed at 1,000 levels).
func TestStrictJSONBodies(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		deep := func(n int) string {
			return `{"name":"x","metadata":` + strings.Repeat(`{"a":`, n) + `1` + strings.Repeat(`}`, n) + `}`
		}
		cases := []struct {
			body, loc, typ string
		}{
			{`{"name":"a","name":"b"}`, "[body name]", "duplicate_key"},
			{`{"name":"x","metadata":{"k":1,"k":2}}`, "[body metadata k]", "duplicate_key"},
			{`{"name":"\u00e9","na\u006de":"b"}`, "[body name]", "duplicate_key"},
			{"{\"name\":\"bad \xff byte\"}", "[body name]", "string_unicode"},
			{`{"name":"lone \ud800 high"}`, "[body name]", "string_unicode"},
			{`{"name":"lone \udc00 low"}`, "[body name]", "string_unicode"},
			{deep(64), "[body]", "json_depth"},
			{deep(1000), "[body]", "json_depth"},
			{deep(20000), "[body]", "json_depth"},
		}
		for _, c := range cases {
			eb := e.admin(req{method: "POST", path: "/core/agents", body: c.body}).want(t, 422).err(t)
			if len(eb.Errors) == 0 || fmt.Sprint(eb.Errors[0].Loc) != c.loc || eb.Errors[0].Type != c.typ {
				t.Errorf("%.60q: %+v, want %s at %s", c.body, eb.Errors, c.typ, c.loc)
			}
		}
		// What stays valid: a proper surrogate pair, 63 levels of metadata
		// (64 with the body), the same key in different objects.
		e.admin(req{method: "POST", path: "/core/agents", body: `{"name":"pair \ud83d\ude00","metadata":{"a":{"k":1},"b":{"k":1}}}`}).want(t, 201)
		e.admin(req{method: "POST", path: "/core/agents", body: deep(63)}).want(t, 201)
		var page struct{ Data []struct{ Name string } }
		e.admin(req{method: "GET", path: "/core/agents?name=pair"}).want(t, 200).decodeInto(t, &page)
		if len(page.Data) != 1 || page.Data[0].Name != "pair 😀" {
			t.Errorf("surrogate pair stored as %+v", page.Data)
		}
	})
}

// TestQueryCaps (items 3 and 6): oversized filters are refused before any
// SQL runs: strings over 256 characters, metadata filters over 32 keys or
// 4 KiB or 64 levels, a parameter given twice.
func TestQueryCaps(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		keys := func(n int) string {
			parts := make([]string, n)
			for i := range parts {
				parts[i] = fmt.Sprintf(`"k%d":1`, i)
			}
			return "{" + strings.Join(parts, ",") + "}"
		}
		cases := []struct{ query, loc, typ string }{
			{"name=" + strings.Repeat("a", 257), "[query name]", "string_too_long"},
			{"name=" + strings.Repeat("a", 1<<20), "[query name]", "string_too_long"},
			{"name=a&name=b", "[query name]", "repeated"},
			{"metadata=" + url.QueryEscape(keys(33)), "[query metadata]", "too_many_keys"},
			{"metadata=" + url.QueryEscape(keys(10000)), "[query metadata]", "string_too_long"},
			{"metadata=" + url.QueryEscape(`{"k":"`+strings.Repeat("x", 4100)+`"}`), "[query metadata]", "string_too_long"},
			{"metadata=" + url.QueryEscape(`{"k":`+strings.Repeat("[", 70)+strings.Repeat("]", 70)+`}`), "[query metadata]", "json_depth"},
			{"metadata=" + url.QueryEscape(`{"k":1,"k":2}`), "[query metadata k]", "duplicate_key"},
			{"cursor=" + strings.Repeat("A", 300), "[query cursor]", "string_too_long"},
			{"limit=1&limit=2", "[query limit]", "repeated"},
		}
		for _, c := range cases {
			eb := e.admin(req{method: "GET", path: "/core/agents?" + c.query}).want(t, 422).err(t)
			if len(eb.Errors) == 0 || fmt.Sprint(eb.Errors[0].Loc) != c.loc || eb.Errors[0].Type != c.typ {
				t.Errorf("%.60s: %+v, want %s at %s", c.query, eb.Errors, c.typ, c.loc)
			}
		}
		// At the caps, filters work.
		e.admin(req{method: "POST", path: "/core/agents", body: map[string]any{"name": strings.Repeat("n", 200), "metadata": map[string]any{"k0": 1, "k31": 1}}}).want(t, 201)
		var page struct{ Data []any }
		e.admin(req{method: "GET", path: "/core/agents?name=" + strings.Repeat("n", 256)[:200] + "&metadata=" + url.QueryEscape(`{"k0":1,"k31":1}`)}).want(t, 200).decodeInto(t, &page)
		if len(page.Data) != 1 {
			t.Errorf("filters at the caps found %d agents, want 1", len(page.Data))
		}
		e.admin(req{method: "GET", path: "/core/agents?metadata=" + url.QueryEscape(keys(32))}).want(t, 200)
		// The diff route's parameters follow the same rules.
		e.admin(req{method: "GET", path: "/core/agents/" + "01a222c4-1107-7621-a8f3-838fa51cad96" + "/versions/diff?from=1&from=2&to=3"}).want(t, 422)
	})
}

// TestAbandonedRequestIs499 (item 7): a request whose client hangs up while
// the handler waits is logged and counted as 499, with no "internal error"
// line at all.
func TestAbandonedRequestIs499(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		// A first request with this key is "in flight" (claimed, never
		// completed), so the second waits on it until its client leaves.
		cred, err := e.svc.Authenticate(t.Context(), e.boot.OrgKey, "", service.InOrg)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte("POST /core/agents\n" + `{"name":"x"}`))
		if _, _, err := e.svc.ClaimIdempotencyKey(t.Context(), cred, "held", hex.EncodeToString(sum[:])); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		hr, _ := http.NewRequestWithContext(ctx, "POST", e.url+"/core/agents", strings.NewReader(`{"name":"x"}`))
		hr.Header.Set("Authorization", "Bearer "+e.boot.OrgKey)
		hr.Header.Set("Idempotency-Key", "held")
		if res, err := http.DefaultClient.Do(hr); err == nil {
			res.Body.Close()
			t.Fatalf("answered %d before the client left", res.StatusCode)
		}
		waitFor499(t, e)
		if strings.Contains(e.logs.String(), "internal error") {
			t.Errorf("an abandoned request was logged as an internal error:\n%s", e.logs.String())
		}
		res, err := http.Get(e.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		m, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(m), `agentplane_http_requests_total{route="POST /core/agents",status="499"} 1`) {
			t.Errorf("metrics don't count the 499")
		}
	})
}

// TestAbandonedCompareIs499: a compare whose model never answers, given
// up by its client, is a 499 — not the 503 the model failure would be.
func TestAbandonedCompareIs499(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(model.Close)
	t.Cleanup(func() { close(release) })
	e := newEnv(t, store.SQLite, withModel(t, model))
	agent := vrAgent(t, e)
	e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions", body: `{"config": {"language": "en-US"}}`}).want(t, 201)
	e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions", body: `{"config": {"language": "de-DE"}}`}).want(t, 201)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	hr, _ := http.NewRequestWithContext(ctx, "POST", e.url+"/core/agents/"+agent+"/versions/compare", strings.NewReader(`{"from_version":1,"to_version":2}`))
	hr.Header.Set("Authorization", "Bearer "+e.boot.OrgKey)
	if res, err := http.DefaultClient.Do(hr); err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		t.Fatalf("answered %d %s before the client left", res.StatusCode, b)
	}
	waitFor499(t, e)
	if strings.Contains(e.logs.String(), `"status":503`) {
		t.Errorf("the abandoned compare was also logged as 503")
	}
}

// waitFor499 polls the env's log (the server notices a hang-up
// asynchronously) until an access line with status 499 appears.
func waitFor499(t *testing.T, e *env) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(e.logs.String(), `"status":499`) {
		if time.Now().After(deadline) {
			t.Fatalf("no 499 access line; logs:\n%s", e.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
