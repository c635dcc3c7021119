// Package configschema generates the JSON Schema (draft 2020-12) of
// agentplane.AgentConfig from its Go types and validates configs against
// it, reporting each violation with its JSON path. The schema is built once
// per process; a golden file in testdata pins it so a change to the Go types
// can't slip through without a reviewed schema change.
package configschema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/agentplane/agentplane"
	"github.com/invopop/jsonschema"
)

// SchemaID is the AgentConfig schema's $id.
const SchemaID = "https://agentplane.dev/schemas/agent-config.json"

// InputsSchemaID is the instruction_builder_inputs schema's $id.
const InputsSchemaID = "https://agentplane.dev/schemas/instruction-builder-inputs.json"

var actionType = reflect.TypeOf(agentplane.Action(nil))
var overridesType = reflect.TypeOf(map[agentplane.Channel]agentplane.ChannelOverride(nil))

func reflector() *jsonschema.Reflector {
	return &jsonschema.Reflector{
		RequiredFromJSONSchemaTags: true,
		// additionalProperties: false everywhere: an unknown key is a
		// mistake the caller wants to hear about.
		AllowAdditionalProperties: false,
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			switch t {
			case actionType:
				return &jsonschema.Schema{Ref: "#/$defs/Action"}
			case overridesType:
				props := jsonschema.NewProperties()
				for _, c := range agentplane.Channels {
					props.Set(string(c), &jsonschema.Schema{Ref: "#/$defs/ChannelOverride"})
				}
				return &jsonschema.Schema{Type: "object", Properties: props, AdditionalProperties: jsonschema.FalseSchema,
					Description: "Per-channel overrides, keyed by channel."}
			}
			return nil
		},
	}
}

// expanded reflects v as a definition body (no $schema, no nested $defs).
func expanded(v any) *jsonschema.Schema {
	r := reflector()
	r.ExpandedStruct = true
	s := r.Reflect(v)
	s.Version, s.ID, s.Definitions = "", "", nil
	return s
}

// generate builds the schema document.
func generate() ([]byte, error) {
	s := reflector().Reflect(&agentplane.AgentConfig{})
	s.ID = SchemaID
	s.Title = "AgentConfig"
	s.Description = "The configuration of one agent version."
	s.Definitions["ChannelOverride"] = expanded(&agentplane.ChannelOverride{})

	// Action is a union on "type": the type must be known, and an if/then
	// per variant applies that variant's schema, so errors point into the
	// matching variant instead of listing every branch of a oneOf.
	var types []any
	action := &jsonschema.Schema{Type: "object", Required: []string{"type"}, Description: "One step of a tool; the fields depend on type."}
	for _, v := range agentplane.ActionVariants {
		types = append(types, v.Type)
		name := reflect.TypeOf(v.Value).Name()
		s.Definitions[name] = expanded(v.Value)
		cond := jsonschema.NewProperties()
		cond.Set("type", &jsonschema.Schema{Const: v.Type})
		action.AllOf = append(action.AllOf, &jsonschema.Schema{
			If:   &jsonschema.Schema{Properties: cond, Required: []string{"type"}},
			Then: &jsonschema.Schema{Ref: "#/$defs/" + name},
		})
	}
	props := jsonschema.NewProperties()
	props.Set("type", &jsonschema.Schema{Type: "string", Enum: types})
	action.Properties = props
	s.Definitions["Action"] = action
	objectDefaults(s.Definitions)

	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal schema: %w", err)
	}
	return append(b, '\n'), nil
}

// objectDefaults gives a default to every property that holds a struct
// (a bare $ref to a definition: not nullable, not a map) whose type
// requires nothing and defaults some of its fields: the object of those
// defaults, as Pydantic writes a default_factory field into its schema.
// So an absent "interruption" means {"enabled": true}, and Normalize fills
// it in like any other default. Nullable structs (starting_message: absent
// is null) and maps (channel_overrides, an inline object keyed by channel:
// absent is empty) get none.
func objectDefaults(defs jsonschema.Definitions) {
	memo := map[string]map[string]any{}
	var of func(name string) map[string]any
	of = func(name string) map[string]any {
		if d, ok := memo[name]; ok {
			return d
		}
		memo[name] = nil // a cycle contributes nothing
		def := defs[name]
		if def == nil || len(def.Required) > 0 || def.Properties == nil {
			return nil
		}
		out := map[string]any{}
		for p := def.Properties.Oldest(); p != nil; p = p.Next() {
			if p.Value.Default != nil {
				out[p.Key] = p.Value.Default
			} else if d := of(refName(p.Value)); d != nil {
				out[p.Key] = d
			}
		}
		if len(out) == 0 {
			return nil
		}
		memo[name] = out
		return out
	}
	for _, def := range defs {
		if def.Properties == nil {
			continue
		}
		for p := def.Properties.Oldest(); p != nil; p = p.Next() {
			if p.Value.Default == nil {
				if d := of(refName(p.Value)); d != nil {
					p.Value.Default = d
				}
			}
		}
	}
}

// refName is the definition a bare {"$ref": "#/$defs/Name"} names, or "".
func refName(s *jsonschema.Schema) string {
	name, ok := strings.CutPrefix(s.Ref, "#/$defs/")
	if !ok || s.AnyOf != nil || s.OneOf != nil || s.AllOf != nil {
		return ""
	}
	return name
}

// generateInputs builds the instruction_builder_inputs schema document.
func generateInputs() ([]byte, error) {
	s := reflector().Reflect(&agentplane.InstructionBuilderInputs{})
	s.ID = InputsSchemaID
	s.Title = "InstructionBuilderInputs"
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal schema: %w", err)
	}
	return append(b, '\n'), nil
}

var built = sync.OnceValues(func() (*compiled, error) {
	doc, err := generate()
	if err != nil {
		return nil, err
	}
	return compile(doc, SchemaID)
})

var builtInputs = sync.OnceValues(func() (*compiled, error) {
	doc, err := generateInputs()
	if err != nil {
		return nil, err
	}
	return compile(doc, InputsSchemaID)
})

// JSON returns the schema document as served.
func JSON() []byte {
	c, err := built()
	if err != nil {
		// The schema is generated from compiled-in types; failing here is a
		// programming error caught by the golden test.
		panic(err)
	}
	return c.doc
}

// Generate returns freshly generated schemas of AgentConfig and of
// instruction_builder_inputs (the golden test uses them).
func Generate() (config, inputs []byte, err error) {
	if config, err = generate(); err != nil {
		return nil, nil, err
	}
	inputs, err = generateInputs()
	return config, inputs, err
}

// InputsJSON returns the instruction_builder_inputs schema document (what
// a model is asked to fill when scaffolding from a website).
func InputsJSON() []byte {
	c, err := builtInputs()
	if err != nil {
		panic(err)
	}
	return c.doc
}
