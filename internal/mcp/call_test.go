package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/httpapi"
	"sigs.k8s.io/yaml"
)

// gadgetTools are the real document's tools and the gadgets', built once
// for the request tests and the fuzz target.
var gadgetTools = sync.OnceValues(func() ([]*tool, error) {
	b, err := gadgetDoc()
	if err != nil {
		return nil, err
	}
	return buildTools(b)
})

// gadgetDoc is withGadgets without a *testing.T, for the fuzz target's
// setup.
func gadgetDoc() ([]byte, error) {
	var doc map[string]any
	b, err := yaml.YAMLToJSON(httpapi.OpenAPIYAML)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	var extra map[string]any
	if err := json.Unmarshal([]byte(gadgetPaths), &extra); err != nil {
		return nil, err
	}
	for k, v := range extra {
		doc["paths"].(map[string]any)[k] = v
	}
	return json.Marshal(doc)
}

// served is what a built request looked like to a handler behind the
// tool's own route pattern.
type served struct {
	matched bool
	path    map[string]string
	query   url.Values
	header  http.Header
	body    string
}

// serve builds the call's request and serves it on a mux holding only the
// tool's pattern, as the API's router would see it.
func serve(t testing.TB, x *tool, args string) (served, error) {
	r, err := x.request(context.Background(), json.RawMessage(args))
	if err != nil {
		return served{}, err
	}
	var got served
	mux := http.NewServeMux()
	mux.HandleFunc(x.Method+" "+x.Path, func(w http.ResponseWriter, r *http.Request) {
		got.matched = true
		got.path = map[string]string{}
		for name, a := range x.args {
			if a.kind == inPath {
				got.path[name] = r.PathValue(name)
			}
		}
		got.query = r.URL.Query()
		got.header = r.Header
		b, _ := io.ReadAll(r.Body)
		got.body = string(b)
	})
	mux.ServeHTTP(httptest.NewRecorder(), r)
	if !got.matched {
		t.Fatalf("%s %s: the request for %s went to %s, not the tool's route", x.Name, args, x.Method+" "+x.Path, r.URL.EscapedPath())
	}
	return got, nil
}

