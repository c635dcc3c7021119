package httpapi

// Fuzz targets for every request decoder, list-query parser and the cursor
// codec (DESIGN §5). The HTTP targets drive the real handler — middleware,
// authentication, decoding, service and store — on a real database, and
// hold one property for any input: no panic and no 5xx, and every error
// is the API's JSON error body. `make fuzz` runs each for FUZZTIME; plain
// `go test` runs the seeds, on SQLite and (when AGENTPLANE_TEST_POSTGRES_URL
// is set, as under scripts/with-postgres) on PostgreSQL too, which catches
// inputs one engine stores and the other refuses. While fuzzing, only
// SQLite is used unless AGENTPLANE_FUZZ_ENGINE=postgres. Seeds include
// the boundary values only PostgreSQL refuses — version numbers past
// 2^31-1, invalid UTF-8, lone surrogates, NUL escapes — so the server must
// check them before they reach the store.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/agentplane/agentplane/internal/seal"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/jobs"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/store"
)

// fuzzEnv is the real handler on a real store with one organization and
// an object of each kind for fuzzed requests to aim at.
type fuzzEnv struct {
	engine   store.Engine
	srv      *Server
	key, pat string // the admin's org key and PAT
	orgID    string
	agent    string // v1 published (pins number both ways), v2 a draft with builder inputs
	number   string
	widget   string
	conv     string // a conversation still open (replaced when a PATCH ends it)
	viewer   string // user id of a viewer member
	logs     *fuzzLog
}

// fuzzLog keeps the server's error lines of the current request, for the
// failure message of a 5xx.
type fuzzLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *fuzzLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *fuzzLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	l.buf.Reset()
	return s
}

// fuzzing reports whether this process is fuzzing (-fuzz given) rather
// than running the seed corpus.
func fuzzing() bool {
	fl := flag.Lookup("test.fuzz")
	return fl != nil && fl.Value.String() != ""
}

// fuzzEnvs returns one env per engine to run inputs on (see the file
// comment). queue gives the service a River queue (never started), so
// routes that start workflows answer 202 rather than 503.
func fuzzEnvs(f *testing.F, queue bool) []*fuzzEnv {
	f.Helper()
	engines := []store.Engine{store.SQLite}
	switch {
	case fuzzing() && os.Getenv("AGENTPLANE_FUZZ_ENGINE") == "postgres":
		engines = []store.Engine{store.Postgres}
	case !fuzzing() && dbtest.PostgresURL(f) != "":
		engines = append(engines, store.Postgres)
	}
	var out []*fuzzEnv
	for _, eng := range engines {
		out = append(out, newFuzzEnv(f, eng, queue))
	}
	return out
}

func newFuzzEnv(f *testing.F, engine store.Engine, queue bool) *fuzzEnv {
	f.Helper()
	ctx := context.Background()
	sopts := dbtest.Options(f, engine)
	st, err := store.Open(ctx, sopts)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	logs := &fuzzLog{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelError}))
	box, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		f.Fatal(err)
	}
	svc := service.New(st, service.Options{Logger: log, Secrets: box})
	if queue {
		// Registered, never started: workflows are created with their
		// jobs, and no job runs.
		if _, err := jobs.New(ctx, st, svc, jobs.Options{Logger: log}); err != nil {
			f.Fatal(err)
		}
	}
	ck, err := svc.CursorKey(ctx)
	if err != nil {
		f.Fatal(err)
	}
	boot, err := svc.Bootstrap(ctx, service.BootstrapInput{OrgName: "Fuzz", OrgSlug: "fuzz", Email: "admin@fuzz.test"})
	if err != nil {
		f.Fatal(err)
	}
	fe := &fuzzEnv{engine: engine, srv: New(svc, Options{CursorKey: ck, Logger: log}), key: boot.OrgKey, pat: boot.PAT, orgID: boot.OrganizationID, logs: logs}
	// setup makes one fixture request as the admin and returns the
	// created object's fields.
	type created struct {
		ID          string `json:"id"`
		PhoneNumber string `json:"phone_number"`
		UserID      string `json:"user_id"`
	}
	setup := func(method, path string, body string, want int) created {
		f.Helper()
		var v created
		status, b, ok := fe.serve(method, path, "Bearer "+fe.key, "", "application/json", []byte(body))
		if !ok || status != want {
			f.Fatalf("setup %s %s: %d %s", method, path, status, b)
		}
		if len(b) > 0 && b[0] == '{' {
			if err := json.Unmarshal(b, &v); err != nil {
				f.Fatal(err)
			}
		}
		return v
	}
	fe.number = setup("POST", "/core/phone-numbers", `{"phone_number":"+14155550100","label":"fuzz"}`, 201).PhoneNumber
	fe.agent = setup("POST", "/core/agents", `{"name":"fuzz agent","metadata":{"k":"v"}}`, 201).ID
	version1 := setup("POST", "/core/agents/"+fe.agent+"/versions", `{"config":{"instructions":"hi","starting_message":{"text":"Hello"}}}`, 201).ID
	setup("POST", "/core/agents/"+fe.agent+"/versions/1/publish", `{"phone_numbers":["+14155550100"],"direction":"both"}`, 200)
	setup("POST", "/core/agents/"+fe.agent+"/versions", `{"config":{},"instruction_builder_inputs":{"company_name":"Fuzz Co"}}`, 201)
	fe.widget = setup("POST", "/core/web-widgets", `{"name":"w","agent_id":"`+fe.agent+`","agent_version_id":"`+version1+`","domains":["example.com"],"published":true}`, 201).ID
	fe.viewer = setup("POST", "/admin/members", `{"email":"viewer@fuzz.test","role":"viewer"}`, 201).UserID
	fe.newConversation(f)
	return fe
}

