package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/configschema"
	"github.com/agentplane/agentplane/internal/httpapi"
	"github.com/getkin/kin-openapi/openapi3"
)

// TestOpenAPIYAMLIsCurrent fails when the Go types changed and
// openapi.yaml's generated components were not regenerated: run
// `make openapi` and commit the diff.
func TestOpenAPIYAMLIsCurrent(t *testing.T) {
	t.Parallel()
	got, err := Regenerate(httpapi.OpenAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, httpapi.OpenAPIYAML) {
		t.Fatal("internal/httpapi/openapi.yaml is stale: its generated components differ from the Go types; run `make openapi` and commit the result")
	}
}

// TestComponentsAgreeWithServedSchema checks that the rewritten components
// accept and refuse what the served JSON Schema does, on configs valid and
// broken in one way at a time. (The server also checks what no schema can
// say, like unique tool names; those cases are left out.)
func TestComponentsAgreeWithServedSchema(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	schemaOf := func(name string) *openapi3.Schema {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Fatalf("no component %s", name)
		}
		return ref.Value
	}
	action := func(a string) string { return `{"tools": [{"name": "t", "actions": [` + a + `]}]}` }
	configs := []string{
		`{}`,
		`{"starting_message": null}`,
		`{"instructions": "hi", "language": "en-GB", "max_tool_steps": 7, "noise_cancellation": "off"}`,
		`{"voice": {"provider": "eleven", "voice_id": "v1", "speed": 1.2, "emotion": "warm"}}`,
		`{"channel_overrides": {"telephone": {"instructions": "Be brief.", "instructions_mode": "replace", "starting_message": null}}}`,
		`{"turn_detection": {"models": [{"provider": "livekit", "model": {"name": "eou"}}]}}`,
		`{"recording": {"enabled": true, "redact_pii": false}, "interruption": {"enabled": false, "min_words": 2}}`,
		`{"pre_conversation_workflow": {"workflow_id": "01a2229d-4a43-7378-89a1-6581e6e95017", "workflow_version": 2}}`,
		`{"post_conversation_workflow": null}`,
		action(`{"type": "play_message", "text": "One moment", "interruptible": false}`),
		action(`{"type": "play_audio", "url": "https://example.com/a.mp3"}`),
		action(`{"type": "stop_audio"}`),
		action(`{"type": "cold_transfer", "transfer_number": "+14155550100"}`),
		action(`{"type": "warm_transfer", "transfer_number": "{{ caller.number }}", "summary_instructions": "brief"}`),
		action(`{"type": "dtmf", "digits": "12#"}`),
		action(`{"type": "wait", "seconds": 2.5}`),
		action(`{"type": "hangup"}`),
		action(`{"type": "leave_room"}`),
		action(`{"type": "http", "method": "POST", "url": "https://example.com/book"}`),
		action(`{"type": "knowledge_base", "query": "prices"}`),
		action(`{"type": "update_endpointing", "min_delay": 0.2}`),
		action(`{"type": "workflow", "workflow_id": "01a2229d-4a43-7378-89a1-6581e6e95017"}`),
		// Broken, one way at a time.
		`[1, 2]`,
		`null`,
		`{"instructions": 5}`,
		`{"colour": "red"}`,
		`{"max_tool_steps": 0}`,
		`{"noise_cancellation": "loud"}`,
		`{"language": "english please"}`,
		`{"voice": {"provider": "eleven", "voice_id": "v1", "speed": 2.5}}`,
		`{"voice": {"provider": "p", "voice_id": "v", "pitch": 3}}`,
		`{"voice": {"provider": "p"}}`,
		`{"starting_message": {"interruptible": true}}`,
		`{"channel_overrides": {"fax": {}}}`,
		`{"turn_detection": {"models": []}}`,
		`{"turn_detection": {"models": [{"provider": "acme"}]}}`,
		`{"tools": [{"name": "has space"}]}`,
		action(`{"type": "teleport"}`),
		action(`{}`),
		action(`"hangup"`),
		action(`{"type": "cold_transfer"}`),
		action(`{"type": "cold_transfer", "transfer_number": "555-1234"}`),
		action(`{"type": "hangup", "text": "bye"}`),
		action(`{"type": "play_message", "transfer_number": "+14155550100"}`),
		action(`{"type": "wait", "seconds": -1}`),
	}
	config := schemaOf("AgentConfig")
	for _, raw := range configs {
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		served := configschema.Validate([]byte(raw)) == nil
		component := config.VisitJSON(v, openapi3.EnableJSONSchema2020()) == nil
		if served != component {
			t.Errorf("%s: the served schema says valid=%v, the AgentConfig component valid=%v", raw, served, component)
		}
	}

	inputs := schemaOf("InstructionBuilderInputs")
	for _, raw := range []string{
		`{}`,
		`{"company_name": "Acme", "guardrails": ["no refunds"], "faqs": [{"question": "Hours?", "answer": "9 to 5"}]}`,
		`{"company_name": 5}`,
		`{"faqs": [{"question": "Hours?"}]}`,
		`{"unknown": true}`,
	} {
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			t.Fatal(err)
		}
		served := configschema.ValidateInputs([]byte(raw)) == nil
		component := inputs.VisitJSON(v, openapi3.EnableJSONSchema2020()) == nil
		if served != component {
			t.Errorf("%s: the served inputs schema says valid=%v, the InstructionBuilderInputs component valid=%v", raw, served, component)
		}
	}
}

