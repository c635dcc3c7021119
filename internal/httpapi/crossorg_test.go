package httpapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	mrand "math/rand"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	ap "github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/openapitest"
	"github.com/agentplane/agentplane/internal/service"
)

// TestCrossOrg is the randomized cross-organization test of DESIGN §5.
// Organization A (the env's "acme") and organization B each get agents,
// published and draft versions, phone numbers, widgets, conversations,
// workflows, keys and members. Then B's credentials (its org key, and its
// admin's PAT with X-Anyreach-Org naming B) send thousands of requests to
// every non-public route, with A's ids, numbers, cursors and names put into
// path parameters, body fields and list filters at random (seeded;
// AGENTPLANE_TEST_SEED reproduces a run). It asserts that
//
//   - no request that names one of A's objects gets a 2xx, a 403 (another
//     organization's object is a 404, SPEC §1) or a 5xx;
//   - a list filtered by one of A's ids answers B's own (empty) page, and
//     one of A's cursors is refused;
//   - such a request gets the same answer as its twin, the same request with
//     every value of A replaced by one that exists nowhere: B can't tell
//     A's objects from nothing;
//   - no response body shows any of A's ids, numbers, names, emails or
//     secrets that the request didn't carry itself;
//   - afterwards everything of A reads exactly as before.
//
// Jobs are never worked, so A's workflows and "generating" versions hold
// still for the before/after comparison.
func TestCrossOrg(t *testing.T) {
	t.Parallel()
	seed := time.Now().UnixNano()
	if s := os.Getenv("AGENTPLANE_TEST_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("AGENTPLANE_TEST_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("TestCrossOrg seed %d (AGENTPLANE_TEST_SEED=%d reproduces the request sequence)", seed, seed)
	requests := xoRequests(t)
	forEngine(t, func(t *testing.T, e *env) {
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("reproduce with AGENTPLANE_TEST_SEED=%d", seed)
			}
		})
		start := time.Now()
		x := newXORun(t, e, seed)
		before := x.snapshot()
		setup := time.Since(start)
		x.attack(requests)
		after := x.snapshot()
		for _, k := range slices.Sorted(maps.Keys(before)) {
			if before[k] != after[k] {
				t.Errorf("organization A's %s changed during the attack:\nbefore: %s\nafter:  %s", k, mxTrunc([]byte(before[k])), mxTrunc([]byte(after[k])))
			}
		}
		if len(after) != len(before) {
			t.Errorf("snapshot of A has %d entries after, %d before", len(after), len(before))
		}
		x.sweepB()
		for _, k := range slices.Sorted(maps.Keys(x.foreign)) {
			t.Logf("naming A: %-62s %v", k, x.foreign[k])
		}
		t.Logf("%s: seed %d, %d requests by B (%d twins, %d validated against openapi.yaml, %d echoing a value of A they carried), setup %v, total %v; statuses %v",
			e.engine, seed, x.sent, x.twins, x.validated, x.echoes, setup.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), x.statuses)
	}, withJobs)
}

// xoRequests is how many generated requests B sends (twins come on top):
// 10,000, ~20 s per engine. The race detector makes each request ~8×
// slower, so a -race build (make test) sends 2,500, and -short 1,500;
// AGENTPLANE_CROSSORG_REQUESTS overrides all of them (a soak: 100000).
func xoRequests(t *testing.T) int {
	if s := os.Getenv("AGENTPLANE_CROSSORG_REQUESTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("AGENTPLANE_CROSSORG_REQUESTS=%q: want a positive integer", s)
		}
		return n
	}
	if testing.Short() {
		return 1500
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" && s.Value == "true" {
				return 2500
			}
		}
	}
	return 10000
}

// xoOrg is one organization with its credentials and its objects, by kind.
type xoOrg struct {
	marker    string // in every name of this organization: "zq7alpha", "zq7bravo"
	id, slug  string
	userID    string
	key, pat  string // admin org key, admin PAT
	ids       map[string][]string
	numbers   []string // E.164
	agentVers map[string][]string
	cursors   map[string]string // list → a next_cursor issued to this organization
	names     []string          // metadata filter values, agent names, trunks…
	tokens    []string          // everything of this organization that B must never see
}

// xoPair is one value of A in a request and its ghost: a value of the same
// form that exists in no organization.
type xoPair struct{ a, ghost string }

// xoReq is one generated request.
type xoReq struct {
	route    string // the route pattern, "GET /core/agents/{id}"
	list     bool   // the route is a collection read of the caller's own organization
	userOnly bool
	orgKey   bool // sent with B's org key (else B's PAT)
	method   string
	path     string // escaped
	query    url.Values
	body     any
	header   map[string]string // extra headers (a PATCH's Content-Type)
	org      string            // X-Anyreach-Org
	noTwin   bool              // the ghost would legitimately behave differently (it can be created)
	conflict string            // a 409 must say this, and nothing about who holds the value
	pairs    []xoPair
}

type xoRun struct {
	t         *testing.T
	e         *env
	rng       *mrand.Rand
	a, b      *xoOrg
	client    *http.Client
	validator *openapitest.Validator
	seq       int
	sent      int
	twins     int
	validated int
	echoes    int // responses that repeat a value of A the request itself carried
	statuses  map[int]int
	perRoute  map[string]int
	foreign   map[string]map[int]int // route → statuses of the requests naming A
	failures  int
}

// xoValidateEvery: the openapi validator costs ~3 ms per exchange, so the
// bulk of the requests go through a plain http.Client and only every Nth
// exchange (and every setup request) is validated against openapi.yaml.
const xoValidateEvery = 20

func newXORun(t *testing.T, e *env, seed int64) *xoRun {
	t.Helper()
	bb, err := e.svc.Bootstrap(context.Background(), service.BootstrapInput{OrgName: "Bravo", OrgSlug: "bravo", Email: "admin@bravo.test"})
	if err != nil {
		t.Fatal(err)
	}
	x := &xoRun{
		t: t, e: e, rng: mrand.New(mrand.NewSource(seed)),
		a:         &xoOrg{marker: "zq7alpha", id: e.boot.OrganizationID, slug: "acme", userID: e.boot.UserID, key: e.boot.OrgKey, pat: e.boot.PAT},
		b:         &xoOrg{marker: "zq7bravo", id: bb.OrganizationID, slug: "bravo", userID: bb.UserID, key: bb.OrgKey, pat: bb.PAT},
		client:    &http.Client{Timeout: 30 * time.Second},
		validator: openapitest.New(t),
		statuses:  map[int]int{}, perRoute: map[string]int{}, foreign: map[string]map[int]int{},
	}
	x.populate(x.a, "212", "1", 3)
	x.populate(x.b, "646", "2", 2)
	a := x.a
	a.tokens = append(a.tokens, a.id, a.userID, a.key, a.pat, "Acme", "acme", "admin@acme.test", a.marker, x.secret(a.key), x.secret(a.pat))
	for _, ids := range a.ids {
		a.tokens = append(a.tokens, ids...)
	}
	a.tokens = append(a.tokens, a.names...)
	slices.Sort(a.tokens)
	a.tokens = slices.Compact(a.tokens)
	return x
}

