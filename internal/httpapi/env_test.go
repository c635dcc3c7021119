package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/agentplane/agentplane/internal/seal"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/httpapi"
	"github.com/agentplane/agentplane/internal/jobs"
	"github.com/agentplane/agentplane/internal/openapitest"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/store"
)

// env is one API under test: a real store on one engine, the real service
// and handler behind a loopback HTTP server, and a client whose every
// exchange is validated against openapi.yaml. It starts with one
// bootstrapped organization.
type env struct {
	t      *testing.T
	engine store.Engine
	store  *store.Store
	svc    *service.Service
	server *httpapi.Server
	url    string
	client *http.Client
	logs   *syncBuffer

	boot  service.BootstrapResult // org "acme": admin user, org key, PAT
	queue *jobs.Queue
}

// startJobs makes this env's node work its queue until the test ends.
func (e *env) startJobs() {
	e.t.Helper()
	if err := e.queue.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = e.queue.Stop(ctx)
	})
}

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// envOptions configure newEnv: the service, and the job queue when a test
// asks for one.
type envOptions struct {
	service  service.Options
	jobs     bool           // a real River queue (withJobs)
	attempts int            // its attempts per job; 0: the queue's default
	crawl    jobs.CrawlFunc // the queue's website reader
	post     jobs.PostFunc  // the queue's webhook sender
}

// envOption adjusts an env (a model, a clock, withJobs).
type envOption func(*envOptions)

// withJobs gives the env a real River queue (see env.startJobs); envs
// without it answer 503 to routes that start workflows. It's opt-in because
// River's migrations cost ~100 ms per database.
func withJobs(o *envOptions) { o.jobs = true }

// withJobsOnce is withJobs with each job tried once: its first failure is
// final (tests of how a workflow ends, without waiting for retries).
func withJobsOnce(o *envOptions) { o.jobs, o.attempts = true, 1 }

// testBox is the server key of test services: every service over one
// database must share it, as every node of a deployment does.
func testBox(t testing.TB) *seal.Box {
	box, err := seal.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// withPost gives the queue a webhook sender.
func withPost(fn jobs.PostFunc) envOption { return func(o *envOptions) { o.post = fn } }

// withService adjusts the service's options.
func withService(fn func(*service.Options)) envOption {
	return func(o *envOptions) { fn(&o.service) }
}

// newEnv starts an API on engine with organization "acme".
func newEnv(t *testing.T, engine store.Engine, options ...envOption) *env {
	t.Helper()
	ctx := context.Background()
	sopts := dbtest.Options(t, engine)
	st, err := store.Open(ctx, sopts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o := envOptions{service: service.Options{Logger: log, Secrets: testBox(t)}}
	for _, opt := range options {
		opt(&o)
	}
	svc := service.New(st, o.service)
	// A real River queue when asked for; its jobs are worked only after
	// e.startJobs.
	var queue *jobs.Queue
	if o.jobs {
		queue, err = jobs.New(ctx, st, svc, jobs.Options{Logger: log, PollInterval: 20 * time.Millisecond, MaxAttempts: o.attempts,
			Model: o.service.Model, Crawl: o.crawl, Now: o.service.Now, Post: o.post, SweepInterval: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
	}
	key, err := svc.CursorKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Every hit of the agent detail cache is checked against a fresh read:
	// any test that changes something and reads the agent again proves
	// the change moved the revision.
	srv := httpapi.New(svc, httpapi.Options{CursorKey: key, Logger: log, CheckDetailCache: true})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	boot, err := svc.Bootstrap(ctx, service.BootstrapInput{OrgName: "Acme", OrgSlug: "acme", Email: "admin@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	return &env{
		t: t, engine: engine, store: st, svc: svc, server: srv, url: ts.URL, logs: logs, queue: queue,
		client: &http.Client{Transport: openapitest.New(t).Transport(nil)},
		boot:   boot,
	}
}

// forEngine runs fn as a parallel subtest on every available engine.
func forEngine(t *testing.T, fn func(t *testing.T, e *env), options ...envOption) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, engine, options...))
		})
	}
}

// req is one request to send.
type req struct {
	method, path string
	token        string            // bearer credential; "" for none
	org          string            // X-Anyreach-Org; "" for none
	body         any               // JSON-encoded unless string or []byte
	header       map[string]string // extra headers
}

// resp is a response read whole.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// do sends r and returns the response.
func (e *env) do(r req) resp {
	e.t.Helper()
	var body io.Reader
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(buf)
	}
	hr, err := http.NewRequest(r.method, e.url+r.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.org != "" {
		hr.Header.Set("X-Anyreach-Org", r.org)
	}
	for k, v := range r.header {
		if k == "Host" { // not a header to net/http: the request's Host
			hr.Host = v
			continue
		}
		hr.Header.Set(k, v)
	}
	res, err := e.client.Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// decodeInto unmarshals the body or fails the test.
func (r resp) decodeInto(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

// want fails the test unless the status is status.
func (r resp) want(t *testing.T, status int) resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	return r
}

// errBody is the API's error body.
type errBody struct {
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Errors []struct {
		Loc  []any  `json:"loc"`
		Msg  string `json:"msg"`
		Type string `json:"type"`
	} `json:"errors"`
}

func (r resp) err(t *testing.T) errBody {
	t.Helper()
	var b errBody
	r.decodeInto(t, &b)
	if b.Detail == "" || b.Code == "" {
		t.Fatalf("error body lacks detail or code: %s", r.body)
	}
	return b
}

// admin sends r with the bootstrap org key.
func (e *env) admin(r req) resp {
	e.t.Helper()
	r.token = e.boot.OrgKey
	return e.do(r)
}
