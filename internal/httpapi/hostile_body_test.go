package httpapi_test

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// hostileField is one member of a JSON object: the key as it goes between
// the quotes (already escaped, or raw bytes on purpose) and the value as
// raw text (JSON, or not quite).
type hostileField struct{ key, value string }

func hostileObject(fields []hostileField) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + f.key + `":` + f.value)
	}
	b.WriteByte('}')
	return b.String()
}

// template is a plausible body for the route, so that a mutation of one
// field meets the decoder's later checks, the validators and the store.
func (g *hostileGen) template(route string) []hostileField {
	fx := g.fx
	q := strconv.Quote // templates are ASCII: Go's quoting is JSON's
	n := g.unique()
	switch route {
	case "POST /core/agents", "PUT /core/agents/{id}":
		return []hostileField{{"name", q(fmt.Sprintf("hostile %d", n))}, {"description", `"d"`}, {"metadata", `{"k":"v"}`}}
	case "POST /core/agent-config-schema/validate":
		return []hostileField{{"instructions", `"x"`}, {"starting_message", `{"text":"Hello"}`}}
	case "POST /core/agents/{id}/versions", "PUT /core/agents/{id}/versions/{version}":
		return []hostileField{{"config", `{"instructions":"x","voice":{"speed":1.0}}`}}
	case "PATCH /core/agents/{id}/versions/{version}":
		return []hostileField{{"config", `{"instructions":"x","voice":null}`}, {"description", `"d"`}}
	case "POST /core/agents/{id}/versions/compare":
		return []hostileField{{"from_version", "1"}, {"to_version", "2"}}
	case "POST /core/agents/{id}/versions/{version}/publish":
		return []hostileField{{"phone_numbers", q(fx.number)}, {"direction", `"both"`}}
	case "POST /core/agents/create-from-website":
		return []hostileField{{"company_name", `"Co"`}, {"company_website", `"https://example.com"`}, {"skip_deployment", "true"}}
	case "POST /core/agents/create-demo":
		return []hostileField{{"company_website", `"https://example.com"`}}
	case "POST /core/phone-numbers":
		return []hostileField{{"phone_number", q(fmt.Sprintf("+1415555%04d", 200+n%9800))}, {"label", `"h"`}}
	case "PATCH /core/phone-numbers/{phone_number}":
		return []hostileField{{"label", `"h"`}, {"trunk_id", `"t"`}}
	case "POST /core/web-widgets", "PUT /core/web-widgets/{id}":
		return []hostileField{{"name", `"w"`}, {"agent_id", q(fx.agent)}, {"agent_version_id", q(fx.version1ID)}, {"domains", `["example.com"]`}}
	case "POST /core/conversations":
		return []hostileField{{"channel", `"telephone"`}, {"direction", `"inbound"`}, {"user_id", `"u"`}, {"agent_id", q(fx.agent)}}
	case "PATCH /core/conversations/{id}":
		return []hostileField{{"summary", `"s"`}, {"user_turn_count", "1"}}
	case "POST /admin/organizations":
		return []hostileField{{"name", `"Org"`}, {"slug", q(fmt.Sprintf("hostile-%d", n))}}
	case "POST /admin/members":
		return []hostileField{{"email", q(fmt.Sprintf("h%d@hostile.test", n))}, {"role", `"viewer"`}}
	case "PUT /admin/members/{user_id}":
		return []hostileField{{"role", `"viewer"`}}
	case "POST /admin/organization-pats":
		return []hostileField{{"name", `"k"`}, {"scopes", `["agents:read"]`}}
	case "POST /admin/user-pats":
		return []hostileField{{"name", `"k"`}}
	}
	return []hostileField{{"name", `"x"`}}
}