func (fe *fuzzEnv) newConversation(t testing.TB) {
	t.Helper()
	st, b, _ := fe.serve("POST", "/core/conversations", "Bearer "+fe.key, "", "application/json",
		[]byte(`{"channel":"telephone","direction":"inbound","user_id":"fuzz","agent_id":"`+fe.agent+`"}`))
	var v struct {
		Conv struct {
			ID string `json:"id"`
		} `json:"conversation"`
	}
	if st != 201 || json.Unmarshal(b, &v) != nil {
		t.Fatalf("new conversation: %d %s", st, b)
	}
	fe.conv = v.Conv.ID
}

// fuzzHeaderValueOK mirrors what net/http's server accepts in a header
// value: no control characters other than horizontal tab.
func fuzzHeaderValueOK(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// serve sends one request through the handler as net/http's server would
// hand it over: the request line and headers are parsed by
// http.ReadRequest, so a target or header a real server refuses before any
// handler runs is skipped (ok false). Empty header values are not sent.
func (fe *fuzzEnv) serve(method, target, authz, org, contentType string, body []byte) (status int, respBody []byte, ok bool) {
	var raw strings.Builder
	fmt.Fprintf(&raw, "%s %s HTTP/1.1\r\nHost: fuzz.test\r\n", method, target)
	for k, v := range map[string]string{"Authorization": authz, "X-Anyreach-Org": org, "Content-Type": contentType} {
		if v == "" {
			continue
		}
		if !fuzzHeaderValueOK(v) {
			return 0, nil, false
		}
		fmt.Fprintf(&raw, "%s: %s\r\n", k, v)
	}
	fmt.Fprintf(&raw, "Content-Length: %d\r\n\r\n", len(body))
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw.String() + string(body))))
	if err != nil || r.Method != method {
		return 0, nil, false
	}
	r.RemoteAddr = "192.0.2.1:4242"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec := httptest.NewRecorder()
	fe.srv.ServeHTTP(rec, r.WithContext(ctx))
	return rec.Code, rec.Body.Bytes(), true
}

// fuzzErrorCodes are the body codes SPEC §1 allows.
var fuzzErrorCodes = []string{"invalid", "unauthenticated", "forbidden", "not_found", "conflict", "precondition_failed",
	"payload_too_large", "rate_limited", "unavailable", "internal"}

// do sends the request and fails t on a 5xx (with the server's log lines)
// or an error body that isn't the API's. It returns the status (0 when the
// request never reaches a handler).
func (fe *fuzzEnv) do(t *testing.T, method, target, authz, org, contentType string, body []byte) (int, []byte) {
	t.Helper()
	fe.logs.take()
	status, rb, ok := fe.serve(method, target, authz, org, contentType, body)
	if !ok {
		return 0, nil
	}
	if status >= 500 {
		t.Fatalf("%s: %s %s (Content-Type %q, X-Anyreach-Org %q) body %q → %d %s\nserver log:\n%s",
			fe.engine, method, target, contentType, org, fuzzTrunc(body), status, rb, fe.logs.take())
	}
	if status >= 400 {
		if err := CheckErrorBody(rb); err != nil {
			t.Fatalf("%s: %s %s body %q → %d with a body that is not the API's error body (%v): %s", fe.engine, method, target, fuzzTrunc(body), status, err, rb)
		}
	}
	return status, rb
}

func fuzzTrunc(b []byte) string {
	if len(b) > 500 {
		return string(b[:500]) + "…"
	}
	return string(b)
}

// fuzzJSONSeeds are bodies every body target starts from, besides its own.
var fuzzJSONSeeds = []string{
	``, `{}`, `[]`, `null`, `"x"`, `{"a":1}`, `{"name":null}`, `{"name":"\u0000"}`, `{"x":"\ud800"}`, `{"a":1,"a":2}`,
	`{"name":` + strconv.Quote(strings.Repeat("é", 201)) + `}`, `{"metadata":{"n":1e400}}`, `{"metadata":{"n":-0.0}}`,
	`{"`, `{"a":}`, `{"a":1}{"b":2}`, `{"a":1} `, "\xef\xbb\xbf{}", `{"name":"x","name":5}`,
	// SPEC §24's limits: nesting at and past 64, invalid UTF-8, lone and
	// paired surrogates, a duplicate inside a nested object.
	strings.Repeat(`[`, 64) + strings.Repeat(`]`, 64), strings.Repeat(`[`, 65) + strings.Repeat(`]`, 65),
	`{"metadata":` + strings.Repeat(`{"a":`, 70) + `1` + strings.Repeat(`}`, 70) + `}`,
	"{\"name\":\"\xff\"}", `{"x":"\udc00"}`, `{"x":"\ud83d\ude00"}`, `{"m":{"k":1,"k":1}}`, `{"a\"":1,"a\u0022":2}`,
}

func fuzzAddBodySeeds(f *testing.F, own ...string) {
	for _, s := range append(own, fuzzJSONSeeds...) {
		f.Add([]byte(s))
	}
}

