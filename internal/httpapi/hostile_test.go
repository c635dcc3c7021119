package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentplane/agentplane/internal/httpapi"
)

// TestHostileRequests sends at least 10,000 randomized hostile requests
// (seeded; AGENTPLANE_HOSTILE_SEED replays a run) spread over every route
// of the route table, on both engines, over real loopback HTTP from a few
// goroutines at once. Hostile means: query strings with huge values (a
// 1 MiB name filter), thousands of keys, repeated parameters, metadata
// filters with up to 10,000 keys or nested 2,000 deep, invalid UTF-8,
// percent-encoded NUL and lone surrogates; repeated Authorization and
// X-Anyreach-Org headers, Idempotency-Keys with bytes ≥ 0x80 or 300
// characters, garbage If-Match, huge X-Request-Id; bodies nested 100,
// 1,000 and 10,000 deep, with duplicate keys, invalid UTF-8, lone-surrogate
// escapes, 1e400, 2 MiB of them, under wrong content types, empty, or
// arrays instead of objects. Most requests carry valid credentials and
// name objects that exist, so they reach the handlers.
//
// It asserts only what holds for any input (SPEC §1, §24): no 5xx; every
// 4xx body is the API's JSON error; no hang (each request answered within
// the client's 10 s, the whole run within a deadline); a request id that
// isn't short and plain is not echoed. What each hostile input must be
// answered with is TestHostileSpec24's business.
func TestHostileRequests(t *testing.T) {
	t.Parallel()
	seed := hostileSeed(t)
	n := hostileCount(t)
	forEngine(t, func(t *testing.T, e *env) {
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("replay with AGENTPLANE_HOSTILE_SEED=%d", seed)
			}
		})
		start := time.Now()
		h := newHostileRun(t, e)
		setup := time.Since(start)
		ctx, cancel := context.WithTimeout(context.Background(), hostileDeadline)
		defer cancel()
		h.run(ctx, seed, n)
		t.Logf("%s: seed %d, %d requests from %d goroutines in %v (setup %v); statuses %v; slowest %v (%s)",
			e.engine, seed, h.sent.Load(), hostileWorkers, (time.Since(start) - setup).Round(time.Millisecond),
			setup.Round(time.Millisecond), h.statuses, h.slowest.Round(time.Millisecond), h.slowestReq)
		t.Logf("%s: requests per label: %v", e.engine, h.labelCounts)
		t.Logf("%s: labels taking the most time (summed over their requests): %s", e.engine, h.costliest(12))
		if len(h.redirects) > 0 {
			t.Logf("%s: redirects, for example: %s", e.engine, strings.Join(h.redirects, "; "))
		}
		if len(h.failLabels) > 0 {
			t.Logf("%s: labels of the failing requests (label: failures): %v", e.engine, h.failLabels)
		}
	}, withJobs)
}

const (
	// hostileWorkers send requests in parallel, so a handler that blocks
	// another one, or a connection left in a bad state, shows.
	hostileWorkers = 4
	// hostileTimeout bounds every request: no answer within it is a hang.
	hostileTimeout = 10 * time.Second
	// hostileDeadline bounds the whole run of one engine (~15–45 s on two
	// cores under -race), so a server that stops answering fails the test
	// instead of stalling it.
	hostileDeadline = 4 * time.Minute
	// hostileMaxReports caps the kinds of failure reported in detail.
	hostileMaxReports = 40
)

// hostileSeed is AGENTPLANE_HOSTILE_SEED, or a new seed.
func hostileSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("AGENTPLANE_HOSTILE_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("AGENTPLANE_HOSTILE_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("TestHostileRequests seed %d (AGENTPLANE_HOSTILE_SEED=%d replays the request sequence)", seed, seed)
	return seed
}

// hostileCount is how many requests each engine gets: 10,000, or
// AGENTPLANE_HOSTILE_REQUESTS for a longer soak (never fewer).
func hostileCount(t *testing.T) int {
	n := 10000
	if s := os.Getenv("AGENTPLANE_HOSTILE_REQUESTS"); s != "" {
		m, err := strconv.Atoi(s)
		if err != nil || m < n {
			t.Fatalf("AGENTPLANE_HOSTILE_REQUESTS=%q: want an integer ≥ %d", s, n)
		}
		n = m
	}
	return n
}

