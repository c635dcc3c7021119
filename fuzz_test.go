package agentplane_test

// Fuzz targets for the domain validators and the pure helpers they stand
// on (DESIGN §5). Each holds, for any input: no panic; a refusal is an
// EInvalid *Error whose every violation has a location under "body"; and
// what a validator accepts is already normal — validating it again
// accepts it unchanged.

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/mail"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/agentplane/agentplane"
)

// fuzzRefused checks err is nil or a well-formed EInvalid with body locations.
func fuzzRefused(t *testing.T, what string, err error) bool {
	t.Helper()
	if err == nil {
		return false
	}
	e, ok := errors.AsType[*agentplane.Error](err)
	if !ok || e.Code != agentplane.EInvalid || len(e.Fields) == 0 || e.Message == "" {
		t.Fatalf("%s: error %#v, want an EInvalid *Error with violations", what, err)
	}
	for _, f := range e.Fields {
		if len(f.Loc) < 2 || f.Loc[0] != "body" || f.Msg == "" || f.Type == "" {
			t.Fatalf("%s: violation %+v lacks a body location, message or type", what, f)
		}
	}
	return true
}

// fuzzBodySeeds start every JSON-body target.
var fuzzBodySeeds = []string{`{}`, `null`, `[]`, `{"name":"x"}`, `{"metadata":{"a":[1,2.0,1e2,{"b":null}]}}`, `{"metadata":"x"}`,
	`{"name":"` + strings.Repeat("é", 200) + `"}`, `{"name":" \t "}`, `{"name":"\ud800"}`, `{"metadata":{"a":1,"a":2}}`,
	`{"metadata":{"n":1e400,"m":-0.0,"big":123456789012345678901234567890}}`}

func fuzzAddSeeds(f *testing.F, own ...string) {
	for _, s := range append(own, fuzzBodySeeds...) {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
}

func FuzzAgentInputValidate(f *testing.F) {
	// No seed near the 10,000-character and 16 KiB limits: the fuzzer
	// spends its time minimizing such inputs (unit tests cover the limits).
	fuzzAddSeeds(f, `{"name":"a","description":"d","active":false,"is_demo":true,"metadata":{}}`, `{"metadata":null}`)
	f.Fuzz(func(t *testing.T, data []byte, create bool) {
		var in agentplane.AgentInput
		if json.Unmarshal(data, &in) != nil {
			return
		}
		if fuzzRefused(t, "AgentInput.Validate", in.Validate(create)) {
			return
		}
		if create && in.Name == nil {
			t.Fatalf("create accepted without a name: %s", data)
		}
		if in.Name != nil {
			if n := utf8.RuneCountInString(*in.Name); n < 1 || n > 200 || strings.TrimSpace(*in.Name) != *in.Name {
				t.Fatalf("accepted name %q", *in.Name)
			}
		}
		if in.Metadata != nil {
			if len(in.Metadata) > agentplane.MaxMetadataBytes || in.Metadata[0] != '{' || !json.Valid(in.Metadata) {
				t.Fatalf("accepted metadata %s", in.Metadata)
			}
		}
		again := in
		if err := again.Validate(create); err != nil || !reflect.DeepEqual(again, in) {
			t.Fatalf("accepted %+v; validating it again: %v, %+v", in, err, again)
		}
	})
}

func FuzzOrganizationInput(f *testing.F) {
	for _, s := range [][2]string{{"Acme", "acme"}, {" Acme ", " acme "}, {"", "a"}, {"x", "-a"}, {"x", "a-"}, {"x", "A"},
		{"x", strings.Repeat("a", 35)}, {"x", strings.Repeat("a", 36)}, {"x", "01234567-89ab-7def-8123-456789abcdef"}, {"x", "a\n"}, {"x", "ä"}} {
		f.Add(s[0], s[1])
	}
	slug := regexp.MustCompile(`^[a-z0-9-]{1,35}$`)
	f.Fuzz(func(t *testing.T, name, s string) {
		in := agentplane.OrganizationInput{Name: name, Slug: s}
		in.Normalize()
		if fuzzRefused(t, "OrganizationInput.Validate", in.Validate()) {
			return
		}
		if !slug.MatchString(in.Slug) || strings.HasPrefix(in.Slug, "-") || strings.HasSuffix(in.Slug, "-") || agentplane.ValidID(in.Slug) {
			t.Fatalf("accepted slug %q", in.Slug)
		}
		if n := utf8.RuneCountInString(in.Name); n < 1 || n > 200 || strings.TrimSpace(in.Name) != in.Name {
			t.Fatalf("accepted name %q", in.Name)
		}
	})
}

func FuzzMemberInput(f *testing.F) {
	for _, s := range [][2]string{{"a@b.test", "admin"}, {" A@B.Test ", "viewer"}, {"Name <a@b.test>", "admin"}, {"a@b", "owner"},
		{`"a b"@x.test`, "viewer"}, {"a@[127.0.0.1]", "viewer"}, {"@", ""}, {strings.Repeat("a", 250) + "@x.test", "admin"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, email, role string) {
		in := agentplane.MemberInput{Email: email, Role: agentplane.Role(role)}
		in.Normalize()
		if fuzzRefused(t, "MemberInput.Validate", in.Validate()) {
			return
		}
		if in.Email != agentplane.NormalizeEmail(in.Email) || len(in.Email) > 254 || !in.Role.Valid() {
			t.Fatalf("accepted %+v", in)
		}
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			t.Fatalf("accepted email %q that is not a bare address", in.Email)
		}
		up := agentplane.MemberUpdate{Role: in.Role}
		if err := up.Validate(); err != nil {
			t.Fatalf("MemberUpdate refuses role %q: %v", in.Role, err)
		}
	})
}