// secret is the part of a credential after the key id.
func (x *xoRun) secret(token string) string {
	_, s, _ := strings.Cut(token, ".")
	return s
}

func (x *xoRun) keyID(token string) string {
	id, _, _ := strings.Cut(token[strings.Index(token, "_")+1:], ".")
	return id
}

// call is a setup request by o's admin (org key, or PAT for user routes),
// validated against openapi.yaml; it fails the test unless status is want.
func (x *xoRun) call(o *xoOrg, pat bool, method, path string, body any, want int) map[string]any {
	x.t.Helper()
	r := req{method: method, path: path, token: o.key, body: body}
	if pat {
		r.token = o.pat
	}
	var out map[string]any
	res := x.e.do(r).want(x.t, want)
	if len(res.body) > 0 && res.body[0] == '{' {
		res.decodeInto(x.t, &out)
	}
	return out
}

func (x *xoRun) add(o *xoOrg, kind, id string) {
	if id == "" {
		x.t.Fatalf("setup: empty %s id", kind)
	}
	o.ids[kind] = append(o.ids[kind], id)
}

// populate creates o's objects: n agents, each with v1 published (pinning
// one number both ways), v2 a draft with builder inputs whose generation
// is queued (a workflow), v3 a copy of v1; one more free number; a SIP
// deployment; widgets; conversations by agent, number and widget (one
// finished with a summary and transcript); members; keys; and the cursors
// of every list.
func (x *xoRun) populate(o *xoOrg, area, block string, n int) {
	x.t.Helper()
	m := o.marker
	o.ids, o.agentVers, o.cursors = map[string][]string{}, map[string][]string{}, map[string]string{}
	if o == x.a {
		x.add(o, "user", o.userID) // B's admin stays out of B's pool: it must stay admin
	}
	for i := 0; i <= n; i++ {
		num := fmt.Sprintf("+1%s555%s%03d", area, block, i)
		label, trunk := fmt.Sprintf("%s label %d", m, i), m+"-trunk"
		p := x.call(o, false, "POST", "/core/phone-numbers", map[string]any{"phone_number": num, "label": label, "trunk_id": trunk}, 201)
		if p["phone_number"] != num {
			x.t.Fatalf("registered %s as %v", num, p["phone_number"])
		}
		o.numbers = append(o.numbers, num)
		o.names = append(o.names, label)
	}
	o.names = append(o.names, m+"-trunk")
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%s agent %d", m, i)
		meta := map[string]any{"team": fmt.Sprintf("%s-team-%d", m, i), "secret": fmt.Sprintf("%s-meta-secret-%d", m, i)}
		ag := x.call(o, false, "POST", "/core/agents", map[string]any{"name": name, "description": m + " description", "metadata": meta}, 201)
		id := ag["id"].(string)
		x.add(o, "agent", id)
		o.names = append(o.names, name, m+" description", meta["team"].(string), meta["secret"].(string))
		base := "/core/agents/" + id + "/versions"
		v1 := x.call(o, false, "POST", base, map[string]any{"config": map[string]any{
			"instructions": fmt.Sprintf("%s instructions %d", m, i), "starting_message": map[string]any{"text": m + " hello"}},
			"description": fmt.Sprintf("%s change note %d", m, i)}, 201)
		x.call(o, false, "POST", base+"/1/publish", map[string]any{"phone_numbers": []string{o.numbers[i]}, "direction": "both"}, 200)
		v2 := x.call(o, false, "POST", base, map[string]any{"config": map[string]any{"instructions": m + " v2"},
			"instruction_builder_inputs": map[string]any{"company_name": fmt.Sprintf("%s Company %d", m, i)}}, 201)
		wf := x.call(o, false, "POST", base+"/2/generate-instructions", nil, 202)
		v3 := x.call(o, false, "POST", base, map[string]any{"base_version": 1}, 201)
		for _, v := range []map[string]any{v1, v2, v3} {
			x.add(o, "version", v["id"].(string))
			o.agentVers[id] = append(o.agentVers[id], v["id"].(string))
		}
		x.add(o, "published", v1["id"].(string))
		x.add(o, "workflow", wf["workflow_id"].(string))
		o.names = append(o.names, fmt.Sprintf("%s instructions %d", m, i), fmt.Sprintf("%s Company %d", m, i), fmt.Sprintf("%s change note %d", m, i))
	}
	agents, pubs := o.ids["agent"], o.ids["published"]
	x.call(o, false, "POST", "/core/agents/"+agents[0]+"/deploy-as-sip", nil, 200)
	// A history and a running rollout: v3 went live, was rolled back, and
	// is now the canary.
	x.call(o, false, "POST", "/core/agents/"+agents[0]+"/versions/3/publish", nil, 200)
	x.call(o, false, "POST", "/core/agents/"+agents[0]+"/rollback", map[string]any{"description": m + " rollback note"}, 200)
	x.call(o, false, "PUT", "/core/agents/"+agents[0]+"/rollout", map[string]any{"version": 3, "percent": 50, "description": m + " rollout note"}, 200)
	o.names = append(o.names, m+" rollback note", m+" rollout note")
	for i := 0; i < 2 && i < n; i++ {
		name := fmt.Sprintf("%s widget %d", m, i)
		w := x.call(o, false, "POST", "/core/web-widgets", map[string]any{"name": name, "agent_id": agents[i], "agent_version_id": pubs[i],
			"domains": []string{fmt.Sprintf("%s-%d.example", m, i)}, "published": true, "config": map[string]any{"secret": m + "-widget-secret"}}, 201)
		x.add(o, "widget", w["id"].(string))
		o.names = append(o.names, name, m+"-widget-secret")
	}
	for i, body := range []map[string]any{
		{"channel": "telephone", "direction": "inbound", "agent_id": agents[0], "custom_metadata": map[string]any{"crm": m + "-crm"}},
		{"channel": "telephone", "direction": "outbound", "agent_number": o.numbers[0]},
		{"channel": "webrtc", "direction": "inbound", "web_widget_id": o.ids["widget"][0], "initial_context": map[string]any{"page": m + "-page"}},
	} {
		body["user_id"] = fmt.Sprintf("%s-caller-%d", m, i)
		c := x.call(o, false, "POST", "/core/conversations", body, 201)
		x.add(o, "conversation", c["conversation"].(map[string]any)["id"].(string))
		o.names = append(o.names, body["user_id"].(string))
	}
	x.call(o, false, "PATCH", "/core/conversations/"+o.ids["conversation"][0], map[string]any{"status": "completed", "duration": 12.5,
		"summary": m + " summary", "transcript": []any{map[string]any{"role": "user", "text": m + " transcript"}}}, 200)
	o.names = append(o.names, m+"-crm", m+"-page", m+" summary", m+" transcript")
	wf := x.call(o, false, "POST", "/core/agents/create-from-website", map[string]any{"company_name": m + " Site", "company_website": "https://" + m + ".example"}, 202)
	x.add(o, "workflow", wf["workflow_id"].(string))
	o.names = append(o.names, m+" Site")
	for i, role := range []string{"viewer", "admin"} {
		if o == x.b && role == "admin" {
			break // B keeps one admin: its PAT must stay an admin's
		}
		email := fmt.Sprintf("%s-member-%d@%s.test", m, i, o.slug)
		mb := x.call(o, false, "POST", "/admin/members", map[string]any{"email": email, "role": role}, 201)
		x.add(o, "user", mb["user_id"].(string))
		o.names = append(o.names, email)
	}
	x.add(o, "key", x.keyID(o.key))
	x.add(o, "key", x.keyID(o.pat))
	for i := 0; i < 2; i++ {
		name := fmt.Sprintf("%s key %d", m, i)
		k := x.call(o, false, "POST", "/admin/organization-pats", map[string]any{"name": name}, 201)
		x.add(o, "key", k["key_id"].(string))
		o.tokens = append(o.tokens, k["pat_key"].(string), x.secret(k["pat_key"].(string)))
		o.names = append(o.names, name)
	}
	k := x.call(o, true, "POST", "/admin/user-pats", map[string]any{"name": m + " pat"}, 201)
	x.add(o, "key", k["key_id"].(string))
	o.tokens = append(o.tokens, k["pat_key"].(string), x.secret(k["pat_key"].(string)))
	o.names = append(o.names, m+" pat")
	if o == x.a {
		// More organizations for A's admin, so A's organization list pages.
		for i := 0; i < 2; i++ {
			org := x.call(o, true, "POST", "/admin/organizations", map[string]any{"name": fmt.Sprintf("%s Extra %d", m, i), "slug": fmt.Sprintf("%s-extra-%d", m, i)}, 201)
			x.add(o, "org", org["id"].(string))
			o.names = append(o.names, fmt.Sprintf("%s-extra-%d", m, i))
		}
	}
	for i := 0; i < 2; i++ {
		desc := fmt.Sprintf("%s webhook %d", m, i)
		h := x.call(o, false, "POST", "/admin/webhooks", map[string]any{"url": fmt.Sprintf("https://%s-%d.example/hook", m, i), "events": []string{"*"}, "description": desc}, 201)
		x.add(o, "webhook", h["id"].(string))
		o.tokens = append(o.tokens, h["secret"].(string))
		o.names = append(o.names, desc)
		d := x.call(o, false, "POST", "/admin/webhooks/"+h["id"].(string)+"/test", nil, 202)
		x.add(o, "delivery", d["id"].(string))
	}
	for list, path := range map[string]string{
		"webhooks": "/admin/webhooks", "audit-log": "/admin/audit-log",
		"agents": "/core/agents", "versions": "/core/agents/" + agents[0] + "/versions", "phone-numbers": "/core/phone-numbers",
		"web-widgets": "/core/web-widgets", "conversations": "/core/conversations", "workflows": "/core/workflows",
		"members": "/admin/members", "organization-pats": "/admin/organization-pats", "user-pats": "/admin/user-pats", "organizations": "/admin/organizations",
	} {
		pat := list == "user-pats" || list == "organizations"
		page := x.call(o, pat, "GET", path+"?limit=1", nil, 200)
		if c, ok := page["pagination"].(map[string]any)["next_cursor"].(string); ok {
			o.cursors[list] = c
		} else if o == x.a {
			x.t.Fatalf("setup: A's %s list has no second page", list)
		}
	}
}

