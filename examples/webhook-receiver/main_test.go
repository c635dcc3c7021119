package main

import (
	"bytes"
	"context"
	"encoding/json"

	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentplane/agentplane/internal/app"
)

// TestDocsReceiver is docs/events.md tried as a new user would: the page
// shows this program whole; pointed at by a webhook of a real server, it
// receives the signed version.published of a publish, and the audit log
// has that publish.
func TestDocsReceiver(t *testing.T) {
	doc, err := os.ReadFile("../../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, src) {
		t.Fatal("docs/events.md does not show examples/webhook-receiver/main.go as it is: copy the file into the page")
	}

	var (
		mu      sync.Mutex
		printed syncWriter
		handler http.Handler
	)
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := handler
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	defer sink.Close()
	u, _ := url.Parse(sink.URL)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan *app.App, 1)
	var stdout syncWriter
	vars := map[string]string{"AGENTPLANE_FETCH_ALLOW_CIDRS": "127.0.0.1/32", "AGENTPLANE_FETCH_ALLOW_PORTS": u.Port()}
	env := app.Env{Stdout: &stdout, Stderr: io.Discard, Getenv: func(k string) string { return vars[k] },
		Started: func(a *app.App) { started <- a }}
	done := make(chan error, 1)
	go func() {
		done <- app.Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()}, env)
	}()
	var base string
	select {
	case a := <-started:
		base = "http://" + a.Addr()
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	key := regexp.MustCompile(`ak_[0-9a-f-]{36}\.[A-Za-z0-9_-]+`).FindString(stdout.String())
	call := func(method, path string, body any, out any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
		}
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				t.Fatal(err)
			}
		}
	}
	var hook struct {
		Secret string `json:"secret"`
	}
	call("POST", "/admin/webhooks", map[string]any{"url": sink.URL + "/agentplane-events", "events": []string{"version.published"}}, &hook)
	h, err := receiver(hook.Secret, &printed)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	handler = h
	mu.Unlock()
	var agent struct {
		ID string `json:"id"`
	}
	call("POST", "/core/agents", map[string]any{"name": "Front desk"}, &agent)
	call("POST", "/core/agents/"+agent.ID+"/versions", map[string]any{"config": map[string]any{"instructions": "Greet callers."}}, nil)
	call("POST", "/core/agents/"+agent.ID+"/versions/1/publish", map[string]any{}, nil)

	deadline := time.Now().Add(20 * time.Second)
	for {
		got := printed.String()
		if strings.Contains(got, `"type":"version.published"`) && strings.Contains(got, agent.ID) {
			t.Logf("the receiver printed: %.200s…", got)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no verified version.published reached the receiver; it printed %q", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var audit struct {
		Data []struct {
			Action  string `json:"action"`
			AgentID string `json:"agent_id"`
		} `json:"data"`
	}
	call("GET", "/admin/audit-log?action=version.published&agent_id="+agent.ID, nil, &audit)
	if len(audit.Data) != 1 || audit.Data[0].Action != "version.published" {
		t.Errorf("the audit log's publishes of the agent: %+v, want the one", audit.Data)
	}
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, m := range []string{`agentplane_webhook_attempts_total{outcome="delivered"} 1`, "agentplane_webhook_oldest_pending_seconds 0"} {
		if !strings.Contains(string(metrics), m) {
			t.Errorf("/metrics lacks %q", m)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// syncWriter is a buffer safe for the server's concurrent writes.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
