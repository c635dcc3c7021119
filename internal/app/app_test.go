package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/client"
	"github.com/agentplane/agentplane/internal/app"
	"github.com/agentplane/agentplane/internal/openapitest"
)

// These tests run the real binary's Main on 127.0.0.1:0 with a temporary
// database and drive it over loopback HTTP with package client, every
// exchange checked against openapi.yaml.

// patience bounds every wait on an event, so a hung server fails the test
// instead of the whole run.
const patience = 60 * time.Second

// syncBuffer is an io.Writer safe for the concurrent writes of a server's
// log handler and the reads of a test.
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

// environ is a Getenv over a map, so tests never see the real environment.
// environ serves vars as the environment. Rate limits are off unless a
// test sets them: the end-to-end tests load one key far harder than the
// defaults allow, and limits have their own tests.
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

// run calls Main to completion with captured output.
func run(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut syncBuffer
	err = app.Main(t.Context(), args, app.Env{Stdout: &out, Stderr: &errOut, Getenv: environ(vars)})
	return out.String(), errOut.String(), err
}

// node is one `agentplane serve` running in this process.
type node struct {
	App            *app.App
	URL            string
	Stdout, Stderr *syncBuffer

	cancel  context.CancelFunc
	started chan *app.App
	done    chan error
	once    sync.Once
	err     error
}

// launch starts Main(serve args…) in a goroutine that first waits for gate
// to close (nil: no wait). Call wait before using the node. The node is
// stopped when the test ends and Main must then return nil.
func launch(t *testing.T, gate <-chan struct{}, vars map[string]string, args ...string) *node {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	n := &node{
		Stdout: &syncBuffer{}, Stderr: &syncBuffer{}, cancel: cancel,
		started: make(chan *app.App, 1), done: make(chan error, 1),
	}
	env := app.Env{
		Stdout: n.Stdout, Stderr: n.Stderr, Getenv: environ(vars),
		Started: func(a *app.App) { n.started <- a },
	}
	go func() {
		if gate != nil {
			<-gate
		}
		n.done <- app.Main(ctx, append([]string{"serve"}, args...), env)
	}()
	t.Cleanup(func() {
		if err := n.stop(); err != nil {
			t.Errorf("Main returned %v after cancel; stderr:\n%s", err, n.Stderr)
		}
	})
	return n
}

// wait blocks until the node serves, failing the test if Main returns
// first.
func (n *node) wait(t *testing.T) *node {
	t.Helper()
	select {
	case n.App = <-n.started:
		n.URL = "http://" + n.App.Addr()
		return n
	case err := <-n.done:
		n.once.Do(func() { n.err = err })
		t.Fatalf("Main returned before serving: %v\nstderr:\n%s", err, n.Stderr)
	case <-time.After(patience):
		t.Fatalf("server did not start within %s; stderr:\n%s", patience, n.Stderr)
	}
	return nil
}

// stop cancels Main's context and returns what Main returned.
func (n *node) stop() error {
	n.once.Do(func() {
		n.cancel()
		select {
		case n.err = <-n.done:
		case <-time.After(patience):
			n.err = fmt.Errorf("Main did not return within %s of cancel", patience)
		}
	})
	return n.err
}

// serve starts a node on a free port with SQLite in dir (plus extra args)
// and waits for it.
func serve(t *testing.T, dir string, extra ...string) *node {
	t.Helper()
	args := append([]string{"--addr", "127.0.0.1:0", "--data-dir", dir}, extra...)
	return launch(t, nil, nil, args...).wait(t)
}

// httpClient validates every exchange against openapi.yaml. base nil is
// http.DefaultTransport.
func httpClient(t *testing.T, base http.RoundTripper) *http.Client {
	return &http.Client{Transport: openapitest.New(t).Transport(base)}
}

// newClient is a validating client of n.
func newClient(t *testing.T, n *node, opts ...client.ClientOption) *client.Client {
	return client.New(n.URL, append([]client.ClientOption{client.WithHTTPClient(httpClient(t, nil))}, opts...)...)
}

// sameScopes reports whether the client's scopes are want, in order.
func sameScopes(got []client.Scope, want agentplane.Scopes) bool {
	return slices.EqualFunc(got, want, func(g client.Scope, w agentplane.Scope) bool { return string(g) == string(w) })
}

// tokenPattern matches a full credential token.
var tokenPattern = regexp.MustCompile(`\b(?:ak|pat)_[0-9a-f-]{36}\.[A-Za-z0-9_-]+`)

// defaultKey returns the one org key the first-start banner shows.
func defaultKey(t *testing.T, stdout string) string {
	t.Helper()
	keys := slices.Compact(slices.Sorted(slices.Values(tokenPattern.FindAllString(stdout, -1))))
	if len(keys) != 1 || !strings.HasPrefix(keys[0], "ak_") {
		t.Fatalf("stdout shows keys %q, want exactly one ak_ key:\n%s", keys, stdout)
	}
	return keys[0]
}

