package mcp

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/httpapi"
	js "github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// docMap reads openapi.yaml as plain JSON values, without kin-openapi, so
// the tests count operations independently of the builder.
func docMap(t *testing.T) map[string]any {
	t.Helper()
	b, err := yaml.YAMLToJSON(httpapi.OpenAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// wantToolNames lists the tool every operation of doc should be: SPEC
// §21's exclusions (health, readiness, metrics, the document, /docs,
// /console/*) and CORS preflights aside, <first path segment>_<operationId>.
func wantToolNames(t *testing.T, doc map[string]any) []string {
	t.Helper()
	var names []string
	for path, item := range doc["paths"].(map[string]any) {
		if path == "/healthz" || path == "/readyz" || path == "/metrics" || path == "/openapi.json" ||
			path == "/docs" || strings.HasPrefix(path, "/docs/") || strings.HasPrefix(path, "/console/") || path == "/mcp" {
			continue
		}
		for method, op := range item.(map[string]any) {
			switch method {
			case "get", "put", "post", "delete", "patch":
			case "options":
				continue // a browser's preflight
			default:
				continue // path-level parameters, summary…
			}
			id, _ := op.(map[string]any)["operationId"].(string)
			if id == "" {
				t.Errorf("%s %s has no operationId", method, path)
			}
			names = append(names, strings.Split(path, "/")[1]+"_"+id)
		}
	}
	slices.Sort(names)
	return names
}

func toolNames(ts []Tool) []string {
	out := make([]string, len(ts))
	for i, x := range ts {
		out[i] = x.Name
	}
	return out
}

// TestEveryOperationIsATool: the tool list is the document's operations,
// counted here from the YAML itself.
func TestEveryOperationIsATool(t *testing.T) {
	t.Parallel()
	want := wantToolNames(t, docMap(t))
	if len(want) < 60 {
		t.Fatalf("the document lists only %d operations: is it the real one?", len(want))
	}
	ts, err := Tools(httpapi.OpenAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	if got := toolNames(ts); !slices.Equal(got, want) {
		t.Errorf("tools:\n%v\nwant one per operation:\n%v", got, want)
	}
	for _, name := range []string{"core_list_agents", "core_get_agent", "core_create_agent", "core_publish_version", "admin_list_members"} {
		if !slices.Contains(toolNames(ts), name) {
			t.Errorf("no tool %s (SPEC §21 names it)", name)
		}
	}
}

// gadgetPaths are operations the real document doesn't have: one whose
// body fields sit beside its parameters, one whose body field clashes
// with a query parameter, and one whose body is an array.
const gadgetPaths = `{
  "/core/gadgets": {
    "post": {
      "operationId": "create_gadget", "summary": "Create a gadget",
      "parameters": [{"$ref": "#/components/parameters/OrgHeader"}, {"$ref": "#/components/parameters/IdempotencyKey"}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": false, "required": ["name"],
        "properties": {"name": {"type": "string"}, "size": {"type": "integer"}, "agent": {"$ref": "#/components/schemas/Agent"}}}}}},
      "responses": {"201": {"description": "made"}}
    }
  },
  "/core/gadgets/{gadget_id}": {
    "parameters": [{"name": "gadget_id", "in": "path", "required": true, "schema": {"type": "string"}}],
    "patch": {
      "operationId": "rename_gadget", "description": "Renames it.",
      "parameters": [{"name": "name", "in": "query", "schema": {"type": "string"}}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": false, "properties": {"name": {"type": "string"}}}}}},
      "responses": {"200": {"description": "renamed"}}
    }
  },
  "/admin/gadget-tags": {
    "put": {
      "operationId": "set_gadget_tags", "security": [],
      "parameters": [{"name": "tag", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}],
      "requestBody": {"content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}},
      "responses": {"204": {"description": "set"}}
    }
  }
}`

// withGadgets returns the real document plus gadgetPaths, as JSON.
func withGadgets(t *testing.T) []byte {
	t.Helper()
	b, err := gadgetDoc()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func find(t *testing.T, ts []*tool, name string) *tool {
	t.Helper()
	for _, x := range ts {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no tool %s among %d", name, len(ts))
	return nil
}

// schemaOf decodes a tool's input schema.
func schemaOf(t *testing.T, x *tool) (props map[string]any, required []string) {
	t.Helper()
	var s struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Required   []string       `json:"required"`
	}
	if err := json.Unmarshal(x.inputSchema, &s); err != nil || s.Type != "object" {
		t.Fatalf("%s: input schema %s (%v)", x.Name, x.inputSchema, err)
	}
	return s.Properties, s.Required
}

// TestNewOperationIsATool: an operation added to the document is a tool,
// with no code of its own: its arguments are its parameters and body.
func TestNewOperationIsATool(t *testing.T) {
	t.Parallel()
	doc := withGadgets(t)
	ts, err := buildTools(doc)
	if err != nil {
		t.Fatal(err)
	}
	real, err := Tools(httpapi.OpenAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	want := append(toolNames(real), "admin_set_gadget_tags", "core_create_gadget", "core_rename_gadget")
	slices.Sort(want)
	if got := toolNames(mustTools(t, doc)); !slices.Equal(got, want) {
		t.Errorf("tools = %v\nwant the real ones and the gadgets' %v", got, want)
	}

	create := find(t, ts, "core_create_gadget")
	props, req := schemaOf(t, create)
	if got := slices.Sorted(maps.Keys(props)); !slices.Equal(got, []string{"agent", "idempotency_key", "name", "organization_id", "size"}) {
		t.Errorf("core_create_gadget arguments = %v: the body's fields beside organization_id and idempotency_key", got)
	}
	if !slices.Equal(req, []string{"name"}) {
		t.Errorf("core_create_gadget requires %v, want [name]", req)
	}
	if create.Method != "POST" || create.Path != "/core/gadgets" || create.title != "Create a gadget" ||
		!strings.Contains(create.description, "Calls POST /core/gadgets.") {
		t.Errorf("core_create_gadget = %+v", create)
	}

	rename := find(t, ts, "core_rename_gadget")
	props, req = schemaOf(t, rename)
	if got := slices.Sorted(maps.Keys(props)); !slices.Equal(got, []string{"body", "gadget_id", "name"}) {
		t.Errorf("core_rename_gadget arguments = %v: a body field named like the query parameter puts the body under body", got)
	}
	if !slices.Equal(req, []string{"body", "gadget_id"}) {
		t.Errorf("core_rename_gadget requires %v, want [body gadget_id]", req)
	}
	if !strings.HasPrefix(rename.description, "Renames it.") {
		t.Errorf("description %q", rename.description)
	}

	tags := find(t, ts, "admin_set_gadget_tags")
	props, req = schemaOf(t, tags)
	if got := slices.Sorted(maps.Keys(props)); !slices.Equal(got, []string{"body", "tag"}) || len(req) != 0 {
		t.Errorf("admin_set_gadget_tags arguments = %v, required %v: an array body is body, optional as the document says; no organization_id without X-Anyreach-Org", got, req)
	}
}

func mustTools(t *testing.T, doc []byte) []Tool {
	t.Helper()
	ts, err := Tools(doc)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestInputSchemasStandAlone: every tool's input schema compiles as JSON
// Schema 2020-12 on its own (no reference into the OpenAPI document) and
// says what the API takes.
func TestInputSchemasStandAlone(t *testing.T) {
	t.Parallel()
	ts, err := buildTools(withGadgets(t))
	if err != nil {
		t.Fatal(err)
	}
	compiled := map[string]*js.Schema{}
	for _, x := range ts {
		if bytes.Contains(x.inputSchema, []byte("#/components/")) {
			t.Errorf("%s: input schema refers into the document", x.Name)
		}
		doc, err := js.UnmarshalJSON(bytes.NewReader(x.inputSchema))
		if err != nil {
			t.Fatal(err)
		}
		c := js.NewCompiler()
		c.DefaultDraft(js.Draft2020)
		url := "urn:agentplane:mcp:" + x.Name
		if err := c.AddResource(url, doc); err != nil {
			t.Fatalf("%s: %v", x.Name, err)
		}
		if compiled[x.Name], err = c.Compile(url); err != nil {
			t.Errorf("%s: the input schema doesn't compile: %v", x.Name, err)
		}
		for name, a := range x.args {
			if a.kind == inPath && !slices.Contains(x.required, name) {
				t.Errorf("%s: path parameter %s is not required", x.Name, name)
			}
		}
	}
	check := func(tool, args string, valid bool) {
		t.Helper()
		s := compiled[tool]
		if s == nil {
			t.Fatalf("no schema for %s", tool)
		}
		v, err := js.UnmarshalJSON(strings.NewReader(args))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(v); (err == nil) != valid {
			t.Errorf("%s %s: valid = %v (%v), want %v", tool, args, err == nil, err, valid)
		}
	}
	check("core_create_agent", `{"name": "Front desk", "metadata": {"tier": "gold"}, "organization_id": "acme"}`, true)
	check("core_create_agent", `{"nme": "Front desk"}`, false)
	check("core_create_agent", `{}`, false)
	check("core_list_agents", `{"limit": 10, "active": true}`, true)
	check("core_list_agents", `{"limit": 201}`, false)
	check("core_publish_version", `{"id": "01a23fdf-70e3-7e41-bb08-525a9eecd6d7", "version": "latest"}`, true)
	check("core_publish_version", `{"id": "01a23fdf-70e3-7e41-bb08-525a9eecd6d7"}`, false)
	// The config comes from the version's $defs: a wrong type inside it
	// is caught by the schema alone.
	check("core_update_version", `{"id": "x", "version": "1", "config": {"voice": 7}}`, false)
	check("core_create_gadget", `{"name": "g", "agent": {"id": 1}}`, false)
	check("core_rename_gadget", `{"gadget_id": "g", "body": {"name": "h"}}`, true)
}

// TestMergePatchBody: an operation that takes only a merge patch is sent
// as one.
func TestMergePatchBody(t *testing.T) {
	t.Parallel()
	ts, err := buildTools(httpapi.OpenAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		want := ""
		switch {
		case x.Name == "core_patch_version":
			want = "application/merge-patch+json"
		case x.hasBody:
			want = "application/json"
		}
		if x.contentType != want {
			t.Errorf("%s sends %q, want %q", x.Name, x.contentType, want)
		}
	}
}

// TestBrokenDocuments: a document the tools can't be made from fails the
// start instead of serving wrong tools.
func TestBrokenDocuments(t *testing.T) {
	t.Parallel()
	for name, paths := range map[string]string{
		"no operationId":       `{"/core/x": {"get": {"responses": {"200": {"description": "ok"}}}}}`,
		"undeclared path part": `{"/core/x/{y}": {"get": {"operationId": "get_x", "responses": {"200": {"description": "ok"}}}}}`,
		"two tools one name":   `{"/core/x": {"get": {"operationId": "list_agents", "responses": {"200": {"description": "ok"}}}}}`,
		"a form body": `{"/core/x": {"post": {"operationId": "post_x", "requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}},
			"responses": {"200": {"description": "ok"}}}}}`,
	} {
		doc := docMap(t)
		var extra map[string]any
		if err := json.Unmarshal([]byte(paths), &extra); err != nil {
			t.Fatal(err)
		}
		maps.Copy(doc["paths"].(map[string]any), extra)
		b, _ := json.Marshal(doc)
		if _, err := buildTools(b); err == nil {
			t.Errorf("%s: built tools", name)
		}
	}
	if _, err := buildTools([]byte("openapi: [")); err == nil {
		t.Error("built tools from a broken document")
	}
}