// snapshot reads everything of A as A's admin sees it. Credential lists
// drop last_used_at, which A's own snapshot reads move.
func (x *xoRun) snapshot() map[string]string {
	x.t.Helper()
	a := x.a
	out := map[string]string{}
	get := func(path string, pat bool, hdr map[string]string) {
		tok := a.key
		if pat {
			tok = a.pat
		}
		r := x.e.do(req{method: "GET", path: path, token: tok, header: hdr})
		body := r.body
		if strings.Contains(path, "-pats") {
			var v any
			r.decodeInto(x.t, &v)
			for _, it := range v.(map[string]any)["data"].([]any) {
				delete(it.(map[string]any), "last_used_at")
			}
			body, _ = json.Marshal(v)
		}
		out[path] = fmt.Sprintf("%d %s", r.status, body)
	}
	for _, p := range []string{"/core/agents", "/core/phone-numbers", "/core/web-widgets", "/core/conversations", "/core/workflows", "/admin/members", "/admin/organization-pats",
		"/admin/webhooks", "/admin/audit-log"} {
		get(p+"?limit=200", false, nil)
	}
	for _, id := range a.ids["webhook"] {
		get("/admin/webhooks/"+id, false, nil)
		get("/admin/webhooks/"+id+"/deliveries?limit=200", false, nil)
	}
	get("/admin/user-pats?limit=200", true, nil)
	get("/admin/organizations?limit=200", true, nil)
	for _, id := range a.ids["agent"] {
		get("/core/agents/"+id, false, nil)
		get("/core/agents/"+id+"/versions?limit=200", false, nil)
		for n := range a.agentVers[id] {
			get("/core/agents/"+id+"/versions/"+strconv.Itoa(n+1), false, nil)
		}
	}
	for _, n := range a.numbers {
		get("/core/phone-numbers/"+url.PathEscape(n), false, nil)
	}
	for i, id := range a.ids["widget"] {
		get("/core/web-widgets/"+id, false, nil)
		get("/core/public/web-widgets/"+id, false, map[string]string{"Origin": fmt.Sprintf("https://%s-%d.example", a.marker, i)})
	}
	for _, id := range a.ids["conversation"] {
		get("/core/conversations/"+id, false, nil)
	}
	for _, id := range a.ids["workflow"] {
		get("/core/workflows/"+id, false, nil)
	}
	for _, tok := range []string{a.key, a.pat} {
		if _, err := x.e.svc.Authenticate(context.Background(), tok, a.id, service.InOrg); err != nil {
			out["credential "+x.keyID(tok)] = err.Error()
		}
	}
	return out
}