// FuzzDecode feeds arbitrary bytes to the body decoder for every input
// type: refusals are 400 (malformed) or 422 (wrong shape, or well-formed
// but refused by SPEC §24: too deep, duplicate keys, invalid Unicode),
// each 422 naming a location under "body", and an accepted body decodes
// to what encoding/json makes of it.
func FuzzDecode(f *testing.F) {
	fuzzAddBodySeeds(f, `{"name":"a","description":"d","active":true,"metadata":{"k":[1,{"x":null}]}}`,
		`{"config":{"instructions":"x"},"base_version":1}`, `{"phone_numbers":["+14155550100"],"direction":"both"}`,
		`{"channel":"webrtc","direction":"inbound","user_id":"u","version":"latest","agent_id":"x"}`,
		`{"domains":["a.com",1]}`, `{"active":"yes","is_demo":3,"metadata":[]}`, `{"scopes":["agents:read",7]}`,
		`{"expires_at":1.5}`, `{"duration":"1"}`, `{"user_turn_count":1e3}`, `{"transcript":[{"a":"\u0000"}]}`)
	types := []any{
		agentplane.AgentInput{}, agentplane.VersionCreate{}, agentplane.VersionUpdate{}, service.PublishInput{},
		agentplane.ConversationInput{}, agentplane.ConversationUpdate{}, agentplane.WebWidgetInput{},
		agentplane.PhoneNumberInput{}, agentplane.PhoneNumberPatch{}, agentplane.MemberInput{}, agentplane.MemberUpdate{},
		agentplane.CredentialInput{}, agentplane.OrganizationInput{}, agentplane.WebsiteInput{}, agentplane.DemoInput{}, compareInput{},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		syntaxErr := checkSyntax(body)
		if syntaxErr != nil {
			switch agentplane.ErrorCodeOf(syntaxErr) {
			case agentplane.EBadRequest:
				if json.Valid(body) {
					t.Fatalf("checkSyntax(%q) = %v for well-formed JSON", body, syntaxErr)
				}
			case agentplane.EInvalid:
				fe := syntaxErr.(*agentplane.Error).Fields
				if len(fe) == 0 || len(fe[0].Loc) == 0 || fe[0].Loc[0] != "body" {
					t.Fatalf("checkSyntax(%q) = %+v: a 422 must name where", body, syntaxErr)
				}
			default:
				t.Fatalf("checkSyntax(%q) = %v, want bad_request or invalid", body, syntaxErr)
			}
			return
		}
		if !utf8.Valid(body) || nestingDepth(body) > MaxJSONDepth {
			t.Fatalf("checkSyntax accepted %q: invalid UTF-8 or nested past the cap", body)
		}
		for _, typ := range types {
			dst := reflect.New(reflect.TypeOf(typ))
			err := decodeBytes(body, dst.Interface())
			if err == nil {
				want := reflect.New(reflect.TypeOf(typ))
				if jerr := json.Unmarshal(body, want.Interface()); jerr != nil {
					t.Fatalf("%T: decodeBytes accepted %q that encoding/json refuses: %v", typ, body, jerr)
				}
				if !reflect.DeepEqual(dst.Interface(), want.Interface()) {
					t.Fatalf("%T: decodeBytes(%q) = %+v, encoding/json %+v", typ, body, dst.Elem(), want.Elem())
				}
				continue
			}
			var e *agentplane.Error
			if !errors.As(err, &e) || e.Code != agentplane.EInvalid {
				t.Fatalf("%T: decodeBytes(%q) = %v, want an invalid (422) *agentplane.Error", typ, body, err)
			}
			for _, fe := range e.Fields {
				if len(fe.Loc) == 0 || fe.Loc[0] != "body" || fe.Msg == "" || fe.Type == "" {
					t.Fatalf("%T: decodeBytes(%q): violation %+v lacks a body location, message or type", typ, body, fe)
				}
			}
		}
	})
}

// fuzzBodyTarget runs body through each route of fn's choosing on every
// engine; routes is called per input so it can aim at current objects.
func fuzzBodyTarget(f *testing.F, queue bool, seeds []string, routes func(fe *fuzzEnv) [][3]string) {
	fuzzAddBodySeeds(f, seeds...)
	envs := fuzzEnvs(f, queue)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, fe := range envs {
			for _, rt := range routes(fe) {
				token := fe.key
				if rt[2] == "pat" {
					token = fe.pat
				}
				ct := "application/json"
				if rt[0] == "PATCH" {
					ct = "application/merge-patch+json" // taken by every PATCH, the only type of a version's
				}
				fe.do(t, rt[0], rt[1], "Bearer "+token, "", ct, body)
			}
		}
	})
}

// FuzzCreateAgentBody posts arbitrary bytes, under an arbitrary
// Content-Type, to POST /core/agents and PUT /core/agents/{id}.
func FuzzCreateAgentBody(f *testing.F) {
	for _, s := range append([]string{`{"name":"a","description":"d","active":false,"is_demo":true,"metadata":{"k":{"n":[1,2.50,1e2]}}}`,
		`{"name":"  padded  "}`, `{"metadata":{}}`, `{"metadata":"{}"}`, `{"id":"x","organization_id":"y"}`}, fuzzJSONSeeds...) {
		for _, ct := range []string{"application/json", "", "text/plain", "application/merge-patch+json; charset=utf-8", "application/json; charset=\"", "application/x-www-form-urlencoded"} {
			f.Add(ct, []byte(s))
		}
	}
	envs := fuzzEnvs(f, false)
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		for _, fe := range envs {
			fe.do(t, "POST", "/core/agents", "Bearer "+fe.key, "", contentType, body)
			fe.do(t, "PUT", "/core/agents/"+fe.agent, "Bearer "+fe.key, "", contentType, body)
		}
	})
}

