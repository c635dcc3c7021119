package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/service"
)

// Scaffolding (SPEC §13, and §16's fixes): every field of create-from-website
// and create-demo has an effect, and a workflow that fails takes back what
// it made.

// scSite is a one-page company website on loopback.
func scSite(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><title>Globex Gardens</title></head><body><h1>Garden design</h1><p>Call 0161 496 0000.</p></body></html>`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// scStart starts a scaffolding workflow and returns its id.
func scStart(t *testing.T, e *env, path string, body map[string]any) string {
	t.Helper()
	var started struct {
		WorkflowID string `json:"workflow_id"`
	}
	e.admin(req{method: "POST", path: path, body: body}).want(t, 202).decodeInto(t, &started)
	return started.WorkflowID
}

// scAgentCount is how many agents the organization has.
func scAgentCount(t *testing.T, e *env) int {
	t.Helper()
	var page struct{ Data []json.RawMessage }
	e.admin(req{method: "GET", path: "/core/agents?limit=200"}).want(t, 200).decodeInto(t, &page)
	return len(page.Data)
}

// scConfig is the part of a version's config scaffolding writes.
type scConfig struct {
	Instructions     string   `json:"instructions"`
	KnowledgeBaseIDs []string `json:"knowledge_base_ids"`
	Voice            *struct {
		VoiceID string `json:"voice_id"`
	} `json:"voice"`
}

// scVersion reads version n of agent: whether it exists, and its config.
func scVersion(t *testing.T, e *env, agent string, n int) (bool, scConfig) {
	t.Helper()
	r := e.admin(req{method: "GET", path: fmt.Sprintf("/core/agents/%s/versions/%d", agent, n)})
	var v struct{ Config scConfig }
	if r.status == 404 {
		return false, v.Config
	}
	r.want(t, 200).decodeInto(t, &v)
	return true, v.Config
}

// TestCreateFromWebsiteChecksItsFields: company_name is required and not
// blank, existing_collection_id is a UUID, demo_type at most 64
// characters, voice_id fits the config's voice, avatar_url is bounded;
// each refusal is a 422 located at its field. create-demo has no
// company_name.
func TestCreateFromWebsiteChecksItsFields(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		site := "https://acme.example"
		for _, tc := range []struct {
			name  string
			body  map[string]any
			field string
			typ   string
		}{
			{"no company_name", map[string]any{"company_website": site}, "company_name", "missing"},
			{"empty company_name", map[string]any{"company_name": "", "company_website": site}, "company_name", "missing"},
			{"blank company_name", map[string]any{"company_name": " \t ", "company_website": site}, "company_name", "missing"},
			{"existing_collection_id not a UUID", map[string]any{"company_name": "Co", "company_website": site, "existing_collection_id": "kb-1"}, "existing_collection_id", "uuid"},
			{"demo_type of 65", map[string]any{"company_name": "Co", "company_website": site, "demo_type": strings.Repeat("é", 65)}, "demo_type", "string_length"},
			{"empty voice_id", map[string]any{"company_name": "Co", "company_website": site, "voice_id": ""}, "voice_id", "string_length"},
			{"voice_id of 201", map[string]any{"company_name": "Co", "company_website": site, "voice_id": strings.Repeat("v", 201)}, "voice_id", "string_length"},
			{"avatar_url of 2001", map[string]any{"company_name": "Co", "company_website": site, "avatar_url": strings.Repeat("a", 2001)}, "avatar_url", "string_length"},
		} {
			eb := e.admin(req{method: "POST", path: "/core/agents/create-from-website", body: tc.body}).want(t, 422).err(t)
			if eb.Code != "invalid" || len(eb.Errors) != 1 || !reflect.DeepEqual(eb.Errors[0].Loc, []any{"body", tc.field}) || eb.Errors[0].Type != tc.typ {
				t.Errorf("%s: %+v", tc.name, eb)
			}
		}
		// At the bounds, and a collection id in capitals, are fine.
		scStart(t, e, "/core/agents/create-from-website", map[string]any{"company_name": "Co", "company_website": site,
			"demo_type": strings.Repeat("é", 64), "voice_id": strings.Repeat("v", 200), "avatar_url": strings.Repeat("a", 2000),
			"existing_collection_id": strings.ToUpper(agentplane.NewID())})
		scStart(t, e, "/core/agents/create-demo", map[string]any{"company_website": site})
	}, withJobs)
}

// TestScaffoldFieldsReachTheAgent: a created agent gets the company's
// name, is_demo, and website, avatar_url and demo_type in its metadata;
// its version gets the voice and the collection in knowledge_base_ids. An
// existing agent gets a new version built the same way, keeps its name,
// and gets is_demo and the metadata merged into its own when the workflow
// succeeds.
func TestScaffoldFieldsReachTheAgent(t *testing.T) {
	site := scSite(t)
	forEngine(t, func(t *testing.T, e *env) {
		e.startJobs()
		coll := agentplane.NewID()
		w := wfWait(t, e, scStart(t, e, "/core/agents/create-from-website", map[string]any{"company_name": "Globex", "company_website": site.URL,
			"is_demo": true, "skip_deployment": true, "voice_id": "v-warm", "avatar_url": "https://cdn.example/globex.png",
			"demo_type": "garden-centre", "existing_collection_id": strings.ToUpper(coll)}))
		if w.Status != "succeeded" || w.AgentID == nil || w.Version == nil || *w.Version != 1 {
			t.Fatalf("create-from-website: %+v", w)
		}
		a := agGet(t, e, *w.AgentID)
		wantMeta := map[string]any{"website": site.URL, "avatar_url": "https://cdn.example/globex.png", "demo_type": "garden-centre"}
		if a.Name != "Globex" || !a.IsDemo || !reflect.DeepEqual(a.Metadata, wantMeta) {
			t.Errorf("created agent %+v", a)
		}
		if _, cfg := scVersion(t, e, *w.AgentID, 1); !slices.Equal(cfg.KnowledgeBaseIDs, []string{coll}) || cfg.Voice == nil || cfg.Voice.VoiceID != "v-warm" ||
			!strings.Contains(cfg.Instructions, "Globex") {
			t.Errorf("created version's config %+v", cfg)
		}

		// An existing agent with a version of its own.
		var ex agAgent
		e.admin(req{method: "POST", path: "/core/agents", body: map[string]any{"name": "Front desk", "metadata": map[string]any{"team": "sales", "demo_type": "old"}}}).
			want(t, 201).decodeInto(t, &ex)
		e.admin(req{method: "POST", path: "/core/agents/" + ex.ID + "/versions", body: map[string]any{"config": map[string]any{"language": "en-GB"}}}).want(t, 201)
		w = wfWait(t, e, scStart(t, e, "/core/agents/create-from-website", map[string]any{"company_name": "Globex", "company_website": site.URL,
			"existing_agent_id": ex.ID, "is_demo": true, "skip_deployment": true, "demo_type": "clinic", "existing_collection_id": coll}))
		if w.Status != "succeeded" || w.AgentID == nil || *w.AgentID != ex.ID || w.Version == nil || *w.Version != 2 {
			t.Fatalf("create-from-website onto an existing agent: %+v", w)
		}
		a = agGet(t, e, ex.ID)
		wantMeta = map[string]any{"team": "sales", "website": site.URL, "demo_type": "clinic"}
		if a.Name != "Front desk" || !a.IsDemo || !reflect.DeepEqual(a.Metadata, wantMeta) {
			t.Errorf("existing agent after the workflow %+v", a)
		}
		if _, cfg := scVersion(t, e, ex.ID, 2); !slices.Equal(cfg.KnowledgeBaseIDs, []string{coll}) {
			t.Errorf("new version's config %+v", cfg)
		}

		// create-demo: an is_demo agent recording its website.
		w = wfWait(t, e, scStart(t, e, "/core/agents/create-demo", map[string]any{"company_website": site.URL, "instructions": "Mention the spring sale."}))
		if w.Status != "succeeded" {
			t.Fatalf("create-demo: %+v", w)
		}
		a = agGet(t, e, *w.AgentID)
		if !a.IsDemo || !reflect.DeepEqual(a.Metadata, map[string]any{"website": site.URL}) {
			t.Errorf("demo agent %+v", a)
		}
		if _, cfg := scVersion(t, e, *w.AgentID, 1); !strings.Contains(cfg.Instructions, "Mention the spring sale.") {
			t.Errorf("demo instructions %q", cfg.Instructions)
		}
	}, withJobs, withCrawl(t, site.URL))
}

// TestFailedScaffoldTakesBackWhatItMade: a scaffolding workflow that fails
// after creating its agent deletes it, in the transaction that records the
// failure, and its record points at nothing that is gone; one that fails
// on an existing agent deletes only the draft version it added, and the
// agent keeps its name, is_demo, metadata and versions.
func TestFailedScaffoldTakesBackWhatItMade(t *testing.T) {
	site := scSite(t)
	// A model that writes builder inputs naming the company it was asked
	// about and refuses (400, no retry) to write instructions for "Doomed".
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body struct {
			ResponseFormat *struct{ Type string } `json:"response_format"`
		}
		_ = json.Unmarshal(b, &body)
		doomed := strings.Contains(string(b), "Doomed")
		content := "You are the phone agent of Globex Gardens."
		switch {
		case body.ResponseFormat != nil && doomed:
			content = `{"company_name": "Doomed Gardens", "purpose": "Book visits"}`
		case body.ResponseFormat != nil:
			content = `{"company_name": "Globex Gardens", "purpose": "Book visits"}`
		case doomed:
			http.Error(w, `{"error":{"message":"no"}}`, http.StatusBadRequest)
			return
		}
		reply, _ := json.Marshal(content)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":%s}}]}`, reply)
	}))
	t.Cleanup(model.Close)
	forEngine(t, func(t *testing.T, e *env) {
		e.startJobs()
		steps := func(w wfWorkflow) string {
			var s []string
			for _, st := range w.Steps {
				s = append(s, st.Name+":"+st.Status)
			}
			return strings.Join(s, " ")
		}
		agents := scAgentCount(t, e)

		// A demo whose publish can't take a number: no free one.
		w := wfWait(t, e, scStart(t, e, "/core/agents/create-demo", map[string]any{"company_website": site.URL, "include_phone_number": true}))
		if w.Status != "failed" || w.Error == nil || !strings.Contains(*w.Error, "no free phone number") || !strings.Contains(*w.Error, "the agent it created was deleted") ||
			w.AgentID != nil || w.Version != nil ||
			steps(w) != "fetch_site:succeeded extract_inputs:succeeded create_agent:succeeded generate_instructions:succeeded publish:failed" {
			t.Errorf("demo without a free number: %+v (%s, error %v)", w, steps(w), w.Error)
		}
		// A new agent whose instructions can't be written.
		w = wfWait(t, e, scStart(t, e, "/core/agents/create-from-website", map[string]any{"company_name": "Doomed", "company_website": site.URL, "demo_type": "x"}))
		if w.Status != "failed" || w.Error == nil || !strings.Contains(*w.Error, "the language model refused") || !strings.Contains(*w.Error, "the agent it created was deleted") ||
			w.AgentID != nil || w.Version != nil || w.Steps[2].Status != "succeeded" || w.Steps[3].Status != "failed" {
			t.Errorf("website agent whose generation fails: %+v (%s, error %v)", w, steps(w), w.Error)
		}
		if n := scAgentCount(t, e); n != agents {
			t.Errorf("failed workflows left agents behind: %d → %d", agents, n)
		}

		// An existing agent with a published v1 (read once, so this node
		// keeps its detail: the env checks every later hit against a fresh
		// read, which proves the take-back moved its revision).
		var ex agAgent
		e.admin(req{method: "POST", path: "/core/agents", body: map[string]any{"name": "Front desk", "metadata": map[string]any{"team": "sales"}}}).
			want(t, 201).decodeInto(t, &ex)
		e.admin(req{method: "POST", path: "/core/agents/" + ex.ID + "/versions", body: map[string]any{"config": map[string]any{"instructions": "Be brief."}}}).want(t, 201)
		e.admin(req{method: "POST", path: "/core/agents/" + ex.ID + "/versions/1/publish"}).want(t, 200)
		before := dpGetDetail(t, e, ex.ID)
		w = wfWait(t, e, scStart(t, e, "/core/agents/create-from-website", map[string]any{"company_name": "Doomed", "company_website": site.URL,
			"existing_agent_id": ex.ID, "is_demo": true, "avatar_url": "https://cdn.example/a.png", "demo_type": "clinic"}))
		if w.Status != "failed" || w.Error == nil || !strings.Contains(*w.Error, "the language model refused") ||
			!strings.Contains(*w.Error, "version 2 it added to the agent was deleted") || w.AgentID == nil || *w.AgentID != ex.ID || w.Version != nil ||
			w.Steps[2].Status != "succeeded" || w.Steps[3].Status != "failed" {
			t.Errorf("existing agent whose new version fails: %+v (%s, error %v)", w, steps(w), w.Error)
		}
		if a := agGet(t, e, ex.ID); a.Name != "Front desk" || a.IsDemo || !reflect.DeepEqual(a.Metadata, map[string]any{"team": "sales"}) || a.UpdatedAt != ex.UpdatedAt {
			t.Errorf("the existing agent changed: %+v, was %+v", a, ex)
		}
		after := dpGetDetail(t, e, ex.ID)
		if len(after.Versions) != 1 || after.Versions[0].ID != before.Versions[0].ID || !after.Versions[0].Published {
			t.Errorf("the existing agent's versions: %+v, were %+v", after.Versions, before.Versions)
		}
		if ok, _ := scVersion(t, e, ex.ID, 2); ok {
			t.Error("the added version is still there")
		}
		var page struct{ Data []wfWorkflow }
		e.admin(req{method: "GET", path: "/core/workflows?agent_id=" + ex.ID}).want(t, 200).decodeInto(t, &page)
		if len(page.Data) != 1 || page.Data[0].WorkflowID != w.WorkflowID {
			t.Errorf("the existing agent's workflows: %+v", page.Data)
		}
		if n := scAgentCount(t, e); n != agents+1 {
			t.Errorf("agents: %d, want %d", n, agents+1)
		}
	}, withJobs, withCrawl(t, site.URL), withModel(t, model))
}

