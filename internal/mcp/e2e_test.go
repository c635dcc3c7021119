package mcp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/client"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/mcp"
	"github.com/agentplane/agentplane/internal/openapitest"
	"github.com/agentplane/agentplane/internal/store"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// apiClient is the Go client of s with token, every exchange validated
// against openapi.yaml.
func apiClient(t *testing.T, s *server, token string) *client.Client {
	return client.New(s.URL, client.WithToken(token), client.WithHTTPClient(&http.Client{Transport: openapitest.New(t).Transport(s.Transport)}))
}

// TestMCP drives /mcp with the Go SDK's client over loopback HTTP against
// a real server, on each engine (SPEC §21).
func TestMCP(t *testing.T) {
	t.Parallel()
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			s := start(t, engine, nil)
			t.Run("ToolsList", func(t *testing.T) { t.Parallel(); testToolsList(t, s) })
			t.Run("CreateListPublish", func(t *testing.T) { t.Parallel(); testCreateListPublish(t, s) })
			t.Run("MissingBearer", func(t *testing.T) { t.Parallel(); testMissingBearer(t, s) })
			t.Run("PAT", func(t *testing.T) { t.Parallel(); testPAT(t, s) })
			t.Run("ReadOnlyKey", func(t *testing.T) { t.Parallel(); testReadOnlyKey(t, s) })
			t.Run("Audit", func(t *testing.T) { t.Parallel(); testAudit(t, s) })
		})
	}
}

// testToolsList: initialize names the server, and tools/list has one tool
// per operation of the document, counted from its YAML.
func testToolsList(t *testing.T, s *server) {
	cs := s.connect(t, s.OrgKey)
	init := cs.InitializeResult()
	if init == nil || init.ServerInfo == nil || init.ServerInfo.Name != "agentplane" || init.Capabilities == nil || init.Capabilities.Tools == nil {
		t.Fatalf("initialize answered %+v", init)
	}
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		schema, _ := tool.InputSchema.(map[string]any)
		if schema["type"] != "object" || tool.Description == "" || tool.Annotations == nil {
			t.Errorf("%s: schema %v, description %q, annotations %+v", tool.Name, schema["type"], tool.Description, tool.Annotations)
		}
		if strings.HasPrefix(tool.Name, "core_list_") && !tool.Annotations.ReadOnlyHint ||
			strings.HasPrefix(tool.Name, "core_create_") && tool.Annotations.ReadOnlyHint {
			t.Errorf("%s: read-only hint %v", tool.Name, tool.Annotations.ReadOnlyHint)
		}
	}
	slices.Sort(names)
	if want := mcp.OperationTools(t); !slices.Equal(names, want) {
		t.Errorf("tools/list:\n%v\nwant one tool per operation of openapi.yaml:\n%v", names, want)
	}
	if res.NextCursor != "" {
		t.Errorf("tools/list is paged (next %q): every tool should come in one page", res.NextCursor)
	}
}

