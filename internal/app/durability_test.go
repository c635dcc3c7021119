package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/app"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/store"
)

// The kill -9 test runs `agentplane serve` in a child process — this test
// binary, re-executed to run only TestHelperServe — so that it can be
// killed for real: no deferred function, no graceful shutdown, no River
// completer flushing its batch.

const (
	// childEnv marks the re-executed test binary as a server child.
	childEnv = "AGENTPLANE_TEST_CHILD"
	// childArgsEnv carries the serve flags (a JSON array) to the child.
	childArgsEnv = "AGENTPLANE_TEST_CHILD_ARGS"
	// childListening starts the line on which the child announces its
	// address, once it listens.
	childListening = "agentplane-test-child listening on "
	// recoveryPatience bounds the wait for a crashed node's jobs: River
	// gives a dead leader's lease 15 s to expire before the new node may
	// rescue anything, then rescues, then schedules the retry.
	recoveryPatience = 3 * time.Minute
)

// TestHelperServe is not a test: it is the body of the server child of
// the durability tests, and skips unless started as one. It serves until
// its stdin closes (the parent's graceful stop, or the parent dying) or
// it is killed. Not parallel: it is alone in its process.
func TestHelperServe(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("the server child of the durability tests; runs only when re-executed by them")
	}
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv(childArgsEnv)), &args); err != nil {
		t.Fatalf("%s: %v", childArgsEnv, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	env := app.OSEnv()
	env.Started = func(a *app.App) { fmt.Fprintf(os.Stdout, "\n%s%s\n", childListening, a.Addr()) }
	if err := app.Main(ctx, append([]string{"serve"}, args...), env); err != nil {
		t.Fatalf("Main: %v", err)
	}
}

// childOutput keeps everything the child writes and picks out its
// address line.
type childOutput struct {
	all  syncBuffer
	mu   sync.Mutex
	line []byte
	addr chan string
}

func (o *childOutput) Write(p []byte) (int, error) {
	o.all.Write(p)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.line = append(o.line, p...)
	for {
		i := bytes.IndexByte(o.line, '\n')
		if i < 0 {
			break
		}
		if a, ok := strings.CutPrefix(strings.TrimSpace(string(o.line[:i])), childListening); ok {
			select {
			case o.addr <- a:
			default:
			}
		}
		o.line = o.line[i+1:]
	}
	return len(p), nil
}

func (o *childOutput) String() string { return o.all.String() }

// childNode is one `agentplane serve` in a child process.
type childNode struct {
	URL    string
	Stdout *childOutput
	Stderr *syncBuffer

	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{}
	err   error // what Wait returned, once done is closed
}

// startChild starts a server child with serve flags args and the
// AGENTPLANE_* variables vars (none of the parent's own), and waits until
// it listens. It is killed when the test ends if still running.
func startChild(t *testing.T, vars map[string]string, args ...string) *childNode {
	t.Helper()
	encoded, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	c := &childNode{
		Stdout: &childOutput{addr: make(chan string, 1)},
		Stderr: &syncBuffer{},
		done:   make(chan struct{}),
	}
	c.cmd = exec.Command(os.Args[0], "-test.run=^TestHelperServe$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AGENTPLANE_") {
			c.cmd.Env = append(c.cmd.Env, kv)
		}
	}
	c.cmd.Env = append(c.cmd.Env, childEnv+"=1", childArgsEnv+"="+string(encoded))
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		c.cmd.Env = append(c.cmd.Env, k+"="+vars[k])
	}
	c.cmd.Stdout, c.cmd.Stderr = c.Stdout, c.Stderr
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start the server child: %v", err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(c.kill)
	select {
	case addr := <-c.Stdout.addr:
		c.URL = "http://" + addr
	case <-c.done:
		t.Fatalf("the server child exited before listening (%v); stdout:\n%s\nstderr:\n%s", c.err, c.Stdout, tail(c.Stderr.String()))
	case <-time.After(patience):
		t.Fatalf("the server child did not listen within %s; stderr:\n%s", patience, tail(c.Stderr.String()))
	}
	return c
}

// kill sends SIGKILL and reaps the child.
func (c *childNode) kill() {
	_ = c.cmd.Process.Kill()
	<-c.done
	c.stdin.Close()
}

// stop closes the child's stdin, which cancels Main's context, and fails
// the test unless the child then exits cleanly.
func (c *childNode) stop(t *testing.T) {
	t.Helper()
	c.stdin.Close()
	select {
	case <-c.done:
		if c.err != nil {
			t.Errorf("the server child exited with %v after a graceful stop; stdout:\n%s\nstderr:\n%s", c.err, c.Stdout, tail(c.Stderr.String()))
		}
	case <-time.After(patience):
		c.kill()
		t.Errorf("the server child did not stop within %s of its stdin closing", patience)
	}
}

