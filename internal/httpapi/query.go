package httpapi

import (
	"math"
	"slices"
	"unicode/utf8"

	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/agentplane/agentplane"
)

// listQuery is a parsed list request: the page and the filters left for the
// resource to read.
type listQuery struct {
	list  string // which list the cursor belongs to
	scope string // the organization (or user) the cursor was issued to
	page  agentplane.Page
	vals  url.Values
	v     agentplane.Violations
}

// commonListParams are accepted by every list.
var commonListParams = []string{"limit", "cursor", "created_after", "created_before", "updated_after", "updated_before"}

// Caps on query inputs (SPEC §24), checked before any SQL runs.
const (
	// maxParamLen bounds every query value but metadata's.
	maxParamLen = 256
	// maxMetadataFilterLen and maxMetadataFilterKeys bound the metadata
	// filter, a JSON object of key/value pairs each agent must contain.
	maxMetadataFilterLen  = 4096
	maxMetadataFilterKeys = 32
)

// checkParams adds a violation for every parameter that is not one of
// allowed, given more than once, longer than its cap, or not valid UTF-8
// without NUL, and returns the parameters that passed, for the filters
// to read.
func checkParams(v *agentplane.Violations, q url.Values, allowed ...string) url.Values {
	ok := url.Values{}
	for k, vs := range q {
		if !contains(allowed, k) {
			v.Add("unknown query parameter "+trunc(k), "extra_forbidden", "query", trunc(k))
			continue
		}
		if len(vs) > 1 {
			v.Add(k+" is given more than once", "repeated", "query", k)
			continue
		}
		// Characters, as SPEC §24 counts them; the metadata filter's cap is
		// in bytes (4 KiB), and a byte bound first keeps counting cheap.
		val, tooLong := vs[0], false
		if k == "metadata" {
			tooLong = len(val) > maxMetadataFilterLen
		} else {
			tooLong = len(val) > 4*maxParamLen || utf8.RuneCountInString(val) > maxParamLen
		}
		switch {
		case tooLong && k == "metadata":
			v.Add(k+" must be at most 4096 bytes", "string_too_long", "query", k)
		case tooLong:
			v.Add(k+" must be at most "+itoa(maxParamLen)+" characters", "string_too_long", "query", k)
		case strings.ContainsRune(val, 0):
			v.Add(k+" must not contain NUL characters", "string_nul", "query", k)
		case !utf8.ValidString(val):
			v.Add(k+" must be valid UTF-8", "string_utf8", "query", k)
		default:
			ok[k] = vs
		}
	}
	return ok
}

// trunc shortens an echoed name so an error body stays small.
func trunc(s string) string {
	if len(s) <= 64 {
		return strings.ToValidUTF8(s, "?")
	}
	return strings.ToValidUTF8(s[:64], "?") + "…"
}

// parseList parses the paging and time-window parameters and checks that
// every other parameter is one of filters. Problems accumulate in lq.v so
// one 422 names them all; call lq.err() after reading the filters. A
// value that failed checkParams is not read at all.
func (s *Server) parseList(q url.Values, list, scope string, filters ...string) *listQuery {
	lq := &listQuery{list: list, scope: scope, page: agentplane.Page{Limit: agentplane.DefaultLimit}}
	q = checkParams(&lq.v, q, append(slices.Clip(commonListParams), filters...)...)
	lq.vals = q
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > agentplane.MaxLimit {
			lq.v.Add("limit must be an integer from 1 to 200", "range", "query", "limit")
		} else {
			lq.page.Limit = n
		}
	}
	if v := q.Get("cursor"); v != "" {
		c, ok := s.cursors.decode(list, scope, v)
		if !ok {
			lq.v.Add("cursor is invalid, tampered with, or was issued for another list", "cursor", "query", "cursor")
		} else {
			lq.page.After = &c
		}
	}
	lq.page.Window.CreatedAfter = lq.time("created_after")
	lq.page.Window.CreatedBefore = lq.time("created_before")
	lq.page.Window.UpdatedAfter = lq.time("updated_after")
	lq.page.Window.UpdatedBefore = lq.time("updated_before")
	return lq
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// time reads an RFC 3339 or epoch-milliseconds parameter.
func (lq *listQuery) time(name string) *agentplane.Time {
	v := lq.vals.Get(name)
	if v == "" {
		return nil
	}
	t, ok := agentplane.ParseTime(v)
	if !ok {
		lq.v.Add(name+" must be RFC 3339 or epoch milliseconds", "datetime", "query", name)
		return nil
	}
	return &t
}