// FuzzVersionBody: POST …/versions (config xor base_version), PUT and
// PATCH (a merge patch) of a draft, and the config validator, with one
// body.
func FuzzVersionBody(f *testing.F) {
	fuzzBodyTarget(f, false, []string{
		`{"config":{"instructions":"x","voice":{"provider":"p","voice_id":"v","speed":1.5}}}`, `{"base_version":1}`,
		`{"base_version":99}`, `{"base_version":-1}`, `{"config":{},"base_version":1}`, `{"config":null}`,
		`{"config":{"tools":[{"name":"t","actions":[{"type":"cold_transfer","transfer_number":"+14155550100"}]}]}}`,
		`{"config":{"channel_overrides":{"sms":{"instructions_mode":"replace"}}},"instruction_builder_inputs":{"faqs":[{"question":"q","answer":"a"}]}}`,
		`{"instruction_builder_inputs":{"company_name":"\ud800"}}`, `{"config":{"instructions":"\ud800"}}`,
		`{"config":{"max_tool_steps":1e400}}`, `{"config":{"llm":{"temperature":1e-7}}}`, `{"base_version":2147483648}`,
		`{"config":{"instructions":"x"},"instruction_builder_inputs":{"company_name":"\ud800\udc00\udc00"}}`,
		`{"config":{"tools":[{"name":"t","properties":{"\ud800":{}}}]}}`, `{"config":{"max_tool_steps":2147483648}}`,
		`{"config":{"voice":null,"language":"fr-FR"},"description":null}`, `{"instruction_builder_inputs":{"company_name":null,"faqs":[]}}`,
		`{"description":"` + strings.Repeat("é", 2001) + `"}`, `{"config":{"channel_overrides":{"sms":{"instructions_mode":null}}}}`,
	}, func(fe *fuzzEnv) [][3]string {
		return [][3]string{
			{"POST", "/core/agents/" + fe.agent + "/versions"},
			{"PUT", "/core/agents/" + fe.agent + "/versions/2"},
			{"PATCH", "/core/agents/" + fe.agent + "/versions/latest"},
			{"POST", "/core/agent-config-schema/validate"},
		}
	})
}

// FuzzPublishBody: publish's optional body, on a published version (a
// re-pin) and on the draft (refused while its builder inputs are stale).
func FuzzPublishBody(f *testing.F) {
	fuzzBodyTarget(f, false, []string{
		`{"phone_numbers":["+14155550100"],"direction":"outbound"}`, `{"unassign_phone_numbers":["(415) 555-0100"]}`,
		`{"phone_numbers":["+14155550100"],"unassign_phone_numbers":["+1 415 555 0100"]}`, `{"phone_numbers":["+14155550199"]}`,
		`{"phone_numbers":["not a number"],"direction":"sideways"}`, `{"phone_numbers":[null]}`, `{"direction":null}`,
		`{"phone_numbers":["` + strings.Repeat("9", 41) + `"]}`, `{"phone_numbers":["+800 1234 5678"]}`,
	}, func(fe *fuzzEnv) [][3]string {
		return [][3]string{
			{"POST", "/core/agents/" + fe.agent + "/versions/1/publish"},
			{"POST", "/core/agents/" + fe.agent + "/versions/2/publish"},
		}
	})
}

// FuzzConversationBody: POST /core/conversations and PATCH of an open
// conversation (a new one replaces it once a PATCH ends it).
func FuzzConversationBody(f *testing.F) {
	fuzzAddBodySeeds(f, `{"channel":"telephone","direction":"inbound","user_id":"u","agent_number":"+14155550100"}`,
		`{"channel":"webrtc","direction":"outbound","user_id":"u","agent_id":"AGENT","version":"latest","custom_metadata":{"a":1}}`,
		`{"channel":"text","direction":"inbound","user_id":"u","agent_id":"AGENT","version":1,"initial_context":{"p":"\ud800"}}`,
		`{"channel":"email","direction":"inbound","user_id":"u","web_widget_id":"WIDGET"}`, `{"channel":"webrtc","direction":"inbound","user_id":"u","version":0}`,
		`{"status":"in_progress","duration":1.5,"user_turn_count":2,"summary":"s","transcript":[{"role":"user","text":"hi"}]}`,
		`{"status":"completed","transcript":"\ud800"}`, `{"transcript":{"a":"\udc00\ud800"}}`, `{"transcript":1e400}`, `{"duration":604800.0001}`,
		`{"status":"in_progress","transcript":{"k":"\u0000"}}`, `{"summary":"\ud83d\ude00"}`, `{"summary":"\ud800"}`,
		`{"channel":"text","direction":"inbound","user_id":"u","agent_id":"AGENT","version":2147483648}`,
		`{"channel":"text","direction":"inbound","user_id":"\ud800","agent_id":"AGENT","custom_metadata":{"\ud800":"\udfff"}}`,
		`{"status":"in_progress","user_turn_count":2147483648,"duration":1e-320}`, `{"user_turn_count":9223372036854775807}`,
		"{\"transcript\":[\"raw \xff byte\"]}")
	envs := fuzzEnvs(f, false)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, fe := range envs {
			b := bytes.ReplaceAll(bytes.ReplaceAll(body, []byte("AGENT"), []byte(fe.agent)), []byte("WIDGET"), []byte(fe.widget))
			fe.do(t, "POST", "/core/conversations", "Bearer "+"Bearer "+fe.key, "", "application/json", b)
			if st, _ := fe.do(t, "PATCH", "/core/conversations/"+fe.conv, "Bearer "+fe.key, "", "application/json", b); st == http.StatusConflict || st == http.StatusOK {
				fe.newConversation(t)
			}
		}
	})
}