// tail is the end of a long log, for failure messages.
func tail(s string) string {
	const n = 8 << 10
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// gatedModel is an OpenAI-compatible chat-completions server for
// instruction generation. It answers the first free calls at once and
// holds every later one until open (or until its caller goes away, as
// when the node that called is killed), so a test decides how far the
// work gets before a node dies. An answer names the company of the
// request's inputs.
type gatedModel struct {
	srv      *httptest.Server
	mu       sync.Mutex
	free     int
	isOpen   bool
	opened   chan struct{}
	held     atomic.Int64 // calls waiting right now
	answered atomic.Int64
	perName  map[string]int // answers per company name
}

func newGatedModel(t *testing.T, free int) *gatedModel {
	t.Helper()
	m := &gatedModel{free: free, opened: make(chan struct{}), perName: map[string]int{}}
	m.srv = httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(func() {
		m.open() // release held calls, or Close waits for them
		m.srv.Close()
	})
	return m
}

// vars configures a node of these tests: it uses the model, and the
// per-credential rate limit is off — the tests' bursts of a few hundred
// requests with one key are not what it is about.
func (m *gatedModel) vars() map[string]string {
	return map[string]string{
		"AGENTPLANE_LLM_BASE_URL": m.srv.URL,
		"AGENTPLANE_LLM_API_KEY":  "sk-gated",
		"AGENTPLANE_LLM_MODEL":    "gated-1",
		"AGENTPLANE_RATE_LIMIT":   "0",
	}
}

// open answers every held call and every later one at once.
func (m *gatedModel) open() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.isOpen {
		m.isOpen = true
		close(m.opened)
	}
}

func (m *gatedModel) serve(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	if r.Method != http.MethodPost || r.URL.Path != "/chat/completions" || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, "want POST /chat/completions with JSON", http.StatusBadRequest)
		return
	}
	var in struct {
		CompanyName string `json:"company_name"`
	}
	for _, msg := range body.Messages {
		if msg.Role == "user" {
			_ = json.Unmarshal([]byte(msg.Content), &in)
		}
	}
	m.mu.Lock()
	wait := !m.isOpen && m.free <= 0
	if !wait && !m.isOpen {
		m.free--
	}
	m.mu.Unlock()
	if wait {
		m.held.Add(1)
		select {
		case <-m.opened:
			m.held.Add(-1)
		case <-r.Context().Done():
			m.held.Add(-1)
			return
		}
	}
	m.mu.Lock()
	m.perName[in.CompanyName]++
	m.mu.Unlock()
	m.answered.Add(1)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-gated", "object": "chat.completion", "created": 1, "model": "gated-1",
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{
			"role": "assistant", "content": "You are the voice assistant of " + in.CompanyName + ". Keep answers short.",
		}}},
	})
}

// reruns counts the companies whose instructions were generated more
// than once (a job redone after a crash: at-least-once, by design).
func (m *gatedModel) reruns() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, c := range m.perName {
		if c > 1 {
			n++
		}
	}
	return n
}

// apiClient sends raw JSON requests with a bearer key.
type apiClient struct {
	hc   *http.Client
	base string
	key  string
}

// validated checks every exchange against openapi.yaml.
func validated(t *testing.T, base, key string) *apiClient {
	return &apiClient{hc: httpClient(t, nil), base: base, key: key}
}

// unvalidated is for tight polling loops, where validating every large
// page would cost more CPU than the server under test gets.
func unvalidated(base, key string) *apiClient {
	return &apiClient{hc: &http.Client{Timeout: 30 * time.Second}, base: base, key: key}
}

// call sends body (nil: none) and decodes the response into out (nil:
// ignored); a status other than want is an error that quotes the body.
func (a *apiClient) call(ctx context.Context, method, path string, body, out any, want int) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s, want %d", method, path, resp.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decode %s: %w", method, path, b, err)
		}
	}
	return nil
}

// versionRecord is the part of a version these tests read.
type versionRecord struct {
	Version                    int                           `json:"version"`
	Published                  bool                          `json:"published"`
	InstructionsStatus         agentplane.InstructionsStatus `json:"instructions_status"`
	InstructionsError          *string                       `json:"instructions_error"`
	InstructionsDirty          bool                          `json:"instructions_dirty"`
	InstructionsManuallyEdited bool                          `json:"instructions_manually_edited"`
	Config                     struct {
		Instructions string `json:"instructions"`
	} `json:"config"`
}

