package mcp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentplane/agentplane/internal/httpapi"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// inner records the requests the tool calls made, answering each with a
// fixed body after a pause.
type inner struct {
	mu    sync.Mutex
	seen  []*http.Request
	pause time.Duration
}

func (a *inner) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.seen = append(a.seen, r)
	a.mu.Unlock()
	if a.pause > 0 {
		// A slow API call (a model, a database under load), not a wait
		// for an event.
		time.Sleep(a.pause)
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"ok":true}`))
}

// serveMCP serves the tools of the real document over api, behind an outer
// handler that does what the API's middleware does to every request: a
// write deadline from its start.
func serveMCP(t *testing.T, api http.Handler, deadline time.Duration, opts Options) string {
	t.Helper()
	s, err := New(httpapi.OpenAPIYAML, opts)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler(api)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if deadline > 0 {
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(deadline))
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

type addHeaders http.Header

func (h addHeaders) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h {
		r.Header[k] = v
	}
	return http.DefaultTransport.RoundTrip(r)
}

func session(t *testing.T, url string, h http.Header) *sdk.ClientSession {
	t.Helper()
	c := sdk.NewClient(&sdk.Implementation{Name: "t", Version: "1"}, nil)
	cs, err := c.Connect(t.Context(), &sdk.StreamableClientTransport{Endpoint: url, MaxRetries: -1,
		HTTPClient: &http.Client{Transport: addHeaders(h)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// TestCallForwards: a call's request carries the caller's credential,
// address and organization header, never their cookie, and is marked as
// coming via MCP.
func TestCallForwards(t *testing.T) {
	t.Parallel()
	api := &inner{}
	url := serveMCP(t, api, 0, Options{})
	cs := session(t, url, http.Header{
		"Authorization":  {"Bearer ak_x.y"},
		"Cookie":         {"agentplane_session=s3cret"},
		"X-Anyreach-Org": {"acme"},
	})
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "core_get_agent", Arguments: map[string]any{"id": "a1"}})
	if err != nil || res.IsError {
		t.Fatalf("call: %v %+v", err, res)
	}
	if _, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "core_get_agent", Arguments: map[string]any{"id": "a1", "organization_id": "other"}}); err != nil {
		t.Fatal(err)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.seen) != 2 {
		t.Fatalf("%d API requests, want 2", len(api.seen))
	}
	r := api.seen[0]
	if r.Method != http.MethodGet || r.URL.Path != "/core/agents/a1" || r.Header.Get("Authorization") != "Bearer ak_x.y" ||
		r.Header.Get("Cookie") != "" || r.Header.Get("X-Anyreach-Org") != "acme" || !strings.HasPrefix(r.RemoteAddr, "127.0.0.1:") {
		t.Errorf("the API got %s %s, headers %v, from %q", r.Method, r.URL, r.Header, r.RemoteAddr)
	}
	if got := api.seen[1].Header.Values("X-Anyreach-Org"); len(got) != 1 || got[0] != "other" {
		t.Errorf("organization_id sent %v, want it to override the client's header", got)
	}
}

// TestSlowCallsStillAnswer: the /mcp answer gets a fresh write deadline,
// so tool calls that used up the one set when the request came in don't
// cost the answer.
func TestSlowCallsStillAnswer(t *testing.T) {
	t.Parallel()
	api := &inner{pause: 300 * time.Millisecond}
	url := serveMCP(t, api, 100*time.Millisecond, Options{WriteTimeout: 10 * time.Second})
	cs := session(t, url, http.Header{"Authorization": {"Bearer ak_x.y"}})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "core_list_agents"})
	if err != nil || res.IsError {
		t.Fatalf("a call longer than the first write deadline: %v %+v", err, res)
	}
}

// TestResultCap: an answer over MaxResultBytes is a tool error, not held.
func TestResultCap(t *testing.T) {
	t.Parallel()
	big := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 1000))
		for range 100 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	url := serveMCP(t, big, 0, Options{MaxResultBytes: 10_000})
	cs := session(t, url, http.Header{"Authorization": {"Bearer ak_x.y"}})
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "core_list_agents"})
	if err != nil {
		t.Fatal(err)
	}
	if tc, _ := res.Content[0].(*sdk.TextContent); !res.IsError || tc == nil || !strings.Contains(tc.Text, `"code":"payload_too_large"`) {
		t.Errorf("a 100 kB answer under a 10 kB cap: %+v", res)
	}
}