// FuzzWidgetBody: POST /core/web-widgets and PUT of a widget.
func FuzzWidgetBody(f *testing.F) {
	fuzzAddBodySeeds(f, `{"name":"w","agent_id":"AGENT","agent_version_id":"AGENT","domains":["http://localhost:3000","EXAMPLE.com/"],"config":{"theme":"dark"}}`,
		`{"domains":["ftp://x","https://u:p@x","https://x/path","https://[::1]:99999"]}`, `{"domains":[]}`, `{"config":[]}`, `{"published":true}`,
		`{"domains":["`+strings.Repeat("a", 299)+`.com"]}`, `{"domains":["%zz.com"]}`, `{"domains":["https://xn--80ak6aa92e.com"]}`,
		`{"name":"\ud800","config":{"\ud800":1}}`, `{"domains":["\ud800.com"]}`, `{"config":{"n":1e400,"m":-0.0}}`)
	envs := fuzzEnvs(f, false)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, fe := range envs {
			b := bytes.ReplaceAll(body, []byte("AGENT"), []byte(fe.agent))
			fe.do(t, "POST", "/core/web-widgets", "Bearer "+"Bearer "+fe.key, "", "application/json", b)
			fe.do(t, "PUT", "/core/web-widgets/"+fe.widget, "Bearer "+fe.key, "", "application/json", b)
		}
	})
}

// FuzzPhoneNumberBody: POST /core/phone-numbers and PATCH of a number.
func FuzzPhoneNumberBody(f *testing.F) {
	fuzzBodyTarget(f, false, []string{
		`{"phone_number":"(415) 555-0101","label":"l","trunk_id":"t","outbound_shareable":true}`, `{"phone_number":"+44 20 7946 0958"}`,
		`{"phone_number":"+14155550100"}`, `{"phone_number":"0"}`, `{"phone_number":"+1 415 555 0102 ext. 5"}`, `{"trunk_id":" "}`,
		`{"label":null,"trunk_id":null}`, `{"inbound_agent_version_id":"x"}`, `{"phone_number":"tel:+1-415-555-0103"}`,
		`{"label":"\ud800","trunk_id":"\udfff"}`,
	}, func(fe *fuzzEnv) [][3]string {
		return [][3]string{{"POST", "/core/phone-numbers"}, {"PATCH", "/core/phone-numbers/" + url.PathEscape(fe.number)}}
	})
}

// FuzzAdminBody: members, credentials and organizations.
func FuzzAdminBody(f *testing.F) {
	fuzzBodyTarget(f, false, []string{
		`{"email":"New@Example.com ","role":"viewer"}`, `{"email":"a@b","role":"owner"}`, `{"email":"\"quoted\"@x.test","role":"admin"}`,
		`{"role":"admin"}`, `{"role":"viewer"}`, `{"name":"k","expires_at":4102444800000,"scopes":["agents:read"]}`,
		`{"name":"k","expires_at":1}`, `{"name":"k","expires_at":9223372036854775807}`, `{"name":"k","expires_at":-9223372036854775808}`,
		`{"name":"k","scopes":[]}`, `{"name":"k","scopes":["root"]}`, `{"name":"Org","slug":"new-org"}`, `{"name":"Org","slug":"-bad-"}`,
		`{"name":"Org","slug":"01234567-89ab-cdef-0123-456789abcdef"}`, `{"name":"\ud800","slug":"surrogate"}`,
		`{"email":"\ud800@x.test","role":"viewer"}`, `{"name":"\ud800"}`,
	}, func(fe *fuzzEnv) [][3]string {
		return [][3]string{
			{"POST", "/admin/members"}, {"PUT", "/admin/members/" + fe.viewer},
			{"POST", "/admin/organization-pats"}, {"POST", "/admin/user-pats", "pat"}, {"POST", "/admin/organizations", "pat"},
		}
	})
}

// FuzzWorkflowBody: create-from-website and create-demo (jobs are queued,
// never worked).
func FuzzWorkflowBody(f *testing.F) {
	fuzzBodyTarget(f, true, []string{
		`{"company_name":"Co","company_website":"https://example.com","skip_deployment":true}`,
		`{"company_website":"javascript:alert(1)"}`, `{"company_website":"http://"}`, `{"company_website":"https://example.com","existing_agent_id":"nope"}`,
		`{"company_website":"https://example.com","existing_agent_id":"01234567-89ab-7def-8123-456789abcdef"}`,
		`{"company_website":"https://example.com","instructions":"x","include_phone_number":true}`, `{"company_website":"https://exa mple.com"}`,
	}, func(fe *fuzzEnv) [][3]string {
		return [][3]string{{"POST", "/core/agents/create-from-website"}, {"POST", "/core/agents/create-demo"}}
	})
}

// FuzzCompareBody: the streamed compare's body.
func FuzzCompareBody(f *testing.F) {
	fuzzBodyTarget(f, false, []string{`{"from_version":1,"to_version":2}`, `{"from_version":1,"to_version":99}`,
		`{"from_version":0,"to_version":-1}`, `{"from_version":9223372036854775807,"to_version":1}`, `{"from_version":"1"}`,
		`{"from_version":1,"to_version":2147483648}`},
		func(fe *fuzzEnv) [][3]string {
			return [][3]string{{"POST", "/core/agents/" + fe.agent + "/versions/compare"}}
		})
}

