package configschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/agentplane/agentplane"
)

// Normalize fills in every default the AgentConfig schema gives for a
// field that raw omits, in raw's objects and in the objects it fills in
// (SPEC §16: a config is stored and served as a Pydantic model would dump
// it), and returns the result as canonical JSON (agentplane.CanonicalJSON).
// A field present — null included — keeps its value; map entries
// (channel_overrides) and nullable structs are never invented. Defaults
// come from the served schema itself, so the schema, the stored configs
// and agentplane.DefaultConfig (Normalize of {}) can't disagree. raw is
// expected to be valid: a value of the wrong type is left as it is. Only
// text that is not JSON is an error.
func Normalize(raw json.RawMessage) (json.RawMessage, error) {
	if agentplane.IsNull(raw) {
		return raw, nil
	}
	root, err := defaulter()
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("normalize config: %w", err)
	}
	return agentplane.CanonicalValue(root.apply(v))
}

// fill is what the schema says about one kind of JSON object: the
// defaults of its fields, and how to reach the objects inside it.
type fill struct {
	defaults   map[string]any   // field → default (a value decoded with UseNumber)
	fields     map[string]*fill // field → its schema's fill, for present fields
	additional *fill            // the fill of a map's values (additionalProperties)
	items      *fill            // the fill of an array's items
	variants   []variant        // allOf's if/then on a field's const (the Action union)
	always     []*fill          // allOf's unconditional members
}

// variant applies then when the object's field equals value.
type variant struct {
	field string
	value any
	then  *fill
}

// apply fills v's defaults in place (and returns v).
func (f *fill) apply(v any) any {
	if f == nil {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		for k, d := range f.defaults {
			if _, ok := x[k]; !ok {
				x[k] = deepCopy(d)
			}
		}
		for k, e := range x {
			if sub, ok := f.fields[k]; ok {
				x[k] = sub.apply(e)
			} else if f.additional != nil {
				x[k] = f.additional.apply(e)
			}
		}
		for _, w := range f.variants {
			if got, ok := x[w.field]; ok && sameScalar(got, w.value) {
				w.then.apply(x)
			}
		}
	case []any:
		if f.items != nil {
			for i, e := range x {
				x[i] = f.items.apply(e)
			}
		}
	}
	for _, a := range f.always {
		a.apply(v)
	}
	return v
}

// sameScalar compares a discriminator's value with a const.
func sameScalar(a, b any) bool {
	switch x := a.(type) {
	case string, bool, json.Number:
		return x == b
	}
	return false
}

// deepCopy copies a default, so no two configs share its maps.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// defaulter is the AgentConfig schema's fill, read once from the served
// document.
var defaulter = sync.OnceValues(func() (*fill, error) {
	dec := json.NewDecoder(bytes.NewReader(JSON()))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	defs, _ := doc["$defs"].(map[string]any)
	c := &fillCompiler{defs: defs, done: map[string]*fill{}}
	return c.compile(doc), nil
})

// fillCompiler turns schema objects into fills, each definition once.
type fillCompiler struct {
	defs map[string]any
	done map[string]*fill
}

// compile reads one schema object. Keywords that can't hold defaults
// (constraints) are ignored; anyOf/oneOf are followed only when exactly
// one branch is not {"type": "null"} (a nullable value), since otherwise
// which branch applies is not known.
func (c *fillCompiler) compile(s any) *fill {
	m, ok := s.(map[string]any)
	if !ok {
		return nil
	}
	if ref, ok := m["$ref"].(string); ok {
		name, _ := strings.CutPrefix(ref, "#/$defs/")
		if f, seen := c.done[name]; seen {
			return f
		}
		f := &fill{}
		c.done[name] = f // before compiling: a recursive type finds itself
		if body := c.compile(c.defs[name]); body != nil {
			*f = *body
		}
		return f
	}
	f := &fill{}
	if props, ok := m["properties"].(map[string]any); ok {
		for _, k := range slices.Sorted(maps.Keys(props)) {
			p, _ := props[k].(map[string]any)
			if d, ok := p["default"]; ok {
				if f.defaults == nil {
					f.defaults = map[string]any{}
				}
				f.defaults[k] = d
			}
			if sub := c.compile(p); sub != nil {
				if f.fields == nil {
					f.fields = map[string]*fill{}
				}
				f.fields[k] = sub
			}
		}
	}
	if add, ok := m["additionalProperties"].(map[string]any); ok {
		f.additional = c.compile(add)
	}
	if items, ok := m["items"].(map[string]any); ok {
		f.items = c.compile(items)
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		branches, _ := m[key].([]any)
		var only any
		n := 0
		for _, b := range branches {
			if bm, ok := b.(map[string]any); ok && bm["type"] == "null" {
				continue
			}
			only, n = b, n+1
		}
		if n == 1 {
			f.always = append(f.always, c.compile(only))
		}
	}
	all, _ := m["allOf"].([]any)
	for _, a := range all {
		am, _ := a.(map[string]any)
		cond, hasIf := am["if"].(map[string]any)
		if !hasIf {
			f.always = append(f.always, c.compile(am))
			continue
		}
		condProps, _ := cond["properties"].(map[string]any)
		for field, p := range condProps {
			if pm, ok := p.(map[string]any); ok {
				if value, ok := pm["const"]; ok {
					f.variants = append(f.variants, variant{field: field, value: value, then: c.compile(am["then"])})
				}
			}
		}
	}
	return f
}
