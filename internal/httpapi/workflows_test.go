package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentplane/agentplane/internal/fetch"
	"github.com/agentplane/agentplane/internal/store"
)

// wfWorkflow is a workflow as the API returns it.
type wfWorkflow struct {
	WorkflowID string `json:"workflow_id"`
	Kind       string `json:"kind"`
	Status     string `json:"status"`
	Steps      []struct {
		Name       string  `json:"name"`
		Status     string  `json:"status"`
		StartedAt  *string `json:"started_at"`
		FinishedAt *string `json:"finished_at"`
	} `json:"steps"`
	AgentID *string `json:"agent_id"`
	Version *int    `json:"version"`
	Error   *string `json:"error"`
}

const wfInputs = `{"company_name": "Acme Plumbing", "industry": "plumbing", "purpose": "Book repair visits",
	"personality": "Warm and brisk", "opening_line": "Acme Plumbing, how can I help?", "conversation_flow": "Ask for the address, then a time.",
	"knowledge": "We serve Springfield.", "faqs": [{"question": "Weekends?", "answer": "Saturdays only."}],
	"guardrails": ["Never quote prices"], "escalation": "Offer a callback from a plumber.", "closing": "Thank them and say goodbye."}`

// wfDraft creates an agent with a draft v1 carrying builder inputs.
func wfDraft(t *testing.T, e *env) string {
	t.Helper()
	agent := vrAgent(t, e)
	e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions", body: `{"config": {"language": "en-US"}, "instruction_builder_inputs": ` + wfInputs + `}`}).want(t, 201)
	return agent
}

// wfWait polls the workflow until it ends.
func wfWait(t *testing.T, e *env, id string) wfWorkflow {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var w wfWorkflow
		e.admin(req{method: "GET", path: "/core/workflows/" + id}).want(t, 200).decodeInto(t, &w)
		if w.Status == "succeeded" || w.Status == "failed" {
			return w
		}
		if time.Now().After(deadline) {
			t.Fatalf("workflow %s still %s", id, w.Status)
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
}

// TestGenerateInstructions: two concurrent starts give one 202 and one
// 409; publishing while generating is 409; after success the template's
// instructions are in the config, the flags are clear, and publish works.
func TestGenerateInstructions(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := wfDraft(t, e)
		base := "/core/agents/" + agent + "/versions/1"
		// Stale inputs block publishing until generated.
		e.admin(req{method: "POST", path: base + "/publish"}).want(t, 409)

		var wg sync.WaitGroup
		results := make([]resp, 2)
		for i := range results {
			wg.Go(func() { results[i] = e.admin(req{method: "POST", path: base + "/generate-instructions"}) })
		}
		wg.Wait()
		statuses := []int{results[0].status, results[1].status}
		if !(statuses[0] == 202 && statuses[1] == 409 || statuses[0] == 409 && statuses[1] == 202) {
			t.Fatalf("two concurrent starts: %v (%s / %s)", statuses, results[0].body, results[1].body)
		}
		var started struct {
			WorkflowID string `json:"workflow_id"`
			Status     string `json:"status"`
		}
		for _, r := range results {
			if r.status == 202 {
				r.decodeInto(t, &started)
			} else if eb := r.err(t); eb.Code != "conflict" || !strings.Contains(eb.Detail, "already being generated") {
				t.Errorf("409 body %+v", eb)
			}
		}
		if started.Status != "queued" {
			t.Errorf("started %+v", started)
		}
		eb := e.admin(req{method: "POST", path: base + "/publish"}).want(t, 409).err(t)
		if !strings.Contains(eb.Detail, "being generated") {
			t.Errorf("publish during generation: %+v", eb)
		}
		if v := vrGet(t, e, agent, "1"); v.InstructionsStatus != "generating" {
			t.Errorf("status while queued: %s", v.InstructionsStatus)
		}

		e.startJobs()
		w := wfWait(t, e, started.WorkflowID)
		if w.Status != "succeeded" || w.Kind != "generate_instructions" || len(w.Steps) != 1 || w.Steps[0].Status != "succeeded" ||
			w.Steps[0].StartedAt == nil || w.Steps[0].FinishedAt == nil || *w.AgentID != agent || *w.Version != 1 || w.Error != nil {
			t.Fatalf("workflow %+v", w)
		}
		v := vrGet(t, e, agent, "1")
		var cfg struct {
			Instructions string `json:"instructions"`
			Language     string `json:"language"`
		}
		_ = json.Unmarshal(v.Config, &cfg)
		for _, want := range []string{"Acme Plumbing", "Book repair visits", "Warm and brisk", "Ask for the address", "Springfield",
			"Q: Weekends?", "Never quote prices", "Offer a callback", "Thank them"} {
			if !strings.Contains(cfg.Instructions, want) {
				t.Errorf("instructions lack %q:\n%s", want, cfg.Instructions)
			}
		}
		if cfg.Language != "en-US" || v.InstructionsStatus != "idle" || v.InstructionsDirty || v.InstructionsManuallyEdited {
			t.Errorf("after generation: %+v", v)
		}
		e.admin(req{method: "POST", path: base + "/publish"}).want(t, 200)
		// A published version can't be regenerated; a draft without inputs
		// can't be generated.
		e.admin(req{method: "POST", path: base + "/generate-instructions"}).want(t, 400)
		e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions", body: `{"config": {}}`}).want(t, 201)
		eb = e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/2/generate-instructions"}).want(t, 400).err(t)
		if !strings.Contains(eb.Detail, "instruction_builder_inputs") {
			t.Errorf("no inputs: %+v", eb)
		}

		var page struct{ Data []wfWorkflow }
		e.admin(req{method: "GET", path: "/core/workflows?kind=generate_instructions&status=succeeded"}).want(t, 200).decodeInto(t, &page)
		if len(page.Data) != 1 || page.Data[0].WorkflowID != started.WorkflowID {
			t.Errorf("workflow list %+v", page.Data)
		}
		e.admin(req{method: "GET", path: "/core/workflows?kind=nope"}).want(t, 422)
	}, withJobs)
}