// testCreateListPublish: create, list and publish through tools, with the
// API's bodies as results.
func testCreateListPublish(t *testing.T, s *server) {
	cs := s.connect(t, s.OrgKey)
	res := call(t, cs, "core_create_agent", map[string]any{"name": "Front desk", "metadata": map[string]any{"tier": "gold"}})
	var agent struct {
		ID          string         `json:"id"`
		Name        string         `json:"name"`
		Metadata    map[string]any `json:"metadata"`
		LiveVersion any            `json:"live_version"`
	}
	ok(t, "core_create_agent", res, &agent)
	if agent.ID == "" || agent.Name != "Front desk" || agent.Metadata["tier"] != "gold" {
		t.Fatalf("created %+v", agent)
	}
	if sc, _ := res.StructuredContent.(map[string]any); sc["id"] != agent.ID {
		t.Errorf("structured content %v, want the agent", res.StructuredContent)
	}
	if res.Meta["status"] != float64(201) || res.Meta["etag"] == nil {
		t.Errorf("_meta %v, want status 201 and the ETag", res.Meta)
	}

	var page struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
		Pagination struct {
			Limit int `json:"limit"`
		} `json:"pagination"`
	}
	ok(t, "core_list_agents", call(t, cs, "core_list_agents", map[string]any{"name": "front", "limit": 5}), &page)
	if len(page.Data) != 1 || page.Data[0].ID != agent.ID || page.Pagination.Limit != 5 {
		t.Errorf("core_list_agents = %+v, want the agent (limit 5)", page)
	}

	var version struct {
		Version   int  `json:"version"`
		Published bool `json:"published"`
		Config    struct {
			Instructions string `json:"instructions"`
			Language     string `json:"language"`
		} `json:"config"`
	}
	ok(t, "core_create_version", call(t, cs, "core_create_version", map[string]any{
		"id": agent.ID, "config": map[string]any{"instructions": "Greet callers and book visits."}, "description": "First",
	}), &version)
	if version.Version != 1 || version.Published || version.Config.Instructions != "Greet callers and book visits." || version.Config.Language == "" {
		t.Fatalf("core_create_version = %+v, want draft 1 with defaults filled in", version)
	}
	// The publish body is optional: none given, none sent.
	res = call(t, cs, "core_publish_version", map[string]any{"id": agent.ID, "version": "1"})
	ok(t, "core_publish_version", res, nil)
	if got := strings.TrimSpace(text(t, res)); got != "[]" || res.StructuredContent != nil {
		t.Errorf("core_publish_version = %q (structured %v), want [] (no number changed) and no structured content", got, res.StructuredContent)
	}
	var detail struct {
		LiveVersion int `json:"live_version"`
	}
	ok(t, "core_get_agent", call(t, cs, "core_get_agent", map[string]any{"id": agent.ID}), &detail)
	if detail.LiveVersion != 1 {
		t.Errorf("after the publish, the agent's live version is %+v, want 1", detail.LiveVersion)
	}
	// A merge patch goes as one; a published version refuses it (400).
	e := failed(t, "core_patch_version", call(t, cs, "core_patch_version", map[string]any{"id": agent.ID, "version": "1", "description": "x"}))
	if e.Code != "invalid" || !strings.Contains(e.Detail, "published") {
		t.Errorf("patching a published version: %+v", e)
	}
	// A 204 is a result too, and a wrong argument names itself.
	res = call(t, cs, "core_delete_agent", map[string]any{"id": agent.ID, "organization_idd": "x"})
	if e := failed(t, "core_delete_agent", res); e.Code != "invalid" || len(e.Errors) != 1 || e.Errors[0].Loc[1] != "organization_idd" {
		t.Errorf("an unknown argument: %+v", e)
	}
	res = call(t, cs, "core_delete_agent", map[string]any{"id": agent.ID})
	ok(t, "core_delete_agent", res, nil)
	if text(t, res) != "HTTP 204 No Content" || res.Meta["status"] != float64(204) {
		t.Errorf("a 204: %q, _meta %v", text(t, res), res.Meta)
	}
	if e := failed(t, "core_get_agent", call(t, cs, "core_get_agent", map[string]any{"id": agent.ID})); e.Code != "not_found" {
		t.Errorf("the deleted agent: %+v", e)
	}
}