func FuzzCredentialInput(f *testing.F) {
	fuzzAddSeeds(f, `{"name":"k","expires_at":4102444800000,"scopes":["agents:read","members:manage"]}`, `{"name":"k","expires_at":1}`,
		`{"name":"k","scopes":[]}`, `{"name":"k","scopes":["root"]}`, `{"name":"k","expires_at":9223372036854775807}`, `{"name":" k "}`)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte, _ bool) {
		var in agentplane.CredentialInput
		if json.Unmarshal(data, &in) != nil {
			return
		}
		if fuzzRefused(t, "CredentialInput.Validate", in.Validate(now)) {
			return
		}
		if n := utf8.RuneCountInString(in.Name); n < 1 || n > 200 || strings.TrimSpace(in.Name) != in.Name {
			t.Fatalf("accepted name %q", in.Name)
		}
		if in.ExpiresAt != nil && *in.ExpiresAt <= now.UnixMilli() {
			t.Fatalf("accepted expires_at %d in the past", *in.ExpiresAt)
		}
		if in.Scopes != nil {
			if len(*in.Scopes) == 0 {
				t.Fatal("accepted an empty scope list")
			}
			for _, s := range *in.Scopes {
				if !s.Valid() {
					t.Fatalf("accepted scope %q", s)
				}
			}
		}
	})
}