// TestGenerateInstructionsWithModel: with a model configured the
// instructions are the model's; a model that keeps failing ends the
// workflow failed with the version marked failed (not left generating).
func TestGenerateInstructionsWithModel(t *testing.T) {
	t.Parallel()
	var fail bool
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		f := fail
		mu.Unlock()
		if f {
			http.Error(w, `{"error":{"message":"model is down"}}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop",
			"message":{"role":"assistant","content":"You are the phone agent of Acme Plumbing. Book visits."}}]}`)
	}))
	t.Cleanup(srv.Close)
	e := newEnv(t, store.SQLite, withModel(t, srv), withJobs)
	e.startJobs()
	agent := wfDraft(t, e)
	var started struct {
		WorkflowID string `json:"workflow_id"`
	}
	e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/1/generate-instructions"}).want(t, 202).decodeInto(t, &started)
	if w := wfWait(t, e, started.WorkflowID); w.Status != "succeeded" {
		t.Fatalf("%+v", w)
	}
	v := vrGet(t, e, agent, "1")
	var cfg struct{ Instructions string }
	_ = json.Unmarshal(v.Config, &cfg)
	if cfg.Instructions != "You are the phone agent of Acme Plumbing. Book visits." {
		t.Errorf("instructions %q", cfg.Instructions)
	}

	mu.Lock()
	fail = true
	mu.Unlock()
	e.admin(req{method: "PUT", path: "/core/agents/" + agent + "/versions/1", body: `{"instruction_builder_inputs": {"company_name": "Acme Two"}}`}).want(t, 200)
	e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/1/generate-instructions"}).want(t, 202).decodeInto(t, &started)
	w := wfWait(t, e, started.WorkflowID)
	if w.Status != "failed" || w.Error == nil || w.Steps[0].Status != "failed" {
		t.Fatalf("failing model: %+v", w)
	}
	v = vrGet(t, e, agent, "1")
	if v.InstructionsStatus != "failed" {
		t.Errorf("version after a failed generation: %s", v.InstructionsStatus)
	}
	_ = json.Unmarshal(v.Config, &cfg)
	if cfg.Instructions != "You are the phone agent of Acme Plumbing. Book visits." {
		t.Errorf("a failed generation changed the instructions: %q", cfg.Instructions)
	}
}

