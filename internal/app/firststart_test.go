package app_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/agentplane/agentplane/internal/app"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/store"
)

// brokenConsole takes what it is given and then fails the write, as a
// console whose reader went away does.
type brokenConsole struct {
	mu  sync.Mutex
	got strings.Builder
}

func (b *brokenConsole) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.got.Write(p)
	return 0, errors.New("console closed")
}

func (b *brokenConsole) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.got.String()
}

// getAgents answers GET /core/agents with token on n.
func getAgents(t *testing.T, n *node, token string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, n.URL+"/core/agents", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := httpClient(t, nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestFirstStartCantLoseItsKey (SPEC §24): the first-start key is made
// only once the listener is bound and kept only once it was shown, so a
// first start that fails before showing it leaves no key behind and the
// next start shows one that works; later starts show none.
func TestFirstStartCantLoseItsKey(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			dbArgs := []string{"--data-dir", t.TempDir()}
			if engine == store.Postgres {
				dbArgs = append(dbArgs, "--database-url", dbtest.NewPostgresDB(t))
			}
			serveArgs := func(addr string) []string { return append([]string{"--addr", addr}, dbArgs...) }
			keys := func() string {
				t.Helper()
				stdout, stderr, err := run(t, nil, append([]string{"admin", "keys", "list", "--org", "default"}, dbArgs...)...)
				if err != nil {
					return "error: " + err.Error() + stderr
				}
				return stdout
			}

			// 1. The port is taken: the start fails before making a key.
			taken, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer taken.Close()
			stdout, stderr, err := run(t, nil, append([]string{"serve"}, serveArgs(taken.Addr().String())...)...)
			if err == nil || !strings.Contains(err.Error(), "listen on "+taken.Addr().String()) {
				t.Fatalf("serve on a taken port: err %v, want the listen error", err)
			}
			if tokenPattern.MatchString(stdout+stderr) || strings.Contains(stdout, "First start") {
				t.Errorf("a start that could not bind showed a key:\nstdout: %s\nstderr: %s", stdout, stderr)
			}
			if got := keys(); !strings.Contains(got, "organization not found") {
				t.Errorf("after a start that could not bind, admin keys list --org default = %s; want no organization", got)
			}

			// 2. The banner can't be written: the start fails and its key
			// is not kept.
			var console brokenConsole
			var logs syncBuffer
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			served := false
			err = app.Main(ctx, append([]string{"serve"}, serveArgs("127.0.0.1:0")...), app.Env{
				Stdout: &console, Stderr: &logs, Getenv: environ(nil),
				// Serving at all is the failure here: stop at once.
				Started: func(*app.App) { served = true; cancel() },
			})
			if served {
				t.Error("a start that could not show its key went on to serve")
			}
			unseen := tokenPattern.FindString(console.String())
			if err == nil || !strings.Contains(err.Error(), "console closed") || unseen == "" {
				t.Fatalf("serve with a broken console: err %v, console got %q; want a failure after trying to show a key", err, console.String())
			}
			if strings.Contains(logs.String(), secretOf(unseen)) {
				t.Error("the unseen key reached the log")
			}
			if got := keys(); !strings.Contains(got, "organization not found") {
				t.Errorf("after a start that could not show its key, admin keys list --org default = %s; want no organization", got)
			}

			// 3. A start on a free port shows a key, and it works.
			n := launch(t, nil, nil, serveArgs("127.0.0.1:0")...).wait(t)
			key := defaultKey(t, n.Stdout.String())
			if got := getAgents(t, n, key); got != http.StatusOK {
				t.Errorf("GET /core/agents with the shown key = %d, want 200", got)
			}
			// The banner names the console, which the binary serves with no
			// Node anywhere: its page, under the console's strict policy.
			consoleURL := n.URL + "/console/"
			if !strings.Contains(n.Stdout.String(), "sign in to the console with it: "+consoleURL+"\n") {
				t.Errorf("the banner doesn't name the console at %s:\n%s", consoleURL, n.Stdout.String())
			}
			page, err := httpClient(t, nil).Get(consoleURL)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(page.Body)
			page.Body.Close()
			if page.StatusCode != http.StatusOK || !strings.Contains(string(body), `<div id="root">`) ||
				!strings.Contains(page.Header.Get("Content-Security-Policy"), "default-src 'self'") {
				t.Errorf("GET %s: %d %q, CSP %q", consoleURL, page.StatusCode, body, page.Header.Get("Content-Security-Policy"))
			}
			if got := getAgents(t, n, unseen); got != http.StatusUnauthorized {
				t.Errorf("GET /core/agents with the key that was never shown = %d, want 401", got)
			}
			if got := keys(); strings.Count(got, `"key_id"`) != 1 || !strings.Contains(got, keyID(key)) {
				t.Errorf("admin keys list --org default = %s; want only the shown key", got)
			}
			if err := n.stop(); err != nil {
				t.Fatal(err)
			}

			// 4. A third start shows none, and the key still works.
			again := launch(t, nil, nil, serveArgs("127.0.0.1:0")...).wait(t)
			if out := again.Stdout.String(); strings.Contains(out, "ak_") || strings.Contains(out, "First start") {
				t.Errorf("a third start printed a key:\n%s", out)
			}
			if got := getAgents(t, again, key); got != http.StatusOK {
				t.Errorf("GET /core/agents with the key after a restart = %d, want 200", got)
			}
		})
	}
}