func TestRequest(t *testing.T) {
	t.Parallel()
	ts, err := gadgetTools()
	if err != nil {
		t.Fatal(err)
	}
	x := func(name string) *tool { return find(t, ts, name) }

	// Path parameters are one segment each, whatever they hold.
	got, err := serve(t, x("core_get_version"), `{"id": "a/../b?c=d#e %2F", "version": 12, "organization_id": "acme"}`)
	if err != nil {
		t.Fatal(err)
	}
	if got.path["id"] != "a/../b?c=d#e %2F" || got.path["version"] != "12" || len(got.query) != 0 {
		t.Errorf("path values %v, query %v", got.path, got.query)
	}
	if got.header.Get("X-Anyreach-Org") != "acme" || got.header.Get("Content-Type") != "" || got.body != "" {
		t.Errorf("headers %v, body %q", got.header, got.body)
	}

	// Query parameters: scalars as text, an array parameter repeated, null
	// as if absent; body fields beside them make a JSON body.
	got, err = serve(t, x("core_list_agents"), `{"limit": 5, "active": false, "name": "a&b=c", "cursor": null}`)
	if err != nil {
		t.Fatal(err)
	}
	if q := got.query; len(q) != 3 || q.Get("limit") != "5" || q.Get("active") != "false" || q.Get("name") != "a&b=c" {
		t.Errorf("query %v", got.query)
	}
	got, err = serve(t, x("admin_set_gadget_tags"), `{"tag": ["a", "b"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if tags := got.query["tag"]; len(tags) != 2 || tags[0] != "a" || tags[1] != "b" || got.body != "" {
		t.Errorf("tags %v, body %q: an array repeats, an optional body absent is not sent", tags, got.body)
	}

	// Body fields, headers and a merge patch's content type and nulls.
	got, err = serve(t, x("core_patch_version"), `{"id": "i", "version": "latest", "description": null, "config": {"voice": {"speed": 1.1}}, "if_match": "\"e1\""}`)
	if err != nil {
		t.Fatal(err)
	}
	if got.header.Get("Content-Type") != "application/merge-patch+json" || got.header.Get("If-Match") != `"e1"` ||
		got.body != `{"config":{"voice":{"speed":1.1}},"description":null}` {
		t.Errorf("patch: headers %v, body %s", got.header, got.body)
	}
	got, err = serve(t, x("core_create_gadget"), `{"name": "g", "idempotency_key": "k1"}`)
	if err != nil {
		t.Fatal(err)
	}
	if got.header.Get("Content-Type") != "application/json" || got.header.Get("Idempotency-Key") != "k1" || got.body != `{"name":"g"}` {
		t.Errorf("create: headers %v, body %s", got.header, got.body)
	}
	got, err = serve(t, x("core_rename_gadget"), `{"gadget_id": "g", "name": "q", "body": {"name": "h"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if got.query.Get("name") != "q" || got.body != `{"name": "h"}` {
		t.Errorf("rename: query %v, body %s: body is sent whole", got.query, got.body)
	}
	// A required body with no field given is still sent, for the API to
	// name what is missing.
	if got, err = serve(t, x("core_create_gadget"), `{}`); err != nil || got.body != "{}" {
		t.Errorf("create without fields: body %q, %v", got.body, err)
	}
	if got, err = serve(t, x("core_get_agent_config_schema"), ``); err != nil || got.body != "" {
		t.Errorf("no arguments at all: %v, body %q", err, got.body)
	}

	// Refused before any request: each names the argument.
	for _, c := range []struct{ tool, args, loc, typ string }{
		{"core_create_agent", `{"name": "a", "nmae": "b"}`, "nmae", "unknown_field"},
		{"core_create_agent", `{"name": "a", "name": "b"}`, "name", "duplicate"},
		{"core_get_agent", `{"id": ".."}`, "id", "value"},
		{"core_get_agent", `{"id": "."}`, "id", "value"},
		{"core_get_agent", `{"id": ""}`, "id", "value"},
		{"core_get_agent", `{}`, "id", "missing"},
		{"core_get_agent", `{"id": null}`, "id", "missing"},
		{"core_get_agent", `{"id": {"a": 1}}`, "id", "type"},
		{"core_get_agent", `{"id": "a", "organization_id": "x\r\nX-Evil: 1"}`, "organization_id", "value"},
		{"core_list_agents", `{"limit": [1]}`, "limit", "type"},
		{"admin_set_gadget_tags", `{"tag": [{"a": 1}]}`, "tag", "type"},
		{"core_get_agent", `[1]`, "", "type"},
		{"core_get_agent", `{"id": "a"} {}`, "", "type"},
		{"core_get_agent", `{"id": `, "", "type"},
	} {
		_, err := x(c.tool).request(context.Background(), json.RawMessage(c.args))
		e, ok := errors.AsType[*agentplane.Error](err)
		if !ok || e.Code != agentplane.EInvalid || len(e.Fields) == 0 {
			t.Errorf("%s %s: err %v, want invalid naming %s", c.tool, c.args, err, c.loc)
			continue
		}
		f := e.Fields[0]
		if c.loc != "" && (len(f.Loc) != 2 || f.Loc[1] != c.loc) || f.Type != c.typ || f.Loc[0] != "arguments" {
			t.Errorf("%s %s: %+v, want loc [arguments %s] type %s", c.tool, c.args, f, c.loc, c.typ)
		}
	}
	if _, err := x("core_create_agent").request(context.Background(), json.RawMessage(`{"nmae": 1}`)); err == nil ||
		!strings.Contains(err.Error(), "it takes active, description, idempotency_key, is_demo, metadata, name, organization_id") {
		t.Errorf("the unknown argument's message doesn't list the tool's: %v", err)
	}
}