// listPage is one page of a list route.
type listPage[T any] struct {
	Data       []T `json:"data"`
	Pagination struct {
		NextCursor *string `json:"next_cursor"`
	} `json:"pagination"`
}

// companyName is the company of the generation inputs of version n.
func companyName(n int) string { return fmt.Sprintf("Durable Co %03d", n) }

// generations creates an agent with versions 1..count, each a draft with
// builder inputs naming its own company, starts the generation of every
// one and returns the agent id and the workflow id of each version.
func generations(t *testing.T, api *apiClient, count int) (agentID string, workflows map[int]string) {
	t.Helper()
	ctx := t.Context()
	var agent struct {
		ID string `json:"id"`
	}
	if err := api.call(ctx, http.MethodPost, "/core/agents", map[string]any{"name": "Durable"}, &agent, http.StatusCreated); err != nil {
		t.Fatal(err)
	}
	base := "/core/agents/" + agent.ID + "/versions"
	for n := 1; n <= count; n++ {
		var v versionRecord
		body := map[string]any{
			"config": map[string]any{"language": "en-US"},
			"instruction_builder_inputs": map[string]any{
				"company_name": companyName(n),
				"purpose":      fmt.Sprintf("Book appointments for customers of store number %d.", n),
			},
		}
		if err := api.call(ctx, http.MethodPost, base, body, &v, http.StatusCreated); err != nil {
			t.Fatal(err)
		}
		if v.Version != n {
			t.Fatalf("the %dth version is numbered %d", n, v.Version)
		}
	}
	workflows = map[int]string{}
	for n := 1; n <= count; n++ {
		var started struct {
			WorkflowID string `json:"workflow_id"`
			Status     string `json:"status"`
		}
		if err := api.call(ctx, http.MethodPost, fmt.Sprintf("%s/%d/generate-instructions", base, n), nil, &started, http.StatusAccepted); err != nil {
			t.Fatal(err)
		}
		if started.WorkflowID == "" || started.Status != agentplane.WorkflowQueued {
			t.Fatalf("generate-instructions of version %d answered %+v, want a queued workflow", n, started)
		}
		workflows[n] = started.WorkflowID
	}
	return agent.ID, workflows
}

// workflowsByStatus lists the generation workflows of status ("" for
// all); fewer than 200 fit one page.
func workflowsByStatus(ctx context.Context, api *apiClient, status string) ([]agentplane.Workflow, error) {
	path := "/core/workflows?kind=" + agentplane.KindGenerateInstructions + "&limit=200"
	if status != "" {
		path += "&status=" + status
	}
	var page listPage[agentplane.Workflow]
	if err := api.call(ctx, http.MethodGet, path, nil, &page, http.StatusOK); err != nil {
		return nil, err
	}
	if page.Pagination.NextCursor != nil {
		return nil, fmt.Errorf("GET %s has a second page", path)
	}
	return page.Data, nil
}

// pollUntil calls cond until it reports done, failing the test when it
// errs or within is over.
func pollUntil(t *testing.T, within time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		done, err := cond()
		if err != nil {
			t.Fatalf("waiting until %s: %v", what, err)
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond) // poll interval, not a wait for an event
	}
}

