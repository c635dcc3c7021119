package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentplane/agentplane/internal/llm"
	"github.com/agentplane/agentplane/internal/openapitest"
	"github.com/agentplane/agentplane/internal/store"
)

// cmpTwoVersions creates an agent whose v1 (published) and v2 differ in
// voice speed, language and one added tool.
func cmpTwoVersions(t *testing.T, e *env) string {
	t.Helper()
	agent := vrAgent(t, e)
	base := "/core/agents/" + agent + "/versions"
	e.admin(req{method: "POST", path: base, body: `{"config": {"language": "en-US", "voice": {"provider": "eleven", "voice_id": "v1", "speed": 1.0}}}`}).want(t, 201)
	e.admin(req{method: "POST", path: base + "/1/publish"}).want(t, 200)
	e.admin(req{method: "POST", path: base, body: `{"config": {"language": "fr-FR", "voice": {"provider": "eleven", "voice_id": "v1", "speed": 1.2},
		"tools": [{"name": "lookup", "description": "Find an order"}]}}`}).want(t, 201)
	return agent
}

// TestCompareBuiltin: without a model the summary has one sentence per
// change, streamed as text/plain.
func TestCompareBuiltin(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := cmpTwoVersions(t, e)
		r := e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/compare", body: `{"from_version": 1, "to_version": 2}`}).want(t, 200)
		if ct := r.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
		text := string(r.body)
		lines := strings.Split(strings.TrimSpace(text), "\n")
		if len(lines) != 3 {
			t.Fatalf("want 3 sentences, got %q", text)
		}
		for _, want := range []string{"fr-FR", "1.2", "lookup"} {
			if !strings.Contains(text, want) {
				t.Errorf("summary %q does not mention %s", text, want)
			}
		}
		same := e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/compare", body: `{"from_version": 2, "to_version": 2}`}).want(t, 200)
		if strings.TrimSpace(string(same.body)) != "No differences between the two versions." {
			t.Errorf("same version: %q", same.body)
		}
		// Errors come before any byte, as JSON.
		eb := e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/compare", body: `{"from_version": 1, "to_version": 9}`}).want(t, 404).err(t)
		if eb.Code != "not_found" {
			t.Errorf("missing version: %+v", eb)
		}
		eb = e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/compare", body: `{"from_version": 1}`}).want(t, 422).err(t)
		if fmt.Sprint(eb.Errors[0].Loc) != "[body to_version]" {
			t.Errorf("missing to_version: %+v", eb)
		}
	})
}

// fakeLLM is an OpenAI-compatible chat-completions server whose handler the
// test writes.
func fakeLLM(t *testing.T, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func sseChunk(w http.ResponseWriter, content string) {
	b, _ := json.Marshal(map[string]any{
		"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
		"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": content}, "finish_reason": nil}},
	})
	fmt.Fprintf(w, "data: %s\n\n", b)
	w.(http.Flusher).Flush()
}

// sseFinish ends the stream's choice the way OpenAI does.
func sseFinish(w http.ResponseWriter) {
	b, _ := json.Marshal(map[string]any{
		"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
		"choices": []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": "stop"}},
	})
	fmt.Fprintf(w, "data: %s\n\n", b)
	w.(http.Flusher).Flush()
}

func withModel(t *testing.T, srv *httptest.Server) envOption {
	return func(o *envOptions) {
		m, err := llm.New(llm.Config{BaseURL: srv.URL, APIKey: "sk-test", Model: "m"})
		if err != nil {
			t.Fatal(err)
		}
		o.service.Model = m
	}
}

