package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzAgentFile feeds arbitrary bytes to the agent file reader: it never
// panics, every refusal names the file, and a file it accepts survives
// pull's encoding unchanged.
func FuzzAgentFile(f *testing.F) {
	for _, seed := range []string{
		"name: Sales\nconfig:\n  instructions: Sell.\n",
		"id: 01234567-89ab-cdef-0123-456789abcdef\nversion: 3\nlive_version: 2\nname: A\ndescription: b\nactive: true\nis_demo: false\nmetadata: {team: x}\n",
		"{name: flow, config: {tools: [{name: t}]}}",
		"name: [unclosed\n",
		"nmae: typo\n",
		"name: x\nconfig: 5\n",
		"name: x\ninstruction_builder_inputs: {company_name: Acme}\n",
		"- a\n- b\n",
		"",
		"name: &a x\nb: *a\n",
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "agent.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		l, errs := readAgentFile(path)
		if len(errs) > 0 {
			for _, e := range errs {
				if !strings.HasPrefix(e.Error(), path+": ") {
					t.Fatalf("a refusal that doesn't name the file: %v", e)
				}
			}
			return
		}
		if l == nil || strings.TrimSpace(l.file.Name) == "" {
			t.Fatalf("accepted a file without a name: %q", data)
		}
		out, err := encodeAgentFile(l.file)
		if err != nil {
			t.Fatalf("encode %+v: %v", l.file, err)
		}
		if err := os.WriteFile(path, out, 0o600); err != nil {
			t.Fatal(err)
		}
		again, errs := readAgentFile(path)
		if len(errs) > 0 {
			t.Fatalf("pull's encoding of an accepted file is refused: %v\n%s", errs, out)
		}
		if !sameFile(l.file, again.file) {
			t.Fatalf("round trip changed the file:\n%+v\n%+v\n%s", l.file, again.file, out)
		}
	})
}

// sameFile compares two files by their JSON meaning.
func sameFile(a, b agentFile) bool {
	norm := func(f agentFile) any {
		raw, _ := json.Marshal(f)
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		_ = dec.Decode(&v)
		return v
	}
	return reflect.DeepEqual(norm(a), norm(b))
}
