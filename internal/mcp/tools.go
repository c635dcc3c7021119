package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Argument names the server adds beside the operation's own.
const (
	// argOrg carries the organization a personal access token acts in,
	// forwarded as X-Anyreach-Org.
	argOrg = "organization_id"
	// argBody carries the whole request body when its fields can't sit
	// beside the parameters.
	argBody = "body"
)

// orgHeader is the header argOrg is sent as.
const orgHeader = "X-Anyreach-Org"

// Tool describes one generated tool: its name and the operation it calls.
type Tool struct {
	Name   string // <service>_<operationId>
	Method string // HTTP method
	Path   string // the path template, {name} for each path parameter
}

// tool is one operation of the document as an MCP tool: what tools/list
// shows and how a call's arguments become an HTTP request.
type tool struct {
	Tool
	description string
	title       string
	inputSchema json.RawMessage
	// args maps every argument name to where its value goes.
	args map[string]arg
	// required lists the arguments that must be given.
	required []string
	// body: whether the operation takes one, must have one, its content
	// type, and whether it is sent whole from argBody (else it is made of
	// the body-kind arguments).
	hasBody, bodyRequired, bodyWhole bool
	contentType                      string
}

// argKind says where an argument's value goes in the request.
type argKind int

const (
	inPath argKind = iota
	inQuery
	inHeader
	inBody // one member of the JSON body
	asBody // the whole body
	asOrg  // X-Anyreach-Org
)

type arg struct {
	kind argKind
	name string // the parameter's, header's or body member's name
	// array: a query parameter that may repeat.
	array bool
}

// toolName is what MCP allows in a tool's name (SEP-986): the builder
// refuses a document whose names don't fit rather than serve tools some
// clients would drop.
var toolName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)

// placeholder is one {name} of a path template.
var placeholder = regexp.MustCompile(`\{([^{}/]*)\}`)

// excluded reports whether an operation is no tool: the server's own
// plumbing (health, readiness, metrics, the document and its reference
// page), the console's session API (a browser's, behind a cookie MCP never
// accepts), /mcp itself, and CORS preflights, which only a browser sends.
func excluded(method, path string) bool {
	switch method {
	case http.MethodOptions, http.MethodHead, http.MethodTrace:
		return true
	}
	switch path {
	case "/healthz", "/readyz", "/metrics", "/openapi.json", "/openapi.yaml", "/docs", "/console", "/mcp":
		return true
	}
	return strings.HasPrefix(path, "/docs/") || strings.HasPrefix(path, "/console/") || strings.HasPrefix(path, "/mcp/")
}

// Tools lists the tools the document makes, sorted by name: what
// tools/list answers for it.
func Tools(doc []byte) ([]Tool, error) {
	ts, err := buildTools(doc)
	if err != nil {
		return nil, err
	}
	out := make([]Tool, len(ts))
	for i, t := range ts {
		out[i] = t.Tool
	}
	return out, nil
}

// buildTools makes one tool per operation of the OpenAPI document (except
// the excluded ones), sorted by name. Nothing else decides the list: a
// route added to the document is a tool.
func buildTools(data []byte) ([]*tool, error) {
	doc, err := loadDoc(data)
	if err != nil {
		return nil, err
	}
	return toolsOf(doc)
}

// loadDoc parses and checks the document.
func loadDoc(data []byte) (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not valid: %w", err)
	}
	return doc, nil
}