// fuzzLists are the list (and diff) routes a fuzzed query string goes to.
func fuzzLists(fe *fuzzEnv) [][3]string {
	return [][3]string{
		{"/core/agents"}, {"/core/agents/" + fe.agent + "/versions"}, {"/core/phone-numbers"}, {"/core/web-widgets"},
		{"/core/conversations"}, {"/core/workflows"}, {"/admin/members"}, {"/admin/organization-pats"},
		{"/admin/user-pats", "", "pat"}, {"/admin/organizations", "", "pat"}, {"/core/agents/" + fe.agent + "/versions/diff"},
	}
}

var fuzzQuerySeeds = []string{
	// SPEC §24's caps: at and past 256 characters, a repeated filter, 33
	// metadata keys, deep metadata.
	"name=" + strings.Repeat("a", 256), "name=" + strings.Repeat("a", 257), "name=a&name=b",
	"metadata=" + url.QueryEscape(`{"k0":1,"k1":1,"k2":1,"k3":1,"k4":1,"k5":1,"k6":1,"k7":1,"k8":1,"k9":1,"k10":1,"k11":1,"k12":1,"k13":1,"k14":1,"k15":1,"k16":1,"k17":1,"k18":1,"k19":1,"k20":1,"k21":1,"k22":1,"k23":1,"k24":1,"k25":1,"k26":1,"k27":1,"k28":1,"k29":1,"k30":1,"k31":1,"k32":1}`),
	"metadata=" + url.QueryEscape(`{"k":`+strings.Repeat("[", 80)+strings.Repeat("]", 80)+`}`),
	"", "limit=1", "limit=0", "limit=201", "limit=-1", "limit=1e2", "limit=99999999999999999999", "cursor=", "cursor=abc.def", "cursor=..",
	"created_after=2026-01-01T00:00:00Z", "created_before=1767225600000", "updated_after=-9223372036854775808",
	"updated_before=9223372036854775807", "created_after=2026-13-45T99:99:99Z", "created_after=10000-01-01T00:00:00Z",
	"name=%25", "name=_", "name=%00", "name=%27%3B--", "active=true&is_demo=false", "active=TRUE", "metadata=%7B%22k%22%3A%22v%22%7D",
	"metadata=%7B%22k%22%3A1e400%7D", "metadata=%7B%22k%22%3A%22%5Cu0000%22%7D", "metadata=%7B%22k%22%3A%22%5Cud800%22%7D",
	"metadata=%7B%22%5Cud800%22%3A1%7D", "version=2147483648", "from=1&to=2147483648", "name=%ED%A0%80", "name=%FF", "trunk_id=%FF", "phone_number=%FF",
	"agent_number=%2B1%FF", "duration_above=1e308&duration_below=-1e308", "metadata=null", "metadata=%5B%5D", "metadata=%7B%22a%22%3A%7B%22b%22%3A%5B1%5D%7D%7D", "metadata=%7B%22%5Cu0000%22%3A1%7D",
	"version=1&published=true", "version=0", "phone_number=%2B1415", "phone_number=+1415", "agent_id=nope", "trunk_id=t",
	"agent_id=01234567-89ab-7def-8123-456789abcdef", "direction=inbound&channel=webrtc&status=completed", "agent_number=+14155550100",
	"agent_number=%2B14155550100", "duration_above=1.5&duration_below=NaN", "duration_above=1e309", "kind=create_demo&status=queued",
	"from=1&to=2", "from=2&to=1", "from=1", "to=x", "unknown=1", "limit=1&limit=2", "a=%zz", "%zz", "&&&=&", "limit=%EF%BF%BD",
}

// FuzzListAgentsQuery sends arbitrary query strings to GET /core/agents.
func FuzzListAgentsQuery(f *testing.F) {
	for _, s := range fuzzQuerySeeds {
		f.Add(s)
	}
	envs := fuzzEnvs(f, false)
	f.Fuzz(func(t *testing.T, query string) {
		for _, fe := range envs {
			st, b := fe.do(t, "GET", "/core/agents?"+query, "Bearer "+fe.key, "", "", nil)
			fuzzCheckList(t, st, b)
		}
	})
}

// FuzzListQuery sends arbitrary query strings to every list route and to
// the diff route.
func FuzzListQuery(f *testing.F) {
	for _, s := range fuzzQuerySeeds {
		for i := range len(fuzzLists(&fuzzEnv{})) {
			f.Add(uint8(i), s)
		}
	}
	envs := fuzzEnvs(f, false)
	f.Fuzz(func(t *testing.T, which uint8, query string) {
		for _, fe := range envs {
			routes := fuzzLists(fe)
			rt := routes[int(which)%len(routes)]
			token := fe.key
			if rt[2] == "pat" {
				token = fe.pat
			}
			st, b := fe.do(t, "GET", rt[0]+"?"+query, "Bearer "+token, "", "", nil)
			if !strings.HasSuffix(rt[0], "/diff") {
				fuzzCheckList(t, st, b)
			}
		}
	})
}

// fuzzCheckList: a list answers 200 with the envelope, or 422.
func fuzzCheckList(t *testing.T, status int, body []byte) {
	t.Helper()
	switch status {
	case 0, http.StatusUnprocessableEntity:
	case http.StatusOK:
		var page struct {
			Data       []json.RawMessage `json:"data"`
			Pagination struct {
				Limit int `json:"limit"`
			} `json:"pagination"`
		}
		if err := json.Unmarshal(body, &page); err != nil || page.Data == nil || page.Pagination.Limit < 1 || page.Pagination.Limit > agentplane.MaxLimit ||
			len(page.Data) > page.Pagination.Limit {
			t.Fatalf("list answered 200 with %s", fuzzTrunc(body))
		}
	default:
		t.Fatalf("list answered %d: %s", status, fuzzTrunc(body))
	}
}

