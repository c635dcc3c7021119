package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/service"
)

// TestHostileSpec24 asserts, on both engines, the status SPEC §24 (and
// §1) requires for each kind of hostile input that TestHostileRequests
// sends at random: query filters past their caps, bodies nested too deep,
// with duplicate keys or invalid UTF-8, repeated credential headers, odd
// Idempotency-Keys; and just inside the caps, that the input is still
// taken. Every answer must also pass TestHostileRequests's checks (no 5xx,
// the API's error body, no hang).
func TestHostileSpec24(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		// Rows for the filters to run over: some SQL errors show only
		// when a condition is evaluated.
		e.admin(req{method: "POST", path: "/core/agents", body: map[string]any{"name": "a", "metadata": map[string]any{"k": "v"}}}).want(t, 201)
		e.admin(req{method: "POST", path: "/core/phone-numbers", body: map[string]any{"phone_number": "+14155550100"}}).want(t, 201)
		client := hostileClient(t)
		for _, c := range hostileChecks(t, e) {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithTimeout(context.Background(), 2*hostileTimeout)
				defer cancel()
				res := hostileSend(ctx, client, e.url, c.req)
				if p := hostileProblem(c.req, res); p != "" {
					t.Errorf("%s: %s\n%s\nresponse: %d %s\nserver log:\n%s", e.engine, p, c.req.describe(), res.status,
						hostileTrunc(string(res.body)), hostileLogLines(e.logs.String(), res.header.Get("X-Request-Id")))
				}
				if res.err == nil && (res.status < c.lo || res.status > c.hi) {
					t.Errorf("%s: %s → %d, want %s (%s); body %s", e.engine, c.name, res.status, c.want(), c.rule, hostileTrunc(string(res.body)))
				}
			})
		}
	})
}

// hostileCheck is one targeted input and the statuses it may get.
type hostileCheck struct {
	name   string
	req    *hostileReq
	lo, hi int    // the accepted statuses, inclusive
	rule   string // where the spec says so
}

func (c hostileCheck) want() string {
	if c.lo == c.hi {
		return fmt.Sprint(c.lo)
	}
	return fmt.Sprintf("%d–%d", c.lo, c.hi)
}

// hostileDeepBody is an agent whose body is nested depth levels deep,
// counting the body's own object as the first.
func hostileDeepBody(depth int) string {
	return `{"name":"deep","metadata":` + hostileNest(depth-1, "1", false) + `}`
}

// hostileMetaOfSize is a one-key metadata filter of exactly n bytes.
func hostileMetaOfSize(n int) string {
	return `{"k":"` + strings.Repeat("v", n-len(`{"k":""}`)) + `"}`
}

