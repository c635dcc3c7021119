package configschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/agentplane/agentplane"
	js "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

type compiled struct {
	doc    []byte
	schema *js.Schema
}

func compile(doc []byte, id string) (*compiled, error) {
	parsed, err := js.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	c := js.NewCompiler()
	c.DefaultDraft(js.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(id, parsed); err != nil {
		return nil, err
	}
	sch, err := c.Compile(id)
	if err != nil {
		return nil, fmt.Errorf("compile schema: %w", err)
	}
	return &compiled{doc: doc, schema: sch}, nil
}

var printer = message.NewPrinter(language.English)

// Validate checks raw against the AgentConfig schema and the rules a schema
// can't say (unique tool names, required arguments that exist, workflow
// reference xor definition). Each violation's loc is prefix followed by the
// JSON path inside the config, e.g. ["body", "config", "voice", "speed"].
// It returns nil or an EInvalid *agentplane.Error.
func Validate(raw []byte, prefix ...any) error {
	c, err := built()
	if err != nil {
		return err
	}
	return c.validate(raw, prefix, semantic)
}

// ValidateInputs checks instruction_builder_inputs; unknown keys are
// violations like any other.
func ValidateInputs(raw []byte, prefix ...any) error {
	c, err := builtInputs()
	if err != nil {
		return err
	}
	return c.validate(raw, prefix, nil)
}

func (c *compiled) validate(raw []byte, prefix []any, extra func(*agentplane.Violations, []byte, []any)) error {
	var v agentplane.Violations
	inst, err := js.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		v.Add("must be valid JSON", "json_invalid", prefix...)
		return v.Err()
	}
	if err := c.schema.Validate(inst); err != nil {
		var ve *js.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		collect(&v, ve, prefix)
	}
	if len(v) == 0 && extra != nil {
		extra(&v, raw, prefix)
	}
	sort.SliceStable(v, func(i, j int) bool { return locString(v[i].Loc) < locString(v[j].Loc) })
	return v.Err()
}

// collect turns the leaves of the error tree into violations.
func collect(v *agentplane.Violations, e *js.ValidationError, prefix []any) {
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			collect(v, c, prefix)
		}
		return
	}
	loc := append(append([]any{}, prefix...), tokens(e.InstanceLocation)...)
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		// One entry per unknown key, located at the key itself.
		for _, p := range k.Properties {
			v.Add("unknown field "+p, "extra_forbidden", append(append([]any{}, loc...), p)...)
		}
		return
	case *kind.Required:
		for _, p := range k.Missing {
			v.Add(p+" is required", "missing", append(append([]any{}, loc...), p)...)
		}
		return
	}
	kw := e.ErrorKind.KeywordPath()
	typ := "invalid"
	if len(kw) > 0 {
		typ = kw[len(kw)-1]
	}
	msg := e.ErrorKind.LocalizedString(printer)
	if len(e.InstanceLocation) > 0 {
		msg = strings.Join(e.InstanceLocation, ".") + ": " + msg
	}
	v.Add(msg, typ, loc...)
}

// tokens turns JSON pointer tokens into a loc path, array indexes as ints.
func tokens(ts []string) []any {
	out := make([]any, len(ts))
	for i, t := range ts {
		if n, err := strconv.Atoi(t); err == nil {
			out[i] = n
		} else {
			out[i] = t
		}
	}
	return out
}

func locString(loc []any) string { return fmt.Sprint(loc...) }

// semantic checks what JSON Schema can't express. It runs only on configs
// that already match the schema, so decoding can't fail on shape.
func semantic(v *agentplane.Violations, raw []byte, prefix []any) {
	var cfg agentplane.AgentConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		v.Add("config does not decode: "+err.Error(), "type_error", prefix...)
		return
	}
	at := func(path ...any) []any { return append(append([]any{}, prefix...), path...) }
	seen := map[string]int{}
	for i, t := range cfg.Tools {
		if j, dup := seen[t.Name]; dup {
			v.Add(fmt.Sprintf("tool name %q is already used by tools[%d]", t.Name, j), "unique", at("tools", i, "name")...)
		} else {
			seen[t.Name] = i
		}
		for k, r := range t.Required {
			if _, ok := t.Properties[r]; !ok {
				v.Add(fmt.Sprintf("required argument %q is not in properties", r), "required_property", at("tools", i, "required", k)...)
			}
		}
	}
	for name, w := range map[string]*agentplane.ConversationWorkflow{
		"pre_conversation_workflow": cfg.PreConversationWorkflow, "post_conversation_workflow": cfg.PostConversationWorkflow,
	} {
		if w == nil {
			continue
		}
		ref, def := w.WorkflowID != nil, w.Definition != nil
		if ref == def {
			v.Add("give either workflow_id (with optional workflow_version) or definition, not both or neither", "xor", at(name)...)
		}
		if w.WorkflowVersion != nil && w.WorkflowID == nil {
			v.Add("workflow_version needs workflow_id", "dependency", at(name, "workflow_version")...)
		}
	}
	if e := cfg.Endpointing; e != nil && e.MinDelay != nil && e.MaxDelay != nil && *e.MinDelay > *e.MaxDelay {
		v.Add("min_delay must not exceed max_delay", "range", at("endpointing", "min_delay")...)
	}
}