// sweepB reads everything of B at the end: nothing of A may have crept
// into B's objects (a number pinned to A's version, a conversation on A's
// widget…).
func (x *xoRun) sweepB() {
	x.t.Helper()
	for _, p := range []string{"/core/agents", "/core/phone-numbers", "/core/web-widgets", "/core/conversations", "/core/workflows", "/admin/members", "/admin/organization-pats"} {
		for cursor := ""; ; {
			q := "?limit=200"
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			r := x.e.do(req{method: "GET", path: p + q, token: x.b.key}).want(x.t, 200)
			if l := x.leaks(r.body, ""); len(l) > 0 {
				x.t.Errorf("B's %s holds values of A %v: %s", p, l, mxTrunc(r.body))
			}
			var page struct {
				Pagination struct {
					NextCursor *string `json:"next_cursor"`
				} `json:"pagination"`
			}
			r.decodeInto(x.t, &page)
			if page.Pagination.NextCursor == nil {
				break
			}
			cursor = *page.Pagination.NextCursor
		}
	}
}

// leaks lists A's values in body that sent (what the request carried)
// doesn't contain. Phone numbers count in any format: by their national
// digits.
func (x *xoRun) leaks(body []byte, sent string) []string {
	var out []string
	s := string(body)
	for _, tok := range x.a.tokens {
		if strings.Contains(s, tok) && !strings.Contains(sent, tok) {
			out = append(out, tok)
		}
	}
	sentDigits := digitsOnly(sent)
	for _, n := range x.a.numbers {
		d := n[2:]
		if strings.Contains(s, d) && !strings.Contains(sentDigits, d) {
			out = append(out, n)
		}
	}
	return out
}

func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// ghostNumber is the number of the same form as A's num that nobody
// registered: +1 212 555 1xxx → +1 303 555 3xxx.
func ghostNumber(num string) string { return "+13035553" + num[len(num)-3:] }

// --- request generation ---------------------------------------------------

func (x *xoRun) chance(f float64) bool { return x.rng.Float64() < f }

func (x *xoRun) one(xs []string) string { return xs[x.rng.Intn(len(xs))] }

func (x *xoRun) unique() int { x.seq++; return x.seq }

// ref picks one of A's objects of kind, recording its ghost, or with
// probability own one of B's.
func (x *xoRun) ref(r *xoReq, kind string, own float64) string {
	if bs := x.b.ids[kind]; len(bs) > 0 && x.chance(own) {
		return x.one(bs)
	}
	v := x.one(x.a.ids[kind])
	r.pairs = append(r.pairs, xoPair{v, ap.NewID()})
	return v
}

// number picks a number in one of the formats a client may use; inPath
// keeps to formats that need no escaping beyond "+".
func (x *xoRun) number(r *xoReq, own float64, inPath bool) string {
	foreign := !x.chance(own)
	num := x.one(x.b.numbers)
	if foreign {
		num = x.one(x.a.numbers)
	}
	d := num[2:]
	formats := []string{num, "1" + d, "(" + d[:3] + ") " + d[3:6] + "-" + d[6:], "+1 " + d[:3] + "-" + d[3:6] + "-" + d[6:]}
	if inPath {
		formats = []string{url.PathEscape(num), "%2B" + num[1:], "1" + d, num}
	}
	f := x.rng.Intn(len(formats))
	if foreign {
		g := ghostNumber(num)
		gd := g[2:]
		gf := []string{g, "1" + gd, "(" + gd[:3] + ") " + gd[3:6] + "-" + gd[6:], "+1 " + gd[:3] + "-" + gd[3:6] + "-" + gd[6:]}
		if inPath {
			gf = []string{url.PathEscape(g), "%2B" + g[1:], "1" + gd, g}
		}
		r.pairs = append(r.pairs, xoPair{formats[f], gf[f]}, xoPair{d, gd})
	}
	return formats[f]
}

// foreignValue records v of A (a name, a cursor, a slug) with its ghost.
func (x *xoRun) foreignValue(r *xoReq, v, ghost string) string {
	r.pairs = append(r.pairs, xoPair{v, ghost})
	return v
}

func (x *xoRun) ghostCursor() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString([]byte("1767225600000."+ap.NewID())) + "." + base64.RawURLEncoding.EncodeToString(b)
}

// listQuery adds paging and time windows; a cursor is A's (refused), B's
// own, or none.
func (x *xoRun) listQuery(r *xoReq, list string) {
	q := r.query
	if x.chance(0.5) {
		q.Set("limit", strconv.Itoa(1+x.rng.Intn(200)))
	}
	switch f := x.rng.Float64(); {
	case f < 0.25 && x.a.cursors[list] != "":
		q.Set("cursor", x.foreignValue(r, x.a.cursors[list], x.ghostCursor()))
	case f < 0.35 && x.b.cursors[list] != "":
		q.Set("cursor", x.b.cursors[list])
	}
	for _, k := range []string{"created_after", "created_before", "updated_after", "updated_before"} {
		if strings.HasPrefix(k, "updated") && (list == "audit-log" || list == "webhook-deliveries") {
			continue // entries that never change have no updated_* filters
		}
		if x.chance(0.1) {
			ts := time.Now().Add(time.Duration(x.rng.Intn(7200)-3600) * time.Second)
			if x.chance(0.5) {
				q.Set(k, strconv.FormatInt(ts.UnixMilli(), 10))
			} else {
				q.Set(k, ts.UTC().Format(time.RFC3339Nano))
			}
		}
	}
}

// mass adds, now and then, a server-owned field naming one of A's objects:
// mass assignment must be refused whatever it names.
func (x *xoRun) mass(r *xoReq, body map[string]any) map[string]any {
	if x.chance(0.1) {
		switch x.rng.Intn(4) {
		case 0:
			body["organization_id"] = x.foreignValue(r, x.a.id, ap.NewID())
		case 1:
			body["id"] = x.ref(r, "agent", 0)
		case 2:
			body["agent_version_id"+strings.Repeat("_", x.rng.Intn(2))] = x.ref(r, "version", 0)
		default:
			if _, ok := body["user_id"]; !ok { // a conversation's user_id is the caller's free text
				body["user_id"] = x.ref(r, "user", 0)
			}
		}
	}
	return body
}

func (x *xoRun) versionSeg() string {
	if x.chance(0.15) {
		return "latest"
	}
	return strconv.Itoa(1 + x.rng.Intn(4))
}

func (x *xoRun) bool() bool { return x.rng.Intn(2) == 0 }