// toolsOf makes the tools of a loaded document, sorted by name.
func toolsOf(doc *openapi3.T) ([]*tool, error) {
	if doc.Paths == nil {
		return nil, nil
	}
	sc := newSchemas(doc)
	var out []*tool
	seen := map[string]string{}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			if excluded(method, path) {
				continue
			}
			t, err := buildTool(sc, method, path, item, op)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, err)
			}
			if other, dup := seen[t.Name]; dup {
				return nil, fmt.Errorf("%s %s and %s are both tool %s", method, path, other, t.Name)
			}
			seen[t.Name] = method + " " + path
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *tool) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// buildTool makes the tool of one operation.
func buildTool(sc *schemas, method, path string, item *openapi3.PathItem, op *openapi3.Operation) (*tool, error) {
	service, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if op.OperationID == "" {
		return nil, fmt.Errorf("no operationId")
	}
	t := &tool{Tool: Tool{Name: service + "_" + op.OperationID, Method: method, Path: path}, args: map[string]arg{}}
	if !toolName.MatchString(t.Name) {
		return nil, fmt.Errorf("tool name %q is not [A-Za-z0-9_.-]{1,128}", t.Name)
	}
	t.title = strings.TrimSpace(op.Summary)
	t.description = describe(method, path, op)

	props := map[string]any{}
	var refs []string
	add := func(name string, a arg, schema *openapi3.SchemaRef, description string, required bool) error {
		if _, dup := t.args[name]; dup {
			return fmt.Errorf("two arguments named %q", name)
		}
		v, r, err := sc.convert(schema)
		if err != nil {
			return fmt.Errorf("argument %s: %w", name, err)
		}
		if m, ok := v.(map[string]any); ok && description != "" && m["description"] == nil {
			m["description"] = description
		}
		props[name] = v
		refs = append(refs, r...)
		t.args[name] = a
		if required {
			t.required = append(t.required, name)
		}
		return nil
	}

	orgScoped := false
	for _, p := range parameters(item, op) {
		switch p.In {
		case openapi3.ParameterInPath:
			if err := add(p.Name, arg{kind: inPath, name: p.Name}, p.Schema, p.Description, true); err != nil {
				return nil, err
			}
		case openapi3.ParameterInQuery:
			array := p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Type.Is(openapi3.TypeArray)
			if err := add(p.Name, arg{kind: inQuery, name: p.Name, array: array}, p.Schema, p.Description, p.Required); err != nil {
				return nil, err
			}
		case openapi3.ParameterInHeader:
			if http.CanonicalHeaderKey(p.Name) == orgHeader {
				orgScoped = true
				continue
			}
			// Headers become snake_case arguments (Idempotency-Key →
			// idempotency_key, If-Match → if_match).
			name := strings.ReplaceAll(strings.ToLower(p.Name), "-", "_")
			if err := add(name, arg{kind: inHeader, name: http.CanonicalHeaderKey(p.Name)}, p.Schema, p.Description, p.Required); err != nil {
				return nil, err
			}
		default:
			// Cookies: MCP callers have none to give (SPEC §21).
		}
	}
	if orgScoped {
		desc := "The organization to act in, by id or slug, sent as X-Anyreach-Org. Required with a personal access token (pat_…); an organization key (ak_…) acts in its own organization."
		props[argOrg] = map[string]any{"type": "string", "minLength": 1, "description": desc}
		if _, dup := t.args[argOrg]; dup {
			return nil, fmt.Errorf("a parameter is named %q", argOrg)
		}
		t.args[argOrg] = arg{kind: asOrg}
	}

	// Every {name} of the path must be a path parameter and every path
	// parameter in the path: a call must not send a template's braces.
	inTemplate := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(path, -1) {
		inTemplate[m[1]] = true
		if a, ok := t.args[m[1]]; !ok || a.kind != inPath {
			return nil, fmt.Errorf("the path's {%s} is not a path parameter", m[1])
		}
	}
	for name, a := range t.args {
		if a.kind == inPath && !inTemplate[name] {
			return nil, fmt.Errorf("path parameter %s is not in the path", name)
		}
	}

	if err := t.addBody(sc, op, props, &refs); err != nil {
		return nil, err
	}

	schema := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(t.required) > 0 {
		slices.Sort(t.required)
		schema["required"] = t.required
	}
	defs, err := sc.defs(refs)
	if err != nil {
		return nil, err
	}
	if defs != nil {
		schema["$defs"] = defs
	}
	if t.inputSchema, err = json.Marshal(schema); err != nil {
		return nil, err
	}
	return t, nil
}

