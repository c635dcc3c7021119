package app_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentplane/agentplane/internal/dbtest"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// hookSink is a receiver with the idempotency check Standard Webhooks
// asks of receivers: it keeps each webhook-id once, and counts repeats.
type hookSink struct {
	srv     *httptest.Server
	mu      sync.Mutex
	seen    map[string]string // webhook-id → the agent's name in the event
	repeats int
	bad     int // signatures the reference verifier refused
	verify  *standardwebhooks.Webhook
}

func newHookSink(t *testing.T) *hookSink {
	s := &hookSink{seen: map[string]string{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		time.Sleep(20 * time.Millisecond) // slow enough that the kill finds events pending
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.verify != nil && s.verify.Verify(body, r.Header) != nil {
			s.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev struct {
			Type string `json:"type"`
			Data struct {
				Name string `json:"name"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &ev)
		id := r.Header.Get("webhook-id")
		if _, dup := s.seen[id]; dup {
			s.repeats++
		} else if ev.Type == "agent.created" {
			s.seen[id] = ev.Data.Name
		} else {
			s.seen[id] = ev.Type
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// names is the agent names of the distinct agent.created events received.
func (s *hookSink) names() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, n := range s.seen {
		if strings.HasPrefix(n, "Hooked ") {
			out[n]++
		}
	}
	return out
}

// TestWebhookKill9 kills the server with SIGKILL while committed changes'
// events are still on their way, restarts it on the same database, and
// checks that the receiver then has every committed change's event once
// by webhook-id (a redelivery of one it had is a repeat, which its
// idempotency check drops), signed as the reference verifier expects —
// and nothing for a change that failed and rolled back.
func TestWebhookKill9(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		testWebhookKill9(t, "--data-dir", dir)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := dbtest.NewPostgresDB(t)
		testWebhookKill9(t, "--data-dir", t.TempDir(), "--database-url", url)
	})
}

func testWebhookKill9(t *testing.T, dbArgs ...string) {
	sink := newHookSink(t)
	u, _ := url.Parse(sink.srv.URL)
	vars := map[string]string{
		"AGENTPLANE_SECRET_KEY":        base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32))),
		"AGENTPLANE_FETCH_ALLOW_CIDRS": "127.0.0.1/32",
		"AGENTPLANE_FETCH_ALLOW_PORTS": u.Port(),
		"AGENTPLANE_RATE_LIMIT":        "0",
	}
	args := append([]string{"--addr", "127.0.0.1:0"}, dbArgs...)
	first := startChild(t, vars, args...)
	key := defaultKey(t, first.Stdout.String())
	api := unvalidated(first.URL, key)
	ctx := t.Context()
	var hook struct {
		Secret string `json:"secret"`
	}
	if err := api.call(ctx, http.MethodPost, "/admin/webhooks", map[string]any{"url": sink.srv.URL + "/in", "events": []string{"agent.created"}}, &hook, http.StatusCreated); err != nil {
		t.Fatal(err)
	}
	v, err := standardwebhooks.NewWebhook(hook.Secret)
	if err != nil {
		t.Fatal(err)
	}
	sink.mu.Lock()
	sink.verify = v
	sink.mu.Unlock()

	const changes = 60
	for i := range changes {
		if err := api.call(ctx, http.MethodPost, "/core/agents", map[string]any{"name": "Hooked " + strconv.Itoa(i)}, nil, http.StatusCreated); err != nil {
			t.Fatal(err)
		}
		// A change that fails rolls back: no event may come of it.
		if err := api.call(ctx, http.MethodPost, "/core/agents", map[string]any{"name": "Hooked failing " + strconv.Itoa(i), "metadata": "not an object"}, nil, http.StatusUnprocessableEntity); err != nil {
			t.Fatal(err)
		}
	}
	got := len(sink.names())
	first.kill()
	if got >= changes {
		t.Fatalf("all %d events arrived before the kill; the test proves nothing", changes)
	}
	t.Logf("killed the node with %d of %d events received", got, changes)

	second := startChild(t, vars, args...)
	killed := time.Now()
	pollUntil(t, recoveryPatience, "every committed change's event", func() (bool, error) {
		return len(sink.names()) >= changes, nil
	})
	t.Logf("all %d events received %s after the kill; %d repeats dropped by the receiver's idempotency check", changes,
		time.Since(killed).Round(100*time.Millisecond), sink.repeats)
	names := sink.names()
	for i := range changes {
		if n := names["Hooked "+strconv.Itoa(i)]; n != 1 {
			t.Errorf("agent %d: %d distinct events, want 1", i, n)
		}
	}
	for n := range names {
		if strings.Contains(n, "failing") {
			t.Errorf("an event for a change that rolled back: %s", n)
		}
	}
	sink.mu.Lock()
	if sink.bad > 0 {
		t.Errorf("%d deliveries failed the reference verifier", sink.bad)
	}
	sink.mu.Unlock()
	second.stop(t)
}