// waitAllSucceeded polls until all want workflows succeeded, failing at
// once if one failed.
func waitAllSucceeded(t *testing.T, api *apiClient, want int, within time.Duration) {
	t.Helper()
	ctx := t.Context()
	pollUntil(t, within, fmt.Sprintf("all %d workflows succeeded", want), func() (bool, error) {
		failed, err := workflowsByStatus(ctx, api, agentplane.WorkflowFailed)
		if err != nil {
			return false, err
		}
		if len(failed) > 0 {
			return false, fmt.Errorf("%d workflows failed, the first with %q", len(failed), deref(failed[0].Error))
		}
		done, err := workflowsByStatus(ctx, api, agentplane.WorkflowSucceeded)
		return len(done) == want, err
	})
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// checkGenerated asserts the end state after every generation ran: each
// workflow succeeded with its one step, exactly the given workflows exist,
// and every version of the agent — exactly versions 1..count, no more —
// is idle with instructions naming its company.
func checkGenerated(t *testing.T, api *apiClient, agentID string, workflows map[int]string) {
	t.Helper()
	ctx := t.Context()
	all, err := workflowsByStatus(ctx, api, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(workflows) {
		t.Errorf("%d generation workflows exist, want %d", len(all), len(workflows))
	}
	byID := map[string]agentplane.Workflow{}
	for _, w := range all {
		byID[w.ID] = w
	}
	for n, id := range workflows {
		w, ok := byID[id]
		switch {
		case !ok:
			t.Errorf("workflow %s of version %d is missing from the list", id, n)
		case w.Status != agentplane.WorkflowSucceeded || w.Error != nil:
			t.Errorf("workflow of version %d ended %s (error %q)", n, w.Status, deref(w.Error))
		case w.AgentID == nil || *w.AgentID != agentID || w.Version == nil || *w.Version != n:
			t.Errorf("workflow of version %d names agent %v version %v", n, w.AgentID, w.Version)
		case len(w.Steps) != 1 || w.Steps[0].Name != "generate_instructions" || w.Steps[0].Status != "succeeded" ||
			w.Steps[0].StartedAt == nil || w.Steps[0].FinishedAt == nil:
			t.Errorf("workflow of version %d has steps %+v, want one finished generate_instructions", n, w.Steps)
		}
	}
	var one agentplane.Workflow
	if err := api.call(ctx, http.MethodGet, "/core/workflows/"+workflows[1], nil, &one, http.StatusOK); err != nil || one.Status != agentplane.WorkflowSucceeded {
		t.Errorf("GET the workflow of version 1: %+v (err %v)", one, err)
	}

	var versions listPage[versionRecord]
	if err := api.call(ctx, http.MethodGet, "/core/agents/"+agentID+"/versions?limit=200", nil, &versions, http.StatusOK); err != nil {
		t.Fatal(err)
	}
	if len(versions.Data) != len(workflows) || versions.Pagination.NextCursor != nil {
		t.Errorf("the agent has %d versions (more pages: %v), want exactly %d", len(versions.Data), versions.Pagination.NextCursor != nil, len(workflows))
	}
	seen := map[int]bool{}
	for _, v := range versions.Data {
		if seen[v.Version] || v.Version < 1 || v.Version > len(workflows) {
			t.Errorf("unexpected or duplicate version %d", v.Version)
		}
		seen[v.Version] = true
		if v.InstructionsStatus != agentplane.InstructionsIdle || v.InstructionsError != nil || v.InstructionsDirty ||
			v.InstructionsManuallyEdited || v.Published {
			t.Errorf("version %d: status %s, error %q, dirty %v, edited %v, published %v; want an idle clean draft",
				v.Version, v.InstructionsStatus, deref(v.InstructionsError), v.InstructionsDirty, v.InstructionsManuallyEdited, v.Published)
		}
		if !strings.Contains(v.Config.Instructions, companyName(v.Version)+".") {
			t.Errorf("version %d's instructions don't name %s: %q", v.Version, companyName(v.Version), v.Config.Instructions)
		}
	}
}

// riverJob is one row of River's job table, as these tests read it.
type riverJob struct {
	WorkflowID  string
	State       string
	Attempt     int
	AttemptedBy []string // client ids, oldest first
}

// riverJobs reads River's "workflow" jobs straight from the database the
// nodes used (all of them stopped), keyed by workflow id; a workflow
// with two jobs fails the test.
func riverJobs(t *testing.T, opts store.Options) map[string]riverJob {
	t.Helper()
	ctx := t.Context()
	st, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// River keeps JSON as jsonb on PostgreSQL and as SQLite's binary
	// JSONB on SQLite, where json() turns it back into text.
	query := `SELECT CAST(args AS TEXT), CAST(state AS TEXT), attempt, COALESCE(CAST(attempted_by AS TEXT), '')
		FROM river_job WHERE kind = 'workflow'`
	if st.Engine() == store.SQLite {
		query = `SELECT json(args), state, attempt, COALESCE(json(attempted_by), '')
		FROM river_job WHERE kind = 'workflow'`
	}
	rows, err := st.DB().QueryContext(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]riverJob{}
	for rows.Next() {
		var args, by string
		var j riverJob
		if err := rows.Scan(&args, &j.State, &j.Attempt, &by); err != nil {
			t.Fatal(err)
		}
		var a struct {
			WorkflowID string `json:"workflow_id"`
		}
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			t.Fatalf("job args %s: %v", args, err)
		}
		j.WorkflowID, j.AttemptedBy = a.WorkflowID, parseClientIDs(by)
		if _, dup := out[j.WorkflowID]; dup {
			t.Errorf("workflow %s has more than one job", j.WorkflowID)
		}
		out[j.WorkflowID] = j
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// parseClientIDs reads attempted_by as text: a JSON array on SQLite, a
// PostgreSQL array literal ({a,b}) on PostgreSQL. Client ids are plain
// words, never quoted.
func parseClientIDs(s string) []string {
	var ids []string
	if json.Unmarshal([]byte(s), &ids) == nil {
		return ids
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	for _, id := range strings.Split(s, ",") {
		if id = strings.Trim(id, `" `); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// checkJobs asserts one completed job per workflow and nothing else.
func checkJobs(t *testing.T, jobs map[string]riverJob, workflows map[int]string) {
	t.Helper()
	if len(jobs) != len(workflows) {
		t.Errorf("River holds %d workflow jobs, want %d", len(jobs), len(workflows))
	}
	for n, id := range workflows {
		if j, ok := jobs[id]; !ok || j.State != "completed" {
			t.Errorf("the job of version %d's workflow is %+v, want completed", n, j)
		}
	}
}

// TestDurabilityKill9DuringJobs kills the server with SIGKILL while 100
// instruction generations are under way — some done, some running inside
// a model call, most still queued — restarts it on the same database,
// and checks that every generation then ends succeeded exactly once:
// no workflow lost or failed, none doubled, no version created twice.
func TestDurabilityKill9DuringJobs(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		testKill9(t, store.Options{DataDir: dir}, "--data-dir", dir)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := dbtest.NewPostgresDB(t) // skips without PostgreSQL, fails under AGENTPLANE_REQUIRE_POSTGRES=1
		testKill9(t, store.Options{DatabaseURL: url}, "--data-dir", t.TempDir(), "--database-url", url)
	})
}

func testKill9(t *testing.T, db store.Options, dbArgs ...string) {
	const versions = 100
	// The model answers 10 calls, then holds the rest: when the node is
	// killed, 10 or so generations are done, a few are inside a model
	// call (running jobs the new node must rescue) and the rest queued.
	model := newGatedModel(t, 10)
	args := append([]string{"--addr", "127.0.0.1:0"}, dbArgs...)

	// A job timeout of a minute: the held calls must not time out and be
	// retried by the first node before it dies.
	vars := model.vars()
	vars["AGENTPLANE_JOB_TIMEOUT"] = "1m"
	first := startChild(t, vars, args...)
	key := defaultKey(t, first.Stdout.String())
	start := time.Now()
	agentID, workflows := generations(t, validated(t, first.URL, key), versions)
	t.Logf("created %d versions and started their generations in %s", versions, time.Since(start).Round(100*time.Millisecond))

	poll := unvalidated(first.URL, key)
	var before int
	pollUntil(t, patience, "a generation succeeded and another is inside a model call", func() (bool, error) {
		done, err := workflowsByStatus(t.Context(), poll, agentplane.WorkflowSucceeded)
		before = len(done)
		return before > 0 && model.held.Load() > 0, err
	})
	held := model.held.Load()
	first.kill()
	if before >= versions {
		t.Fatalf("all %d generations succeeded before the kill; the test proves nothing", versions)
	}
	t.Logf("killed the node with %d of %d generations succeeded and %d inside a model call", before, versions, held)

	// The new node rescues the jobs the dead one was running once they
	// have run longer than its job timeout plus a fifth: 6 s, not River's
	// hour or our 6-minute default. Rescue waits anyway for the dead
	// node's leadership lease (15 s) to lapse, so a shorter timeout would
	// gain nothing and, on a loaded machine, time out healthy attempts.
	model.open()
	killed := time.Now()
	vars["AGENTPLANE_JOB_TIMEOUT"] = "5s"
	second := startChild(t, vars, args...)
	if out := second.Stdout.String(); strings.Contains(out, "ak_") {
		t.Errorf("the restarted node printed a key:\n%s", out)
	}
	waitAllSucceeded(t, unvalidated(second.URL, key), versions, recoveryPatience)
	t.Logf("all %d generations succeeded %s after the kill; %d were generated more than once", versions,
		time.Since(killed).Round(100*time.Millisecond), model.reruns())

	checkGenerated(t, validated(t, second.URL, key), agentID, workflows)
	second.stop(t)
	jobs := riverJobs(t, db)
	checkJobs(t, jobs, workflows)
	// The jobs that were inside a model call died with the node: the new
	// node must have rescued and re-run each of them.
	rescued := 0
	for _, j := range jobs {
		if j.Attempt > 1 && len(slices.Compact(slices.Sorted(slices.Values(j.AttemptedBy)))) > 1 {
			rescued++
		}
	}
	if rescued < int(held) {
		t.Errorf("%d jobs were attempted by both nodes, want at least the %d that were running when the first died", rescued, held)
	}
	t.Logf("%d jobs were attempted by both nodes", rescued)
	if t.Failed() {
		t.Logf("stderr of the restarted node:\n%s", tail(second.Stderr.String()))
	}
}