// parameters merges the path item's parameters with the operation's, the
// operation's winning for the same name and location (OpenAPI's rule).
func parameters(item *openapi3.PathItem, op *openapi3.Operation) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	key := func(p *openapi3.Parameter) string { return p.In + " " + p.Name }
	index := map[string]int{}
	for _, list := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, ref := range list {
			if ref == nil || ref.Value == nil {
				continue
			}
			if i, ok := index[key(ref.Value)]; ok {
				out[i] = ref.Value
				continue
			}
			index[key(ref.Value)] = len(out)
			out = append(out, ref.Value)
		}
	}
	return out
}

// addBody adds the request body's arguments: its fields beside the
// parameters when it is a plain object whose names clash with none, else
// the whole body as argBody.
func (t *tool) addBody(sc *schemas, op *openapi3.Operation, props map[string]any, refs *[]string) error {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	rb := op.RequestBody.Value
	var media *openapi3.MediaType
	// JSON when the operation takes it; a merge patch (patch_version)
	// when that is all it takes.
	for _, ct := range []string{"application/json", "application/merge-patch+json"} {
		if m := rb.Content.Get(ct); m != nil {
			media, t.contentType = m, ct
			break
		}
	}
	if media == nil {
		return fmt.Errorf("the request body is neither application/json nor application/merge-patch+json")
	}
	t.hasBody, t.bodyRequired = true, rb.Required
	if fields, ok := flatFields(media.Schema); ok && !clashes(fields, t.args) {
		s := media.Schema.Value
		for _, name := range fields {
			v, r, err := sc.convert(s.Properties[name])
			if err != nil {
				return fmt.Errorf("body field %s: %w", name, err)
			}
			props[name] = v
			*refs = append(*refs, r...)
			t.args[name] = arg{kind: inBody, name: name}
		}
		if rb.Required {
			for _, name := range s.Required {
				if _, ok := s.Properties[name]; ok {
					t.required = append(t.required, name)
				}
			}
		}
		return nil
	}
	if _, dup := t.args[argBody]; dup {
		return fmt.Errorf("a parameter is named %q and the body can't be flattened", argBody)
	}
	v, r, err := sc.convert(media.Schema)
	if err != nil {
		return fmt.Errorf("body: %w", err)
	}
	if m, ok := v.(map[string]any); ok && rb.Description != "" && m["description"] == nil {
		m["description"] = rb.Description
	}
	props[argBody] = v
	*refs = append(*refs, r...)
	t.args[argBody] = arg{kind: asBody}
	t.bodyWhole = true
	if rb.Required {
		t.required = append(t.required, argBody)
	}
	return nil
}

// flatFields returns the body's field names when its schema is a plain
// object (properties and nothing that makes other members valid or
// combines schemas), whose fields can then be arguments of their own.
func flatFields(ref *openapi3.SchemaRef) ([]string, bool) {
	if ref == nil || ref.Value == nil {
		return nil, false
	}
	s := ref.Value
	if s.Type == nil || !s.Type.Is(openapi3.TypeObject) || len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) > 0 || s.Not != nil ||
		s.If != nil || len(s.PatternProperties) > 0 || len(s.DependentSchemas) > 0 || len(s.DependentRequired) > 0 ||
		s.MinProps > 0 || s.MaxProps != nil || s.PropertyNames != nil {
		return nil, false
	}
	if ap := s.AdditionalProperties; ap.Schema != nil || ap.Has != nil && *ap.Has {
		return nil, false
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	slices.Sort(names)
	return names, true
}

// clashes reports whether a body field is named like another argument
// (or like argBody, which would make calls ambiguous to read).
func clashes(fields []string, args map[string]arg) bool {
	for _, f := range fields {
		if _, ok := args[f]; ok || f == argBody || f == argOrg {
			return true
		}
	}
	return false
}

// describe is the tool's description: the operation's summary and
// description, and the route it calls, so a reader can find it in the API
// reference.
func describe(method, path string, op *openapi3.Operation) string {
	var parts []string
	for _, s := range []string{op.Summary, op.Description} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	parts = append(parts, "Calls "+method+" "+path+".")
	return strings.Join(parts, "\n\n")
}