// TestCreateFromWebsiteWithModel: the model derives the builder inputs
// (schema-checked) and writes the instructions; a model answering with
// invalid JSON fails the workflow with a clear error and creates nothing.
func TestCreateFromWebsiteWithModel(t *testing.T) {
	t.Parallel()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><title>Globex Gardens</title></head><body><h1>Garden design</h1><p>Call 0161 496 0000.</p></body></html>`)
	}))
	t.Cleanup(site.Close)
	var mu sync.Mutex
	jsonReply := `{"company_name": "Globex Gardens", "purpose": "Book garden design consultations", "faqs": [{"question": "Do you do lawns?", "answer": "Yes."}]}`
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ResponseFormat *struct{ Type string } `json:"response_format"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		content := "You are the phone agent of Globex Gardens."
		if body.ResponseFormat != nil {
			mu.Lock()
			content = jsonReply
			mu.Unlock()
		}
		b, _ := json.Marshal(content)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":%s}}]}`, b)
	}))
	t.Cleanup(model.Close)
	e := newEnv(t, store.SQLite, withModel(t, model), withJobs, withCrawl(t, site.URL))
	e.startJobs()

	var started struct {
		WorkflowID string `json:"workflow_id"`
	}
	e.admin(req{method: "POST", path: "/core/agents/create-from-website", body: map[string]any{"company_name": "Globex", "company_website": site.URL, "skip_deployment": true}}).
		want(t, 202).decodeInto(t, &started)
	w := wfWait(t, e, started.WorkflowID)
	if w.Status != "succeeded" || w.Steps[4].Name != "publish" || w.Steps[4].Status != "skipped" {
		t.Fatalf("%+v", w)
	}
	v := vrGet(t, e, *w.AgentID, "1")
	var cfg struct{ Instructions string }
	_ = json.Unmarshal(v.Config, &cfg)
	if v.Published || cfg.Instructions != "You are the phone agent of Globex Gardens." || !strings.Contains(string(v.InstructionBuilderInputs), "garden design consultations") {
		t.Errorf("version %+v instructions %q", v, cfg.Instructions)
	}

	var before struct{ Data []json.RawMessage }
	e.admin(req{method: "GET", path: "/core/agents"}).want(t, 200).decodeInto(t, &before)
	for _, bad := range []string{`{"company_name": "Globex", "purpose": `, `{"company": "Globex"}`, `["not", "an", "object"]`} {
		mu.Lock()
		jsonReply = bad
		mu.Unlock()
		e.admin(req{method: "POST", path: "/core/agents/create-from-website", body: map[string]any{"company_name": "Globex", "company_website": site.URL}}).
			want(t, 202).decodeInto(t, &started)
		w = wfWait(t, e, started.WorkflowID)
		if w.Status != "failed" || w.Error == nil || !strings.Contains(*w.Error, "language model") || w.AgentID != nil ||
			w.Steps[1].Name != "extract_inputs" || w.Steps[1].Status != "failed" || w.Steps[2].Status != "skipped" {
			t.Errorf("invalid model output %s: %+v (error %v)", bad, w, w.Error)
		}
	}
	var after struct{ Data []json.RawMessage }
	e.admin(req{method: "GET", path: "/core/agents"}).want(t, 200).decodeInto(t, &after)
	if len(after.Data) != len(before.Data) {
		t.Errorf("failed workflows created agents: %d → %d", len(before.Data), len(after.Data))
	}
}

