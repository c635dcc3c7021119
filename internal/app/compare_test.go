package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestCompareStreamsFromConfiguredModel configures the LLM the way an
// operator does, with AGENTPLANE_LLM_* variables pointing at a local
// OpenAI-compatible server, and checks that compare streams the model's
// tokens as they arrive: the client reads the first one while the model is
// still holding back the last.
func TestCompareStreamsFromConfiguredModel(t *testing.T) {
	t.Parallel()
	firstSeen := make(chan struct{})
	var gotModel, gotAuth string
	llm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Model  string `json:"model"`
			Stream bool   `json:"stream"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		gotModel, gotAuth = body.Model, r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "text/event-stream")
		chunk := func(content string, finish any) {
			b, _ := json.Marshal(map[string]any{"id": "c", "object": "chat.completion.chunk", "created": 1, "model": body.Model,
				"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": content}, "finish_reason": finish}}})
			fmt.Fprintf(w, "data: %s\n\n", b)
			w.(http.Flusher).Flush()
		}
		chunk("The voice got ", nil)
		select {
		case <-firstSeen:
		case <-r.Context().Done():
			return
		case <-time.After(patience):
			t.Error("the first token never reached the client")
			return
		}
		chunk("faster.", "stop")
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(llm.Close)

	n := launch(t, nil, map[string]string{
		"AGENTPLANE_LLM_BASE_URL": llm.URL,
		"AGENTPLANE_LLM_API_KEY":  "sk-local",
		"AGENTPLANE_LLM_MODEL":    "summarizer-1",
	}, "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()).wait(t)
	key := defaultKey(t, n.Stdout.String())
	post := func(path, body string) *http.Response {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", n.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := post("/core/agents", `{"name":"Front desk"}`)
	var agent struct{ ID string }
	_ = json.NewDecoder(res.Body).Decode(&agent)
	res.Body.Close()
	for _, cfg := range []string{`{"voice":{"provider":"p","voice_id":"v","speed":1.0}}`, `{"voice":{"provider":"p","voice_id":"v","speed":1.3}}`} {
		res = post("/core/agents/"+agent.ID+"/versions", `{"config":`+cfg+`}`)
		if res.StatusCode != 201 {
			t.Fatalf("create version: %d", res.StatusCode)
		}
		res.Body.Close()
	}

	res = post("/core/agents/"+agent.ID+"/versions/compare", `{"from_version":1,"to_version":2}`)
	defer res.Body.Close()
	buf := make([]byte, 100)
	k, err := res.Body.Read(buf)
	if res.StatusCode != 200 || err != nil || string(buf[:k]) != "The voice got " {
		t.Fatalf("first chunk: status %d %q %v", res.StatusCode, buf[:k], err)
	}
	close(firstSeen)
	rest, err := io.ReadAll(res.Body)
	if err != nil || string(rest) != "faster." {
		t.Errorf("rest %q %v", rest, err)
	}
	if gotModel != "summarizer-1" || gotAuth != "Bearer sk-local" {
		t.Errorf("model %q auth %q", gotModel, gotAuth)
	}
}
