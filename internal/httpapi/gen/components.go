package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/agentplane/agentplane/internal/configschema"
)

// The markers around the generated part of openapi.yaml. Everything
// between them is rewritten; everything else is hand-written.
const (
	beginMarker = "    # BEGIN GENERATED from the Go types by `make openapi` (internal/httpapi/gen); do not edit by hand."
	endMarker   = "    # END GENERATED"
	indent      = "    " // the generated schemas sit under components.schemas
)

// Components returns the YAML block of component schemas generated from
// the served JSON Schemas: every definition of the AgentConfig schema and
// of the instruction_builder_inputs schema, with their references pointed
// at components/schemas, so `config` in the API is typed with the very
// schema the server validates against. Two rewrites that change no
// verdict make the definitions readable by client generators (see
// forGenerators); a test checks both schemas agree on sample configs.
func Components() ([]byte, error) {
	config, inputs, err := configschema.Generate()
	if err != nil {
		return nil, err
	}
	defs := map[string]*node{}
	for _, doc := range []struct {
		raw  []byte
		root string // the definition the document's $ref names
	}{{config, "AgentConfig"}, {inputs, "InstructionBuilderInputs"}} {
		n, err := parseOrdered(doc.raw)
		if err != nil {
			return nil, err
		}
		d := n.get("$defs")
		if d == nil || d.kind != kindObject {
			return nil, errors.New("schema has no $defs")
		}
		if ref := n.get("$ref"); ref == nil || ref.raw != `"#/$defs/`+doc.root+`"` {
			return nil, fmt.Errorf("schema's $ref is not #/$defs/%s", doc.root)
		}
		root := d.get(doc.root)
		if root == nil {
			return nil, fmt.Errorf("schema has no $defs/%s", doc.root)
		}
		if desc := n.get("description"); desc != nil && root.get("description") == nil {
			root.set("description", desc)
		}
		for i, k := range d.keys {
			if prev, dup := defs[k]; dup && !bytes.Equal(prev.json(), d.vals[i].json()) {
				return nil, fmt.Errorf("definition %s differs between the two schemas", k)
			}
			defs[k] = d.vals[i]
		}
	}
	names := make([]string, 0, len(defs))
	for k := range defs {
		names = append(names, k)
	}
	slices.Sort(names)
	var b bytes.Buffer
	for _, k := range names {
		v := defs[k]
		v.rewriteRefs()
		if err := v.forGenerators(); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		b.WriteString(indent + yamlKey(k) + ":")
		v.writeYAML(&b, indent+"  ")
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// GeneratedNames lists the component schemas Components writes.
func GeneratedNames(block []byte) []string {
	var out []string
	for _, line := range strings.Split(string(block), "\n") {
		if strings.HasPrefix(line, indent) && len(line) > len(indent) && line[len(indent)] != ' ' && line[len(indent)] != '#' {
			name, _, _ := strings.Cut(strings.TrimSpace(line), ":")
			out = append(out, name)
		}
	}
	return out
}

// Splice replaces what lies between the markers in doc with block. A
// hand-written schema of the same name as a generated one is an error: the
// generated one is the definition.
func Splice(doc, block []byte) ([]byte, error) {
	s := string(doc)
	i := strings.Index(s, beginMarker+"\n")
	j := strings.Index(s, endMarker+"\n")
	if i < 0 || j < i || strings.Count(s, beginMarker) != 1 || strings.Count(s, endMarker) != 1 {
		return nil, fmt.Errorf("openapi.yaml needs exactly one pair of lines\n%s\n%s\ninside components.schemas", beginMarker, endMarker)
	}
	outside := s[:i] + s[j:]
	for _, name := range GeneratedNames(block) {
		if regexp.MustCompile(`(?m)^` + indent + regexp.QuoteMeta(name) + `:`).MatchString(outside) {
			return nil, fmt.Errorf("components.schemas.%s is generated; remove the hand-written one", name)
		}
	}
	return []byte(s[:i] + beginMarker + "\n" + string(block) + s[j:]), nil
}

// node is a JSON value that keeps its keys in document order, so the
// generated YAML reads in the order the Go types declare their fields.
type node struct {
	kind byte
	keys []string // objects
	vals []*node  // objects (parallel to keys) and arrays
	raw  string   // scalars, as JSON text
}

const (
	kindObject byte = 'o'
	kindArray  byte = 'a'
	kindScalar byte = 's'
)

func parseOrdered(b []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := decodeNode(dec)
	if err != nil {
		return nil, fmt.Errorf("decode schema: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("decode schema: trailing data")
	}
	return n, nil
}

func decodeNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: kindObject}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
				n.vals = append(n.vals, v)
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &node{kind: kindArray}
			for dec.More() {
				v, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				n.vals = append(n.vals, v)
			}
			_, err := dec.Token()
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		raw, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		return &node{kind: kindScalar, raw: string(raw)}, nil
	}
}