// TestYAMLStrings checks that the emitter's scalars read back as the same
// strings, however YAML-like they look.
func TestYAMLStrings(t *testing.T) {
	t.Parallel()
	tricky := []string{"off", "On", "yes", "NO", "null", "~", "true", "1", "1.5", "0x10", "", " lead", "trail ",
		"a: b", "a #b", "#x", "- x", "[x]", "{x}", "x, y", "it's", `say "hi"`, "back\\slash", "line\nbreak",
		"tab\there", "ünïcødé", "$ref", "@x", "`code`", "%x", "*x", "&x", "!x", "|x", ">x", "?x", "x:", "plain words.",
		"Seconds (0 to 300).", "a  b"}
	schema := &node{kind: kindObject}
	enum := &node{kind: kindArray}
	for _, s := range tricky {
		raw, _ := json.Marshal(s)
		enum.vals = append(enum.vals, &node{kind: kindScalar, raw: string(raw)})
	}
	schema.set("type", &node{kind: kindScalar, raw: `"string"`})
	schema.set("enum", enum)
	var b bytes.Buffer
	b.WriteString("openapi: 3.1.0\ninfo: {title: t, version: \"1\"}\npaths: {}\ncomponents:\n  schemas:\n")
	for i, s := range tricky {
		raw, _ := json.Marshal(s)
		d := &node{kind: kindObject}
		d.set("description", &node{kind: kindScalar, raw: string(raw)})
		d.set("enum", enum)
		b.WriteString(indent + "S" + strings.Repeat("x", i) + ":")
		d.writeYAML(&b, indent+"  ")
		b.WriteByte('\n')
	}
	doc, err := openapi3.NewLoader().LoadFromData(b.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	for i, s := range tricky {
		got := doc.Components.Schemas["S"+strings.Repeat("x", i)].Value
		if got.Description != s {
			t.Errorf("description %q read back as %q", s, got.Description)
		}
		if len(got.Enum) != len(tricky) || got.Enum[i] != s {
			t.Errorf("enum item %q read back as %v", s, got.Enum)
		}
	}
}

// TestSpliceRefusesDuplicates: a hand-written schema may not shadow a
// generated one.
func TestSpliceRefusesDuplicates(t *testing.T) {
	t.Parallel()
	doc := "components:\n  schemas:\n    AgentConfig:\n      type: object\n" + beginMarker + "\n" + endMarker + "\n"
	if _, err := Splice([]byte(doc), []byte("    AgentConfig:\n      type: object\n")); err == nil {
		t.Fatal("Splice accepted a hand-written AgentConfig next to the generated one")
	}
	if _, err := Splice([]byte("components: {}\n"), nil); err == nil {
		t.Fatal("Splice accepted a document without markers")
	}
}