func FuzzWebWidgetInput(f *testing.F) {
	fuzzAddSeeds(f, `{"name":"w","agent_id":"01234567-89ab-7def-8123-456789abcdef","agent_version_id":"01234567-89ab-7def-8123-456789abcdef","domains":["Example.com","https://example.com/","http://localhost:3000"],"published":true,"config":{"theme":"dark"}}`,
		`{"agent_id":"01234567-89AB-7DEF-8123-456789ABCDEF"}`, `{"domains":["ftp://x","https://u:p@x","x/y","https://x?q","https://x#f",""]}`,
		`{"domains":["https://[::1]:8080","https://%41.com","http://EXAMPLE.com:80"]}`, `{"config":[]}`, `{"config":null}`)
	f.Fuzz(func(t *testing.T, data []byte, create bool) {
		var in agentplane.WebWidgetInput
		if json.Unmarshal(data, &in) != nil {
			return
		}
		if fuzzRefused(t, "WebWidgetInput.Validate", in.Validate(create)) {
			return
		}
		if create && (in.Name == nil || in.AgentID == nil || in.AgentVersionID == nil) {
			t.Fatalf("create accepted without name, agent_id or agent_version_id: %s", data)
		}
		for _, id := range []*string{in.AgentID, in.AgentVersionID} {
			if id != nil && !agentplane.ValidID(*id) {
				t.Fatalf("accepted id %q", *id)
			}
		}
		if in.Domains != nil {
			seen := map[string]bool{}
			for _, d := range *in.Domains {
				if o, ok := agentplane.NormalizeOrigin(d); !ok || o != d || seen[d] {
					t.Fatalf("accepted domains %q: %q is not a normal origin, or repeats", *in.Domains, d)
				}
				seen[d] = true
			}
		}
		if in.Config != nil && (in.Config[0] != '{' || !json.Valid(in.Config)) {
			t.Fatalf("accepted config %s", in.Config)
		}
		again := in
		if err := again.Validate(create); err != nil || !reflect.DeepEqual(again, in) {
			t.Fatalf("accepted %+v; validating it again: %v, %+v", in, err, again)
		}
	})
}

func FuzzConversationInput(f *testing.F) {
	fuzzAddSeeds(f, `{"channel":"telephone","direction":"inbound","user_id":"u","agent_id":"01234567-89ab-7def-8123-456789abcdef","version":"latest"}`,
		`{"channel":"webrtc","direction":"outbound","user_id":"u","version":3}`, `{"channel":"sms","direction":"up","user_id":""}`,
		`{"channel":"text","direction":"inbound","user_id":"u","agent_id":"01234567-89ab-7def-8123-456789abcdef","version":1.5}`,
		`{"channel":"text","direction":"inbound","user_id":"u","agent_id":"01234567-89ab-7def-8123-456789abcdef","version":"1"}`,
		`{"channel":"email","direction":"inbound","user_id":"u","initial_context":[],"custom_metadata":{"a":1}}`, `{"version":null}`)
	f.Fuzz(func(t *testing.T, data []byte, _ bool) {
		var in agentplane.ConversationInput
		if json.Unmarshal(data, &in) != nil {
			return
		}
		version, err := in.Validate()
		if fuzzRefused(t, "ConversationInput.Validate", err) {
			return
		}
		if version < -1 || (version != 0 && in.AgentID == nil) {
			t.Fatalf("accepted version %d (agent_id %v) from %s", version, in.AgentID, data)
		}
		if agentplane.IsNull(in.Version) != (version == 0) {
			t.Fatalf("version %s read as %d", in.Version, version)
		}
		if in.UserID == "" || len(in.UserID) > 200 {
			t.Fatalf("accepted user_id %q", in.UserID)
		}
	})
}

func FuzzConversationUpdate(f *testing.F) {
	fuzzAddSeeds(f, `{"status":"completed","duration":12.5,"user_turn_count":3,"summary":"s","transcript":[{"role":"user"}]}`,
		`{"status":"done"}`, `{"duration":-1}`, `{"duration":604800.5}`, `{"user_turn_count":-1}`, `{"duration":1e-320}`)
	f.Fuzz(func(t *testing.T, data []byte, _ bool) {
		var in agentplane.ConversationUpdate
		if json.Unmarshal(data, &in) != nil {
			return
		}
		if fuzzRefused(t, "ConversationUpdate.Validate", in.Validate()) {
			return
		}
		if in.Status != nil && !agentplane.ValidStatus(*in.Status) {
			t.Fatalf("accepted status %q", *in.Status)
		}
		if in.Duration != nil && (*in.Duration < 0 || *in.Duration > 7*24*3600 || math.IsNaN(*in.Duration)) {
			t.Fatalf("accepted duration %v", *in.Duration)
		}
		if in.UserTurnCount != nil && *in.UserTurnCount < 0 {
			t.Fatalf("accepted user_turn_count %d", *in.UserTurnCount)
		}
	})
}