func (n *node) get(key string) *node {
	if i := slices.Index(n.keys, key); i >= 0 {
		return n.vals[i]
	}
	return nil
}

func (n *node) set(key string, v *node) {
	if i := slices.Index(n.keys, key); i >= 0 {
		n.vals[i] = v
		return
	}
	n.keys = append(n.keys, key)
	n.vals = append(n.vals, v)
}

// json is the node as compact JSON (for comparisons).
func (n *node) json() []byte {
	var b bytes.Buffer
	switch n.kind {
	case kindScalar:
		b.WriteString(n.raw)
	case kindArray:
		b.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(v.json())
		}
		b.WriteByte(']')
	case kindObject:
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			b.Write(n.vals[i].json())
		}
		b.WriteByte('}')
	}
	return b.Bytes()
}

// rewriteRefs points the schema's internal references at components.
func (n *node) rewriteRefs() {
	for i, v := range n.vals {
		if n.kind == kindObject && n.keys[i] == "$ref" && v.kind == kindScalar {
			v.raw = strings.Replace(v.raw, `"#/$defs/`, `"#/components/schemas/`, 1)
			continue
		}
		v.rewriteRefs()
	}
}

// plain matches strings YAML reads back as the same string without
// quotes anywhere; prose also in block context (not inside [ ]).
var (
	plain = regexp.MustCompile(`^[$A-Za-z][A-Za-z0-9_-]*$`)
	prose = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 _.,;()/-]*[A-Za-z0-9.)]$`)
)

// yamlReserved are plain words some YAML readers take for booleans or null.
var yamlReserved = []string{"true", "false", "null", "yes", "no", "on", "off", "y", "n"}

func yamlString(s string, block bool) string {
	if (plain.MatchString(s) || block && prose.MatchString(s) && !strings.Contains(s, "  ")) &&
		!slices.Contains(yamlReserved, strings.ToLower(s)) {
		return s
	}
	// A JSON string is a valid YAML double-quoted scalar.
	b, _ := json.Marshal(s)
	return string(b)
}

func yamlKey(s string) string { return yamlString(s, false) }

func (n *node) scalarYAML(block bool) string {
	if strings.HasPrefix(n.raw, `"`) {
		var s string
		_ = json.Unmarshal([]byte(n.raw), &s)
		return yamlString(s, block)
	}
	return n.raw // numbers, true, false, null
}

// writeYAML writes n after a "key:" already written, in block style with
// ind as the indentation of n's own entries; arrays of scalars and empty
// containers go in flow style, as in the hand-written part.
func (n *node) writeYAML(b *bytes.Buffer, ind string) {
	switch n.kind {
	case kindScalar:
		b.WriteString(" " + n.scalarYAML(true))
	case kindArray:
		if len(n.vals) == 0 {
			b.WriteString(" []")
			return
		}
		if n.scalars() {
			parts := make([]string, len(n.vals))
			for i, v := range n.vals {
				parts[i] = v.scalarYAML(false)
			}
			b.WriteString(" [" + strings.Join(parts, ", ") + "]")
			return
		}
		for _, v := range n.vals {
			b.WriteString("\n" + ind + "-")
			if v.kind == kindObject && len(v.keys) > 0 {
				// The first key goes on the dash's line.
				b.WriteString(" " + yamlKey(v.keys[0]) + ":")
				v.vals[0].writeYAML(b, ind+"    ")
				for i := 1; i < len(v.keys); i++ {
					b.WriteString("\n" + ind + "  " + yamlKey(v.keys[i]) + ":")
					v.vals[i].writeYAML(b, ind+"    ")
				}
				continue
			}
			v.writeYAML(b, ind+"  ")
		}
	case kindObject:
		if len(n.keys) == 0 {
			b.WriteString(" {}")
			return
		}
		for i, k := range n.keys {
			b.WriteString("\n" + ind + yamlKey(k) + ":")
			n.vals[i].writeYAML(b, ind+"  ")
		}
	}
}

