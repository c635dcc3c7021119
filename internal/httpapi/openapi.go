package httpapi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// OpenAPIYAML is the hand-written contract, embedded so the binary serves
// exactly what the tests validate against.
//
//go:embed openapi.yaml
var OpenAPIYAML []byte

var openapiJSON = sync.OnceValues(func() ([]byte, error) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	return json.Marshal(doc)
})

// OpenAPIJSON returns the document as /openapi.json serves it (the
// linters in tools/openapi check exactly these bytes).
func OpenAPIJSON() ([]byte, error) { return openapiJSON() }

// openapi serves openapi.yaml as JSON.
func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	b, err := openapiJSON()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(b)
	return err
}