// FuzzParseList drives the list-query parser and every filter reader
// directly: no panic, a limit in range, problems reported only as one
// 422 located in the query.
func FuzzParseList(f *testing.F) {
	for _, s := range fuzzQuerySeeds {
		f.Add(s)
	}
	s := &Server{cursors: cursorCodec{key: []byte("fuzz key")}}
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		lq := s.parseList(q, "agents", "org", "name", "active", "metadata", "version", "phone_number", "duration_above", "status", "agent_id")
		lq.bool("active")
		lq.jsonObject("metadata")
		lq.int("version")
		lq.requiredInt("from")
		lq.phone("phone_number")
		lq.float("duration_above")
		lq.oneOf("status", agentplane.TerminalStatuses)
		lq.id("agent_id")
		if v := q.Get("phone_number"); digits(v) != v && strings.TrimLeft(strings.TrimPrefix(digits(v), "+"), "0123456789") != "" {
			t.Fatalf("digits(%q) = %q: neither the text as written nor an E.164 fragment", v, digits(v))
		}
		if lq.page.Limit < 1 || lq.page.Limit > agentplane.MaxLimit {
			t.Fatalf("limit %d from %q", lq.page.Limit, raw)
		}
		if err := lq.err(); err == nil {
			// Accepted: within SPEC §24's caps.
			for k, vs := range q {
				limit := maxParamLen
				if k == "metadata" {
					limit = maxMetadataFilterLen
				}
				if len(vs) != 1 || len(vs[0]) > limit {
					t.Fatalf("parseList(%q) accepted %s = %d values, %d bytes", raw, k, len(vs), len(vs[0]))
				}
			}
		} else {
			var e *agentplane.Error
			if !errors.As(err, &e) || e.Code != agentplane.EInvalid || len(e.Fields) == 0 {
				t.Fatalf("parseList(%q) error %v, want a 422 with fields", raw, err)
			}
			for _, fe := range e.Fields {
				if len(fe.Loc) < 2 || fe.Loc[0] != "query" {
					t.Fatalf("parseList(%q): violation at %v, want [query name …]", raw, fe.Loc)
				}
			}
		}
	})
}

// FuzzCursor decodes arbitrary cursors: only the exact text the server
// issued decodes (no second spelling of a cursor, no forgery), and never
// for another list or organization. Through the handler, any cursor is a
// 200 or a 422.
func FuzzCursor(f *testing.F) {
	c := cursorCodec{key: []byte("fuzz cursor key")}
	for _, s := range []string{
		c.encode("agents", "org", agentplane.Cursor{CreatedAt: 1767225600123, ID: agentplane.NewID()}),
		c.encode("agents", "org", agentplane.Cursor{CreatedAt: -1, ID: "+14155550100"}),
		c.encode("agents", "org", agentplane.Cursor{CreatedAt: 0, ID: "a.b"}),
		"", ".", "a.b", "MTcwMDAwMDAwMDAwMC54.AAAAAAAAAAAAAAAAAAAAAA", "MTcwMDAwMDAwMDAwMC54=.AAAAAAAAAAAAAAAAAAAAAA==",
	} {
		f.Add(s)
	}
	envs := fuzzEnvs(f, false)
	f.Fuzz(func(t *testing.T, s string) {
		if cur, ok := c.decode("agents", "org", s); ok {
			if again := c.encode("agents", "org", cur); again != s {
				t.Fatalf("cursor %q decodes to %+v, which the server spells %q: two spellings of one cursor", s, cur, again)
			}
			if cur.ID == "" {
				t.Fatalf("cursor %q decodes to an empty id", s)
			}
		}
		for _, other := range [][2]string{{"versions:x", "org"}, {"agents", "other org"}, {"agent", "sorg"}} {
			if _, ok := c.decode(other[0], other[1], s); ok {
				if _, mine := c.decode("agents", "org", s); mine {
					t.Fatalf("cursor %q decodes for %v as well as for agents/org", s, other)
				}
			}
		}
		for _, fe := range envs {
			st, b := fe.do(t, "GET", "/core/agents?cursor="+url.QueryEscape(s), "Bearer "+fe.key, "", "", nil)
			fuzzCheckList(t, st, b)
		}
	})
}

