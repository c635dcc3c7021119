package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/agentplane/agentplane/client"
	"github.com/google/uuid"
)

// exchange is what the stub server saw of one request.
type exchange struct {
	method, path string
	query        url.Values
	header       http.Header
	body         map[string]any
}

// stub answers every request with status and body (JSON unless it starts
// with "<") and records what it got. These tests pin the helpers'
// encoding and decoding; the end-to-end tests in internal/app run the
// client against the real server.
func stub(t *testing.T, status int, body string) (*httptest.Server, <-chan exchange) {
	t.Helper()
	seen := make(chan exchange, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ex := exchange{method: r.Method, path: r.URL.EscapedPath(), query: r.URL.Query(), header: r.Header.Clone()}
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			if err := json.Unmarshal(b, &ex.body); err != nil {
				t.Errorf("request body is not a JSON object: %s", b)
			}
		}
		seen <- ex
		if strings.HasPrefix(body, "<") {
			w.Header().Set("Content-Type", "text/html")
		} else if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, seen
}

const (
	agentA1 = "0190a5b2-0000-7000-8000-0000000000a1"
	org1    = "0190a5b2-0000-7000-8000-000000000001"
)

func agentJSON(id string) string {
	return `{"id":"` + id + `","organization_id":"` + org1 + `","name":"x","description":"","active":true,"is_demo":false,` +
		`"metadata":{},"created_at":"2026-01-02T03:04:05.678Z","updated_at":"2026-01-02T03:04:05.678Z"}`
}

