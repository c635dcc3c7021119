package httpapi_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/httpapi"
	"github.com/agentplane/agentplane/internal/openapitest"
)

// TestOpenAPICoversEveryRoute fails when a registered route is missing
// from openapi.yaml, or openapi.yaml documents a route that doesn't exist.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	t.Parallel()
	doc := openapitest.Doc(t)
	srv := httpapi.New(nil, httpapi.Options{CursorKey: []byte("k")})
	registered := map[string]bool{}
	for _, r := range srv.Routes() {
		registered[r.Method+" "+r.Path] = true
		item := doc.Paths.Value(r.Path)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("route %s %s is not in openapi.yaml", r.Method, r.Path)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !registered[strings.ToUpper(method)+" "+path] {
				t.Errorf("openapi.yaml documents %s %s, which no route serves", method, path)
			}
		}
	}
}

// operationID is a snake_case verb on its resource (SPEC §23): MCP tool
// names are made from it.
var operationID = regexp.MustCompile(`^(get|list|create|update|patch|delete|validate|diff|compare|publish|register|deploy|undeploy|preflight|start|generate|add|remove|revoke|rollback|promote|end|accept|rotate|test|redeliver)_[a-z0-9]+(_[a-z0-9]+)*$`)

// TestOpenAPIDeclaresEveryStatus checks the rules of SPEC §23 that a route
// added later could forget: a snake_case verb operationId, 400 everywhere
// (a repeated credential header), 401, 403 and 429 (with Retry-After) on
// authenticated routes, 412 where If-Match applies, 413, 415 and 422 where a
// body is read, 409 and 422 where Idempotency-Key is honoured, and the
// RateLimit-* headers on every authenticated success.
func TestOpenAPIDeclaresEveryStatus(t *testing.T) {
	t.Parallel()
	doc := openapitest.Doc(t)
	srv := httpapi.New(nil, httpapi.Options{CursorKey: []byte("k")})
	seen := map[string]string{}
	for _, r := range srv.Routes() {
		key := r.Method + " " + r.Path
		op := doc.Paths.Value(r.Path).GetOperation(r.Method)
		if op == nil {
			continue // TestOpenAPICoversEveryRoute reports it
		}
		if !operationID.MatchString(op.OperationID) {
			t.Errorf("%s: operationId %q is not a snake_case verb on its resource", key, op.OperationID)
		}
		if other, dup := seen[op.OperationID]; dup {
			t.Errorf("%s and %s share operationId %q", key, other, op.OperationID)
		}
		seen[op.OperationID] = key
		want := []string{"400", "500"}
		if !r.Public {
			want = append(want, "401", "403", "429")
		}
		params := map[string]bool{}
		for _, p := range op.Parameters {
			params[p.Value.In+" "+p.Value.Name] = true
		}
		if params["header If-Match"] {
			want = append(want, "412")
		}
		if op.RequestBody != nil {
			want = append(want, "413", "415", "422")
		}
		if params["header Idempotency-Key"] {
			want = append(want, "409", "413", "422")
		}
		for _, code := range want {
			if op.Responses.Value(code) == nil {
				t.Errorf("%s does not declare %s", key, code)
			}
		}
		if tooMany := op.Responses.Value("429"); tooMany != nil {
			if h := tooMany.Value.Headers["Retry-After"]; h == nil || !h.Value.Required {
				t.Errorf("%s: 429 without a required Retry-After", key)
			}
		}
		if r.Public {
			continue
		}
		for code, resp := range op.Responses.Map() {
			if code[0] != '2' {
				continue
			}
			for _, h := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
				if resp.Value.Headers[h] == nil {
					t.Errorf("%s %s does not declare %s", key, code, h)
				}
			}
			if params["header Idempotency-Key"] && resp.Value.Headers["Idempotent-Replayed"] == nil {
				t.Errorf("%s %s does not declare Idempotent-Replayed", key, code)
			}
		}
	}
}
