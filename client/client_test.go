package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/client"
)

// exchange is what the stub server saw of one request.
type exchange struct {
	method, path string
	query        url.Values
	header       http.Header
	body         map[string]any
}

// stub answers every request with status and body and records what it
// got. These tests pin the client's encoding; the end-to-end tests in
// internal/app run it against the real server.
func stub(t *testing.T, status int, body string) (*httptest.Server, <-chan exchange) {
	t.Helper()
	seen := make(chan exchange, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ex := exchange{method: r.Method, path: r.URL.EscapedPath(), query: r.URL.Query(), header: r.Header.Clone()}
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			if err := json.Unmarshal(b, &ex.body); err != nil {
				t.Errorf("request body is not a JSON object: %s", b)
			}
		}
		seen <- ex
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, seen
}

func TestHeadersAndListQuery(t *testing.T) {
	t.Parallel()
	srv, seen := stub(t, 200, `{"data":[{"id":"a1","name":"x","metadata":{},"created_at":"2026-01-02T03:04:05.678Z","updated_at":"2026-01-02T03:04:05.678Z"}],"pagination":{"limit":2,"next_cursor":"abc"}}`)
	c := client.New(srv.URL+"/", client.WithToken("pat_x.y"), client.WithOrg("acme"))
	after := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))
	page, err := c.ListAgents(context.Background(), client.ListAgentsParams{
		ListParams: client.ListParams{Limit: 2, Cursor: "cur", CreatedAfter: after},
		Name:       "Sales", Active: new(true), IsDemo: new(false),
		Metadata: map[string]any{"team": "a"},
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
	if len(page.Data) != 1 || page.Data[0].ID != "a1" || page.NextCursor != "abc" || page.Limit != 2 {
		t.Errorf("page = %+v", page)
	}
	if got := page.Data[0].CreatedAt.String(); got != "2026-01-02T03:04:05.678Z" {
		t.Errorf("created_at = %s", got)
	}
}

func TestLastPageHasNoCursor(t *testing.T) {
	t.Parallel()
	srv, seen := stub(t, 200, `{"data":[],"pagination":{"limit":50,"next_cursor":null}}`)
	page, err := client.New(srv.URL).ListMembers(context.Background(), client.ListParams{})
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

func TestUpdateSendsOnlySetFields(t *testing.T) {
	t.Parallel()
	srv, seen := stub(t, 200, `{"id":"a/1","name":"n"}`)
	_, err := client.New(srv.URL).UpdateAgent(context.Background(), "a/1", agentplane.AgentInput{Active: new(false)})
	if err != nil {
		t.Fatal(err)
	}
	ex := <-seen
	if ex.method != "PUT" || ex.path != "/core/agents/a%2F1" {
		t.Errorf("request = %s %s", ex.method, ex.path)
	}
	if len(ex.body) != 1 || ex.body["active"] != false {
		t.Errorf("body = %v, want only active=false", ex.body)
	}
	if ct := ex.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestCredentialBody(t *testing.T) {
	t.Parallel()
	srv, seen := stub(t, 201, `{"pat_key":"ak_1.s","key_id":"1","name":"ci","scopes":["agents:read"],"expires_at":null,"created_at":"2026-01-02T03:04:05.678Z"}`)
	cc, err := client.New(srv.URL).CreateOrgKey(context.Background(), agentplane.CredentialInput{Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	ex := <-seen
	if ex.path != "/admin/organization-pats" || ex.body["name"] != "ci" || ex.body["expires_at"] != nil {
		t.Errorf("request = %s %v", ex.path, ex.body)
	}
	if _, ok := ex.body["scopes"]; ok {
		t.Errorf("scopes sent although unset: %v", ex.body)
	}
	if cc.PATKey != "ak_1.s" || cc.KeyID != "1" || len(cc.Scopes) != 1 {
		t.Errorf("created = %+v", cc)
	}
}

func TestErrorBody(t *testing.T) {
	t.Parallel()
	srv, _ := stub(t, 422, `{"detail":"name is required","code":"invalid","errors":[{"loc":["body","name"],"msg":"name is required","type":"missing"}]}`)
	_, err := client.New(srv.URL).CreateAgent(context.Background(), agentplane.AgentInput{})
	e, ok := errors.AsType[*client.Error](err)
	if !ok {
		t.Fatalf("err = %v, want *client.Error", err)
	}
	if e.Status != 422 || e.Code != "invalid" || e.Detail != "name is required" || len(e.Errors) != 1 || e.Errors[0].Type != "missing" {
		t.Errorf("error = %+v", e)
	}
	if client.StatusOf(err) != 422 || client.StatusOf(errors.New("x")) != 0 {
		t.Error("StatusOf")
	}
}

func TestErrorWithoutAPIBody(t *testing.T) {
	t.Parallel()
	srv, _ := stub(t, 502, `<html>bad gateway</html>`)
	err := client.New(srv.URL).DeleteAgent(context.Background(), "x")
	e, ok := errors.AsType[*client.Error](err)
	if !ok || e.Status != 502 || e.Code != "" || e.Detail != "<html>bad gateway</html>" {
		t.Fatalf("err = %#v", err)
	}
}

func TestAgentsIteratesPages(t *testing.T) {
	t.Parallel()
	pages := map[string]string{
		"":   `{"data":[{"id":"3"},{"id":"2"}],"pagination":{"limit":2,"next_cursor":"c2"}}`,
		"c2": `{"data":[{"id":"1"}],"pagination":{"limit":2,"next_cursor":null}}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, pages[r.URL.Query().Get("cursor")])
	}))
	t.Cleanup(srv.Close)
	var ids []string
	for a, err := range client.New(srv.URL).Agents(context.Background(), client.ListAgentsParams{ListParams: client.ListParams{Limit: 2}}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	if len(ids) != 3 || ids[0] != "3" || ids[2] != "1" {
		t.Errorf("ids = %v", ids)
	}
}