// xoGen builds a request to one route; it fills path, query and body.
type xoGen func(x *xoRun, r *xoReq)

// xoGens has one generator per non-public route. Refs in the path are
// mostly A's; DELETE paths are always A's so B's pools survive the run.
var xoGens = map[string]xoGen{
	"GET /core/agents": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents"
		if x.chance(0.3) {
			r.query.Set("name", x.foreignValue(r, fmt.Sprintf("%s agent %d", x.a.marker, x.rng.Intn(3)), "zq7ghost agent"))
		}
		if x.chance(0.2) {
			r.query.Set("metadata", x.foreignValue(r, fmt.Sprintf(`{"secret":"%s-meta-secret-%d"}`, x.a.marker, x.rng.Intn(3)), `{"secret":"zq7ghost"}`))
		}
		if x.chance(0.2) {
			r.query.Set("active", strconv.FormatBool(x.bool()))
		}
		x.listQuery(r, "agents")
	},
	"POST /core/agents": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents"
		r.body = x.mass(r, map[string]any{"name": fmt.Sprintf("zq7bravo new %d", x.unique()), "metadata": map[string]any{"k": "v"}})
	},
	"GET /core/agents/{id}": func(x *xoRun, r *xoReq) { r.path = "/core/agents/" + x.ref(r, "agent", 0.1) },
	"PUT /core/agents/{id}": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.1)
		r.body = x.mass(r, map[string]any{"name": "zq7bravo renamed", "active": x.bool(), "metadata": map[string]any{"hijacked": true}})
	},
	"DELETE /core/agents/{id}":      func(x *xoRun, r *xoReq) { r.path = "/core/agents/" + x.ref(r, "agent", 0) },
	"GET /core/agent-config-schema": func(x *xoRun, r *xoReq) { r.path = "/core/agent-config-schema" },
	"POST /core/agent-config-schema/validate": func(x *xoRun, r *xoReq) {
		r.path = "/core/agent-config-schema/validate"
		r.body = map[string]any{"instructions": "zq7bravo check", "max_tool_steps": 1 + x.rng.Intn(3)}
	},
	"GET /core/agents/{id}/versions": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.3) + "/versions"
		if x.chance(0.3) {
			r.query.Set("published", strconv.FormatBool(x.bool()))
		}
		if x.chance(0.2) {
			r.query.Set("version", strconv.Itoa(1+x.rng.Intn(3)))
		}
		x.listQuery(r, "versions")
	},
	"POST /core/agents/{id}/versions": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/versions"
		if x.bool() {
			r.body = x.mass(r, map[string]any{"base_version": 1 + x.rng.Intn(3)})
		} else {
			r.body = x.mass(r, map[string]any{"config": map[string]any{"instructions": "zq7bravo hijack"}})
		}
	},
	"GET /core/agents/{id}/versions/diff": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/versions/diff"
		r.query.Set("from", strconv.Itoa(1+x.rng.Intn(3)))
		r.query.Set("to", strconv.Itoa(1+x.rng.Intn(3)))
	},
	"POST /core/agents/{id}/versions/compare": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/versions/compare"
		r.body = map[string]any{"from_version": 1 + x.rng.Intn(3), "to_version": 1 + x.rng.Intn(3)}
	},
	"GET /core/agents/{id}/versions/{version}": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/versions/" + x.versionSeg()
	},
	"PUT /core/agents/{id}/versions/{version}": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/versions/" + x.versionSeg()
		if x.bool() {
			r.body = x.mass(r, map[string]any{"config": map[string]any{"instructions": "zq7bravo hijack"}})
		} else {
			r.body = x.mass(r, map[string]any{"instruction_builder_inputs": map[string]any{"company_name": "zq7bravo Co"}, "description": "zq7bravo note"})
		}
	},
	"PATCH /core/agents/{id}/versions/{version}": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/versions/" + x.versionSeg()
		r.header = map[string]string{"Content-Type": "application/merge-patch+json"}
		switch x.rng.Intn(3) {
		case 0:
			r.body = x.mass(r, map[string]any{"config": map[string]any{"instructions": "zq7bravo hijack", "voice": nil}})
		case 1:
			r.body = x.mass(r, map[string]any{"instruction_builder_inputs": map[string]any{"company_name": nil, "purpose": "zq7bravo"}})
		default:
			r.body = x.mass(r, map[string]any{"description": "zq7bravo note"})
		}
	},
	"POST /core/agents/{id}/versions/{version}/publish": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.4) + "/versions/" + x.versionSeg() + "/publish"
		if x.chance(0.15) {
			return // no body: publish without numbers
		}
		body := map[string]any{"direction": x.one([]string{"inbound", "outbound", "both"})}
		if x.chance(0.8) {
			body["phone_numbers"] = []string{x.number(r, 0.4, false)}
		}
		if x.chance(0.4) {
			body["unassign_phone_numbers"] = []string{x.number(r, 0.3, false)}
		}
		r.body = x.mass(r, body)
	},
	"POST /core/agents/{id}/versions/{version}/generate-instructions": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/versions/" + x.versionSeg() + "/generate-instructions"
	},
	"POST /core/agents/create-from-website": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/create-from-website"
		body := map[string]any{"company_name": "zq7bravo Site", "company_website": "https://zq7bravo.example", "skip_deployment": x.bool()}
		if x.chance(0.8) {
			body["existing_agent_id"] = x.ref(r, "agent", 0.2)
		}
		r.body = x.mass(r, body)
	},
	"POST /core/agents/create-demo": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/create-demo"
		r.body = x.mass(r, map[string]any{"company_website": "https://zq7bravo.example", "include_phone_number": x.bool()})
	},
	"GET /core/workflows": func(x *xoRun, r *xoReq) {
		r.path = "/core/workflows"
		if x.chance(0.6) {
			r.query.Set("agent_id", x.ref(r, "agent", 0.2))
		}
		if x.chance(0.2) {
			r.query.Set("status", "queued")
		}
		x.listQuery(r, "workflows")
	},
	"GET /core/workflows/{workflow_id}": func(x *xoRun, r *xoReq) { r.path = "/core/workflows/" + x.ref(r, "workflow", 0.1) },
	"GET /core/phone-numbers": func(x *xoRun, r *xoReq) {
		r.path = "/core/phone-numbers"
		switch x.rng.Intn(4) {
		case 0:
			r.query.Set("phone_number", x.number(r, 0.2, false))
		case 1:
			r.query.Set("agent_id", x.ref(r, "agent", 0.2))
		case 2:
			r.query.Set("trunk_id", x.foreignValue(r, x.a.marker+"-trunk", "zq7ghost-trunk"))
		}
		x.listQuery(r, "phone-numbers")
	},
	"POST /core/phone-numbers": func(x *xoRun, r *xoReq) {
		r.path = "/core/phone-numbers"
		num := fmt.Sprintf("+16465554%03d", x.unique()%1000)
		if x.chance(0.4) {
			// A's number: 409 because it is registered anywhere (SPEC §9) —
			// an oracle the contract accepts, so no twin (it would register) —
			// but saying no more than "not available" (SPEC §24).
			num, r.noTwin = x.number(r, 0, false), true
			r.conflict = "is not available"
		}
		r.body = x.mass(r, map[string]any{"phone_number": num, "label": "zq7bravo", "trunk_id": "zq7bravo-trunk"})
	},
	"GET /core/phone-numbers/{phone_number}": func(x *xoRun, r *xoReq) { r.path = "/core/phone-numbers/" + x.number(r, 0.1, true) },
	"PATCH /core/phone-numbers/{phone_number}": func(x *xoRun, r *xoReq) {
		r.path = "/core/phone-numbers/" + x.number(r, 0.1, true)
		body := map[string]any{"label": "zq7bravo hijack", "outbound_shareable": x.bool()}
		if x.chance(0.1) {
			body["inbound_agent_version_id"] = x.ref(r, "published", 0)
		}
		r.body = x.mass(r, body)
	},
	"DELETE /core/phone-numbers/{phone_number}": func(x *xoRun, r *xoReq) { r.path = "/core/phone-numbers/" + x.number(r, 0, true) },
	"POST /core/agents/{id}/rollback": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/rollback"
		if x.chance(0.5) {
			r.body = x.mass(r, map[string]any{"to_version": 1 + x.rng.Intn(3), "description": "zq7bravo undo"})
		}
	},
	"GET /core/agents/{id}/deployments": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/deployments"
		if x.chance(0.3) {
			r.query.Set("kind", x.one(ap.DeploymentKinds))
		}
		x.listQuery(r, "deployments")
	},
	"PUT /core/agents/{id}/rollout": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/rollout"
		r.body = x.mass(r, map[string]any{"version": 1 + x.rng.Intn(3), "percent": 1 + x.rng.Intn(99)})
	},
	"GET /core/agents/{id}/rollout":          func(x *xoRun, r *xoReq) { r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/rollout" },
	"DELETE /core/agents/{id}/rollout":       func(x *xoRun, r *xoReq) { r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/rollout" },
	"POST /core/agents/{id}/rollout/promote": func(x *xoRun, r *xoReq) { r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/rollout/promote" },
	"POST /core/agents/{id}/deploy-as-sip": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0.15) + "/deploy-as-sip"
	},
	"DELETE /core/agents/{id}/deploy-as-sip": func(x *xoRun, r *xoReq) {
		r.path = "/core/agents/" + x.ref(r, "agent", 0) + "/deploy-as-sip"
	},
	"GET /core/web-widgets": func(x *xoRun, r *xoReq) {
		r.path = "/core/web-widgets"
		if x.chance(0.6) {
			r.query.Set("agent_id", x.ref(r, "agent", 0.2))
		}
		x.listQuery(r, "web-widgets")
	},
	"POST /core/web-widgets": func(x *xoRun, r *xoReq) {
		r.path = "/core/web-widgets"
		r.body = x.mass(r, map[string]any{"name": "zq7bravo widget", "agent_id": x.ref(r, "agent", 0.4),
			"agent_version_id": x.ref(r, "published", 0.4), "domains": []string{"zq7bravo.example"}, "published": x.bool()})
	},
	"GET /core/web-widgets/{id}": func(x *xoRun, r *xoReq) { r.path = "/core/web-widgets/" + x.ref(r, "widget", 0.1) },
	"PUT /core/web-widgets/{id}": func(x *xoRun, r *xoReq) {
		r.path = "/core/web-widgets/" + x.ref(r, "widget", 0.4)
		body := map[string]any{"name": "zq7bravo hijack"}
		if x.chance(0.6) {
			body["agent_id"] = x.ref(r, "agent", 0.3)
		}
		if x.chance(0.6) {
			body["agent_version_id"] = x.ref(r, "published", 0.3)
		}
		r.body = x.mass(r, body)
	},
	"DELETE /core/web-widgets/{id}": func(x *xoRun, r *xoReq) { r.path = "/core/web-widgets/" + x.ref(r, "widget", 0) },
	"GET /core/conversations": func(x *xoRun, r *xoReq) {
		r.path = "/core/conversations"
		switch x.rng.Intn(4) {
		case 0:
			r.query.Set("agent_id", x.ref(r, "agent", 0.2))
		case 1:
			r.query.Set("agent_version_id", x.ref(r, "version", 0.2))
		case 2:
			r.query.Set("agent_number", x.number(r, 0.2, false))
		}
		if x.chance(0.2) {
			r.query.Set("direction", x.one([]string{"inbound", "outbound"}))
		}
		x.listQuery(r, "conversations")
	},
	"POST /core/conversations": func(x *xoRun, r *xoReq) {
		r.path = "/core/conversations"
		body := map[string]any{"channel": x.one([]string{"telephone", "webrtc", "text"}), "direction": x.one([]string{"inbound", "outbound"}),
			"user_id": "zq7bravo-caller", "custom_metadata": map[string]any{"k": "v"}}
		for len(body) == 4 {
			if x.chance(0.5) {
				body["agent_id"] = x.ref(r, "agent", 0.4)
				if x.chance(0.4) {
					body["version"] = []any{1, 2, "latest"}[x.rng.Intn(3)]
				}
			}
			if x.chance(0.35) {
				body["agent_version_id"] = x.ref(r, "published", 0.4)
			}
			if x.chance(0.35) {
				body["web_widget_id"] = x.ref(r, "widget", 0.4)
			}
			if x.chance(0.35) {
				body["agent_number"] = x.number(r, 0.4, false)
			}
		}
		r.body = x.mass(r, body)
	},
	"GET /core/conversations/{id}": func(x *xoRun, r *xoReq) { r.path = "/core/conversations/" + x.ref(r, "conversation", 0.1) },
	"PATCH /core/conversations/{id}": func(x *xoRun, r *xoReq) {
		r.path = "/core/conversations/" + x.ref(r, "conversation", 0.1)
		r.body = x.mass(r, map[string]any{"status": x.one([]string{"in_progress", "completed", "failed"}), "duration": 1.5, "summary": "zq7bravo hijack"})
	},
	"POST /admin/organizations": func(x *xoRun, r *xoReq) {
		r.path = "/admin/organizations"
		slug := fmt.Sprintf("zq7bravo-org-%d", x.unique())
		if x.chance(0.3) {
			// A taken slug is a 409 by the contract; no twin.
			slug, r.noTwin = x.foreignValue(r, x.one([]string{"acme", x.a.marker + "-extra-0", x.a.marker + "-extra-1"}), "zq7ghost-org"), true
		}
		r.body = x.mass(r, map[string]any{"name": "zq7bravo org", "slug": slug})
	},
	"GET /admin/organizations": func(x *xoRun, r *xoReq) {
		r.path = "/admin/organizations"
		x.listQuery(r, "organizations")
	},
	"GET /admin/members/me/scopes": func(x *xoRun, r *xoReq) { r.path = "/admin/members/me/scopes" },
	"GET /admin/members": func(x *xoRun, r *xoReq) {
		r.path = "/admin/members"
		x.listQuery(r, "members")
	},
	"POST /admin/members": func(x *xoRun, r *xoReq) {
		// Never A's members' emails: adding any user by email is what the
		// route is for (users are not organization-owned), and the answer
		// rightly carries that user's id.
		r.path = "/admin/members"
		r.body = x.mass(r, map[string]any{"email": fmt.Sprintf("zq7bravo-new-%d@bravo.test", x.unique()), "role": "viewer"})
	},
	"PUT /admin/members/{user_id}": func(x *xoRun, r *xoReq) {
		r.path = "/admin/members/" + x.ref(r, "user", 0.1)
		r.body = x.mass(r, map[string]any{"role": x.one([]string{"viewer", "admin"})})
	},
	"DELETE /admin/members/{user_id}": func(x *xoRun, r *xoReq) { r.path = "/admin/members/" + x.ref(r, "user", 0) },
	"POST /admin/organization-pats": func(x *xoRun, r *xoReq) {
		r.path = "/admin/organization-pats"
		r.body = x.mass(r, map[string]any{"name": "zq7bravo key", "scopes": []string{"agents:read"}})
	},
	"GET /admin/organization-pats": func(x *xoRun, r *xoReq) {
		r.path = "/admin/organization-pats"
		x.listQuery(r, "organization-pats")
	},
	"GET /admin/audit-log": func(x *xoRun, r *xoReq) {
		r.path = "/admin/audit-log"
		switch x.rng.Intn(4) {
		case 0:
			r.query.Set("agent_id", x.ref(r, "agent", 0.2))
		case 1:
			r.query.Set("resource_id", x.ref(r, "webhook", 0.2))
		case 2:
			r.query.Set("actor_id", x.ref(r, "key", 0.2))
		default:
			r.query.Set("action", x.one([]string{"agent.*", "version.published", "webhook.created"}))
		}
		x.listQuery(r, "audit-log")
	},
	"GET /admin/webhooks": func(x *xoRun, r *xoReq) {
		r.path = "/admin/webhooks"
		x.listQuery(r, "webhooks")
	},
	"POST /admin/webhooks": func(x *xoRun, r *xoReq) {
		r.path = "/admin/webhooks"
		r.body = x.mass(r, map[string]any{"url": fmt.Sprintf("https://zq7bravo-%d.example/hook", x.unique()), "events": []string{"agent.*"}})
	},
	"GET /admin/webhooks/{id}": func(x *xoRun, r *xoReq) { r.path = "/admin/webhooks/" + x.ref(r, "webhook", 0.1) },
	"PATCH /admin/webhooks/{id}": func(x *xoRun, r *xoReq) {
		r.path = "/admin/webhooks/" + x.ref(r, "webhook", 0.1)
		r.body = x.mass(r, map[string]any{"description": "zq7bravo hijack", "url": "https://zq7bravo.example/stolen", "enabled": x.bool()})
	},
	"DELETE /admin/webhooks/{id}": func(x *xoRun, r *xoReq) { r.path = "/admin/webhooks/" + x.ref(r, "webhook", 0) },
	"POST /admin/webhooks/{id}/rotate-secret": func(x *xoRun, r *xoReq) {
		r.path = "/admin/webhooks/" + x.ref(r, "webhook", 0.1) + "/rotate-secret"
	},
	"POST /admin/webhooks/{id}/test": func(x *xoRun, r *xoReq) {
		r.path = "/admin/webhooks/" + x.ref(r, "webhook", 0.1) + "/test"
	},
	"GET /admin/webhooks/{id}/deliveries": func(x *xoRun, r *xoReq) {
		r.path = "/admin/webhooks/" + x.ref(r, "webhook", 0.1) + "/deliveries"
		x.listQuery(r, "webhook-deliveries")
	},
	"POST /admin/webhooks/{id}/deliveries/{delivery_id}/redeliver": func(x *xoRun, r *xoReq) {
		r.path = "/admin/webhooks/" + x.ref(r, "webhook", 0.1) + "/deliveries/" + x.ref(r, "delivery", 0.1) + "/redeliver"
	},
	"DELETE /admin/organization-pats/{key_id}": func(x *xoRun, r *xoReq) {
		r.path = "/admin/organization-pats/" + x.ref(r, "key", 0)
	},
	"POST /admin/user-pats": func(x *xoRun, r *xoReq) {
		r.path = "/admin/user-pats"
		r.body = x.mass(r, map[string]any{"name": "zq7bravo pat", "scopes": []string{"agents:read"}})
	},
	"GET /admin/user-pats": func(x *xoRun, r *xoReq) {
		r.path = "/admin/user-pats"
		x.listQuery(r, "user-pats")
	},
	"DELETE /admin/user-pats/{key_id}": func(x *xoRun, r *xoReq) { r.path = "/admin/user-pats/" + x.ref(r, "key", 0) },
}

