package configschema

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/agentplane/agentplane"
)

// TestViolations refuses a config broken in one way at a time and checks
// the loc of each report.
func TestViolations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		config string
		loc    string // fmt of the loc slice
	}{
		{"wrong type", `{"instructions": 5}`, "[body config instructions]"},
		{"out of range", `{"voice": {"provider": "eleven", "voice_id": "v1", "speed": 2.5}}`, "[body config voice speed]"},
		{"below range", `{"max_tool_steps": 0}`, "[body config max_tool_steps]"},
		{"unknown key", `{"voice": {"provider": "p", "voice_id": "v", "pitch": 3}}`, "[body config voice pitch]"},
		{"unknown top-level key", `{"colour": "red"}`, "[body config colour]"},
		{"bad enum", `{"noise_cancellation": "loud"}`, "[body config noise_cancellation]"},
		{"duplicate tool name", `{"tools": [{"name": "lookup"}, {"name": "lookup"}]}`, "[body config tools 1 name]"},
		{"missing required action field", `{"tools": [{"name": "t", "actions": [{"type": "cold_transfer"}]}]}`, "[body config tools 0 actions 0 transfer_number]"},
		{"bad transfer number", `{"tools": [{"name": "t", "actions": [{"type": "cold_transfer", "transfer_number": "555-1234"}]}]}`, "[body config tools 0 actions 0 transfer_number]"},
		{"unknown action type", `{"tools": [{"name": "t", "actions": [{"type": "teleport"}]}]}`, "[body config tools 0 actions 0 type]"},
		{"bad tool name", `{"tools": [{"name": "has space"}]}`, "[body config tools 0 name]"},
		{"empty turn detection", `{"turn_detection": {"models": []}}`, "[body config turn_detection models]"},
		{"bad turn provider", `{"turn_detection": {"models": [{"provider": "acme"}]}}`, "[body config turn_detection models 0 provider]"},
		{"unknown channel", `{"channel_overrides": {"fax": {}}}`, "[body config channel_overrides fax]"},
		{"bad uuid", `{"knowledge_base_ids": ["nope"]}`, "[body config knowledge_base_ids 0]"},
		{"bad language", `{"language": "english please"}`, "[body config language]"},
		{"workflow xor", `{"pre_conversation_workflow": {"reject_on_error": true}}`, "[body config pre_conversation_workflow]"},
		{"required arg not a property", `{"tools": [{"name": "t", "properties": {"a": {}}, "required": ["b"]}]}`, "[body config tools 0 required 0]"},
		{"not an object", `[1, 2]`, "[body config]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Validate([]byte(tc.config), "body", "config")
			e, ok := err.(*agentplane.Error)
			if !ok || e.Code != agentplane.EInvalid {
				t.Fatalf("Validate(%s) = %v, want an invalid error", tc.config, err)
			}
			var locs []string
			for _, f := range e.Fields {
				locs = append(locs, fmt.Sprint(f.Loc))
				if f.Loc[0] != "body" || f.Msg == "" || f.Type == "" {
					t.Errorf("malformed violation %+v", f)
				}
			}
			found := false
			for _, l := range locs {
				found = found || l == tc.loc
			}
			if !found {
				t.Errorf("locs %v, want one at %s", locs, tc.loc)
			}
		})
	}
}