func FuzzPhoneNumberPatch(f *testing.F) {
	fuzzAddSeeds(f, `{"label":"l","trunk_id":"t","outbound_shareable":true}`, `{"trunk_id":""}`, `{"trunk_id":" "}`, `{"label":null}`,
		`{"label":"`+strings.Repeat("é", 201)+`"}`)
	f.Fuzz(func(t *testing.T, data []byte, _ bool) {
		var in agentplane.PhoneNumberPatch
		if json.Unmarshal(data, &in) != nil {
			return
		}
		if fuzzRefused(t, "PhoneNumberPatch.Validate", in.Validate()) {
			return
		}
		if in.Label != nil && utf8.RuneCountInString(*in.Label) > 200 {
			t.Fatalf("accepted label %q", *in.Label)
		}
		if in.TrunkID != nil && (strings.TrimSpace(*in.TrunkID) == "" || utf8.RuneCountInString(*in.TrunkID) > 200) {
			t.Fatalf("accepted trunk_id %q", *in.TrunkID)
		}
	})
}

func FuzzNormalizeOrigin(f *testing.F) {
	for _, s := range []string{"example.com", "https://Example.com/", "http://localhost:3000", "ftp://x", "https://u:p@x", "https://x/p",
		"https://x?q", "https://x#f", "", " ", "https://", "//x", "HTTPS://X", "https://[::1]:8080", "https://x:99999", "https://%41",
		"https://x:", "http://x:80", "HTTPS://Example.COM:443", "http://[::1]:80", "https://x:0443", "a b", "https://ex ample.com", "javascript:alert(1)", "https://x/%2F"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, ok := agentplane.NormalizeOrigin(s)
		if !ok {
			if o != "" {
				t.Fatalf("NormalizeOrigin(%q) refused but returned %q", s, o)
			}
			return
		}
		again, ok2 := agentplane.NormalizeOrigin(o)
		if !ok2 || again != o {
			t.Fatalf("NormalizeOrigin(%q) = %q, which normalizes to %q, %v", s, o, again, ok2)
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.User != nil ||
			u.RawQuery != "" || u.Fragment != "" || o != strings.ToLower(o) {
			t.Fatalf("NormalizeOrigin(%q) = %q, not a lowercase http(s) origin", s, o)
		}
		w := agentplane.WebWidget{Domains: []string{o}}
		// An Origin header always has a scheme; as a header, s counts
		// only when it has one.
		if !w.AllowsOrigin(o) || strings.Contains(s, "://") && !w.AllowsOrigin(s) {
			t.Fatalf("a widget for %q refuses origin %q or %q", o, o, s)
		}
		if c, ok := agentplane.CanonicalOrigin(o); !ok || c != o {
			t.Fatalf("CanonicalOrigin(%q) = %q, %v; want it unchanged", o, c, ok)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-11-28T12:00:00.123Z", "2026-11-28T12:00:00Z", "2026-11-28T12:00:00.123456789+02:00", "1767225600123",
		"-1", "0", "9223372036854775807", "-9223372036854775808", "1e3", "2026-11-28", "2026-02-30T00:00:00Z", " 1", "+1",
		"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2026-11-28T24:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, ok := agentplane.ParseTime(s)
		if !ok {
			return
		}
		if tm.Location() != time.UTC || tm.Nanosecond()%int(time.Millisecond) != 0 {
			t.Fatalf("ParseTime(%q) = %v: not UTC milliseconds", s, tm.Time)
		}
		if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
			if tm.Millis() != ms {
				t.Fatalf("ParseTime(%q).Millis() = %d", s, tm.Millis())
			}
			return
		}
		// An RFC 3339 input within the years RFC 3339 can write round-trips
		// through the API's own format.
		if y := tm.Year(); y >= 0 && y <= 9999 {
			back, ok := agentplane.ParseTime(tm.String())
			if !ok || !back.Equal(tm.Time) {
				t.Fatalf("ParseTime(%q) = %s, which parses back as %v, %v", s, tm, back.Time, ok)
			}
		}
	})
}