// bool reads a true/false parameter.
func (lq *listQuery) bool(name string) *bool {
	v := lq.vals.Get(name)
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil || (v != "true" && v != "false") {
		lq.v.Add(name+" must be true or false", "bool", "query", name)
		return nil
	}
	return &b
}

// int reads an optional positive integer parameter.
func (lq *listQuery) int(name string) *int {
	v := lq.vals.Get(name)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > math.MaxInt32 || v[0] == '+' {
		lq.v.Add(name+" must be a positive integer", "int_parsing", "query", name)
		return nil
	}
	return &n
}

// requiredInt reads a positive integer parameter that must be present.
func (lq *listQuery) requiredInt(name string) int {
	if lq.vals.Get(name) == "" {
		lq.v.Add(name+" is required", "missing", "query", name)
		return 0
	}
	if n := lq.int(name); n != nil {
		return *n
	}
	return 0
}

// jsonObject reads a parameter holding a JSON object.
func (lq *listQuery) jsonObject(name string) map[string]json.RawMessage {
	v := lq.vals.Get(name)
	if v == "" {
		return nil
	}
	if nestingDepth([]byte(v)) > MaxJSONDepth {
		lq.v.Add(name+" nests deeper than 64 levels", "json_depth", "query", name)
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v), &m); err != nil || m == nil {
		lq.v.Add(name+" must be a JSON object", "object_type", "query", name)
		return nil
	}
	if len(m) > maxMetadataFilterKeys {
		lq.v.Add(name+" may hold at most 32 keys", "too_many_keys", "query", name)
		return nil
	}
	if err := inspectJSON([]byte(v), "query", name); err != nil {
		lq.v = append(lq.v, err.(*agentplane.Error).Fields...)
		return nil
	}
	var decoded any
	_ = json.Unmarshal([]byte(v), &decoded)
	before := len(lq.v)
	findNUL(&lq.v, decoded, []any{"query", name})
	if len(lq.v) > before {
		return nil
	}
	return m
}

// err reports the accumulated problems as one 422.
func (lq *listQuery) err() error { return lq.v.Err() }

// cursorCodec signs keyset positions so clients can't forge them and a
// cursor from one list or organization is refused by another.
type cursorCodec struct{ key []byte }

func (c cursorCodec) mac(list, scope, payload string) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(list + "\x00" + scope + "\x00" + payload))
	return m.Sum(nil)[:16]
}

func (c cursorCodec) encode(list, scope string, cur agentplane.Cursor) string {
	payload := strconv.FormatInt(cur.CreatedAt, 10) + "." + cur.ID
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." +
		base64.RawURLEncoding.EncodeToString(c.mac(list, scope, payload))
}

func (c cursorCodec) decode(list, scope, s string) (agentplane.Cursor, bool) {
	p64, m64, ok := strings.Cut(s, ".")
	if !ok {
		return agentplane.Cursor{}, false
	}
	// Strict: a changed padding bit is a changed cursor, not the same one.
	payload, err1 := base64.RawURLEncoding.Strict().DecodeString(p64)
	mac, err2 := base64.RawURLEncoding.Strict().DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, c.mac(list, scope, string(payload))) {
		return agentplane.Cursor{}, false
	}
	ts, id, ok := strings.Cut(string(payload), ".")
	ms, err := strconv.ParseInt(ts, 10, 64)
	// The id is a UUID or, for phone numbers, an E.164 string; the MAC
	// already vouches for it.
	if !ok || err != nil || id == "" {
		return agentplane.Cursor{}, false
	}
	return agentplane.Cursor{CreatedAt: ms, ID: id}, true
}