func hostileChecks(t *testing.T, e *env) []hostileCheck {
	key := "Bearer " + e.boot.OrgKey
	// Bodies go to another organization: what they store (an agent with
	// deep metadata, say) must not change the answers of the filter rows.
	other, err := e.svc.Bootstrap(context.Background(), service.BootstrapInput{OrgName: "Other", OrgSlug: "other", Email: "admin@other.test"})
	if err != nil {
		t.Fatal(err)
	}
	get := func(target string, header ...string) *hostileReq {
		r := &hostileReq{route: "GET", method: "GET", target: target, header: http.Header{"Authorization": {key}}}
		for i := 0; i+1 < len(header); i += 2 {
			r.header[header[i]] = append(r.header[header[i]], header[i+1])
		}
		return r
	}
	post := func(body string, header ...string) *hostileReq {
		r := get("/core/agents", header...)
		r.route, r.method, r.body = "POST /core/agents", "POST", []byte(body)
		r.header.Set("Authorization", "Bearer "+other.OrgKey)
		r.header.Set("Content-Type", "application/json")
		return r
	}
	meta := func(m string) string { return "/core/agents?metadata=" + url.QueryEscape(m) }
	var many strings.Builder
	for i := range 10001 {
		fmt.Fprintf(&many, "&k%d=1", i)
	}
	const (
		caps    = "SPEC §24: query inputs are capped before any SQL runs; beyond → 422"
		within  = "SPEC §24: inside the caps the filter is taken"
		dup     = "SPEC §24: duplicate keys or invalid UTF-8 in a JSON body → 422"
		repeat  = "SPEC §24: repeated Authorization or X-Anyreach-Org → 400"
		nesting = "SPEC §24: JSON bodies nested ≤ 64 levels; beyond → 422"
	)
	return []hostileCheck{
		{"name filter of 1 MiB", get("/core/agents?name=" + strings.Repeat("a", 1<<20)), 422, 422, caps},
		{"name filter of 257 chars", get("/core/agents?name=" + strings.Repeat("é", 257)), 422, 422, caps},
		{"name filter of 256 chars", get("/core/agents?name=" + strings.Repeat("é", 256)), 200, 200, within},
		{"phone_number filter of 64 KiB", get("/core/phone-numbers?phone_number=" + strings.Repeat("a", 65536)), 422, 422, caps},
		{"metadata filter with 33 keys", get(meta(hostileMetaKeys(33, "1"))), 422, 422, caps},
		{"metadata filter with 32 keys", get(meta(hostileMetaKeys(32, "1"))), 200, 200, within},
		{"metadata filter with 10,000 keys", get(meta(hostileMetaKeys(10000, `"v"`))), 422, 422, caps},
		{"metadata filter of 4 KiB + 1 byte", get(meta(hostileMetaOfSize(4097))), 422, 422, caps},
		{"metadata filter of 4 KiB", get(meta(hostileMetaOfSize(4096))), 200, 200, within},
		{"metadata filter nested 2,000 deep", get(meta(hostileNest(2000, "1", false))), 422, 422, caps},
		{"10,001 query parameters", get("/core/agents?limit=1" + many.String()), 422, 422,
			"SPEC §1: a filter a list does not know → 422 (net/url drops every parameter past 10,000)"},
		{"body nested 64 deep", post(hostileDeepBody(64)), 201, 201, nesting},
		{"body nested 65 deep", post(hostileDeepBody(65)), 422, 422, nesting},
		// As deep as an agent's 16 KiB of metadata can hold.
		{"body nested 8,000 deep", post(`{"name":"deep","metadata":{"a":` + hostileNest(7998, "1", true) + `}}`), 422, 422, nesting},
		{"duplicate key", post(`{"name":"a","name":"b"}`), 422, 422, dup},
		{"duplicate key spelled with an escape", post(`{"name":"a","\u006eame":"b"}`), 422, 422, dup},
		{"duplicate key in a nested object", post(`{"name":"a","metadata":{"k":1,"k":2}}`), 422, 422, dup},
		{"invalid UTF-8 in a string", post("{\"name\":\"a\xffb\"}"), 422, 422, dup},
		{"invalid UTF-8 in a key", post("{\"name\":\"a\",\"metadata\":{\"k\xff\":1}}"), 422, 422, dup},
		{"Authorization twice, same key", get("/core/agents", "Authorization", key), 400, 400, repeat},
		{"Authorization twice, key then garbage", get("/core/agents", "Authorization", "Bearer ak_garbage.garbage"), 400, 400, repeat},
		{"X-Anyreach-Org twice", func() *hostileReq {
			r := get("/core/agents", "X-Anyreach-Org", e.boot.OrganizationID, "X-Anyreach-Org", "acme")
			r.header.Set("Authorization", "Bearer "+e.boot.PAT)
			return r
		}(), 400, 400, repeat},
		{"Idempotency-Key with byte 0xff", post(`{"name":"idem"}`, "Idempotency-Key", "key-\xff"), 400, 499,
			"SPEC §24: no input yields a 5xx on either engine"},
		{"Idempotency-Key of 300 chars", post(`{"name":"idem"}`, "Idempotency-Key", strings.Repeat("i", 300)), 422, 422,
			"SPEC §1: Idempotency-Key ≤ 255 chars"},
		{"body of 2 MiB", post(`{"name":"` + strings.Repeat("a", 2<<20) + `"}`), 413, 413, "SPEC §1: bodies over the limit → 413"},
	}
}

// TestHostileDeepMetadataStored: metadata nested deeper than SQLite's JSON
// functions go (1,000 levels) must be refused at the door (SPEC §24:
// bodies nested ≤ 64). Stored, such a row makes every metadata-filtered
// list of its organization fail on SQLite ("malformed JSON").
func TestHostileDeepMetadataStored(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		client := hostileClient(t)
		h := http.Header{"Authorization": {"Bearer " + e.boot.OrgKey}, "Content-Type": {"application/json"}}
		send := func(r *hostileReq) hostileRes {
			t.Helper()
			ctx, cancel := context.WithTimeout(context.Background(), 2*hostileTimeout)
			defer cancel()
			res := hostileSend(ctx, client, e.url, r)
			if p := hostileProblem(r, res); p != "" {
				t.Errorf("%s: %s\n%s\nresponse: %d %s\nserver log:\n%s", e.engine, p, r.describe(), res.status,
					hostileTrunc(string(res.body)), hostileLogLines(e.logs.String(), res.header.Get("X-Request-Id")))
			}
			return res
		}
		e.admin(req{method: "POST", path: "/core/agents", body: map[string]any{"name": "plain", "metadata": map[string]any{"k": "v"}}}).want(t, 201)
		deep := &hostileReq{route: "POST /core/agents", method: "POST", target: "/core/agents", header: h,
			body: []byte(`{"name":"deep","metadata":{"a":` + hostileNest(1500, "1", true) + `}}`)}
		if res := send(deep); res.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: metadata nested 1,501 deep → %d, want 422 (SPEC §24: JSON bodies nested ≤ 64 levels)", e.engine, res.status)
		}
		list := &hostileReq{route: "GET /core/agents", method: "GET", target: "/core/agents?metadata=" + url.QueryEscape(`{"k":"v"}`), header: h}
		if res := send(list); res.status != http.StatusOK || !strings.Contains(string(res.body), `"plain"`) {
			t.Errorf("%s: list filtered by metadata {\"k\":\"v\"} → %d %s, want 200 with the agent \"plain\"", e.engine, res.status, hostileTrunc(string(res.body)))
		}
	})
}