func TestHeadersAndListQuery(t *testing.T) {
	t.Parallel()
	srv, seen := stub(t, 200, `{"data":[`+agentJSON(agentA1)+`],"pagination":{"limit":2,"next_cursor":"abc"}}`)
	c := client.New(srv.URL+"/", client.WithToken("pat_x.y"), client.WithOrg("acme"))
	after := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))
	page, err := c.ListAgents(context.Background(), &client.ListAgentsParams{
		Limit: new(2), Cursor: new("cur"), CreatedAfter: client.TimeParam(after),
		Name: new("Sales"), Active: new(true), IsDemo: new(false),
		Metadata: new(`{"team":"a"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	ex := <-seen
	if ex.method != "GET" || ex.path != "/core/agents" {
		t.Errorf("request = %s %s", ex.method, ex.path)
	}
	if got := ex.header.Get("Authorization"); got != "Bearer pat_x.y" {
		t.Errorf("Authorization = %q", got)
	}
	if got := ex.header.Get("X-Anyreach-Org"); got != "acme" {
		t.Errorf("X-Anyreach-Org = %q", got)
	}
	want := url.Values{
		"limit": {"2"}, "cursor": {"cur"}, "created_after": {"2025-12-31T23:00:00Z"},
		"name": {"Sales"}, "active": {"true"}, "is_demo": {"false"}, "metadata": {`{"team":"a"}`},
	}
	if ex.query.Encode() != want.Encode() {
		t.Errorf("query = %s, want %s", ex.query.Encode(), want.Encode())
	}
	if len(page.Data) != 1 || page.Data[0].Id.String() != agentA1 || page.NextCursor != "abc" || page.Limit != 2 {
		t.Errorf("page = %+v", page)
	}
	if got := page.Data[0].CreatedAt; !got.Equal(time.Date(2026, 1, 2, 3, 4, 5, 678e6, time.UTC)) {
		t.Errorf("created_at = %s", got)
	}
}

func TestLastPageHasNoCursor(t *testing.T) {
	t.Parallel()
	srv, seen := stub(t, 200, `{"data":[],"pagination":{"limit":50,"next_cursor":null}}`)
	page, err := client.New(srv.URL).ListMembers(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ex := <-seen
	if len(ex.query) != 0 || ex.header.Get("Authorization") != "" || ex.header.Get("X-Anyreach-Org") != "" {
		t.Errorf("unset options were sent: query %v, header %v", ex.query, ex.header)
	}
	if page.NextCursor != "" || page.Data == nil || len(page.Data) != 0 {
		t.Errorf("page = %+v", page)
	}
}

func TestWithReplacesTokenAndOrg(t *testing.T) {
	t.Parallel()
	srv, seen := stub(t, 200, `["agents:read"]`)
	ctx := context.Background()
	base := client.New(srv.URL, client.WithToken("pat_1.a"), client.WithOrg("acme"))
	for _, tc := range []struct {
		c          *client.Client
		auth, org  string
		orgPresent bool
	}{
		{base, "Bearer pat_1.a", "acme", true},
		{base.With(client.WithOrg("")), "Bearer pat_1.a", "", false},
		{base.With(client.WithToken("ak_2.b")), "Bearer ak_2.b", "acme", true},
		{base.With(client.WithOrg("")).With(client.WithOrg("side")), "Bearer pat_1.a", "side", true},
		{base.With(client.WithToken("")), "", "acme", true},
		{base, "Bearer pat_1.a", "acme", true}, // derived clients left base alone
	} {
		scopes, err := tc.c.MyScopes(ctx)
		if err != nil || len(scopes) != 1 || scopes[0] != client.AgentsRead {
			t.Fatalf("scopes = %v, %v", scopes, err)
		}
		ex := <-seen
		_, present := ex.header["X-Anyreach-Org"]
		if ex.header.Get("Authorization") != tc.auth || ex.header.Get("X-Anyreach-Org") != tc.org || present != tc.orgPresent {
			t.Errorf("sent Authorization %q, X-Anyreach-Org %q; want %q, %q", ex.header.Get("Authorization"), ex.header.Get("X-Anyreach-Org"), tc.auth, tc.org)
		}
	}
}

func TestUpdateSendsOnlySetFields(t *testing.T) {
	t.Parallel()
	srv, seen := stub(t, 200, agentJSON(agentA1))
	id := uuid.MustParse(agentA1)
	a, err := client.New(srv.URL).UpdateAgent(context.Background(), id, client.AgentUpdate{Active: new(false)})
	if err != nil {
		t.Fatal(err)
	}
	ex := <-seen
	if ex.method != "PUT" || ex.path != "/core/agents/"+agentA1 {
		t.Errorf("request = %s %s", ex.method, ex.path)
	}
	if len(ex.body) != 1 || ex.body["active"] != false {
		t.Errorf("body = %v, want only active=false", ex.body)
	}
	if ct := ex.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if a.Id != id || a.Name != "x" {
		t.Errorf("agent = %+v", a)
	}
}

// TestPatchVersionSendsAMergePatch: the short form sends only the fields
// set, as application/merge-patch+json, to the numbered version.
func TestPatchVersionSendsAMergePatch(t *testing.T) {
	t.Parallel()
	version := `{"id":"` + agentA1 + `","agent_id":"` + agentA1 + `","version":3,"description":"Faster","published":false,"published_at":null,` +
		`"base_version":2,"config":{"language":"en-US"},"instruction_builder_inputs":null,"instructions_status":"idle","instructions_error":null,` +
		`"instructions_dirty":false,"instructions_manually_edited":false,"created_at":"2026-01-02T03:04:05.678Z","updated_at":"2026-01-02T03:04:05.678Z"}`
	srv, seen := stub(t, 200, version)
	note := "Faster"
	v, err := client.New(srv.URL).PatchVersion(context.Background(), uuid.MustParse(agentA1), 3,
		client.VersionPatch{Config: &map[string]any{"voice": map[string]any{"speed": 1.2}}, Description: &note})
	if err != nil {
		t.Fatal(err)
	}
	ex := <-seen
	if ex.method != "PATCH" || ex.path != "/core/agents/"+agentA1+"/versions/3" {
		t.Errorf("request = %s %s", ex.method, ex.path)
	}
	if ct := ex.header.Get("Content-Type"); ct != "application/merge-patch+json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if b, _ := json.Marshal(ex.body); string(b) != `{"config":{"voice":{"speed":1.2}},"description":"Faster"}` {
		t.Errorf("body = %s", b)
	}
	if v.Version != 3 || v.Description != "Faster" {
		t.Errorf("version = %+v", v)
	}
}

func TestCredentialBody(t *testing.T) {
	t.Parallel()
	srv, seen := stub(t, 201, `{"pat_key":"ak_1.s","key_id":"`+agentA1+`","name":"ci","scopes":["agents:read"],"expires_at":null,"created_at":"2026-01-02T03:04:05.678Z"}`)
	cc, err := client.New(srv.URL).CreateOrgKey(context.Background(), client.CredentialInput{Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	ex := <-seen
	if ex.path != "/admin/organization-pats" || ex.body["name"] != "ci" || len(ex.body) != 1 {
		t.Errorf("request = %s %v, want only the name", ex.path, ex.body)
	}
	if cc.PatKey != "ak_1.s" || cc.KeyId.String() != agentA1 || len(cc.Scopes) != 1 || cc.ExpiresAt != nil {
		t.Errorf("created = %+v", cc)
	}
}

func TestErrorBody(t *testing.T) {
	t.Parallel()
	srv, _ := stub(t, 422, `{"detail":"name is required","code":"invalid","errors":[{"loc":["body","tools",0,"name"],"msg":"name is required","type":"missing"}]}`)
	_, err := client.New(srv.URL).CreateAgent(context.Background(), client.AgentInput{})
	e, ok := errors.AsType[*client.Error](err)
	if !ok {
		t.Fatalf("err = %v, want *client.Error", err)
	}
	if e.Status != 422 || e.Code != client.ErrorCodeInvalid || e.Detail != "name is required" || len(e.Errors) != 1 || e.Errors[0].Type != "missing" {
		t.Errorf("error = %+v", e)
	}
	if got := fmt.Sprint(e.Errors[0].Loc); got != "[body tools 0 name]" {
		t.Errorf("loc prints as %s", got)
	}
	if got := err.Error(); got != "agentplane: 422 invalid: name is required" {
		t.Errorf("message = %q", got)
	}
	if client.StatusOf(err) != 422 || client.StatusOf(errors.New("x")) != 0 {
		t.Error("StatusOf")
	}
}

func TestErrorWithoutAPIBody(t *testing.T) {
	t.Parallel()
	srv, _ := stub(t, 502, `<html>bad gateway</html>`)
	err := client.New(srv.URL).DeleteAgent(context.Background(), uuid.New())
	e, ok := errors.AsType[*client.Error](err)
	if !ok || e.Status != 502 || e.Code != "" || e.Detail != "<html>bad gateway</html>" {
		t.Fatalf("err = %#v", err)
	}
}

// TestCheckGeneratedCall: Check gives any generated call the same
// *Error as the short forms.
func TestCheckGeneratedCall(t *testing.T) {
	t.Parallel()
	srv, seen := stub(t, 404, `{"detail":"web widget not found","code":"not_found"}`)
	c := client.New(srv.URL)
	r, err := c.GetWebWidgetWithResponse(context.Background(), uuid.MustParse(agentA1), nil)
	if err := client.Check(r, err); client.StatusOf(err) != 404 {
		t.Fatalf("Check = %v, want a 404 *Error", err)
	}
	if ex := <-seen; ex.path != "/core/web-widgets/"+agentA1 {
		t.Errorf("path = %s", ex.path)
	}
	srv.Close()
	r, err = c.GetWebWidgetWithResponse(context.Background(), uuid.MustParse(agentA1), nil)
	if err == nil || client.Check(r, err) != err {
		t.Errorf("a transport error: Check = %v, want the call's error %v", client.Check(r, err), err)
	}
}

func TestFailingOptionFailsEveryCall(t *testing.T) {
	t.Parallel()
	c := client.New("http://127.0.0.1:1", client.WithBaseURL("http://[::1"))
	if err := c.Healthz(context.Background()); err == nil || !strings.Contains(err.Error(), "client option") {
		t.Errorf("Healthz = %v, want the option's error", err)
	}
	if err := c.With(client.WithToken("x")).Healthz(context.Background()); err == nil {
		t.Error("a client derived from a failed one works")
	}
}

func TestAgentsIteratesPages(t *testing.T) {
	t.Parallel()
	a := func(n int) string { return agentJSON(fmt.Sprintf("0190a5b2-0000-7000-8000-00000000000%d", n)) }
	pages := map[string]string{
		"":   `{"data":[` + a(3) + `,` + a(2) + `],"pagination":{"limit":2,"next_cursor":"c2"}}`,
		"c2": `{"data":[` + a(1) + `],"pagination":{"limit":2,"next_cursor":null}}`,
	}
	sent := make(chan string, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent <- r.URL.Query().Get("limit")
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, pages[r.URL.Query().Get("cursor")])
	}))
	t.Cleanup(srv.Close)
	p := &client.ListAgentsParams{Limit: new(2)}
	var ids []string
	for a, err := range client.New(srv.URL).Agents(context.Background(), p) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.Id.String()[len(a.Id.String())-1:])
	}
	close(sent)
	var limits []string
	for l := range sent {
		limits = append(limits, l)
	}
	if strings.Join(ids, "") != "321" || strings.Join(limits, ",") != "2,2" {
		t.Errorf("ids = %v, limits sent = %v", ids, limits)
	}
	if p.Cursor != nil {
		t.Error("the iterator changed the caller's parameters")
	}
}

func TestIteratorYieldsError(t *testing.T) {
	t.Parallel()
	srv, _ := stub(t, 401, `{"detail":"Token is missing organization claim","code":"unauthenticated"}`)
	n := 0
	for _, err := range client.New(srv.URL).Members(context.Background(), nil) {
		n++
		if client.StatusOf(err) != 401 {
			t.Errorf("err = %v, want a 401 *Error", err)
		}
	}
	if n != 1 {
		t.Errorf("yielded %d times, want once", n)
	}
}
