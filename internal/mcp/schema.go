package mcp

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// componentPrefix is where every $ref of the document points; the tools'
// schemas point into their own $defs instead.
const componentPrefix = "#/components/schemas/"

// schemas turns the document's schemas into standalone JSON Schema (draft
// 2020-12, which OpenAPI 3.1 schemas are): a reference to a component
// becomes a reference into the tool schema's own $defs, which carries that
// component and every component it reaches. $defs rather than inlining,
// because the config schema is large and reached from many places, and a
// recursive schema can't be inlined at all.
type schemas struct {
	components openapi3.Schemas
	// converted caches each component's JSON form (references already
	// rewritten) and the components it names, so a component reached by
	// many tools is converted once.
	converted map[string]*component
}

type component struct {
	value any
	refs  []string
}

func newSchemas(doc *openapi3.T) *schemas {
	s := &schemas{converted: map[string]*component{}}
	if doc.Components != nil {
		s.components = doc.Components.Schemas
	}
	return s
}

// convert returns ref as a JSON value (maps, slices, scalars) with its
// references rewritten, and the names of the components it references
// directly.
func (s *schemas) convert(ref *openapi3.SchemaRef) (any, []string, error) {
	if ref == nil {
		return map[string]any{}, nil, nil
	}
	b, err := json.Marshal(ref)
	if err != nil {
		return nil, nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, nil, err
	}
	refs := map[string]bool{}
	if err := rewriteRefs(v, refs); err != nil {
		return nil, nil, err
	}
	return v, slices.Sorted(maps.Keys(refs)), nil
}

// notSchemas are keywords whose values are data, not schemas: an object
// in them with a "$ref" member is an example, not a reference.
var notSchemas = map[string]bool{"enum": true, "const": true, "default": true, "example": true, "examples": true}

// rewriteRefs rewrites, in place, every "#/components/schemas/X" reference
// to "#/$defs/X" and notes X in refs.
func rewriteRefs(v any, refs map[string]bool) error {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if notSchemas[k] {
				continue
			}
			if k == "discriminator" {
				// OpenAPI's, not JSON Schema's: validators ignore it, but
				// its mapping names components too.
				if d, ok := x.(map[string]any); ok {
					if m, ok := d["mapping"].(map[string]any); ok {
						for value, ref := range m {
							r, err := rewriteRef(ref, refs)
							if err != nil {
								return err
							}
							m[value] = r
						}
					}
				}
				continue
			}
			if k != "$ref" {
				if err := rewriteRefs(x, refs); err != nil {
					return err
				}
				continue
			}
			r, err := rewriteRef(x, refs)
			if err != nil {
				return err
			}
			v[k] = r
		}
	case []any:
		for _, x := range v {
			if err := rewriteRefs(x, refs); err != nil {
				return err
			}
		}
	}
	return nil
}

// rewriteRef returns the reference into $defs for a reference to a
// component, and notes the component in refs.
func rewriteRef(x any, refs map[string]bool) (string, error) {
	ref, _ := x.(string)
	name, ok := strings.CutPrefix(ref, componentPrefix)
	if !ok || name == "" || strings.ContainsAny(name, "/~") {
		return "", fmt.Errorf("reference %q: only references to whole components (%sName) are supported", ref, componentPrefix)
	}
	refs[name] = true
	return "#/$defs/" + name, nil
}

// component returns the named component converted, from the cache when it
// was converted before.
func (s *schemas) component(name string) (*component, error) {
	if c, ok := s.converted[name]; ok {
		return c, nil
	}
	ref := s.components[name]
	if ref == nil {
		return nil, fmt.Errorf("reference to %s%s, which the document doesn't define", componentPrefix, name)
	}
	// The component's own body: its Ref (if it is an alias of another
	// component) is kept and rewritten like any other.
	v, refs, err := s.convert(ref)
	if err != nil {
		return nil, fmt.Errorf("component %s: %w", name, err)
	}
	c := &component{value: v, refs: refs}
	s.converted[name] = c
	return c, nil
}

// defs returns every component the names reach, directly or through other
// components, as a $defs object; nil when there are none.
func (s *schemas) defs(names []string) (map[string]any, error) {
	out := map[string]any{}
	todo := slices.Clone(names)
	for len(todo) > 0 {
		name := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if _, done := out[name]; done {
			continue
		}
		c, err := s.component(name)
		if err != nil {
			return nil, err
		}
		out[name] = c.value
		todo = append(todo, c.refs...)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