// streamCompare posts a compare with a plain client (the validating
// transport would read the whole body first) and returns the response.
func streamCompare(t *testing.T, e *env, agent string) *http.Response {
	t.Helper()
	hr, _ := http.NewRequestWithContext(t.Context(), "POST", e.url+"/core/agents/"+agent+"/versions/compare", strings.NewReader(`{"from_version": 1, "to_version": 2}`))
	hr.Header.Set("Authorization", "Bearer "+e.boot.OrgKey)
	hr.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// TestCompareStreamsModelTokens: the first token reaches the client before
// the model has sent its last one.
func TestCompareStreamsModelTokens(t *testing.T) {
	t.Parallel()
	firstSeen := make(chan struct{})
	srv := fakeLLM(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		sseChunk(w, "Voice speed went ")
		select {
		case <-firstSeen: // the test has the first chunk in hand
		case <-r.Context().Done():
			return
		case <-time.After(20 * time.Second):
			t.Error("the first chunk never reached the client")
			return
		}
		sseChunk(w, "from 1.0 to 1.2.")
		sseFinish(w)
		io.WriteString(w, "data: [DONE]\n\n")
	})
	e := newEnv(t, store.SQLite, withModel(t, srv))
	agent := cmpTwoVersions(t, e)
	res := streamCompare(t, e, agent)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("status %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	buf := make([]byte, 64)
	n, err := res.Body.Read(buf)
	if err != nil || string(buf[:n]) != "Voice speed went " {
		t.Fatalf("first read %q %v", buf[:n], err)
	}
	close(firstSeen)
	rest, err := io.ReadAll(res.Body)
	if err != nil || string(rest) != "from 1.0 to 1.2." {
		t.Errorf("rest %q %v", rest, err)
	}
	// The exchange, read whole, still matches the contract.
	body := append(buf[:n:n], rest...)
	hr, _ := http.NewRequest("POST", e.url+"/core/agents/"+agent+"/versions/compare", nil)
	hr.Header.Set("Content-Type", "application/json")
	openapitest.New(t).Check(hr, []byte(`{"from_version": 1, "to_version": 2}`), res.StatusCode, res.Header, body)
}

// TestCompareModelFailsMidStream: the body ends with a clear line.
func TestCompareModelFailsMidStream(t *testing.T) {
	t.Parallel()
	srv := fakeLLM(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		sseChunk(w, "Half a ")
		sseChunk(w, "sentence")
		// Drop the connection without [DONE].
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	e := newEnv(t, store.SQLite, withModel(t, srv))
	res := streamCompare(t, e, cmpTwoVersions(t, e))
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || !strings.HasPrefix(string(body), "Half a sentence") || !strings.Contains(string(body), "[summary interrupted") {
		t.Errorf("status %d body %q", res.StatusCode, body)
	}
}

// TestCompareModelDown: a model that fails before any token is a JSON 503.
func TestCompareModelDown(t *testing.T) {
	t.Parallel()
	srv := fakeLLM(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusInternalServerError)
	})
	e := newEnv(t, store.SQLite, withModel(t, srv))
	agent := cmpTwoVersions(t, e)
	eb := e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/compare", body: `{"from_version": 1, "to_version": 2}`}).want(t, 503).err(t)
	if eb.Code != "unavailable" {
		t.Errorf("%+v", eb)
	}
}

// TestCompareClientHangUpCancelsModel: when the client goes away the
// model's request is cancelled.
func TestCompareClientHangUpCancelsModel(t *testing.T) {
	t.Parallel()
	cancelled := make(chan struct{})
	srv := fakeLLM(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		sseChunk(w, "Thinking")
		select {
		case <-r.Context().Done():
			close(cancelled)
		case <-time.After(20 * time.Second):
			t.Error("the model request was not cancelled after the client left")
		}
	})
	e := newEnv(t, store.SQLite, withModel(t, srv))
	agent := cmpTwoVersions(t, e)
	ctx, cancel := context.WithCancel(t.Context())
	hr, _ := http.NewRequestWithContext(ctx, "POST", e.url+"/core/agents/"+agent+"/versions/compare", strings.NewReader(`{"from_version": 1, "to_version": 2}`))
	hr.Header.Set("Authorization", "Bearer "+e.boot.OrgKey)
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(res.Body).ReadString('g')
	if line != "Thinking" {
		t.Fatalf("first chunk %q", line)
	}
	cancel()
	res.Body.Close()
	select {
	case <-cancelled:
	case <-time.After(20 * time.Second):
		t.Fatal("model request still running")
	}
}
