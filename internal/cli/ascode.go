package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// agentFile is one agent as code (SPEC §20): the fields a person edits,
// and the read-only ones pull writes so a later push knows which agent the
// file is. A field left out is left as the server has it (on a create:
// the API's default).
type agentFile struct {
	// Read-only: the agent's id, and the newest and live version numbers
	// as of the last pull (push writes the id back on a create).
	ID          string `json:"id,omitempty"`
	Version     *int   `json:"version,omitempty"`
	LiveVersion *int   `json:"live_version,omitempty"`

	Name        string          `json:"name"`
	Description *string         `json:"description,omitempty"`
	Active      *bool           `json:"active,omitempty"`
	IsDemo      *bool           `json:"is_demo,omitempty"`
	Metadata    *map[string]any `json:"metadata,omitempty"`
	// Config is the newest version's AgentConfig; absent, the file leaves
	// versions alone.
	Config                   json.RawMessage `json:"config,omitempty"`
	InstructionBuilderInputs json.RawMessage `json:"instruction_builder_inputs,omitempty"`
}

// maxFileBytes caps one agent file: a config is far smaller, and a
// mistake (a log in the directory) must not be read whole.
const maxFileBytes = 4 << 20

// header opens every file pull writes.
const header = "# An agentplane agent, as code: edit, then `agentplane plan` and `agentplane push`.\n" +
	"# id, version and live_version are the server's (read-only).\n"

// local is an agent file as read from disk.
type local struct {
	path string
	file agentFile
	raw  []byte
}

// fileError names the file and, where known, the JSON path of a problem.
type fileError struct {
	path string
	loc  string // "$.config.tools[0].name"; "" for the file as a whole
	msg  string
}

func (e fileError) Error() string {
	if e.loc == "" {
		return e.path + ": " + e.msg
	}
	return e.path + ": " + e.loc + ": " + e.msg
}

// agentFiles lists the YAML files of dir in name order.
func agentFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && !strings.HasPrefix(n, ".") && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
			out = append(out, filepath.Join(dir, n))
		}
	}
	slices.Sort(out)
	return out, nil
}

// readAgentFile parses one file strictly: YAML syntax, known fields, the
// right kinds. The config itself is checked by the server (push.go).
func readAgentFile(path string) (*local, []error) {
	fail := func(loc, format string, args ...any) (*local, []error) {
		return nil, []error{fileError{path: path, loc: loc, msg: fmt.Sprintf(format, args...)}}
	}
	f, err := os.Open(path)
	if err != nil {
		return fail("", "%v", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if n, err := buf.ReadFrom(io.LimitReader(f, maxFileBytes+1)); err != nil {
		return fail("", "%v", err)
	} else if n > maxFileBytes {
		return fail("", "larger than %d MiB", maxFileBytes>>20)
	}
	raw := buf.Bytes()
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return fail("", "not YAML: %v", err)
	}
	if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
		return fail("", "empty: an agent file is a mapping with at least a name")
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var af agentFile
	if err := dec.Decode(&af); err != nil {
		loc, msg := decodeLoc(err)
		return fail(loc, "%s", msg)
	}
	var errs []error
	bad := func(loc, msg string) { errs = append(errs, fileError{path: path, loc: loc, msg: msg}) }
	if strings.TrimSpace(af.Name) == "" {
		bad("$.name", "required: the agent's name")
	}
	if af.ID != "" && !uuidRE.MatchString(af.ID) {
		bad("$.id", "not an agent id (remove it to create the agent)")
	}
	for _, f := range []struct {
		loc string
		raw json.RawMessage
	}{{"$.config", af.Config}, {"$.instruction_builder_inputs", af.InstructionBuilderInputs}} {
		if len(f.raw) > 0 && !bytes.Equal(f.raw, []byte("null")) && f.raw[0] != '{' {
			bad(f.loc, "must be a mapping")
		}
	}
	if bytes.Equal(af.Config, []byte("null")) {
		af.Config = nil
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &local{path: path, file: af, raw: raw}, nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// decodeLoc turns a JSON decoding error of the top level into a JSON path
// and a message.
func decodeLoc(err error) (loc, msg string) {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return "$." + te.Field, fmt.Sprintf("want %s, got %s", kindName(te.Type.Kind().String()), te.Value)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "$." + strings.Trim(f, `"`), "unknown field (a typo? the fields are those `agentplane pull` writes)"
	}
	return "", err.Error()
}

// kindName names a Go kind as the file's author knows it.
func kindName(k string) string {
	switch k {
	case "bool":
		return "true or false"
	case "map", "struct", "ptr":
		return "a mapping"
	case "slice":
		return "a list"
	case "int":
		return "a number"
	}
	return "a " + k
}

// encodeAgentFile writes a file the way pull does: the read-only fields
// first, then what people edit, the config last (it is the long part).
func encodeAgentFile(af agentFile) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	add := func(key string, v any) error {
		out, err := yaml.Marshal(map[string]any{key: v})
		if err != nil {
			return err
		}
		b.Write(out)
		return nil
	}
	type kv struct {
		key  string
		v    any
		skip bool
	}
	for _, f := range []kv{
		{"id", af.ID, af.ID == ""},
		{"version", af.Version, af.Version == nil},
		{"live_version", af.LiveVersion, af.LiveVersion == nil},
		{"name", af.Name, false},
		{"description", af.Description, af.Description == nil},
		{"active", af.Active, af.Active == nil},
		{"is_demo", af.IsDemo, af.IsDemo == nil},
		{"metadata", af.Metadata, af.Metadata == nil},
		{"config", af.Config, len(af.Config) == 0},
		{"instruction_builder_inputs", af.InstructionBuilderInputs, len(af.InstructionBuilderInputs) == 0 || string(af.InstructionBuilderInputs) == "null"},
	} {
		if f.skip {
			continue
		}
		if err := add(f.key, f.v); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

// slug makes a file name of an agent's name.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if len(s) > 60 {
		s = strings.TrimSuffix(s[:60], "-")
	}
	if s == "" {
		s = "agent"
	}
	return s
}

// writeFileAtomic replaces path whole.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".agentplane-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