// TestFailedScaffoldStepByStep drives a scaffolding workflow through the
// service as the job runner does, acting between its steps. A node that
// read the agent while the workflow's version existed serves the agent
// without it once the failure takes it back (the env checks every hit of
// its detail cache against a fresh read). What others changed is not the
// workflow's to take back: a version published meanwhile stays (and the
// record keeps naming it); an agent deleted meanwhile is not an error, and
// the record stops naming it.
func TestFailedScaffoldStepByStep(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		sc := agentplane.SystemCaller(e.boot.OrganizationID)
		site := "https://acme.example"
		// run creates the workflow's agent (or version) as create_agent
		// does, lets act interfere, then fails the workflow at
		// generate_instructions as the runner would.
		run := func(body map[string]any, act func(agent string, version int)) wfWorkflow {
			t.Helper()
			w, err := e.svc.WorkflowToRun(ctx, sc, scStart(t, e, "/core/agents/create-from-website", body))
			if err != nil {
				t.Fatal(err)
			}
			var existing *string
			if id, ok := body["existing_agent_id"].(string); ok {
				existing = &id
			}
			if err := e.svc.CreateScaffoldAgent(ctx, sc, &w, service.ScaffoldAgent{Name: "Acme", Config: agentplane.DefaultConfig,
				Inputs: json.RawMessage(`{"company_name": "Acme"}`), ExistingAgentID: existing}); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.SetGeneratedInstructions(ctx, sc, *w.AgentID, *w.Version, "You are Acme's agent."); err != nil {
				t.Fatal(err)
			}
			act(*w.AgentID, *w.Version)
			w.FailAt(3, agentplane.TimeOf(time.Now()), "the model is down")
			if err := e.svc.FailWorkflow(ctx, sc, w); err != nil {
				t.Fatal(err)
			}
			return wfWait(t, e, w.ID)
		}

		agent := dpAgent(t, e, "Front desk")
		w := run(map[string]any{"company_name": "Acme", "company_website": site, "existing_agent_id": agent}, func(agent string, n int) {
			if d := dpGetDetail(t, e, agent); len(d.Versions) != 1 || d.Versions[0].Version != n {
				t.Fatalf("while the workflow runs: %+v", d.Versions)
			}
		})
		if w.Status != "failed" || w.AgentID == nil || *w.AgentID != agent || w.Version != nil ||
			w.Error == nil || *w.Error != "the model is down (version 1 it added to the agent was deleted; the agent is as it was)" {
			t.Errorf("draft taken back: %+v (error %v)", w, w.Error)
		}
		if d := dpGetDetail(t, e, agent); len(d.Versions) != 0 {
			t.Errorf("after the failure: %+v", d.Versions)
		}

		w = run(map[string]any{"company_name": "Acme", "company_website": site, "existing_agent_id": agent}, func(agent string, n int) {
			e.admin(req{method: "POST", path: fmt.Sprintf("/core/agents/%s/versions/%d/publish", agent, n)}).want(t, 200)
		})
		if w.Status != "failed" || w.AgentID == nil || *w.AgentID != agent || w.Version == nil || *w.Version != 1 ||
			w.Error == nil || *w.Error != "the model is down (version 1 it added to the agent stays: it was published meanwhile)" {
			t.Errorf("published meanwhile: %+v (error %v)", w, w.Error)
		}
		if ok, _ := scVersion(t, e, agent, 1); !ok {
			t.Error("the published version was deleted")
		}

		agents := scAgentCount(t, e)
		w = run(map[string]any{"company_name": "Acme", "company_website": site}, func(agent string, _ int) {
			dpGetDetail(t, e, agent)
			e.admin(req{method: "DELETE", path: "/core/agents/" + agent}).want(t, 204)
		})
		if w.Status != "failed" || w.AgentID != nil || w.Version != nil || w.Error == nil || !strings.HasPrefix(*w.Error, "the model is down") {
			t.Errorf("agent deleted meanwhile: %+v (error %v)", w, w.Error)
		}
		if n := scAgentCount(t, e); n != agents {
			t.Errorf("agents: %d, want %d", n, agents)
		}
	}, withJobs)
}