// post sends a raw MCP request to /mcp.
func post(t *testing.T, s *server, header http.Header) (int, string) {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/mcp", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	resp, err := s.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// testMissingBearer: without a bearer credential of ours /mcp answers 401
// with Anyreach's body, and the console's cookie is never one.
func testMissingBearer(t *testing.T, s *server) {
	// A real console session cookie.
	signIn, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/console/api/session",
		strings.NewReader(`{"credential":"`+s.OrgKey+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	signIn.Header.Set("Content-Type", "application/json")
	resp, err := s.HTTP.Do(signIn)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != http.StatusNoContent || len(cookies) == 0 {
		t.Fatalf("console sign-in: %d, cookies %v", resp.StatusCode, cookies)
	}
	var cookie []string
	for _, c := range cookies {
		cookie = append(cookie, c.Name+"="+c.Value)
	}
	// It is a session the API takes…
	get, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+"/core/agents", nil)
	get.Header.Set("Cookie", strings.Join(cookie, "; "))
	if resp, err := s.HTTP.Do(get); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the console cookie on the API: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// …and /mcp doesn't.

	for name, h := range map[string]http.Header{
		"no header":       {},
		"Basic":           {"Authorization": {"Basic " + "YTpi"}},
		"a key as Basic":  {"Authorization": {"Basic " + s.OrgKey}},
		"empty bearer":    {"Authorization": {"Bearer "}},
		"bare prefix":     {"Authorization": {"Bearer ak_"}},
		"unprefixed":      {"Authorization": {"Bearer " + strings.TrimPrefix(s.OrgKey, "ak_")}},
		"key alone":       {"Authorization": {s.OrgKey}},
		"console cookie":  {"Cookie": {strings.Join(cookie, "; ")}, "X-Agentplane-Console": {"1"}},
		"cookie, no auth": {"Cookie": {strings.Join(cookie, "; ")}, "Authorization": {"Cookie"}},
	} {
		status, body := post(t, s, h)
		if status != http.StatusUnauthorized || body != `{"error": "Missing Bearer token"}` {
			t.Errorf("%s: %d %s, want 401 {\"error\": \"Missing Bearer token\"}", name, status, body)
		}
	}
	// The bearer gets in (any case of the scheme, like the API).
	if status, body := post(t, s, http.Header{"Authorization": {"bearer " + s.OrgKey}}); status != http.StatusOK || !strings.Contains(body, "core_list_agents") {
		t.Errorf("with the key: %d %.200s", status, body)
	}
	// Behind a proxy on the same host, the Host is the public name.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	req.Host = "agentplane.example.com"
	req.Header = http.Header{"Authorization": {"Bearer " + s.OrgKey}, "Content-Type": {"application/json"}, "Accept": {"application/json, text/event-stream"}}
	if resp, err := s.HTTP.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("with a public Host over loopback: %v %v, want 200", resp, err)
	} else {
		resp.Body.Close()
	}
	// Stateless: nothing to GET or DELETE.
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		req, _ := http.NewRequestWithContext(t.Context(), method, s.URL+"/mcp", nil)
		req.Header.Set("Authorization", "Bearer "+s.OrgKey)
		resp, err := s.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
			t.Errorf("%s /mcp: %d (Allow %q), want 405 allowing POST", method, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
	// The SDK's client can't even start a session without one.
	c := sdk.NewClient(&sdk.Implementation{Name: "agentplane-test", Version: "1"}, nil)
	if _, err := c.Connect(t.Context(), &sdk.StreamableClientTransport{Endpoint: s.URL + "/mcp", HTTPClient: s.HTTP, MaxRetries: -1}, nil); err == nil ||
		!strings.Contains(err.Error(), "Unauthorized") && !strings.Contains(err.Error(), "401") {
		t.Errorf("connect without a bearer: %v, want 401", err)
	}
	// A well-formed but unknown key passes the door; each call then gets
	// the API's 401.
	cs := s.connect(t, "ak_00000000-0000-7000-8000-000000000000.nope")
	if e := failed(t, "core_list_agents", call(t, cs, "core_list_agents", nil)); e.Code != "unauthenticated" {
		t.Errorf("an unknown key: %+v", e)
	}
}

// testPAT: a personal access token acts in the organization the
// organization_id argument names (or the client's X-Anyreach-Org header);
// without either the call is the API's 401.
func testPAT(t *testing.T, s *server) {
	cs := s.connect(t, s.PAT)
	e := failed(t, "core_list_agents", call(t, cs, "core_list_agents", nil))
	if e.Code != "unauthenticated" || e.Detail != "Token is missing organization claim" {
		t.Errorf("a PAT without organization_id: %+v", e)
	}
	var agent struct {
		ID             string `json:"id"`
		OrganizationID string `json:"organization_id"`
	}
	ok(t, "core_create_agent", call(t, cs, "core_create_agent", map[string]any{"name": "By PAT", "organization_id": s.OrgID}), &agent)
	if agent.OrganizationID != s.OrgID {
		t.Errorf("the PAT's agent is in %q, want %q", agent.OrganizationID, s.OrgID)
	}
	ok(t, "core_get_agent", call(t, cs, "core_get_agent", map[string]any{"id": agent.ID, "organization_id": "mcp-corp"}), nil)
	if e := failed(t, "core_get_agent", call(t, cs, "core_get_agent", map[string]any{"id": agent.ID, "organization_id": "no-such-org"})); e.Code != "forbidden" {
		t.Errorf("a PAT in an organization it isn't a member of: %+v", e)
	}
	// Routes of the user, not an organization, need none.
	ok(t, "admin_list_organizations", call(t, cs, "admin_list_organizations", nil), nil)
	// A client configured with the header sends it on every call.
	withOrg := s.connect(t, s.PAT, "X-Anyreach-Org", "mcp-corp")
	ok(t, "core_get_agent", call(t, withOrg, "core_get_agent", map[string]any{"id": agent.ID}), nil)
}

// testReadOnlyKey: a key without agents:manage reads through tools, and
// its writes are the API's 403.
func testReadOnlyKey(t *testing.T, s *server) {
	key, err := apiClient(t, s, s.OrgKey).CreateOrgKey(t.Context(), client.CredentialInput{Name: "read only", Scopes: &[]client.Scope{"agents:read"}})
	if err != nil {
		t.Fatal(err)
	}
	cs := s.connect(t, key.PatKey)
	ok(t, "core_list_agents", call(t, cs, "core_list_agents", nil), nil)
	res := call(t, cs, "core_create_agent", map[string]any{"name": "Nope"})
	e := failed(t, "core_create_agent", res)
	if e.Code != "forbidden" || e.Detail != "requires scope agents:manage" || res.Meta["status"] != float64(403) {
		t.Errorf("a read-only key's write: %+v (_meta %v), want 403 requires scope agents:manage", e, res.Meta)
	}
}

// testAudit: a change made through a tool is audited as via "mcp", with
// the credential, the request and the client's address.
func testAudit(t *testing.T, s *server) {
	cs := s.connect(t, s.OrgKey)
	var agent struct {
		ID string `json:"id"`
	}
	ok(t, "core_create_agent", call(t, cs, "core_create_agent", map[string]any{"name": "Audited"}), &agent)
	api := apiClient(t, s, s.OrgKey)
	direct, err := api.CreateAgent(t.Context(), client.AgentInput{Name: "Direct"})
	if err != nil {
		t.Fatal(err)
	}
	for id, via := range map[string]string{agent.ID: "mcp", direct.Id.String(): "api"} {
		page, err := api.ListAuditLog(t.Context(), &client.ListAuditLogParams{ResourceId: &id})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Data) != 1 {
			t.Fatalf("%d audit entries for %s, want its creation", len(page.Data), id)
		}
		e := page.Data[0]
		if string(e.Action) != "agent.created" || string(e.Via) != via || e.CredentialId == nil || e.RequestId == nil || *e.RequestId == "" ||
			e.Ip == nil || *e.Ip != "127.0.0.1" {
			b, _ := json.Marshal(e)
			t.Errorf("audit entry %s, want agent.created via %s with credential, request id and 127.0.0.1", b, via)
		}
	}
}

