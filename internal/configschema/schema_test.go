package configschema

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/agent-config.schema.json from the Go types")

const (
	golden       = "testdata/agent-config.schema.json"
	goldenInputs = "testdata/instruction-builder-inputs.schema.json"
)

// TestGolden fails when the Go types changed without the reviewed golden
// schema: run `go test ./internal/configschema -update` and commit the diff.
func TestGolden(t *testing.T) {
	config, inputs, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	for file, got := range map[string][]byte{golden: config, goldenInputs: inputs} {
		if *update {
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("schema generated from the Go types differs from %s; run `go test ./internal/configschema -update` and review the diff", file)
		}
	}
	want, _ := os.ReadFile(golden)
	if !bytes.Equal(JSON(), want) {
		t.Error("served schema differs from the golden file")
	}
}

// TestConsoleGoldenSchema: the console's editor tests draw the form from a
// copy of the served schema (web/console/test/fixtures); a change to the
// schema must refresh that copy, so the console's tests see what a server
// serves (the README beside it says how).
func TestConsoleGoldenSchema(t *testing.T) {
	golden, err := os.ReadFile("../../web/console/test/fixtures/agent-config-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(golden), bytes.TrimSpace(JSON())) {
		t.Fatal("web/console/test/fixtures/agent-config-schema.json is not the served schema: refresh it (see the README beside it) and run the console's tests")
	}
}