func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"b":1,"a":[1.0,1e2,-0.0,1.5e300,1e-7,123456789012345678901234567890]}`, `{"a":1,"a":2}`,
		`"\ud800"`, `"\u0000<&>"`, `1e400`, `[1E+2,0.1,-1.25e-5]`, `  {"x" : null}  `, `9007199254740993.0`, `{"a":1}x`, `{"a":`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := agentplane.CanonicalJSON(raw)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("CanonicalJSON(%q) = %q, not valid JSON", raw, out)
		}
		again, err := agentplane.CanonicalJSON(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("CanonicalJSON(%q) = %q, but CanonicalJSON of that = %q, %v", raw, out, again, err)
		}
		// Same value: what encoding/json reads from both is equal (where
		// it can read the input at all: 1e400 overflows a float64).
		var a, b any
		if json.Unmarshal(raw, &a) == nil {
			if err := json.Unmarshal(out, &b); err != nil || !reflect.DeepEqual(a, b) {
				t.Fatalf("CanonicalJSON(%q) = %q changes the value: %#v vs %#v (%v)", raw, out, a, b, err)
			}
		}
	})
}

// FuzzCompactObject: only a JSON object passes, and comes out canonical.
func FuzzCompactObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `null`, `[]`, `"x"`, `{"a":1} {"b":2}`, ` {"a" : [ ] } `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := agentplane.CompactObject(raw)
		if err != nil {
			return
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(out, &m) != nil || m == nil {
			t.Fatalf("CompactObject(%q) = %q, not an object", raw, out)
		}
		if again, _ := agentplane.CanonicalJSON(out); !bytes.Equal(again, out) {
			t.Fatalf("CompactObject(%q) = %q is not canonical (%q)", raw, out, again)
		}
	})
}

func FuzzRolloutInputs(f *testing.F) {
	fuzzAddSeeds(f, `{"version":2,"percent":30,"description":"try v2"}`, `{"version":0,"percent":100}`, `{"to_version":3}`,
		`{"percent":1}`, `{"version":1,"percent":99,"description":null}`)
	f.Fuzz(func(t *testing.T, data []byte, _ bool) {
		user := string(data) // any text may be a caller's id
		var ro agentplane.RolloutInput
		if json.Unmarshal(data, &ro) == nil && !fuzzRefused(t, "RolloutInput.Validate", ro.Validate()) {
			if ro.Version == nil || *ro.Version < 1 || ro.Percent == nil || *ro.Percent < 1 || *ro.Percent > 99 ||
				(ro.Description != nil && utf8.RuneCountInString(*ro.Description) > agentplane.MaxVersionDescription) {
				t.Fatalf("accepted rollout %s", data)
			}
			// The canary's share is decided the same way every time, and
			// never for a caller at 0% or against one at 100%.
			r := agentplane.AgentRollout{ID: "r", Version: *ro.Version, Percent: *ro.Percent}
			if first := r.Canary(user, "a"); r.Canary(user, "a") != first {
				t.Fatalf("caller %q changes sides", user)
			}
			r.Percent = 0
			if r.Canary(user, "a") {
				t.Fatalf("caller %q in a 0%% canary", user)
			}
			r.Percent = 100
			if !r.Canary(user, "a") {
				t.Fatalf("caller %q out of a 100%% canary", user)
			}
		}
		var rb agentplane.RollbackInput
		if json.Unmarshal(data, &rb) == nil && !fuzzRefused(t, "RollbackInput.Validate", rb.Validate()) {
			if (rb.ToVersion != nil && *rb.ToVersion < 1) ||
				(rb.Description != nil && utf8.RuneCountInString(*rb.Description) > agentplane.MaxVersionDescription) {
				t.Fatalf("accepted rollback %s", data)
			}
		}
	})
}
