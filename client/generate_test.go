package client_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/httpapi"
)

// generateCommand returns the arguments of client.go's //go:generate line
// (the command `make client` runs).
func generateCommand(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("client.go")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(src)) {
		if rest, ok := strings.CutPrefix(line, "//go:generate "); ok {
			return strings.Fields(rest)
		}
	}
	t.Fatal("client.go has no //go:generate line")
	return nil
}

// generate runs args with the output (after -o) sent to a temporary file,
// and the document (the last argument) replaced by doc when not empty, and
// returns what it wrote.
func generate(t *testing.T, args []string, doc string) []byte {
	t.Helper()
	args = slices.Clone(args)
	i := slices.Index(args, "-o")
	if i < 0 || i+1 >= len(args) || args[i+1] != "api.gen.go" || args[0] != "go" {
		t.Fatalf("unexpected //go:generate line %q: want go … -o api.gen.go DOCUMENT", args)
	}
	out := filepath.Join(t.TempDir(), "api.gen.go")
	args[i+1] = out
	if doc != "" {
		args[len(args)-1] = doc
	}
	cmd := exec.Command(args[0], args[1:]...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGeneratedClientIsCurrent regenerates api.gen.go with the
// //go:generate line and fails when the result differs from the committed
// file: run `make client` and commit the result. It also generates from
// /openapi.json exactly as served, which must give the same code.
func TestGeneratedClientIsCurrent(t *testing.T) {
	t.Parallel()
	committed, err := os.ReadFile("api.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	args := generateCommand(t)
	if got := generate(t, args, ""); !bytes.Equal(got, committed) {
		t.Fatalf("client/api.gen.go is stale: regenerating from %s changes it; run `make client` and commit the result", args[len(args)-1])
	}

	served, err := httpapi.OpenAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(doc, served, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := generate(t, args, doc); !bytes.Equal(got, committed) {
		t.Fatal("generating from /openapi.json as served gives another client than from openapi.yaml")
	}
}