// TestFailedScaffoldOnShutdown: a node shutting down cancels a workflow's
// last attempt while its model call hangs; the failure is still recorded
// (the attempt's context is gone, not the database), and takes back the
// agent the workflow created.
func TestFailedScaffoldOnShutdown(t *testing.T) {
	site := scSite(t)
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ResponseFormat *struct{ Type string } `json:"response_format"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		if body.ResponseFormat == nil {
			<-r.Context().Done() // instructions never come
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"{\"company_name\": \"Globex Gardens\"}"}}]}`)
	}))
	t.Cleanup(model.Close)
	forEngine(t, func(t *testing.T, e *env) {
		e.startJobs()
		id := scStart(t, e, "/core/agents/create-from-website", map[string]any{"company_name": "Globex", "company_website": site.URL})
		deadline := time.Now().Add(30 * time.Second)
		for {
			var w wfWorkflow
			e.admin(req{method: "GET", path: "/core/workflows/" + id}).want(t, 200).decodeInto(t, &w)
			if w.Steps[3].Status == "running" {
				break
			}
			if w.Status == "failed" || time.Now().After(deadline) {
				t.Fatalf("workflow never reached generate_instructions: %+v", w)
			}
			time.Sleep(10 * time.Millisecond) // poll interval
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_ = e.queue.Stop(ctx) // running jobs are cancelled
		w := wfWait(t, e, id)
		if w.Status != "failed" || w.Steps[3].Status != "failed" || w.AgentID != nil || w.Error == nil ||
			!strings.Contains(*w.Error, "the agent it created was deleted") {
			t.Errorf("workflow cancelled at shutdown: %+v (error %v)", w, w.Error)
		}
		if n := scAgentCount(t, e); n != 0 {
			t.Errorf("%d agents left", n)
		}
	}, withJobsOnce, withCrawl(t, site.URL), withModel(t, model))
}