// xoLists are the routes that read a collection of the caller's own
// organization (or user).
var xoLists = map[string]bool{
	"GET /core/agents": true, "GET /core/agents/{id}/versions": true, "GET /core/workflows": true, "GET /core/phone-numbers": true,
	"GET /core/web-widgets": true, "GET /core/conversations": true, "GET /admin/organizations": true, "GET /admin/members": true,
	"GET /admin/organization-pats": true, "GET /admin/user-pats": true, "GET /admin/webhooks": true, "GET /admin/audit-log": true,
}

// attack sends n generated requests as B, plus the twins, and checks each.
func (x *xoRun) attack(n int) {
	t := x.t
	var routes []string
	userOnly := map[string]bool{}
	for _, rt := range x.e.server.Routes() {
		if rt.Public {
			continue
		}
		key := rt.Method + " " + rt.Path
		if xoGens[key] == nil {
			t.Errorf("no cross-organization generator for %s: add one to xoGens", key)
			continue
		}
		routes = append(routes, key)
		userOnly[key] = rt.UserOnly
	}
	sort.Strings(routes)
	for i := 0; i < n && x.failures < 30; i++ {
		key := routes[x.rng.Intn(len(routes))]
		method, _, _ := strings.Cut(key, " ")
		r := &xoReq{route: key, method: method, query: url.Values{}, userOnly: userOnly[key], list: xoLists[key]}
		xoGens[key](x, r)
		// The credential: B's org key, or B's admin PAT naming B by id or
		// slug; now and then either one naming A (403, whatever the route).
		r.orgKey = x.chance(0.5)
		switch f := x.rng.Float64(); {
		case f < 0.08 && !r.userOnly:
			if x.bool() {
				r.org = x.foreignValue(r, x.a.id, ap.NewID())
			} else {
				r.org = x.foreignValue(r, x.one([]string{"acme", x.a.marker + "-extra-0"}), "zq7ghost-org")
			}
		case (!r.orgKey && !r.userOnly) || f < 0.2 || (r.userOnly && x.bool()):
			r.org = x.one([]string{x.b.id, x.b.slug})
		}
		x.perRoute[key]++
		x.check(r, x.send(r, false))
	}
	for _, key := range routes {
		if x.perRoute[key] == 0 && x.failures < 30 {
			t.Errorf("route %s got no request", key)
		}
	}
	if x.sent < n && x.failures < 30 {
		t.Errorf("sent %d requests, want at least %d", x.sent, n)
	}
}

