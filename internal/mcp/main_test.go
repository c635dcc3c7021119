package mcp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentplane/agentplane/internal/app"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/store"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// patience bounds every wait on the server.
const patience = 60 * time.Second

// syncBuffer is an output the server writes from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// environ serves vars as the environment; rate limits are off unless a
// test sets them (the tests load one key harder than the defaults allow).
func environ(vars map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		switch k {
		case "AGENTPLANE_RATE_LIMIT", "AGENTPLANE_AUTH_FAILURE_LIMIT":
			return "0"
		}
		return ""
	}
}

// server is one `agentplane serve` in this process, bootstrapped with an
// organization, an admin org key and its admin's PAT.
type server struct {
	URL    string
	OrgID  string
	OrgKey string // ak_…, every scope
	PAT    string // pat_… of the organization's admin
	Stderr *syncBuffer
	// Transport is every test client's, closed before the server stops:
	// a connection the client pool dialed but never used would otherwise
	// hold the server's shutdown until its read timeout.
	Transport *http.Transport
	// HTTP is a plain client over Transport.
	HTTP *http.Client
}

// start bootstraps a fresh database on engine (`agentplane admin
// bootstrap`) and serves it on a free loopback port until the test ends.
func start(t *testing.T, engine store.Engine, vars map[string]string) *server {
	t.Helper()
	db := []string{"--data-dir", t.TempDir()}
	if engine == store.Postgres {
		db = append(db, "--database-url", dbtest.NewPostgresDB(t)) // skips without PostgreSQL, fails under AGENTPLANE_REQUIRE_POSTGRES=1
	}
	var out, errOut syncBuffer
	args := append([]string{"admin", "bootstrap", "--org-name", "MCP Corp", "--org-slug", "mcp-corp", "--email", "admin@mcp.test"}, db...)
	if err := app.Main(t.Context(), args, app.Env{Stdout: &out, Stderr: &errOut, Getenv: environ(vars)}); err != nil {
		t.Fatalf("admin bootstrap: %v\n%s", err, errOut.String())
	}
	var boot struct {
		OrganizationID string `json:"organization_id"`
		OrgKey         string `json:"org_key"`
		PAT            string `json:"pat"`
	}
	if err := json.Unmarshal([]byte(out.String()), &boot); err != nil || !strings.HasPrefix(boot.OrgKey, "ak_") || !strings.HasPrefix(boot.PAT, "pat_") {
		t.Fatalf("admin bootstrap printed %q (%v)", out.String(), err)
	}

	tr := http.DefaultTransport.(*http.Transport).Clone()
	s := &server{OrgID: boot.OrganizationID, OrgKey: boot.OrgKey, PAT: boot.PAT, Stderr: &syncBuffer{}, Transport: tr, HTTP: &http.Client{Transport: tr, Timeout: patience}}
	ctx, cancel := context.WithCancel(context.Background())
	started, done := make(chan *app.App, 1), make(chan error, 1)
	env := app.Env{Stdout: &syncBuffer{}, Stderr: s.Stderr, Getenv: environ(vars), Started: func(a *app.App) { started <- a }}
	go func() { done <- app.Main(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, db...), env) }()
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Main returned %v after cancel; stderr:\n%s", err, s.Stderr)
			}
		case <-time.After(patience):
			t.Errorf("Main did not return within %s of cancel", patience)
		}
	})
	select {
	case a := <-started:
		s.URL = "http://" + a.Addr()
	case err := <-done:
		t.Fatalf("Main returned before serving: %v\nstderr:\n%s", err, s.Stderr)
	case <-time.After(patience):
		t.Fatalf("server did not start within %s; stderr:\n%s", patience, s.Stderr)
	}
	return s
}

// headers is a RoundTripper adding fixed headers to every request, as an
// MCP client's configured headers do.
type headers struct {
	base http.RoundTripper
	h    http.Header
}

func (t headers) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range t.h {
		r.Header[k] = v
	}
	return t.base.RoundTrip(r)
}

// connect opens an MCP session with the Go SDK's client over Streamable
// HTTP, sending the token as a bearer credential (and any extra headers).
func (s *server) connect(t *testing.T, token string, extra ...string) *sdk.ClientSession {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + token}}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	transport := &sdk.StreamableClientTransport{
		Endpoint:   s.URL + "/mcp",
		HTTPClient: &http.Client{Transport: headers{s.Transport, h}, Timeout: patience},
		MaxRetries: -1,
	}
	c := sdk.NewClient(&sdk.Implementation{Name: "agentplane-test", Version: "1"}, nil)
	cs, err := c.Connect(t.Context(), transport, nil)
	if err != nil {
		t.Fatalf("connect: %v\nstderr:\n%s", err, s.Stderr)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// call calls a tool and returns its result, failing the test on a
// protocol error (a tool error is a result).
func call(t *testing.T, cs *sdk.ClientSession, name string, args map[string]any) *sdk.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

// text is the result's one text content.
func text(t *testing.T, res *sdk.CallToolResult) string {
	t.Helper()
	if len(res.Content) != 1 {
		t.Fatalf("result has %d contents, want 1: %+v", len(res.Content), res)
	}
	tc, ok := res.Content[0].(*sdk.TextContent)
	if !ok {
		t.Fatalf("result content is %T, want text", res.Content[0])
	}
	return tc.Text
}

// ok decodes a successful result's JSON body into v (nil: only checks it
// succeeded).
func ok(t *testing.T, name string, res *sdk.CallToolResult, v any) {
	t.Helper()
	if res.IsError {
		t.Fatalf("%s: tool error %s", name, text(t, res))
	}
	if v != nil {
		if err := json.Unmarshal([]byte(text(t, res)), v); err != nil {
			t.Fatalf("%s: result %q: %v", name, text(t, res), err)
		}
	}
}

// apiError decodes a tool error's text: the API's error body.
type apiError struct {
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Errors []struct {
		Loc  []any  `json:"loc"`
		Msg  string `json:"msg"`
		Type string `json:"type"`
	} `json:"errors"`
}

// failed checks the result is a tool error and decodes its API error body.
func failed(t *testing.T, name string, res *sdk.CallToolResult) apiError {
	t.Helper()
	if !res.IsError {
		t.Fatalf("%s succeeded (%s), want a tool error", name, text(t, res))
	}
	var e apiError
	dec := json.NewDecoder(strings.NewReader(text(t, res)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Detail == "" || e.Code == "" {
		t.Fatalf("%s: error text %q is not the API's error body (%v)", name, text(t, res), err)
	}
	return e
}
