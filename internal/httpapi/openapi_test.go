package httpapi_test

import (
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