// TestMCPLimits: tool calls count against the credential's rate limit and
// the client address's failed authentications, as any request does.
func TestMCPLimits(t *testing.T) {
	t.Parallel()
	s := start(t, store.SQLite, map[string]string{"AGENTPLANE_RATE_LIMIT": "0.001", "AGENTPLANE_RATE_BURST": "2", "AGENTPLANE_AUTH_FAILURE_LIMIT": "2"})
	cs := s.connect(t, s.OrgKey)
	for range 2 {
		ok(t, "core_list_agents", call(t, cs, "core_list_agents", nil), nil)
	}
	res := call(t, cs, "core_list_agents", nil)
	if e := failed(t, "core_list_agents", res); e.Code != "rate_limited" || res.Meta["status"] != float64(429) {
		t.Errorf("past the credential's burst: %+v", e)
	}

	// The body is capped like any request's (1 MiB by default).
	huge := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"core_create_agent","arguments":{"name":"` + strings.Repeat("x", 1<<20) + `"}}}`
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/mcp", strings.NewReader(huge))
	req.Header.Set("Authorization", "Bearer "+s.OrgKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if resp, err := s.HTTP.Do(req); err != nil || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over 1 MiB: %v %v, want 413", resp, err)
	} else {
		resp.Body.Close()
	}

	bad := s.connect(t, "ak_00000000-0000-7000-8000-000000000000.nope")
	var codes []string
	for range 3 {
		codes = append(codes, failed(t, "core_list_agents", call(t, bad, "core_list_agents", nil)).Code)
	}
	if !slices.Equal(codes, []string{"unauthenticated", "unauthenticated", "rate_limited"}) {
		t.Errorf("failed authentications through tools: %v, want the address limited after 2", codes)
	}
}