func (n *node) scalars() bool {
	for _, v := range n.vals {
		if v.kind != kindScalar {
			return false
		}
	}
	return true
}

// forGenerators rewrites a schema, and the schemas inside it, in two ways
// that accept and refuse exactly the same documents but that client
// generators understand:
//
//   - A union on "type" written as allOf of if/then (so the server's
//     errors point into the matching variant) becomes a oneOf of the
//     variants with a discriminator. Every variant fixes "type" to its own
//     value and allows no other properties, so a document matches exactly
//     one variant precisely when the if/then form accepts it. Generators
//     ignore if/then: oapi-codegen made Action a struct holding only
//     "type", which silently dropped every other field of an action.
//   - "default" (an annotation, never a constraint) moves into the
//     description. The same AgentConfig types requests, where every field
//     is optional, and answers (whose configs the server fills every
//     default into), but openapi-typescript marks every property with a
//     default as always present, which made a request's config without
//     "language" fail to compile.
func (n *node) forGenerators() error {
	if n.kind != kindObject {
		return nil
	}
	if d := n.get("default"); d != nil {
		text := "Default: `" + strings.Trim(string(d.json()), `"`) + "`."
		if desc := n.get("description"); desc != nil {
			var s string
			if err := json.Unmarshal([]byte(desc.raw), &s); err != nil {
				return err
			}
			text = strings.TrimSuffix(s, ".") + ". " + text
		}
		raw, _ := json.Marshal(text)
		n.set("description", &node{kind: kindScalar, raw: string(raw)})
		n.remove("default")
	}
	if all := n.get("allOf"); all != nil {
		if union, ok := ifThenUnion(all); ok {
			n.remove("allOf")
			n.remove("properties")
			n.remove("required")
			n.set("oneOf", union.oneOf)
			n.set("discriminator", union.discriminator)
		}
	}
	for i, k := range n.keys {
		v := n.vals[i]
		switch k {
		case "properties", "$defs", "patternProperties":
			for _, p := range v.vals {
				if err := p.forGenerators(); err != nil {
					return err
				}
			}
		case "allOf", "anyOf", "oneOf", "prefixItems":
			for _, p := range v.vals {
				if err := p.forGenerators(); err != nil {
					return err
				}
			}
		case "items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames":
			if err := v.forGenerators(); err != nil {
				return err
			}
		}
	}
	return nil
}

type union struct{ oneOf, discriminator *node }

// ifThenUnion recognizes allOf: [{if: {properties: {type: {const: C}},
// required: [type]}, then: {$ref: R}}, …] and returns the oneOf of the
// R and a discriminator mapping each C to its R.
func ifThenUnion(all *node) (union, bool) {
	if all.kind != kindArray || len(all.vals) == 0 {
		return union{}, false
	}
	oneOf := &node{kind: kindArray}
	mapping := &node{kind: kindObject}
	for _, v := range all.vals {
		cond, then := v.get("if"), v.get("then")
		if v.kind != kindObject || len(v.keys) != 2 || cond == nil || then == nil || len(then.keys) != 1 || then.get("$ref") == nil {
			return union{}, false
		}
		props, req := cond.get("properties"), cond.get("required")
		if props == nil || len(props.keys) != 1 || props.keys[0] != "type" || req == nil || string(req.json()) != `["type"]` {
			return union{}, false
		}
		c := props.vals[0].get("const")
		if c == nil || c.kind != kindScalar || !strings.HasPrefix(c.raw, `"`) {
			return union{}, false
		}
		var tag string
		if err := json.Unmarshal([]byte(c.raw), &tag); err != nil {
			return union{}, false
		}
		oneOf.vals = append(oneOf.vals, then)
		mapping.keys = append(mapping.keys, tag)
		mapping.vals = append(mapping.vals, then.get("$ref"))
	}
	disc := &node{kind: kindObject, keys: []string{"propertyName", "mapping"},
		vals: []*node{{kind: kindScalar, raw: `"type"`}, mapping}}
	return union{oneOf: oneOf, discriminator: disc}, true
}

func (n *node) remove(key string) {
	if i := slices.Index(n.keys, key); i >= 0 {
		n.keys = slices.Delete(n.keys, i, i+1)
		n.vals = slices.Delete(n.vals, i, i+1)
	}
}