// xoRes is a response read whole, with what the request carried.
type xoRes struct {
	status int
	body   []byte
	sent   string
}

// send sends r (or its twin: every value of A replaced by its ghost).
func (x *xoRun) send(r *xoReq, twin bool) xoRes {
	t := x.t
	rep := func(s string) string { return s }
	if twin {
		var pairs []string
		for _, p := range r.pairs {
			pairs = append(pairs, p.a, p.ghost)
		}
		rep = strings.NewReplacer(pairs...).Replace
	}
	path := rep(r.path)
	q := url.Values{}
	for k, vs := range r.query {
		for _, v := range vs {
			q.Add(k, rep(v))
		}
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var body []byte
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			t.Fatal(err)
		}
		body = []byte(rep(string(b)))
	}
	hr, err := http.NewRequest(r.method, x.e.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	token := x.b.pat
	if r.orgKey {
		token = x.b.key
	}
	hr.Header.Set("Authorization", "Bearer "+token)
	org := rep(r.org)
	if org != "" {
		hr.Header.Set("X-Anyreach-Org", org)
	}
	res, err := x.client.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	x.sent++
	if twin {
		x.twins++
	}
	x.statuses[res.StatusCode]++
	if x.sent%xoValidateEvery == 0 {
		x.validated++
		x.validator.Check(hr, body, res.StatusCode, res.Header, rb)
	}
	if res.StatusCode >= 500 {
		x.fail(r, res.StatusCode, rb, "a 5xx")
	}
	sent := path + "\n" + org + "\n" + string(body)
	if l := x.leaks(rb, sent); len(l) > 0 {
		x.fail(r, res.StatusCode, rb, fmt.Sprintf("the response shows values of A the request didn't carry: %v", l))
	} else if len(x.leaks(rb, "")) > 0 {
		x.echoes++
	}
	return xoRes{status: res.StatusCode, body: rb, sent: sent}
}