// hostileFixtures are the credentials and objects requests aim at. The
// sacrificial ones are what DELETE routes get, so that a DELETE never
// removes what later requests need (nor the credential sending them).
type hostileFixtures struct {
	orgKey, pat, orgID, orgSlug, adminID string

	agent, version1ID string // v1 published (pins number both ways), v2 a draft with builder inputs
	number            string
	widget            string
	conv              string
	workflow          string
	viewer            string // a member whose role PUT may change

	agentDel, numberDel, widgetDel, memberDel, orgKeyDel, patDel string // sacrificial
}

func newHostileFixtures(t *testing.T, e *env) *hostileFixtures {
	t.Helper()
	fx := &hostileFixtures{orgKey: e.boot.OrgKey, pat: e.boot.PAT, orgID: e.boot.OrganizationID, orgSlug: "acme", adminID: e.boot.UserID}
	type created struct {
		ID          string `json:"id"`
		PhoneNumber string `json:"phone_number"`
		UserID      string `json:"user_id"`
		KeyID       string `json:"key_id"`
		WorkflowID  string `json:"workflow_id"`
		Conv        struct {
			ID string `json:"id"`
		} `json:"conversation"`
	}
	post := func(path, token string, body any, want int) created {
		t.Helper()
		var c created
		e.do(req{method: "POST", path: path, token: token, body: body}).want(t, want).decodeInto(t, &c)
		return c
	}
	key := fx.orgKey
	fx.number = post("/core/phone-numbers", key, map[string]any{"phone_number": "+14155550100", "label": "hostile"}, 201).PhoneNumber
	fx.numberDel = post("/core/phone-numbers", key, map[string]any{"phone_number": "+14155550101"}, 201).PhoneNumber
	fx.agent = post("/core/agents", key, map[string]any{"name": "hostile agent", "metadata": map[string]any{"k": "v"}}, 201).ID
	fx.agentDel = post("/core/agents", key, map[string]any{"name": "hostile agent to delete"}, 201).ID
	fx.version1ID = post("/core/agents/"+fx.agent+"/versions", key,
		json.RawMessage(`{"config":{"instructions":"hi","starting_message":{"text":"Hello"}}}`), 201).ID
	e.do(req{method: "POST", path: "/core/agents/" + fx.agent + "/versions/1/publish", token: key,
		body: map[string]any{"phone_numbers": []string{fx.number}, "direction": "both"}}).want(t, 200)
	post("/core/agents/"+fx.agent+"/versions", key, json.RawMessage(`{"config":{},"instruction_builder_inputs":{"company_name":"Hostile Co"}}`), 201)
	widget := func() string {
		return post("/core/web-widgets", key, map[string]any{"name": "w", "agent_id": fx.agent, "agent_version_id": fx.version1ID,
			"domains": []string{"example.com"}, "published": true}, 201).ID
	}
	fx.widget, fx.widgetDel = widget(), widget()
	fx.conv = post("/core/conversations", key, map[string]any{"channel": "telephone", "direction": "inbound", "user_id": "hostile", "agent_id": fx.agent}, 201).Conv.ID
	fx.workflow = post("/core/agents/create-demo", key, map[string]any{"company_website": "https://example.com"}, 202).WorkflowID
	fx.viewer = post("/admin/members", key, map[string]any{"email": "viewer@hostile.test", "role": "viewer"}, 201).UserID
	fx.memberDel = post("/admin/members", key, map[string]any{"email": "gone@hostile.test", "role": "viewer"}, 201).UserID
	fx.orgKeyDel = post("/admin/organization-pats", key, map[string]any{"name": "to revoke"}, 201).KeyID
	fx.patDel = post("/admin/user-pats", fx.pat, map[string]any{"name": "to revoke"}, 201).KeyID
	for _, v := range []string{fx.number, fx.agent, fx.version1ID, fx.widget, fx.conv, fx.workflow, fx.viewer, fx.agentDel, fx.numberDel,
		fx.widgetDel, fx.memberDel, fx.orgKeyDel, fx.patDel} {
		if v == "" {
			t.Fatalf("a fixture lacks its id: %+v", fx)
		}
	}
	return fx
}

