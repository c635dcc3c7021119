package httpapi_test

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/agentplane/agentplane/internal/httpapi"
)

// hostileReq is one generated request.
type hostileReq struct {
	route  string // the route table's pattern, "GET /core/agents/{id}"
	method string // usually the route's; sometimes another
	target string // path and query, escaped as sent
	header http.Header
	body   []byte // nil: none
	labels []string
}

func (r *hostileReq) label(format string, args ...any) {
	r.labels = append(r.labels, fmt.Sprintf(format, args...))
}

// headBytes estimates the request line and headers as the server reads
// them, Go client's own headers included.
func (r *hostileReq) headBytes() int {
	n := len(r.method) + len(r.target) + 200 // request line, Host, User-Agent, Accept-Encoding, Content-Length
	for k, vs := range r.header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// fits reports whether n more bytes of request line or headers stay
// within what net/http's server reads before any handler runs (1 MiB +
// 4 KiB by default, less the 4 KiB it may read ahead into a body). Past
// it the server answers 431 in plain text itself: that is net/http's
// behaviour, not the API's, so the generator stays inside it.
func (r *hostileReq) fits(n int, withBody bool) bool {
	limit := 1<<20 + 4096 - 512
	if withBody {
		limit -= 4096
	}
	return r.headBytes()+n <= limit
}

// hostileGen draws hostile requests from one seeded stream.
type hostileGen struct {
	rng    *rand.Rand
	fx     *hostileFixtures
	seq    *atomic.Int64
	routes []httpapi.RouteInfo
	i, n   int            // this request's index in the stream, and the stream's length
	used   map[string]int // big requests drawn so far, by kind
}

// hostileBig bounds, per engine, the requests whose size is what makes
// them costly (under -race every megabyte copied costs milliseconds):
// enough of each kind to take every path, few enough that 10,000 requests
// take about a minute. Each stream spreads its share evenly over its run.
// Thousands of keys cost twice: each unknown one is a violation in the
// answer, so the error body is as big as the request.
var hostileBig = map[string]int{
	"query-1MiB": 40, "query-64KiB": 60, "query-keys": 20, "metadata-keys": 60, "header-64KiB": 60,
	"body-over-limit": 40, "body-64KiB": 60, "body-900KB": 10, "body-keys": 12, "body-depth-10000": 60,
}

// big reports whether the stream may draw one more request of kind now.
func (g *hostileGen) big(kind string) bool {
	share := (hostileBig[kind] + hostileWorkers - 1) / hostileWorkers
	if g.used[kind] >= (share*(g.i+1)+g.n-1)/g.n {
		return false
	}
	g.used[kind]++
	return true
}

func (g *hostileGen) chance(p float64) bool { return g.rng.Float64() < p }

func pick[T any](g *hostileGen, xs ...T) T { return xs[g.rng.IntN(len(xs))] }

func (g *hostileGen) unique() int64 { return g.seq.Add(1) }

// hostileWeight: the lists (where query filters meet SQL) get more of the
// requests than single-object routes; GET /core/agents, the one route
// with string and metadata filters, the most.
func hostileWeight(rt httpapi.RouteInfo) int {
	switch key := rt.Method + " " + rt.Path; {
	case key == "GET /core/agents":
		return 6
	case hostileFilters[key] != nil || rt.Method == "GET" && !strings.Contains(rt.Path, "{") && !rt.Public:
		return 2
	}
	return 1
}

func (g *hostileGen) route() httpapi.RouteInfo {
	total := 0
	for _, rt := range g.routes {
		total += hostileWeight(rt)
	}
	n := g.rng.IntN(total)
	for _, rt := range g.routes {
		if n -= hostileWeight(rt); n < 0 {
			return rt
		}
	}
	return g.routes[len(g.routes)-1]
}

// next draws one request: a route, its path parameters, a query,
// credentials and other headers, and a body, each hostile or not.
func (g *hostileGen) next() *hostileReq {
	defer func() { g.i++ }()
	rt := g.route()
	r := &hostileReq{route: rt.Method + " " + rt.Path, method: rt.Method, header: http.Header{}}
	if g.chance(0.03) {
		r.method = pick(g, "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
		r.label("method:%s", r.method)
	}
	withBody := rt.Method == "POST" || rt.Method == "PUT" || rt.Method == "PATCH" || g.chance(0.05)
	r.target = g.path(r, rt)
	if rt.Method == "GET" && g.chance(0.8) || g.chance(0.1) {
		if q := g.query(r, withBody); q != "" {
			r.target += "?" + q
		}
	}
	g.auth(r, rt, withBody)
	g.headers(r, rt, withBody)
	if withBody {
		g.body(r)
	}
	return r
}

// hostileSegments are path parameters that name nothing, or worse.
var hostileSegments = []string{
	"%FF", "%00", "a%00b", "%ED%A0%80", "%C0%80", "%C3%28", "%F4%90%80%80", "%E2%80%AE", "%EF%BB%BF", "%0A", "%20",
	"..", "%2E%2E", "a%2Fb", "%2F", "0", "-1", "+1", "1.5", "1e3", "2147483648", "9223372036854775808", "99999999999999999999999",
	"latest", "null", "undefined", "%7B%7D", "%27%20OR%201%3D1--", "%25", "_", "*", "(415)%20555-0100", "%2B1%FF", "+14155550199",
	"01234567-89AB-7DEF-8123-456789ABCDEF", "00000000-0000-0000-0000-000000000000",
}

// path fills the route's parameters: mostly objects that exist (the
// sacrificial ones for DELETE), else a random id or a hostile segment.
func (g *hostileGen) path(r *hostileReq, rt httpapi.RouteInfo) string {
	fx := g.fx
	del := rt.Method == "DELETE"
	existing := map[string]string{
		"{workflow_id}": fx.workflow,
		"{version}":     pick(g, "1", "2", "latest"),
		"{phone_number}": func() string {
			if del {
				return url.PathEscape(fx.numberDel)
			}
			return pick(g, url.PathEscape(fx.number), fx.number, "(415)%20555-0100")
		}(),
		"{user_id}": map[bool]string{true: fx.memberDel, false: fx.viewer}[del],
		"{key_id}":  map[bool]string{true: fx.orgKeyDel, false: fx.patDel}[strings.Contains(rt.Path, "organization-pats")],
	}
	switch {
	case strings.HasPrefix(rt.Path, "/core/agents/{id}"):
		existing["{id}"] = map[bool]string{true: fx.agentDel, false: fx.agent}[del && rt.Path == "/core/agents/{id}"]
	case strings.Contains(rt.Path, "web-widgets/{id}"):
		existing["{id}"] = map[bool]string{true: fx.widgetDel, false: fx.widget}[del]
	case strings.Contains(rt.Path, "conversations/{id}"):
		existing["{id}"] = fx.conv
	}
	parts := strings.Split(rt.Path, "/")
	for i, p := range parts {
		if !strings.HasPrefix(p, "{") {
			continue
		}
		switch f := g.rng.Float64(); {
		case f < 0.75:
			parts[i] = existing[p]
		case f < 0.85:
			parts[i] = fmt.Sprintf("%08x-%04x-7%03x-8%03x-%012x", g.rng.Uint32(), g.rng.IntN(1<<16), g.rng.IntN(1<<12), g.rng.IntN(1<<12), g.rng.Uint64()>>16)
			r.label("path:random-id")
		case f < 0.9:
			n := pick(g, 300, 4096, 65536)
			parts[i] = strings.Repeat(pick(g, "a", "%FF", "9"), n/3)
			r.label("path:long-%d", n)
		default:
			parts[i] = pick(g, hostileSegments...)
			r.label("path:%s", parts[i])
		}
	}
	return strings.Join(parts, "/")
}

// hostileFilters are the filters each list knows besides the common ones
// (SPEC §1, §4–§12); queries mostly use known names so that hostile values
// get past the unknown-parameter check.
var hostileFilters = map[string][]string{
	"GET /core/agents":                    {"name", "active", "is_demo", "metadata"},
	"GET /core/agents/{id}/versions":      {"version", "published"},
	"GET /core/agents/{id}/versions/diff": {"from", "to"},
	"GET /core/phone-numbers":             {"phone_number", "agent_id", "trunk_id"},
	"GET /core/web-widgets":               {"agent_id"},
	"GET /core/workflows":                 {"kind", "status", "agent_id"},
	"GET /core/conversations": {"direction", "channel", "status", "agent_id", "agent_version_id", "agent_number",
		"duration_above", "duration_below"},
}

var hostileCommonParams = []string{"limit", "cursor", "created_after", "created_before", "updated_after", "updated_before"}

// hostileBadBytes are percent-encoded values no filter should take: NUL,
// bytes that are never UTF-8, overlong and surrogate encodings.
var hostileBadBytes = []string{"%FF", "%00", "a%00b", "%ED%A0%80", "%ED%BF%BF", "%C0%80", "%C3%28", "%F8%88%80%80%80", "%FE%FF",
	"%EF%BF%BE", "%F4%90%80%80", "%E2%80%AE", "x%FFy%00z"}

// hostileGarbage are values of the wrong form for known parameters.
var hostileGarbage = map[string][]string{
	"limit":   {"-1", "0", "201", "1e2", "99999999999999999999", "NaN", "%201", "0x10", "1.0", "%2B1"},
	"cursor":  {"", ".", "..", "a.b", "%FF.%FF", "MTcwMDAwMDAwMDAwMC54.AAAAAAAAAAAAAAAAAAAAAA", "%00"},
	"time":    {"2026-13-45T99:99:99Z", "-9223372036854775808", "9223372036854775807", "1e400", "10000-01-01T00:00:00Z", "now", "2026-01-01"},
	"bool":    {"TRUE", "1", "yes", "", "null", "%00"},
	"int":     {"2147483648", "-1", "0", "1.5", "latest", "%2B1", "9223372036854775808", "1e3"},
	"float":   {"NaN", "Inf", "-Inf", "1e309", "-0", "1e-400", "0x1p3", "1_000"},
	"default": {"%27%3B%20DROP%20TABLE%20agents%3B--", "%25", "_", "%5C", "null", "%7B%7D", "-", "%2B"},
}

func hostileGarbageFor(name string) []string {
	switch name {
	case "limit", "cursor":
		return hostileGarbage[name]
	case "created_after", "created_before", "updated_after", "updated_before":
		return hostileGarbage["time"]
	case "active", "is_demo", "published":
		return hostileGarbage["bool"]
	case "version", "from", "to":
		return hostileGarbage["int"]
	case "duration_above", "duration_below":
		return hostileGarbage["float"]
	}
	return hostileGarbage["default"]
}

// query draws 1–3 hostile parts for a query string.
func (g *hostileGen) query(r *hostileReq, withBody bool) string {
	known := append(slices.Clone(hostileFilters[r.route]), hostileCommonParams...)
	name := func() string {
		if g.chance(0.85) {
			return pick(g, known...)
		}
		return pick(g, "name", "metadata", "q", "sort", "filter[name]", "name[]", "__proto__", "%FF", "na%00me")
	}
	var parts []string
	for range 1 + g.rng.IntN(3) {
		// Cases by weight (of 20): the costly ones (thousands of keys,
		// a megabyte) are rarer, so that 10,000 requests stay quick.
		c := [20]int{0, 0, 1, 2, 2, 3, 3, 4, 5, 5, 6, 6, 7, 7, 8, 8, 8, 9, 9, 9}[g.rng.IntN(20)]
		if (c == 3 || c == 4 || c == 5 || c == 7) && !slices.Contains(known, "metadata") && g.chance(0.8) {
			c = 8 // metadata filters mostly where there is one
		}
		switch c {
		case 0: // a huge value: n bytes once decoded
			n := pick(g, 257, 4096, 65536, 1<<20)
			unit, size := pick(g, "a", "%C3%A9", "%25"), 1
			if unit == "%C3%A9" {
				size = 2 // é
			}
			if n == 1<<20 {
				unit, size = "a", 1
				if withBody || len(parts) > 0 || !g.big("query-1MiB") {
					n = 65536
				}
			}
			if n == 65536 && !g.big("query-64KiB") {
				n = 4096
			}
			p := pick(g, "name", name()) + "=" + strings.Repeat(unit, n/size)
			if !r.fits(len(p), withBody) {
				continue
			}
			parts = append(parts, p)
			r.label("query:huge-%d", n)
		case 1: // many keys
			n := pick(g, 50, 500, 5000, 10001)
			if n > 500 && !g.big("query-keys") {
				n = 500
			}
			var b strings.Builder
			for i := range n {
				if i > 0 {
					b.WriteByte('&')
				}
				fmt.Fprintf(&b, "k%d=%d", i, i)
			}
			parts = append(parts, b.String())
			r.label("query:keys-%d", n)
		case 2: // one parameter repeated
			p, n := name(), pick(g, 2, 20, 200)
			for i := range n {
				parts = append(parts, p+"="+pick(g, strconv.Itoa(i), "x", "%FF", ""))
			}
			r.label("query:repeated-%d", n)
		case 3, 4: // a metadata filter with many keys
			n := pick(g, 0, 1, 31, 32, 33, 100, 1000, 10000)
			if n > 100 && !g.big("metadata-keys") {
				n = pick(g, 32, 33)
			}
			m := hostileMetaKeys(n, pick(g, `"v"`, `1`, `{"a":[1,2]}`, `null`, `"\ud800"`))
			parts = append(parts, "metadata="+url.QueryEscape(m))
			r.label("query:metadata-keys-%d", n)
		case 5: // a metadata filter nested deep
			d := pick(g, 2, 64, 65, 100, 500, 2000)
			parts = append(parts, "metadata="+url.QueryEscape(hostileNest(d-1, pick(g, `"v"`, `1`, `[]`), g.chance(0.5))))
			r.label("query:metadata-depth-%d", d)
		case 6: // bytes that are not UTF-8, NUL, surrogates: in a value or a key
			bad := pick(g, hostileBadBytes...)
			if g.chance(0.8) {
				parts = append(parts, name()+"="+bad)
			} else {
				parts = append(parts, bad+"=1")
			}
			r.label("query:bytes")
		case 7: // metadata JSON no filter should take
			m := pick(g, `{"k":"\ud800"}`, `{"\udfff":1}`, `{"k":"\u0000"}`, `{"k":1e400}`, `{"k":-0}`, `{"a":1,"a":2}`, `[]`, `null`,
				`"x"`, `{`, `{"k":"`+"\xff"+`"}`, `{"k":{"$ne":1}}`, `{"k'; DROP TABLE agents;--":"x"}`, `{"k":"%"}`, `{"":""}`, "\ufeff{}")
			parts = append(parts, "metadata="+url.QueryEscape(m))
			r.label("query:metadata-odd")
		case 8: // wrong forms for known parameters; semicolons
			p := name()
			parts = append(parts, p+"="+pick(g, hostileGarbageFor(p)...))
			if g.chance(0.1) {
				parts = append(parts, "a;b=c")
			}
			r.label("query:garbage")
		default: // something valid, so the rest meets a parsed query
			parts = append(parts, pick(g, "limit=1", "limit=200", "name=hostile", "agent_id="+g.fx.agent, "active=true",
				"metadata="+url.QueryEscape(`{"k":"v"}`), "version=1", "from=1&to=2", "status=completed", "created_after=0"))
		}
	}
	q := strings.Join(parts, "&")
	if !r.fits(len(q), withBody) {
		r.label("query:dropped")
		return ""
	}
	return q
}

// hostileMetaKeys is a JSON object with n keys, each holding value.
func hostileMetaKeys(n int, value string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":%s`, i, value)
	}
	b.WriteByte('}')
	return b.String()
}

// hostileNest wraps leaf in depth objects ({"a":…}) or arrays.
func hostileNest(depth int, leaf string, arrays bool) string {
	open, close := `{"a":`, `}`
	if arrays {
		open, close = `[`, `]`
	}
	return strings.Repeat(open, depth) + leaf + strings.Repeat(close, depth)
}

// auth sets valid credentials for the route most of the time, and
// otherwise repeats, mangles or drops them.
func (g *hostileGen) auth(r *hostileReq, rt httpapi.RouteInfo, withBody bool) {
	fx := g.fx
	good, org := "Bearer "+fx.orgKey, ""
	switch {
	case rt.UserOnly:
		good = "Bearer " + fx.pat
	case g.chance(0.3):
		good, org = "Bearer "+fx.pat, pick(g, fx.orgID, fx.orgSlug)
	}
	set := func(k string, vs ...string) { r.header[k] = vs }
	if g.chance(0.8) {
		set("Authorization", good)
		if org != "" {
			set("X-Anyreach-Org", org)
		}
		return
	}
	switch g.rng.IntN(9) {
	case 0:
		set("Authorization", good, good)
		r.label("hdr:authorization-twice")
	case 1:
		set("Authorization", good, "Bearer ak_garbage.garbage")
		r.label("hdr:authorization-good-bad")
	case 2:
		set("Authorization", "Bearer ak_garbage.garbage", good)
		r.label("hdr:authorization-bad-good")
	case 3:
		set("Authorization", "Bearer "+fx.pat)
		set("X-Anyreach-Org", fx.orgID, pick(g, fx.orgID, fx.orgSlug, "other-org"))
		r.label("hdr:org-twice")
	case 4:
		r.label("hdr:no-authorization")
	case 5:
		n := pick(g, 4096, 65536)
		if !r.fits(n, withBody) || n > 4096 && !g.big("header-64KiB") {
			n = 256
		}
		set("Authorization", "Bearer "+strings.Repeat("k", n))
		r.label("hdr:authorization-huge")
	case 6:
		set("Authorization", "Bearer "+pick(g, "\xff\xfe", "ak_\x80\x81.\xc3", fx.orgKey+"\xff", "ключ"))
		r.label("hdr:authorization-bytes")
	case 7:
		set("Authorization", pick(g, "Basic "+base64.StdEncoding.EncodeToString([]byte("a:b")), "bearer "+fx.orgKey, "Bearer  "+fx.orgKey+"  ",
			"Bearer", "Bearer ", fx.orgKey, "Token "+fx.orgKey))
		r.label("hdr:authorization-form")
	default:
		set("Authorization", "Bearer "+fx.pat)
		set("X-Anyreach-Org", pick(g, "\xff\xfe", strings.Repeat("o", 300), strings.ToUpper(fx.orgID), " "+fx.orgSlug+" ", "acme\x80", "%00"))
		r.label("hdr:org-odd")
	}
}

// headers adds Idempotency-Key, If-Match and X-Request-Id, sometimes
// hostile.
func (g *hostileGen) headers(r *hostileReq, rt httpapi.RouteInfo, withBody bool) {
	if g.chance(map[bool]float64{true: 0.4, false: 0.05}[rt.Method == "POST"]) {
		switch g.rng.IntN(6) {
		case 0:
			r.header.Set("Idempotency-Key", fmt.Sprintf("hostile-%d", g.unique()))
		case 1:
			r.header.Set("Idempotency-Key", strings.Repeat("i", pick(g, 255, 256, 300)))
			r.label("hdr:idem-long")
		case 2:
			r.header.Set("Idempotency-Key", pick(g, "k\xff", "\xff\xfe\xfd", "ключ", "k\x80")+strconv.FormatInt(g.unique(), 10))
			r.label("hdr:idem-bytes")
		case 3:
			r.header.Set("Idempotency-Key", fmt.Sprintf("hostile-reused-%d", g.rng.IntN(3)))
			r.label("hdr:idem-reused")
		case 4:
			r.header.Set("Idempotency-Key", pick(g, " ", "\t", "a b", `"`, "%00"))
			r.label("hdr:idem-odd")
		default:
			r.header["Idempotency-Key"] = []string{"hostile-a", "hostile-b"}
			r.label("hdr:idem-twice")
		}
	}
	if g.chance(0.15) {
		var v string
		switch g.rng.IntN(4) {
		case 0:
			b := make([]byte, 1+g.rng.IntN(200))
			for i := range b {
				b[i] = byte(0x20 + g.rng.IntN(0xe0))
			}
			v = string(b)
		case 1:
			v = strings.Repeat(`"`, 8192)
		default:
			v = pick(g, "*", `W/"x"`, `"`, `"a", "b"`, `W/`, "\xff", `"`+strings.Repeat("e", 64)+`"`)
		}
		if httpapi.HeaderValueOK(v) && r.fits(len(v), withBody) {
			r.header.Set("If-Match", v)
			r.label("hdr:if-match")
		}
	}
	if g.chance(0.15) {
		n := pick(g, 65, 4096, 65536, 262144)
		if !r.fits(n, withBody) || n > 4096 && !g.big("header-64KiB") {
			n = 65
		}
		r.header.Set("X-Request-Id", strings.Repeat(pick(g, "r", "\xff", " ", "-"), n))
		r.label("hdr:request-id-%d", n)
	}
}