func (x *xoRun) fail(r *xoReq, status int, body []byte, why string) {
	x.t.Helper()
	x.failures++
	if x.failures > 30 {
		return
	}
	cred := "B's PAT"
	if r.orgKey {
		cred = "B's org key"
	}
	target, b := r.path, []byte("none")
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	if r.body != nil {
		b, _ = json.Marshal(r.body)
	}
	x.t.Errorf("%s: %s %s (%s, X-Anyreach-Org %q, body %s) → %d %s", why, r.method, target, cred, r.org, b, status, mxTrunc(body))
}

// check applies the rules of TestCrossOrg to one answered request.
func (x *xoRun) check(r *xoReq, res xoRes) {
	if len(r.pairs) == 0 {
		return // B's own business: only the 5xx and leak checks of send apply
	}
	if x.foreign[r.route] == nil {
		x.foreign[r.route] = map[int]int{}
	}
	x.foreign[r.route][res.status]++
	inPath, inHeader := false, false
	for _, p := range r.pairs {
		inPath = inPath || strings.Contains(r.path, p.a)
		inHeader = inHeader || r.org == p.a
	}
	ok := res.status >= 200 && res.status < 300
	switch {
	case r.orgKey && r.userOnly:
		if res.status != http.StatusForbidden {
			x.fail(r, res.status, res.body, "an org key on a user-only route: want 403")
		}
	case inHeader:
		if res.status != http.StatusForbidden {
			x.fail(r, res.status, res.body, "X-Anyreach-Org naming A: want 403")
		}
	case r.list && !inPath:
		_, cursor := r.query["cursor"]
		foreignCursor := cursor && slices.ContainsFunc(r.pairs, func(p xoPair) bool { return p.a == r.query.Get("cursor") })
		if foreignCursor {
			if res.status != http.StatusUnprocessableEntity {
				x.fail(r, res.status, res.body, "A's cursor: want 422")
			}
			break
		}
		if ok {
			var page struct {
				Data []json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(res.body, &page); err != nil || len(page.Data) != 0 {
				x.fail(r, res.status, res.body, "a list filtered by A's values must be B's own, empty page")
			}
		} else {
			x.fail(r, res.status, res.body, "a list filtered by A's values: want 200")
		}
	case ok:
		x.fail(r, res.status, res.body, "a 2xx for a request naming A's objects")
	case res.status == http.StatusForbidden:
		x.fail(r, res.status, res.body, "a 403 for a request naming A's objects (another organization's object is a 404)")
	}
	if r.conflict != "" && res.status == http.StatusConflict {
		var eb errBody
		if err := json.Unmarshal(res.body, &eb); err != nil || !strings.HasSuffix(eb.Detail, r.conflict) || strings.Contains(eb.Detail, "registered") {
			x.fail(r, res.status, res.body, "a 409 for A's value must say only that it "+r.conflict)
		}
	}
	if r.noTwin {
		return
	}
	tw := x.send(r, true)
	var back []string
	for _, p := range r.pairs {
		back = append(back, p.ghost, p.a)
	}
	twinBody := strings.NewReplacer(back...).Replace(string(tw.body))
	if tw.status != res.status || twinBody != string(res.body) {
		x.fail(r, res.status, res.body, fmt.Sprintf("A's values are told from values that exist nowhere (twin answered %d %s)", tw.status, mxTrunc(tw.body)))
	}
}