func TestValidConfigs(t *testing.T) {
	t.Parallel()
	full := `{
	  "instructions": "You are the front desk of Acme.",
	  "starting_message": {"text": "Hello!", "interruptible": false, "delay_ms": 200},
	  "language": "en-GB",
	  "voice": {"provider": "eleven", "voice_id": "v1", "speed": 1.2, "emotion": "warm"},
	  "llm": {"provider": "openai", "model": "gpt-4o", "temperature": 0.3, "max_output_tokens": 500},
	  "stt": {"provider": "deepgram", "model": "nova-3", "keyterms": ["Acme"]},
	  "turn_detection": {"models": [{"provider": "livekit", "model": {"name": "eou"}}]},
	  "interruption": {"enabled": true, "min_words": 2},
	  "endpointing": {"min_delay": 0.5, "max_delay": 3},
	  "max_tool_steps": 5,
	  "tools": [{"name": "transfer", "description": "Transfer to sales", "properties": {"reason": {"type": "string"}},
	    "required": ["reason"], "actions": [{"type": "play_message", "text": "One moment"},
	    {"type": "cold_transfer", "transfer_number": "+14155550100"}],
	    "actions_on_error": [{"type": "hangup"}], "output": "done"},
	    {"name": "book", "actions": [{"type": "http", "method": "POST", "url": "https://example.com/book"},
	    {"type": "warm_transfer", "transfer_number": "{{ caller.number }}"}]}],
	  "knowledge_base_ids": ["01a2229d-4a43-7378-89a1-6581e6e95017"],
	  "channel_overrides": {"telephone": {"instructions": "Be brief.", "instructions_mode": "append", "starting_message": null}},
	  "pre_conversation_workflow": {"workflow_id": "01a2229d-4a43-7378-89a1-6581e6e95017", "workflow_version": 2},
	  "post_conversation_workflow": {"definition": {"steps": []}, "reject_on_error": false},
	  "recording": {"enabled": true, "redact_pii": true},
	  "noise_cancellation": "max"
	}`
	for _, cfg := range []string{`{}`, `{"starting_message": null}`, full} {
		if err := Validate([]byte(cfg), "body"); err != nil {
			t.Errorf("Validate(%.60s…) = %v", cfg, err)
		}
	}
	var round agentplane.AgentConfig
	if err := json.Unmarshal([]byte(full), &round); err != nil || len(round.Tools) != 2 || len(round.Tools[0].Actions) != 2 {
		t.Fatalf("decode full config: %v", err)
	}
}

// TestAllViolationsReported checks that one response names every problem.
func TestAllViolationsReported(t *testing.T) {
	t.Parallel()
	err := Validate([]byte(`{"instructions": 1, "max_tool_steps": 0, "noise_cancellation": "x", "zzz": 1}`), "body")
	e, ok := err.(*agentplane.Error)
	if !ok || len(e.Fields) != 4 {
		t.Fatalf("want 4 violations, got %v", err)
	}
}

// FuzzValidate: no input panics, and whatever validates also decodes into
// the Go type (the schema is never looser than the code).
func FuzzValidate(f *testing.F) {
	for _, s := range []string{`{}`, `{"voice":{"provider":"p","voice_id":"v","speed":1}}`, `{"tools":[{"name":"a","actions":[{"type":"dtmf","digits":"12#"}]}]}`, `[`, `null`, `{"channel_overrides":{"sms":{"max_tool_steps":2}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		err := Validate(raw, "body")
		if err == nil {
			var cfg agentplane.AgentConfig
			if derr := json.Unmarshal(raw, &cfg); derr != nil {
				t.Fatalf("valid config %q does not decode: %v", raw, derr)
			}
		} else if e, ok := err.(*agentplane.Error); !ok || e.Code != agentplane.EInvalid || len(e.Fields) == 0 {
			t.Fatalf("Validate(%q) = %v, want invalid with fields", raw, err)
		}
	})
}

func TestValidateInputs(t *testing.T) {
	t.Parallel()
	ok := `{"company_name": "Acme", "industry": "plumbing", "guardrails": ["no prices"], "faqs": [{"question": "Hours?", "answer": "9-5"}]}`
	if err := ValidateInputs([]byte(ok), "body", "instruction_builder_inputs"); err != nil {
		t.Fatalf("valid inputs refused: %v", err)
	}
	for in, loc := range map[string]string{
		`{"company": "Acme"}`:           "[body instruction_builder_inputs company]",
		`{"faqs": [{"question": "q"}]}`: "[body instruction_builder_inputs faqs 0 answer]",
		`{"guardrails": "be nice"}`:     "[body instruction_builder_inputs guardrails]",
		`{"company_name": ["Acme"]}`:    "[body instruction_builder_inputs company_name]",
	} {
		err := ValidateInputs([]byte(in), "body", "instruction_builder_inputs")
		e, isErr := err.(*agentplane.Error)
		if !isErr || len(e.Fields) == 0 || fmt.Sprint(e.Fields[0].Loc) != loc {
			t.Errorf("ValidateInputs(%s) = %v, want loc %s", in, err, loc)
		}
	}
}
