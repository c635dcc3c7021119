package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentplane/agentplane/client"
	"github.com/agentplane/agentplane/internal/app"
	"github.com/google/uuid"
)

// The client commands are tested the way people use them: the binary's
// own Main runs each command line against a real `agentplane serve` on
// loopback (SQLite in a temporary directory), with the login in a
// temporary config directory.

// buffer is an io.Writer safe for a server's concurrent log writes.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is one running `agentplane serve`.
type server struct {
	URL     string
	Key     string // the first start's org API key
	DataDir string
	API     *client.Client // the key's client, for setting up and checking
}

var keyPattern = regexp.MustCompile(`\bak_[0-9a-f-]{36}\.[A-Za-z0-9_-]+`)

// startServer runs serve until the test ends.
func startServer(t *testing.T) *server {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut buffer
	started := make(chan *app.App, 1)
	done := make(chan error, 1)
	env := app.Env{Stdout: &out, Stderr: &errOut, Started: func(a *app.App) { started <- a },
		Getenv: func(k string) string {
			if k == "AGENTPLANE_RATE_LIMIT" || k == "AGENTPLANE_AUTH_FAILURE_LIMIT" {
				return "0" // the tests call far faster than a person
			}
			return ""
		}}
	go func() { done <- app.Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir}, env) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(time.Minute):
			t.Errorf("serve did not stop")
		}
	})
	select {
	case a := <-started:
		s := &server{URL: "http://" + a.Addr(), Key: keyPattern.FindString(out.String()), DataDir: dir}
		if s.Key == "" {
			t.Fatalf("no key on the first start's stdout:\n%s", out.String())
		}
		s.API = client.New(s.URL, client.WithToken(s.Key))
		return s
	case err := <-done:
		t.Fatalf("serve returned before serving: %v\n%s", err, errOut.String())
	case <-time.After(time.Minute):
		t.Fatalf("serve did not start:\n%s", errOut.String())
	}
	return nil
}

// result is what one command line did.
type result struct {
	Stdout, Stderr string
	Code           int // the process's exit status
}

// user is a person at a terminal: their environment and config directory.
type user struct {
	t        *testing.T
	env      map[string]string
	terminal bool
}

// newUser has a fresh config directory and, with s, AGENTPLANE_URL and
// AGENTPLANE_TOKEN set to the server's key.
func newUser(t *testing.T, s *server) *user {
	u := &user{t: t, env: map[string]string{"XDG_CONFIG_HOME": t.TempDir()}}
	if s != nil {
		u.env["AGENTPLANE_URL"], u.env["AGENTPLANE_TOKEN"] = s.URL, s.Key
	}
	return u
}

// run runs one command line with stdin, as cmd/agentplane does: the error
// printed on stderr, the exit status from app.ExitCode.
func (u *user) run(stdin string, args ...string) result {
	u.t.Helper()
	var out, errOut buffer
	env := app.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Terminal: u.terminal,
		Getenv: func(k string) string { return u.env[k] }}
	err := app.Main(u.t.Context(), args, env)
	if err != nil {
		fmt.Fprintln(&errOut, "agentplane:", err)
	}
	return result{Stdout: out.String(), Stderr: errOut.String(), Code: app.ExitCode(err)}
}

// ok runs a command line that must succeed and returns its stdout.
func (u *user) ok(args ...string) string {
	u.t.Helper()
	r := u.run("", args...)
	if r.Code != 0 {
		u.t.Fatalf("agentplane %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// fails runs a command line that must exit with code and whose stderr
// must say want.
func (u *user) fails(code int, want string, args ...string) result {
	u.t.Helper()
	r := u.run("", args...)
	if r.Code != code || !strings.Contains(r.Stderr, want) {
		u.t.Errorf("agentplane %s: exit %d, stderr %q; want exit %d saying %q", strings.Join(args, " "), r.Code, r.Stderr, code, want)
	}
	return r
}

// decode parses a command's -o json output.
func decode[T any](t *testing.T, out string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("-o json output is not the JSON expected (%v):\n%s", err, out)
	}
	return v
}

// writeFile writes an agent file.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// uuidOf parses an id printed by a command.
func uuidOf(t *testing.T, s string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(s)
	if err != nil {
		t.Fatalf("%q is not an id: %v", s, err)
	}
	return id
}