// withCrawl gives the env the guarded fetcher, exempting the test site's
// loopback address and port.
func withCrawl(t *testing.T, siteURL string) envOption {
	u, err := url.Parse(siteURL)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	f := fetch.New(fetch.Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, AllowPorts: []int{port}})
	return func(o *envOptions) { o.crawl = f.Crawl }
}

// TestWebsiteErrorsShowNoInternalAddress: a site that can't be read fails
// the workflow with a reason naming the user's host, never the DNS
// resolver ("lookup x on 10.0.0.2:53") nor the private address a name
// resolved to; the detail goes to the server log only.
func TestWebsiteErrorsShowNoInternalAddress(t *testing.T) {
	t.Parallel()
	// The production policy with the system resolver: .invalid never
	// resolves (RFC 6761), localhost resolves to loopback and is refused.
	f := fetch.New(fetch.Options{Timeout: 5 * time.Second})
	withFetcher := func(o *envOptions) { o.crawl = f.Crawl }
	address := regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b|::1\b|\[[0-9a-fA-F:]+\]`)
	forEngine(t, func(t *testing.T, e *env) {
		e.startJobs()
		for _, tc := range []struct{ site, reason string }{
			{"http://nowhere.invalid/", "host not found: nowhere.invalid"},
			{"http://localhost/", "localhost is not a public address"},
		} {
			var started struct {
				WorkflowID string `json:"workflow_id"`
			}
			e.admin(req{method: "POST", path: "/core/agents/create-from-website", body: map[string]any{"company_name": "Nowhere", "company_website": tc.site}}).
				want(t, 202).decodeInto(t, &started)
			w := wfWait(t, e, started.WorkflowID)
			if w.Status != "failed" || w.Error == nil || w.Steps[0].Name != "fetch_site" || w.Steps[0].Status != "failed" {
				t.Fatalf("%s: workflow %+v (error %v)", tc.site, w, w.Error)
			}
			if m := address.FindString(*w.Error); m != "" {
				t.Errorf("%s: the workflow error shows the address %q: %s", tc.site, m, *w.Error)
			}
			if !strings.Contains(*w.Error, tc.reason) {
				t.Errorf("%s: the workflow error %q does not say %q", tc.site, *w.Error, tc.reason)
			}
		}
		if logs := e.logs.String(); !strings.Contains(logs, "lookup nowhere.invalid") {
			t.Errorf("the server log lost the lookup detail:\n%s", logs)
		}
	}, withJobs, withFetcher)
}

// TestWorkflowErrorsShowNoInternalText: a step that fails for a reason
// the user can't act on (here the model's host refuses connections, so
// the error names its address) ends the workflow with a generic error
// pointing at the server log, never the raw text (SPEC §24).
func TestWorkflowErrorsShowNoInternalText(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	addr := srv.Listener.Addr().String()
	e := newEnv(t, store.SQLite, withModel(t, srv), withJobsOnce)
	srv.Close() // the model's address now refuses connections
	e.startJobs()
	agent := wfDraft(t, e)
	var started struct {
		WorkflowID string `json:"workflow_id"`
	}
	e.admin(req{method: "POST", path: "/core/agents/" + agent + "/versions/1/generate-instructions"}).want(t, 202).decodeInto(t, &started)
	w := wfWait(t, e, started.WorkflowID)
	if w.Status != "failed" || w.Error == nil {
		t.Fatalf("workflow %+v", w)
	}
	host, _, _ := strings.Cut(addr, ":")
	if strings.Contains(*w.Error, host) || !strings.Contains(*w.Error, started.WorkflowID) {
		t.Errorf("workflow error %q: want no address, and the workflow id to find the log line", *w.Error)
	}
	if v := vrGet(t, e, agent, "1"); v.InstructionsError == nil || strings.Contains(*v.InstructionsError, host) {
		t.Errorf("version's instructions_error %v", v.InstructionsError)
	}
	if !strings.Contains(e.logs.String(), host) {
		t.Error("the server log lacks the cause")
	}
}
