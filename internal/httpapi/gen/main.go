// Command gen keeps internal/httpapi/openapi.yaml's generated part current
// and writes the served document for the linters.
//
//	go run ./internal/httpapi/gen                 # rewrite the AgentConfig components (make openapi)
//	go run ./internal/httpapi/gen -json out.json  # write /openapi.json as served (make openapi-lint)
//
// The document is hand-written except for the component schemas between
// its BEGIN GENERATED and END GENERATED lines: the definitions of the
// AgentConfig and instruction_builder_inputs JSON Schemas, generated from
// the Go types by internal/configschema. A test fails when running this
// would change the committed file.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/agentplane/agentplane/internal/httpapi"
	"github.com/getkin/kin-openapi/openapi3"
)

func main() {
	file := flag.String("yaml", "internal/httpapi/openapi.yaml", "the document to update in place")
	jsonOut := flag.String("json", "", "instead of updating, write the served /openapi.json to this file")
	flag.Parse()
	if err := run(*file, *jsonOut); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(file, jsonOut string) error {
	if jsonOut != "" {
		b, err := httpapi.OpenAPIJSON()
		if err != nil {
			return err
		}
		return os.WriteFile(jsonOut, b, 0o644)
	}
	doc, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	out, err := Regenerate(doc)
	if err != nil {
		return err
	}
	if bytes.Equal(out, doc) {
		return nil
	}
	return os.WriteFile(file, out, 0o644)
}

// Regenerate returns doc with its generated part rewritten from the Go
// types, after checking that the result is a valid OpenAPI document.
func Regenerate(doc []byte) ([]byte, error) {
	block, err := Components()
	if err != nil {
		return nil, err
	}
	out, err := Splice(doc, block)
	if err != nil {
		return nil, err
	}
	t, err := openapi3.NewLoader().LoadFromData(out)
	if err != nil {
		return nil, fmt.Errorf("the regenerated document does not load: %w", err)
	}
	if err := t.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the regenerated document is not valid: %w", err)
	}
	return out, nil
}