// hostileBadUTF8 are byte sequences that are never UTF-8.
var hostileBadUTF8 = []string{"\xff", "\xfe", "\xc3\x28", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\x80", "\xe2\x82"}

// hostileSurrogates are JSON escapes of lone (or misordered) surrogates.
var hostileSurrogates = []string{`\ud800`, `\udfff`, `\ud800\ud800`, `\udc00\ud800`, `x\ud83d`, `\ud83d\u0041`}

// hostileNumbers are numbers no Go number type holds, or not numbers.
var hostileNumbers = []string{"1e400", "-1e400", "1e-400", "1" + strings.Repeat("0", 400), "-0", "9223372036854775808",
	"1.0e+309", "0." + strings.Repeat("0", 400) + "1", "01", "1.", ".5", "+1", "NaN", "Infinity", "0x10"}

// value is a hostile value for one field.
func (g *hostileGen) value() (string, string) {
	switch g.rng.IntN(12) {
	case 0:
		d := pick(g, 100, 1000, 2000) // past 1,000: deeper than SQLite's json functions go
		return hostileNest(d, "1", g.chance(0.5)), fmt.Sprintf("depth-%d", d)
	case 1:
		return `"` + pick(g, hostileSurrogates...) + `"`, "surrogate"
	case 2:
		return `"a` + pick(g, hostileBadUTF8...) + `b"`, "utf8"
	case 3:
		return pick(g, hostileNumbers...), "number"
	case 4:
		if g.big("body-64KiB") {
			return `"` + strings.Repeat("a", 65536) + `"`, "string-65536"
		}
		return `"` + strings.Repeat(pick(g, "a", "é", `\u00e9`), 257) + `"`, "string-257"
	case 5:
		return hostileMetaKeys(pick(g, 100, 1000), "1"), "keys"
	case 6:
		return `"\u0000"`, "nul"
	default:
		return pick(g, `[]`, `{}`, `null`, `true`, `""`, `"  "`, `1.5`, `2147483648`, `"2147483648"`, `[null]`, `{"":null}`), "type"
	}
}

// body draws a body for r and its Content-Type.
func (g *hostileGen) body(r *hostileReq) {
	fields := g.template(r.route)
	at := func() int { return g.rng.IntN(len(fields)) }
	var body string
	switch n := g.rng.IntN(100); {
	case n < 10:
		body = hostileObject(fields)
		r.label("body:template")
	case n < 40: // one or two fields replaced
		for range 1 + g.rng.IntN(2) {
			v, l := g.value()
			fields[at()].value = v
			r.label("body:value-%s", l)
		}
		body = hostileObject(fields)
	case n < 50: // nested deep, whole or in a field
		d := pick(g, 64, 65, 100, 1000, 2000, 10000, 10001)
		if d >= 10000 && !g.big("body-depth-10000") {
			d = 1000
		}
		if g.chance(0.5) {
			body = hostileNest(d, "1", g.chance(0.5))
		} else {
			fields = append(fields, hostileField{pick(g, "metadata", "config", "custom_metadata", fields[0].key), hostileNest(d-1, `"x"`, g.chance(0.5))})
			body = hostileObject(fields)
		}
		r.label("body:depth-%d", d)
	case n < 58: // duplicate keys: plain, spelled with an escape, nested
		i := at()
		switch g.rng.IntN(3) {
		case 0:
			fields = append(fields, hostileField{fields[i].key, pick(g, fields[i].value, `"other"`, `null`)})
		case 1:
			k := fields[i].key
			fields = append(fields, hostileField{fmt.Sprintf(`\u%04x`, k[0]) + k[1:], `"other"`})
		default:
			fields[i].value = `{"k":1,"k":2}`
		}
		body = hostileObject(fields)
		r.label("body:duplicate-key")
	case n < 66: // invalid UTF-8 in a value, a key, or the whole body as UTF-16
		switch g.rng.IntN(3) {
		case 0:
			fields[at()].value = `"a` + pick(g, hostileBadUTF8...) + `b"`
			body = hostileObject(fields)
		case 1:
			fields = append(fields, hostileField{"k" + pick(g, hostileBadUTF8...), "1"})
			body = hostileObject(fields)
		default:
			var b strings.Builder
			b.WriteString("\xff\xfe")
			for _, u := range utf16.Encode([]rune(hostileObject(fields))) {
				b.WriteByte(byte(u))
				b.WriteByte(byte(u >> 8))
			}
			body = b.String()
		}
		r.label("body:utf8")
	case n < 72: // lone surrogates, as a value or a key
		if g.chance(0.5) {
			fields[at()].value = `"` + pick(g, hostileSurrogates...) + `"`
		} else {
			fields = append(fields, hostileField{pick(g, hostileSurrogates...), "1"})
		}
		body = hostileObject(fields)
		r.label("body:surrogate")
	case n < 78:
		fields[at()].value = pick(g, hostileNumbers...)
		body = hostileObject(fields)
		r.label("body:number")
	case n < 91: // not an object, not JSON, not one JSON value
		obj := hostileObject(fields)
		body = pick(g, "", " \n\t ", "null", "[]", "["+obj+"]", `"string"`, "123", "\ufeff"+obj, obj+"garbage", obj+obj,
			obj[:len(obj)/2], "{}", `{"":""}`, "{,}", "\x00")
		r.label("body:shape")
	case n < 93: // thousands of keys, at the top or in a field
		k := pick(g, 1000, 10000)
		if k > 1000 && !g.big("body-keys") {
			k = 1000
		}
		if g.chance(0.5) {
			body = hostileMetaKeys(k, "1")
		} else {
			fields = append(fields, hostileField{pick(g, "metadata", "config", "custom_metadata"), hostileMetaKeys(k, `"v"`)})
			body = hostileObject(fields)
		}
		r.label("body:keys-%d", k)
	case n < 96 && g.big("body-over-limit"): // over the 1 MiB limit
		obj := hostileObject(fields)
		size := pick(g, 1<<20+1, 2<<20)
		switch g.rng.IntN(3) {
		case 0:
			body = `{"name":"` + strings.Repeat("a", size) + `"}`
		case 1:
			body = strings.Repeat(" ", size-len(obj)) + obj
		default:
			body = obj + strings.Repeat(" ", size-len(obj))
		}
		r.label("body:big-%d", size)
	default: // just under the limit, in one field
		size := pick(g, 4096, 65536, 900_000)
		if size == 900_000 && !g.big("body-900KB") || size == 65536 && !g.big("body-64KiB") {
			size = 4096
		}
		fields[at()].value = `"` + strings.Repeat("a", size) + `"`
		body = hostileObject(fields)
		r.label("body:long-%d", size)
	}
	r.body = []byte(body)
	ct := "application/json"
	if r.route == "PATCH /core/agents/{id}/versions/{version}" {
		ct = "application/merge-patch+json" // the only type it takes
	}
	if g.chance(0.15) {
		ct = pick(g, "", "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=utf-16",
			"application/x-www-form-urlencoded", "application/merge-patch+json", ";;;", `application/json; charset="`,
			strings.Repeat("a", 1000)+"/json", "application/json\xff", "*/*", "application/json, text/plain")
		r.label("body:content-type")
	}
	if ct != "" {
		r.header.Set("Content-Type", ct)
	}
}
