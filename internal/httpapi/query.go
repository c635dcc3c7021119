package httpapi

import (
	"math"
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

// parseList parses the paging and time-window parameters and checks that
// every other parameter is one of filters. Problems accumulate in lq.v so
// one 422 names them all; call lq.err() after reading the filters.
func (s *Server) parseList(q url.Values, list, scope string, filters ...string) *listQuery {
	lq := &listQuery{list: list, scope: scope, vals: q, page: agentplane.Page{Limit: agentplane.DefaultLimit}}
	for k, vs := range q {
		if !contains(commonListParams, k) && !contains(filters, k) {
			lq.v.Add("unknown query parameter "+k, "extra_forbidden", "query", k)
		}
		for _, v := range vs {
			if strings.ContainsRune(v, 0) {
				lq.v.Add(k+" must not contain NUL characters", "string_nul", "query", k)
			} else if !utf8.ValidString(v) {
				lq.v.Add(k+" must be valid UTF-8", "string_utf8", "query", k)
			}
		}
	}
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
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v), &m); err != nil || m == nil {
		lq.v.Add(name+" must be a JSON object", "object_type", "query", name)
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