// hostileClient is a plain client (no openapi validation: the point is
// the server's answer to what no client should send) that does not follow
// redirects, so a 3xx is seen as such.
func hostileClient(t *testing.T) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: hostileWorkers * 2, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: hostileTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// hostileRes is one answer read whole, or the error that prevented it.
type hostileRes struct {
	status int
	header http.Header
	body   []byte
	err    error
	took   time.Duration
}

// send sends r to e's server.
func hostileSend(ctx context.Context, c *http.Client, base string, r *hostileReq) hostileRes {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	hr, err := http.NewRequestWithContext(ctx, r.method, base+r.target, body)
	if err != nil {
		return hostileRes{err: fmt.Errorf("building the request: %w", err)}
	}
	maps.Copy(hr.Header, r.header)
	start := time.Now()
	res, err := c.Do(hr)
	if err != nil {
		return hostileRes{err: err, took: time.Since(start)}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return hostileRes{status: res.StatusCode, header: res.Header, body: b, err: err, took: time.Since(start)}
}

// hostileProblem is what is wrong with an answer, whatever was asked: ""
// when nothing is.
func hostileProblem(r *hostileReq, res hostileRes) string {
	switch {
	case res.err != nil:
		return fmt.Sprintf("no answer (a hang or a broken connection): %v", res.err)
	case res.status >= 500:
		return fmt.Sprintf("a %d", res.status)
	case res.status >= 400:
		if err := httpapi.CheckErrorBody(res.body); err != nil {
			return fmt.Sprintf("a %d whose body is not the API's error body (%v)", res.status, err)
		}
		if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			return fmt.Sprintf("a %d error body with Content-Type %q", res.status, ct)
		}
	case res.status >= 300:
		if res.header.Get("Location") == "" {
			return fmt.Sprintf("a %d without a Location", res.status)
		}
	}
	// The server keeps a caller's request id only when it is short and
	// plain; anything else would put the caller's bytes in logs and headers.
	id := res.header.Get("X-Request-Id")
	if id == "" || len(id) > 64 || !httpapi.HeaderValueOK(id) || strings.ContainsAny(id, " \t\"\\") {
		return fmt.Sprintf("response X-Request-Id %q is not a short plain id", hostileTrunc(id))
	}
	return ""
}

// hostileRun is one engine's run.
type hostileRun struct {
	t      *testing.T
	e      *env
	fx     *hostileFixtures
	client *http.Client
	routes []httpapi.RouteInfo
	seq    atomic.Int64 // unique names, numbers and keys across workers
	sent   atomic.Int64

	mu          sync.Mutex
	statuses    map[int]int
	perRoute    map[string]int
	labelCounts map[string]int
	labelTime   map[string]time.Duration // summed answer time of the requests with the label
	failLabels  map[string]int
	failKinds   map[string]int // problem and route → failures
	failures    int
	slowest     time.Duration
	slowestReq  string
	redirects   []string // a few examples of 3xx answers
}

func newHostileRun(t *testing.T, e *env) *hostileRun {
	return &hostileRun{t: t, e: e, fx: newHostileFixtures(t, e), client: hostileClient(t), routes: e.server.Routes(),
		statuses: map[int]int{}, perRoute: map[string]int{}, labelCounts: map[string]int{}, labelTime: map[string]time.Duration{}, failLabels: map[string]int{}, failKinds: map[string]int{}}
}

