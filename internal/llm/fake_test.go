package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fake is an OpenAI-compatible chat-completions server: it checks the
// route, records each request and hands it to the test's handler.
type fake struct {
	srv  *httptest.Server
	n    atomic.Int32
	mu   sync.Mutex
	reqs []seen
}

// seen is one request as the server received it.
type seen struct {
	auth string
	body map[string]any
}

func newFake(t *testing.T, h func(w http.ResponseWriter, r *http.Request, s seen)) *fake {
	t.Helper()
	f := &fake{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.n.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != "/chat/completions" {
			t.Errorf("request %s %s, want POST /chat/completions", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		var s seen
		s.auth = r.Header.Get("Authorization")
		if err := json.NewDecoder(r.Body).Decode(&s.body); err != nil {
			t.Errorf("request body: %v", err)
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, s)
		f.mu.Unlock()
		h(w, r, s)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// model returns the adapter pointed at the fake server.
func (f *fake) model(t *testing.T) *openAI {
	t.Helper()
	m, err := New(Config{BaseURL: f.srv.URL, APIKey: "sk-test", Model: "test-model", HTTPClient: f.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return m.(*openAI)
}

// testCtx bounds a test so a bug shows up as a failure, not a hang.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// sse starts an event-stream response.
func sse(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
}

// chunk writes one chat.completion.chunk event and flushes it.
func chunk(w http.ResponseWriter, content, finish string) {
	c := map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "test-model",
		"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": content}, "finish_reason": nil}},
	}
	if finish != "" {
		c["choices"].([]any)[0].(map[string]any)["finish_reason"] = finish
	}
	b, _ := json.Marshal(c)
	fmt.Fprintf(w, "data: %s\n\n", b)
	w.(http.Flusher).Flush()
}

func done(w http.ResponseWriter) {
	io.WriteString(w, "data: [DONE]\n\n")
	w.(http.Flusher).Flush()
}

// completion writes a whole chat.completion response.
func completion(w http.ResponseWriter, content string) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "test-model",
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content}}},
	})
}

var hello = []Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Hi"}}