// wantStatus fails unless err is a *client.Error with status and code.
func wantStatus(t *testing.T, what string, err error, status int, code string) *client.Error {
	t.Helper()
	e, ok := errors.AsType[*client.Error](err)
	if !ok {
		t.Errorf("%s: err = %v, want %d %s", what, err, status, code)
		return nil
	}
	if e.Status != status || string(e.Code) != code {
		t.Errorf("%s: got %d %s (%s), want %d %s", what, e.Status, e.Code, e.Detail, status, code)
	}
	return e
}

func TestFirstStartPrintsKeyOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()

	n := serve(t, dir)
	key := defaultKey(t, n.Stdout.String())
	c := newClient(t, n, client.WithToken(key))
	if err := c.Healthz(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Readyz(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := c.ListAgents(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 0 || page.NextCursor != "" || page.Limit != agentplane.DefaultLimit {
		t.Errorf("a new install lists %+v, want an empty first page of limit 50", page)
	}
	scopes, err := c.MyScopes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sameScopes(scopes, agentplane.AllScopes) {
		t.Errorf("the default key's scopes = %v, want every scope", scopes)
	}
	if err := n.stop(); err != nil {
		t.Fatalf("Main returned %v", err)
	}
	if strings.Contains(n.Stderr.String(), secretOf(key)) {
		t.Error("the first-start key is in the log, not only on stdout")
	}

	again := serve(t, dir)
	if out := again.Stdout.String(); strings.Contains(out, "ak_") {
		t.Errorf("a restart on the same data dir printed a key:\n%s", out)
	}
	if _, err := newClient(t, again, client.WithToken(key)).ListAgents(ctx, nil); err != nil {
		t.Errorf("the first-start key stopped working after a restart: %v", err)
	}
}

// slowBody is a request body that sends head, then blocks until release
// is closed before sending tail. sent is closed once head is out.
type slowBody struct {
	head, tail    []byte
	sent, release chan struct{}
	sentOnce      sync.Once
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(b.head) > 0 {
		n := copy(p, b.head)
		b.head = b.head[n:]
		return n, nil
	}
	b.sentOnce.Do(func() { close(b.sent) })
	<-b.release
	if len(b.tail) == 0 {
		return 0, io.EOF
	}
	n := copy(p, b.tail)
	b.tail = b.tail[n:]
	return n, nil
}

func TestGracefulShutdownFinishesInFlightRequest(t *testing.T) {
	t.Parallel()
	n := serve(t, t.TempDir())
	key := defaultKey(t, n.Stdout.String())

	// The head is far bigger than the transport's write buffer, so the
	// request line and headers are on the wire when sent closes; the
	// padding is JSON whitespace.
	body := &slowBody{
		head:    append([]byte(`{"name": "slow agent"`), bytes.Repeat([]byte(" "), 256<<10)...),
		tail:    []byte(`}`),
		sent:    make(chan struct{}),
		release: make(chan struct{}),
	}
	req, err := http.NewRequest(http.MethodPost, n.URL+"/core/agents", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(body.head) + len(body.tail))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	type result struct {
		status int
		body   []byte
		err    error
	}
	res := make(chan result, 1)
	go func() {
		// Not the validating transport: it reads the whole body before
		// sending anything, which would keep this request off the wire.
		resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
		if err != nil {
			res <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		res <- result{resp.StatusCode, b, err}
	}()
	select {
	case <-body.sent:
	case r := <-res:
		t.Fatalf("the slow request ended before its body was held: %+v", r)
	case <-time.After(patience):
		t.Fatal("the slow request's head was never sent")
	}
	// The server accepts connections in order, so once a later connection
	// is answered the slow one has been accepted and Shutdown will wait
	// for it.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if err := client.New(n.URL, client.WithHTTPClient(fresh)).Healthz(t.Context()); err != nil {
		t.Fatal(err)
	}

	n.cancel()
	// Shutdown closes the listener first: once dials fail, it has begun.
	deadline := time.Now().Add(patience)
	for {
		conn, err := net.DialTimeout("tcp", n.App.Addr(), time.Second)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener stayed open after cancel")
		}
		time.Sleep(time.Millisecond) // poll interval, not a wait for an event
	}
	select {
	case err := <-n.done:
		n.once.Do(func() { n.err = err })
		t.Fatalf("Main returned (%v) while a request was in flight", err)
	case r := <-res:
		t.Fatalf("the request finished (%+v) before its body was complete", r)
	default:
	}

	close(body.release)
	select {
	case r := <-res:
		if r.err != nil || r.status != http.StatusCreated || !bytes.Contains(r.body, []byte(`"slow agent"`)) {
			t.Errorf("in-flight request got %d %s (err %v), want 201 with the agent\nserver log:\n%s", r.status, r.body, r.err, n.Stderr)
		}
	case <-time.After(patience):
		t.Fatal("the in-flight request never finished")
	}
	if err := n.stop(); err != nil {
		t.Errorf("Main returned %v after a graceful shutdown, want nil", err)
	}
}
