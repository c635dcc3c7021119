package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// acmeSite is a small company website: a home page linking to services
// and contact pages.
func acmeSite(t *testing.T) *httptest.Server {
	pages := map[string]string{
		"/": `<!doctype html><html><head><title>Acme Plumbing | Springfield</title>
			<meta name="description" content="Family-run plumbers serving Springfield since 1985."></head>
			<body><nav><a href="/services">Services</a> <a href="/contact">Contact</a></nav>
			<main><h1>Acme Plumbing</h1><p>We fix leaks, unblock drains and install boilers across Springfield.
			Our engineers are on call and arrive within two hours for emergencies.</p>
			<h2>Emergency repairs</h2><p>Burst pipes and flooding, day or night.</p></main></body></html>`,
		"/services": `<!doctype html><html><head><title>Services - Acme Plumbing</title></head><body>
			<h1>Our services</h1><h2>Boiler installation</h2><p>New boilers fitted in a day, with a ten-year warranty on parts and labour.</p>
			<h2>Drain unblocking</h2><p>Kitchen and bathroom drains cleared with high-pressure jetting.</p></body></html>`,
		"/contact": `<!doctype html><html><head><title>Contact - Acme Plumbing</title></head><body>
			<h1>Contact us</h1><p>Call us on (415) 555-0199 or email help@acmeplumbing.example.</p>
			<p>Opening hours: Mon-Fri 8am-6pm, Sat 9am-1pm</p></body></html>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestCreateFromWebsite is the story as a new user would try it:
// no LLM configured, a small local site, and the agent's published version
// ends up with instructions naming the company, its services and its
// contact details; create-demo makes an is_demo agent.
func TestCreateFromWebsite(t *testing.T) {
	t.Parallel()
	site := acmeSite(t)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(site.URL, "http://"))
	n := launch(t, nil, map[string]string{
		// The test site is on loopback: exempt exactly it from the
		// fetcher's address and port rules, as a private deployment would.
		"AGENTPLANE_FETCH_ALLOW_CIDRS": "127.0.0.1/32",
		"AGENTPLANE_FETCH_ALLOW_PORTS": port,
	}, "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()).wait(t)
	key := defaultKey(t, n.Stdout.String())
	hc := httpClient(t, nil)
	call := func(method, path, body string, out any) int {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), method, n.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
			}
		}
		return res.StatusCode
	}
	type workflow struct {
		WorkflowID string  `json:"workflow_id"`
		Status     string  `json:"status"`
		AgentID    *string `json:"agent_id"`
		Version    *int    `json:"version"`
		Error      *string `json:"error"`
		Steps      []struct{ Name, Status string }
	}
	wait := func(id string) workflow {
		t.Helper()
		deadline := time.Now().Add(patience)
		for {
			var w workflow
			call("GET", "/core/workflows/"+id, "", &w)
			if w.Status == "succeeded" || w.Status == "failed" {
				return w
			}
			if time.Now().After(deadline) {
				t.Fatalf("workflow still %s", w.Status)
			}
			time.Sleep(20 * time.Millisecond) // poll interval
		}
	}

	var started workflow
	// company_name is required (and not blank): 422 at the field.
	var invalid struct {
		Errors []struct {
			Loc []string `json:"loc"`
		} `json:"errors"`
	}
	if st := call("POST", "/core/agents/create-from-website", fmt.Sprintf(`{"company_name":"  ","company_website":%q}`, site.URL), &invalid); st != 422 ||
		len(invalid.Errors) != 1 || strings.Join(invalid.Errors[0].Loc, ".") != "body.company_name" {
		t.Errorf("create-from-website without a company name: %d %+v", st, invalid)
	}
	if st := call("POST", "/core/agents/create-from-website", fmt.Sprintf(`{"company_name":"Acme Plumbing","company_website":%q}`, site.URL), &started); st != 202 {
		t.Fatalf("create-from-website: %d", st)
	}
	w := wait(started.WorkflowID)
	if w.Status != "succeeded" || w.AgentID == nil || w.Version == nil {
		t.Fatalf("workflow %+v", w)
	}
	for _, s := range w.Steps {
		if s.Status != "succeeded" {
			t.Errorf("step %s %s", s.Name, s.Status)
		}
	}
	var v struct {
		Published bool `json:"published"`
		Config    struct {
			Instructions string `json:"instructions"`
		} `json:"config"`
	}
	call("GET", fmt.Sprintf("/core/agents/%s/versions/%d", *w.AgentID, *w.Version), "", &v)
	if !v.Published {
		t.Error("the scaffolded version is not published")
	}
	for _, want := range []string{"Acme Plumbing", "Boiler installation", "Drain unblocking", "(415) 555-0199", "help@acmeplumbing.example", "Mon-Fri 8am-6pm"} {
		if !strings.Contains(v.Config.Instructions, want) {
			t.Errorf("instructions lack %q:\n%s", want, v.Config.Instructions)
		}
	}

	// create-demo: an is_demo agent; asking for a number without a free one
	// fails with that reason, and deletes the agent it had created.
	call("POST", "/core/agents/create-demo", fmt.Sprintf(`{"company_website":%q}`, site.URL), &started)
	w = wait(started.WorkflowID)
	var agent struct {
		IsDemo                 bool `json:"is_demo"`
		LatestPublishedVersion *int `json:"latest_published_version"`
	}
	if w.Status != "succeeded" {
		t.Fatalf("create-demo: %+v", w)
	}
	call("GET", "/core/agents/"+*w.AgentID, "", &agent)
	if !agent.IsDemo || agent.LatestPublishedVersion == nil {
		t.Errorf("demo agent %+v", agent)
	}
	var agents struct{ Data []json.RawMessage }
	call("GET", "/core/agents", "", &agents)
	before := len(agents.Data)
	call("POST", "/core/agents/create-demo", fmt.Sprintf(`{"company_website":%q,"include_phone_number":true}`, site.URL), &started)
	if w = wait(started.WorkflowID); w.Status != "failed" || w.Error == nil || !strings.Contains(*w.Error, "no free phone number") ||
		!strings.Contains(*w.Error, "the agent it created was deleted") || w.AgentID != nil {
		t.Errorf("demo without a free number: %+v", w)
	}
	call("GET", "/core/agents", "", &agents)
	if len(agents.Data) != before {
		t.Errorf("the failed demo left an agent: %d agents, were %d", len(agents.Data), before)
	}
	call("POST", "/core/phone-numbers", `{"phone_number":"+14155550142"}`, nil)
	call("POST", "/core/agents/create-demo", fmt.Sprintf(`{"company_website":%q,"include_phone_number":true}`, site.URL), &started)
	if w = wait(started.WorkflowID); w.Status != "succeeded" {
		t.Fatalf("demo with a number: %+v", w)
	}
	var num struct {
		InboundAgentID *string `json:"inbound_agent_id"`
	}
	call("GET", "/core/phone-numbers/%2B14155550142", "", &num)
	if num.InboundAgentID == nil || *num.InboundAgentID != *w.AgentID {
		t.Errorf("the demo's number: %+v", num)
	}

	// The fetcher refuses addresses outside the exemption: a loopback
	// address on another port fails the workflow, creating nothing.
	call("POST", "/core/agents/create-from-website", `{"company_name":"Evil","company_website":"http://127.0.0.1:1/"}`, &started)
	if w = wait(started.WorkflowID); w.Status != "failed" || w.AgentID != nil {
		t.Errorf("forbidden site: %+v", w)
	}
}