// run sends n requests from hostileWorkers goroutines, worker w drawing
// from the stream (seed, w), and checks every answer.
func (h *hostileRun) run(ctx context.Context, seed uint64, n int) {
	var wg sync.WaitGroup
	for w := range hostileWorkers {
		share := n / hostileWorkers
		if w < n%hostileWorkers {
			share++
		}
		wg.Go(func() {
			g := &hostileGen{rng: rand.New(rand.NewPCG(seed, uint64(w))), fx: h.fx, seq: &h.seq, routes: h.routes, n: share, used: map[string]int{}}
			for range share {
				if ctx.Err() != nil {
					return
				}
				r := g.next()
				res := hostileSend(ctx, h.client, h.e.url, r)
				h.sent.Add(1)
				h.record(r, res)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		h.t.Errorf("%s: the run did not finish within %v: %d of %d requests sent", h.e.engine, hostileDeadline, h.sent.Load(), n)
	}
	for _, rt := range h.routes {
		if key := rt.Method + " " + rt.Path; h.perRoute[key] == 0 {
			h.t.Errorf("route %s got no request", key)
		}
	}
	if h.sent.Load() < int64(n) {
		h.t.Errorf("sent %d requests, want %d", h.sent.Load(), n)
	}
	if h.failures > 0 {
		var kinds []string
		for _, k := range slices.Sorted(maps.Keys(h.failKinds)) {
			kinds = append(kinds, fmt.Sprintf("%5d  %s", h.failKinds[k], k))
		}
		h.t.Errorf("%s: %d failing requests (the first of each kind is shown above), by kind:\n%s", h.e.engine, h.failures, strings.Join(kinds, "\n"))
	}
}

func (h *hostileRun) record(r *hostileReq, res hostileRes) {
	problem := hostileProblem(r, res)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.statuses[res.status]++
	h.perRoute[r.route]++
	for _, l := range r.labels {
		h.labelCounts[l]++
		h.labelTime[l] += res.took
	}
	if res.took > h.slowest {
		h.slowest, h.slowestReq = res.took, r.route+" "+strings.Join(r.labels, " ")
	}
	if res.status >= 300 && res.status < 400 && len(h.redirects) < 5 {
		h.redirects = append(h.redirects, fmt.Sprintf("%s %s → %d %s", r.method, hostileTrunc(r.target), res.status, res.header.Get("Location")))
	}
	if problem == "" {
		return
	}
	h.failures++
	for _, l := range r.labels {
		h.failLabels[l]++
	}
	kind, _, _ := strings.Cut(problem, ":")
	kind, _, _ = strings.Cut(kind, " (")
	kind += " from " + r.route
	h.failKinds[kind]++
	if h.failKinds[kind] > 1 || len(h.failKinds) > hostileMaxReports {
		return
	}
	h.t.Errorf("%s: %s\n%s\nresponse: %d %s\nserver log:\n%s", h.e.engine, problem, r.describe(), res.status, hostileTrunc(string(res.body)),
		hostileLogLines(h.e.logs.String(), res.header.Get("X-Request-Id")))
}

// costliest names the n labels whose requests took the longest in sum.
func (h *hostileRun) costliest(n int) string {
	labels := slices.SortedFunc(maps.Keys(h.labelTime), func(a, b string) int { return int(h.labelTime[b] - h.labelTime[a]) })
	var out []string
	for _, l := range labels[:min(n, len(labels))] {
		out = append(out, fmt.Sprintf("%s %v (%d requests)", l, h.labelTime[l].Round(time.Millisecond), h.labelCounts[l]))
	}
	return strings.Join(out, ", ")
}

// hostileLogLines are the server's log lines of one request.
func hostileLogLines(logs, requestID string) string {
	if requestID == "" {
		return "(no request id in the response)"
	}
	var out []string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, `"request_id":"`+requestID+`"`) {
			out = append(out, hostileTrunc(l))
		}
	}
	if len(out) == 0 {
		return "(no line for request id " + requestID + ")"
	}
	return strings.Join(out, "\n")
}

func hostileTrunc(s string) string {
	if len(s) > 300 {
		return strconv.Quote(s[:300]) + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

// describe is the request as a failure message shows it: every part, each
// cut to a readable length.
func (r *hostileReq) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "request: %s %s (route %s)\n  labels: %s\n", r.method, hostileTrunc(r.target), r.route, strings.Join(r.labels, " "))
	for _, k := range slices.Sorted(maps.Keys(r.header)) {
		for _, v := range r.header[k] {
			if k == "Authorization" && len(v) > 20 {
				v = v[:20] + "…" // enough to tell which credential, not all of it
			}
			fmt.Fprintf(&b, "  %s: %s\n", k, hostileTrunc(v))
		}
	}
	if r.body == nil {
		b.WriteString("  (no body)")
	} else {
		fmt.Fprintf(&b, "  body (%d bytes): %s", len(r.body), hostileTrunc(string(r.body)))
	}
	return b.String()
}