// FuzzCursorRoundTrip: every position the server can issue decodes back
// to itself, and only for its own list and scope.
func FuzzCursorRoundTrip(f *testing.F) {
	f.Add(int64(1767225600123), "0195f1b2-0000-7000-8000-000000000000", "agents", "org")
	f.Add(int64(-1), "+14155550100", "versions:x", "")
	f.Add(int64(0), "a.b.c", "", "a\x00b")
	c := cursorCodec{key: []byte("fuzz cursor key")}
	f.Fuzz(func(t *testing.T, ms int64, id, list, scope string) {
		if id == "" {
			return // the server never issues an empty id
		}
		s := c.encode(list, scope, agentplane.Cursor{CreatedAt: ms, ID: id})
		cur, ok := c.decode(list, scope, s)
		if !ok || cur.CreatedAt != ms || cur.ID != id {
			t.Fatalf("encode(%q, %q, {%d, %q}) = %q decodes to %+v, %v", list, scope, ms, id, s, cur, ok)
		}
		if _, ok := c.decode(list+"x", scope, s); ok {
			t.Fatalf("cursor for list %q decodes for list %q", list, list+"x")
		}
		if _, ok := c.decode(list, scope+"x", s); ok {
			t.Fatalf("cursor for scope %q decodes for scope %q", scope, scope+"x")
		}
		// Moving the separator between list and scope must change the MAC
		// input too.
		if len(list) > 0 {
			if _, ok := c.decode(list[:len(list)-1], list[len(list)-1:]+scope, s); ok && !strings.Contains(list+scope, "\x00") {
				t.Fatalf("cursor for (%q, %q) decodes for (%q, %q)", list, scope, list[:len(list)-1], list[len(list)-1:]+scope)
			}
		}
		// Any one-character change breaks it.
		b := []byte(s)
		i := int(uint64(ms) % uint64(len(b)))
		for _, r := range []byte{'A', 'B', '_', '-', '.', '='} {
			if b[i] == r {
				continue
			}
			m := append([]byte(nil), b...)
			m[i] = r
			if cur2, ok := c.decode(list, scope, string(m)); ok {
				t.Fatalf("tampered cursor %q (from %q) decodes to %+v", m, s, cur2)
			}
		}
	})
}

var fuzzParam = regexp.MustCompile(`\{[^}]+\}`)

// FuzzPathParams puts arbitrary text in every path parameter of every
// route (ids, version numbers, E.164 numbers, key ids).
func FuzzPathParams(f *testing.F) {
	for _, s := range []string{"", "x", "latest", "0", "-1", "1", "99999999999999999999", "%2B14155550100", "+14155550100", "(415)%20555-0100",
		"01234567-89AB-7DEF-8123-456789ABCDEF", "01234567-89ab-7def-8123-456789abcdef", "%00", "..", "%2e%2e", "a%2Fb", "%F0%9F%98%80", "%ff",
		"2147483648", "2147483647", "9223372036854775807", "%2B1%FF"} {
		for i, rt := range New(nil, Options{CursorKey: []byte("k")}).Routes() {
			switch strings.Count(rt.Path, "{") {
			case 1:
				f.Add(uint8(i), s, "1")
			case 2:
				f.Add(uint8(i), s, "1")
				f.Add(uint8(i), "AGENT", s)
			}
		}
	}
	envs := fuzzEnvs(f, true)
	f.Fuzz(func(t *testing.T, which uint8, p1, p2 string) {
		for _, fe := range envs {
			p1 := strings.ReplaceAll(p1, "AGENT", fe.agent)
			routes := fe.srv.Routes()
			rt := routes[int(which)%len(routes)]
			n := 0
			path := fuzzParam.ReplaceAllStringFunc(rt.Path, func(string) string {
				n++
				if n == 1 {
					return p1
				}
				return p2
			})
			token := fe.key
			if rt.UserOnly {
				token = fe.pat
			}
			var body []byte
			ct := ""
			if rt.Method == "POST" || rt.Method == "PUT" || rt.Method == "PATCH" {
				body, ct = []byte(`{}`), "application/json"
			}
			fe.do(t, rt.Method, path, "Bearer "+token, "", ct, body)
		}
	})
}

// FuzzAuthHeaders sends arbitrary Authorization and X-Anyreach-Org values,
// alone and next to valid credentials: 200, 401 or 403, nothing else.
func FuzzAuthHeaders(f *testing.F) {
	for _, s := range [][2]string{
		{"", ""}, {"Bearer", ""}, {"Bearer ", "fuzz"}, {"bearer KEY", "fuzz"}, {"Basic KEY", ""}, {"Bearer ak_.", ""}, {"Bearer ak_x.y", "x"},
		{"Bearer pat_01234567-89ab-7def-8123-456789abcdef.c2VjcmV0", "fuzz"}, {"Bearer KEY", "ORG"}, {"Bearer PAT", "ORG"}, {"Bearer PAT", ""},
		{"Bearer PAT", "nope"}, {"Bearer PAT", "01234567-89ab-7def-8123-456789abcdef"}, {"Bearer PAT", "01234567-89AB-7DEF-8123-456789ABCDEF"},
		{"Bearer PAT", "%00"}, {"Bearer PAT", "a\xffb"}, {"Bearer KEY", "a\xffb"}, {"Bearer KEY", "fuzz "}, {"Bearer  KEY", ""}, {"Bearer KEYx", ""}, {"Bearer PAT", strings.Repeat("a", 300)},
	} {
		f.Add(s[0], s[1])
	}
	envs := fuzzEnvs(f, false)
	f.Fuzz(func(t *testing.T, authz, org string) {
		for _, fe := range envs {
			a := strings.NewReplacer("KEY", fe.key, "PAT", fe.pat).Replace(authz)
			o := strings.ReplaceAll(org, "ORG", fe.orgID)
			for _, path := range []string{"/core/agents?limit=1", "/admin/user-pats?limit=1"} {
				st, b := fe.do(t, "GET", path, a, o, "", nil)
				switch st {
				case 0, http.StatusOK, http.StatusUnauthorized, http.StatusForbidden:
				default:
					t.Fatalf("Authorization %q, X-Anyreach-Org %q → %d %s", a, o, st, b)
				}
				if st == http.StatusOK && !utf8.Valid(b) {
					t.Fatalf("invalid UTF-8 in %s", b)
				}
			}
		}
	})
}
