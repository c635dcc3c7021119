package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTimeout(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		<-r.Context().Done() // never answers
	})
	m, err := New(Config{BaseURL: f.srv.URL, Model: "m", HTTPClient: f.srv.Client(), Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Complete(testCtx(t), hello)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrNotStarted) {
		t.Errorf("err = %v, want a deadline", err)
	}
}

func TestComplete(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		completion(w, "Voice speed changed from 1.0 to 1.2.")
	})
	got, err := f.model(t).Complete(testCtx(t), hello)
	if err != nil {
		t.Fatal(err)
	}
	if got != "Voice speed changed from 1.0 to 1.2." {
		t.Errorf("got %q", got)
	}
	r := f.requests()[0]
	if stream, ok := r.body["stream"]; ok && stream != false {
		t.Errorf("stream = %v on a non-streaming call", stream)
	}
	if r.body["model"] != "test-model" || r.auth != "Bearer sk-test" {
		t.Errorf("model %v auth %q", r.body["model"], r.auth)
	}
}

func TestCompleteRejectsEmptyAndRefusal(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":null,"refusal":"I can't help with that."}}]}`)
	})
	_, err := f.model(t).Complete(testCtx(t), hello)
	if !errors.Is(err, ErrInvalidOutput) || !strings.Contains(err.Error(), "can't help") {
		t.Errorf("err = %v, want ErrInvalidOutput naming the refusal", err)
	}
}

var inputsSchema = json.RawMessage(`{"type":"object","properties":{"company_name":{"type":"string"}},"required":["company_name"]}`)

func TestCompleteJSON(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		completion(w, ` {"company_name": "Acme"} `)
	})
	got, err := f.model(t).CompleteJSON(testCtx(t), hello, "inputs", inputsSchema)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"company_name": "Acme"}` {
		t.Errorf("got %s", got)
	}
	rf, _ := json.Marshal(f.requests()[0].body["response_format"])
	want := `{"json_schema":{"name":"inputs","schema":{"properties":{"company_name":{"type":"string"}},"required":["company_name"],"type":"object"}},"type":"json_schema"}`
	if string(rf) != want {
		t.Errorf("response_format %s\nwant %s", rf, want)
	}
}

// TestCompleteJSONFallback: a server without structured outputs gets a
// json_object request with the schema in a system message.
func TestCompleteJSONFallback(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		rf, _ := s.body["response_format"].(map[string]any)
		if rf["type"] == "json_schema" {
			http.Error(w, `{"error": {"message": "response_format json_schema is not supported"}}`, http.StatusBadRequest)
			return
		}
		completion(w, "```json\n{\"company_name\": \"Acme\"}\n```")
	})
	got, err := f.model(t).CompleteJSON(testCtx(t), hello, "inputs", inputsSchema)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"company_name": "Acme"}` {
		t.Errorf("got %s", got)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	second := reqs[1].body
	if rf := second["response_format"].(map[string]any); rf["type"] != "json_object" {
		t.Errorf("fallback response_format %v", rf)
	}
	first := second["messages"].([]any)[0].(map[string]any)
	if first["role"] != "system" || !strings.Contains(first["content"].(string), `"company_name"`) {
		t.Errorf("fallback first message %v, want the schema as a system message", first)
	}
}

func TestCompleteJSONRejectsNonObjects(t *testing.T) {
	t.Parallel()
	for _, reply := range []string{`not json`, `{"company_name": "Acme"`, `[{"company_name": "Acme"}]`, `"Acme"`, `{"a":1} {"b":2}`} {
		t.Run(reply, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) { completion(w, reply) })
			got, err := f.model(t).CompleteJSON(testCtx(t), hello, "inputs", inputsSchema)
			if !errors.Is(err, ErrInvalidOutput) {
				t.Errorf("got %s, err %v; want ErrInvalidOutput", got, err)
			}
		})
	}
}

func TestCompleteJSONRejectsBadArguments(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) { completion(w, `{}`) })
	m := f.model(t)
	if _, err := m.CompleteJSON(testCtx(t), hello, "has space", inputsSchema); err == nil {
		t.Error("bad schema name accepted")
	}
	if _, err := m.CompleteJSON(testCtx(t), hello, "inputs", json.RawMessage(`[]`)); err == nil {
		t.Error("non-object schema accepted")
	}
	if n := f.n.Load(); n != 0 {
		t.Errorf("%d requests for invalid arguments", n)
	}
}

func TestOutputCap(t *testing.T) {
	t.Parallel()
	t.Run("content over MaxOutputBytes", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
			completion(w, strings.Repeat("x", MaxOutputBytes+1))
		})
		m := f.model(t)
		if _, err := m.Complete(testCtx(t), hello); !errors.Is(err, ErrTooLarge) {
			t.Errorf("Complete: err = %v, want ErrTooLarge", err)
		}
		if _, err := m.CompleteJSON(testCtx(t), hello, "inputs", inputsSchema); !errors.Is(err, ErrTooLarge) {
			t.Errorf("CompleteJSON: err = %v, want ErrTooLarge", err)
		}
	})
	t.Run("content at MaxOutputBytes", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
			completion(w, strings.Repeat("x", MaxOutputBytes))
		})
		if got, err := f.model(t).Complete(testCtx(t), hello); err != nil || len(got) != MaxOutputBytes {
			t.Errorf("len %d, err %v", len(got), err)
		}
	})
	t.Run("raw body", func(t *testing.T) {
		t.Parallel()
		// Padding outside the content: the wire limit stops reading
		// before the SDK buffers it all.
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"x","object":"chat.completion","created":1,"model":"m","pad":"%s","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"hi"}}]}`,
				strings.Repeat("p", 200<<10))
		})
		m := f.model(t)
		m.maxOutput = 10
		if _, err := m.Complete(testCtx(t), hello); !errors.Is(err, ErrTooLarge) {
			t.Errorf("err = %v, want ErrTooLarge", err)
		}
	})
}

func TestHTTPErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status    int
		body      string
		requests  int32 // one retry for server errors, none for client errors
		msg       string
		permanent bool // IsPermanent: a client error, but not 429
	}{
		{500, `{"error": {"message": "boom", "type": "server_error"}}`, 2, "boom", false},
		{500, `upstream exploded`, 2, "upstream exploded", false},
		{401, `{"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}`, 1, "Incorrect API key provided", true},
		{429, `{"error": {"message": "Rate limit reached"}}`, 2, "Rate limit reached", false},
		{404, `{"error": {"message": "The model does not exist"}}`, 1, "The model does not exist", true},
		{400, `{"object": "error", "message": "context too long", "code": 400}`, 1, "context too long", true}, // vLLM's shape
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.body), func(t *testing.T) {
			t.Parallel()
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
				http.Error(w, tt.body, tt.status)
			})
			_, err := f.model(t).Complete(testCtx(t), hello)
			var se *StatusError
			if !errors.Is(err, ErrNotStarted) || !errors.As(err, &se) || se.StatusCode != tt.status {
				t.Fatalf("err = %v, want ErrNotStarted with status %d", err, tt.status)
			}
			if !strings.Contains(err.Error(), fmt.Sprint(tt.status)) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want the status and %q", err, tt.msg)
			}
			if n := f.n.Load(); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if got := IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent = %v, want %v", got, tt.permanent)
			}
		})
	}
}

// TestIgnoresOpenAIEnvironment: the SDK's client reads OPENAI_* variables;
// the adapter must not, or a stray variable would redirect or re-key it.
// Not parallel: t.Setenv changes the process environment.
func TestIgnoresOpenAIEnvironment(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-from-env")
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
	t.Setenv("OPENAI_CUSTOM_HEADERS", "X-Leak: yes")
	var header http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header = r.Header.Clone()
		completion(w, "ok")
	}))
	defer srv.Close()
	m, err := New(Config{BaseURL: srv.URL, Model: "local", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Complete(testCtx(t), hello); err != nil {
		t.Fatal(err)
	}
	if a := header.Get("Authorization"); a != "" {
		t.Errorf("Authorization %q sent without an API key", a)
	}
	if header.Get("X-Leak") != "" {
		t.Error("OPENAI_CUSTOM_HEADERS leaked into the request")
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{
		{Model: "m"},
		{BaseURL: "http://localhost:11434/v1"},
		{BaseURL: "localhost:11434", Model: "m"},
		{BaseURL: "ftp://example.com", Model: "m"},
		{BaseURL: "http://localhost/v1", Model: "m", Timeout: -time.Second},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
	// A URL that doesn't parse is refused without being quoted back.
	if _, err := New(Config{BaseURL: "http://u:hunter2@[::1", Model: "m"}); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("New with an unparsable URL: %v", err)
	}
	if _, err := New(Config{BaseURL: "https://api.openai.com/v1", Model: "gpt-4o-mini"}); err != nil {
		t.Error(err)
	}
}

func TestBaseURLPath(t *testing.T) {
	t.Parallel()
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		completion(w, "ok")
	}))
	defer srv.Close()
	m, err := New(Config{BaseURL: srv.URL + "/v1", Model: "m", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Complete(testCtx(t), hello); err != nil {
		t.Fatal(err)
	}
	if path != "/v1/chat/completions" {
		t.Errorf("path %q, want /v1/chat/completions", path)
	}
}

func TestUnknownRole(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) { completion(w, "ok") })
	if _, err := f.model(t).Complete(testCtx(t), []Message{{Role: "tool", Content: "x"}}); err == nil {
		t.Error("unknown role accepted")
	}
	if _, err := f.model(t).Complete(testCtx(t), nil); err == nil {
		t.Error("no messages accepted")
	}
}
