package summary

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/jsondiff"
	"github.com/google/go-cmp/cmp"
)

// changes diffs two JSON documents with the real jsondiff.
func changes(t *testing.T, a, b string) []jsondiff.Change {
	t.Helper()
	_, cs, err := jsondiff.DiffJSON([]byte(a), []byte(b))
	if err != nil {
		t.Fatalf("diff %s → %s: %v", a, b, err)
	}
	return cs
}

func TestSummarizeConfig(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name string
		a, b string
		want []string
	}{
		{"same", `{"language":"en-US"}`, `{"language":"en-US"}`,
			[]string{"No differences between the two versions."}},
		{"voice speed", `{"voice":{"provider":"cartesia","voice_id":"v1","speed":1}}`, `{"voice":{"provider":"cartesia","voice_id":"v1","speed":1.2}}`,
			[]string{"Voice speed changed from 1.0 to 1.2."}},
		{"voice and emotion", `{"voice":{"provider":"cartesia","voice_id":"v1"}}`, `{"voice":{"provider":"elevenlabs","voice_id":"v2","emotion":"calm"}}`,
			[]string{"Voice emotion was set to calm.", "Voice provider changed from cartesia to elevenlabs.", "Voice changed from v1 to v2."}},
		{"language", `{"language":"en-US"}`, `{"language":"fr-FR"}`,
			[]string{"Language changed from en-US to fr-FR."}},
		{"llm", `{"llm":{"provider":"openai","model":"gpt-4o","temperature":0.7}}`, `{"llm":{"provider":"openai","model":"gpt-4.1","temperature":1,"max_output_tokens":800}}`,
			[]string{"LLM max output tokens were set to 800.", "LLM model changed from gpt-4o to gpt-4.1.", "LLM temperature changed from 0.7 to 1.0."}},
		{"long instructions", `{"instructions":"` + long(1204) + `"}`, `{"instructions":"` + long(1310) + `"}`,
			[]string{"Instructions changed (1,204 → 1,310 characters)."}},
		{"short instructions", `{"instructions":"Be kind."}`, `{"instructions":"Be brief."}`,
			[]string{`Instructions changed from "Be kind." to "Be brief.".`}},
		{"instructions added", `{}`, `{"instructions":"` + long(2500) + `"}`,
			[]string{"Instructions were added (2,500 characters)."}},
		{"multi-line instructions", `{"instructions":"a\nb"}`, `{"instructions":"a\nc"}`,
			[]string{"Instructions changed (3 → 3 characters)."}},
		{"characters not bytes", `{"instructions":"` + strings.Repeat("é", 61) + `"}`, `{"instructions":"` + strings.Repeat("é", 62) + `"}`,
			[]string{"Instructions changed (61 → 62 characters)."}},
		{"starting message removed", `{"starting_message":{"text":"Hi"}}`, `{}`,
			[]string{"Starting message was removed."}},
		{"starting message nulled", `{"starting_message":{"text":"Hi"}}`, `{"starting_message":null}`,
			[]string{"Starting message was removed."}},
		{"starting message added", `{"starting_message":null}`, `{"starting_message":{"text":"Hi"}}`,
			[]string{"Starting message was added."}},
		{"starting message text and delay", `{"starting_message":{"text":"Hi","delay_ms":0,"interruptible":true}}`, `{"starting_message":{"text":"Hello there","delay_ms":500,"interruptible":false}}`,
			[]string{"Starting message delay changed from 0 ms to 500 ms.", "Interruptible starting message was turned off.", `Starting message text changed from "Hi" to "Hello there".`}},
		{"tools added from none", `{}`, `{"tools":[{"name":"lookup"},{"name":"transfer"}]}`,
			[]string{`Tools were added: "lookup", "transfer".`}},
		{"tool added", `{"tools":[{"name":"transfer"}]}`, `{"tools":[{"name":"transfer"},{"name":"lookup","description":"Find an order."}]}`,
			[]string{`Tool "lookup" was added.`}},
		{"tool removed", `{"tools":[{"name":"transfer"},{"name":"lookup"}]}`, `{"tools":[{"name":"transfer"}]}`,
			[]string{`Tool "lookup" was removed.`}},
		{"tool description", `{"tools":[{"name":"lookup","description":"a"}]}`, `{"tools":[{"name":"lookup","description":"b"}]}`,
			[]string{`Tool "lookup": description changed from "a" to "b".`}},
		{"tool moved", `{"tools":[{"name":"a"},{"name":"b"},{"name":"c"}]}`, `{"tools":[{"name":"b"},{"name":"a"},{"name":"c"}]}`,
			[]string{`Tool "b" moved to position 1.`}},
		{"tool arguments and actions", `{"tools":[{"name":"lookup","required":["order"],"actions":[{"type":"play_message","text":"One moment"}]}]}`,
			`{"tools":[{"name":"lookup","properties":{"order":{"type":"string"}},"required":["order","zip"],"actions":[{"type":"cold_transfer","transfer_number":"+15551234567"},{"type":"hangup"}]}]}`,
			[]string{
				`Tool "lookup": action 1: text was removed (previously "One moment").`,
				`Tool "lookup": action 1: transfer number was set to "+15551234567".`,
				`Tool "lookup": action 1: type changed from play_message to cold_transfer.`,
				`Tool "lookup": action 2 (hangup) was added.`,
				`Tool "lookup": arguments were added: "order".`,
				`Tool "lookup": required argument "zip" was added.`,
			}},
		{"tool argument type", `{"tools":[{"name":"lookup","properties":{"order":{"type":"string"}}}]}`, `{"tools":[{"name":"lookup","properties":{"order":{"type":"integer"}}}]}`,
			[]string{`Tool "lookup": argument "order" type changed from "string" to "integer".`}},
		{"channel override instructions", `{"channel_overrides":{"telephone":{"instructions":"` + long(100) + `"}}}`, `{"channel_overrides":{"telephone":{"instructions":"` + long(120) + `","max_tool_steps":2}}}`,
			[]string{"Instructions for the telephone channel changed (100 → 120 characters).", "Max tool steps for the telephone channel were set to 2."}},
		{"channel override added", `{"channel_overrides":{"telephone":{}}}`, `{"channel_overrides":{"telephone":{},"webrtc":{"instructions_mode":"replace"}}}`,
			[]string{"WebRTC channel override was added."}},
		{"channel override starting message", `{"channel_overrides":{"sms":{"starting_message":{"text":"Hi"}}}}`, `{"channel_overrides":{"sms":{"starting_message":{"text":"Hey"}}}}`,
			[]string{`Starting message text for the SMS channel changed from "Hi" to "Hey".`}},
		{"scalars", `{"max_tool_steps":5,"noise_cancellation":"auto","recording":{"enabled":false,"redact_pii":true},"interruption":{"enabled":true,"min_words":2}}`,
			`{"max_tool_steps":8,"noise_cancellation":"max","recording":{"enabled":true},"interruption":{"enabled":false,"min_words":3}}`,
			[]string{
				"Interruptions were turned off.",
				"Minimum words to interrupt changed from 2 to 3.",
				"Max tool steps changed from 5 to 8.",
				"Noise cancellation changed from auto to max.",
				"Recording was turned on.",
				"PII redaction in recordings was removed (previously on).",
			}},
		{"endpointing", `{"endpointing":{"min_delay":0.5,"max_delay":3}}`, `{"endpointing":{"min_delay":0.8,"max_delay":6}}`,
			[]string{"Maximum end-of-turn delay changed from 3.0 seconds to 6.0 seconds.", "Minimum end-of-turn delay changed from 0.5 seconds to 0.8 seconds."}},
		{"keyterms", `{"stt":{"provider":"deepgram","keyterms":["Acme","Widget"]}}`, `{"stt":{"provider":"deepgram","keyterms":["Acme"]}}`,
			[]string{`Speech recognition keyterm "Widget" was removed.`}},
		{"keyterm edited", `{"stt":{"provider":"deepgram","keyterms":["Acme","Widget"]}}`, `{"stt":{"provider":"deepgram","keyterms":["Acme","Gadget"]}}`,
			[]string{`Speech recognition keyterm 2 changed from "Widget" to "Gadget".`}},
		{"turn detection", `{"turn_detection":{"models":[{"provider":"livekit"}]}}`, `{"turn_detection":{"models":[{"provider":"anyreach"},{"provider":"livekit"}]}}`,
			[]string{"Turn detection model 1: provider changed from livekit to anyreach.", "Turn detection model 2 (livekit) was added."}},
		{"knowledge bases", `{"knowledge_base_ids":["0190f0a0-0000-7000-8000-000000000001"]}`, `{"knowledge_base_ids":["0190f0a0-0000-7000-8000-000000000001","0190f0a0-0000-7000-8000-000000000002"]}`,
			[]string{"Knowledge base 0190f0a0-0000-7000-8000-000000000002 was added."}},
		{"workflow", `{"pre_conversation_workflow":{"workflow_id":"0190f0a0-0000-7000-8000-000000000001","workflow_version":1}}`, `{"pre_conversation_workflow":{"workflow_id":"0190f0a0-0000-7000-8000-000000000001","workflow_version":2,"reject_on_error":true}}`,
			[]string{"Rejecting calls when the pre-conversation workflow fails was turned on.", "Pre-conversation workflow version changed from 1 to 2."}},
		{"unknown keys", `{"custom_thing":{"someValue":1}}`, `{"custom_thing":{"someValue":2,"api_urls":["a"]}}`,
			[]string{`Custom thing API URLs were added: "a".`, "Custom thing some value changed from 1 to 2."}},
		{"type change", `{"language":"en-US"}`, `{"language":{"primary":"en-US"}}`,
			[]string{"Language changed."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Summarize(changes(t, tt.a, tt.b), nil)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Summarize (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSummarizeInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b string
		want []string
	}{
		{"company name", `{"company_name":"Acme"}`, `{"company_name":"Acme Inc"}`,
			[]string{`Builder input company name changed from "Acme" to "Acme Inc".`}},
		{"faqs", `{"faqs":[{"question":"Hours?","answer":"9-5"}]}`, `{"faqs":[{"question":"Hours?","answer":"9-6"},{"question":"Parking?","answer":"Yes"}]}`,
			[]string{`Builder input FAQ 1: answer changed from "9-5" to "9-6".`, `Builder input FAQ 2 ("Parking?") was added.`}},
		{"guardrails", `{"guardrails":["Be polite","No prices"]}`, `{"guardrails":["Be polite"],"industry":"Retail"}`,
			[]string{`Builder input guardrail "No prices" was removed.`, `Builder input industry was set to "Retail".`}},
		{"inputs added", `null`, `{"company_name":"Acme"}`,
			[]string{"Builder inputs were added."}},
		{"inputs removed", `{"company_name":"Acme"}`, `null`,
			[]string{"Builder inputs were removed."}},
		{"long text", `{"knowledge":"` + strings.Repeat("k", 4000) + `"}`, `{}`,
			[]string{"Builder input knowledge was removed (4,000 characters)."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Summarize(nil, changes(t, tt.a, tt.b))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Summarize (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSummarizeOrder: config sentences come first, then inputs, each in
// the diff's order.
func TestSummarizeOrder(t *testing.T) {
	t.Parallel()
	got := Summarize(
		changes(t, `{"language":"en-US","voice":{"provider":"p","voice_id":"a"}}`, `{"language":"de-DE","voice":{"provider":"p","voice_id":"b"}}`),
		changes(t, `{"purpose":"Sell"}`, `{"purpose":"Support"}`),
	)
	want := []string{"Language changed from en-US to de-DE.", "Voice changed from a to b.", `Builder input purpose changed from "Sell" to "Support".`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestLabelsCoverTheTypes keeps the label tables in step with AgentConfig
// and InstructionBuilderInputs: a new field must get a human name.
func TestLabelsCoverTheTypes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		typ  reflect.Type
		root root
	}{
		{reflect.TypeFor[agentplane.AgentConfig](), configRoot},
		{reflect.TypeFor[agentplane.InstructionBuilderInputs](), inputsRoot},
	} {
		var known []string
		for _, fl := range c.root.fields {
			known = append(known, strings.Join(fl.pattern, "."))
		}
		var paths []string
		jsonPaths(c.typ, nil, &paths)
		for _, p := range paths {
			if !slices.Contains(known, p) {
				t.Errorf("%s: no label for %s", c.typ.Name(), p)
			}
		}
	}
}

// jsonPaths lists the JSON paths of t's fields in the tables' pattern
// syntax: "*" for name-keyed array elements, "#" for others, "$" for map
// keys. A keyed element's name is its identity, not a field that changes.
func jsonPaths(t reflect.Type, prefix []string, out *[]string) {
	deref := func(t reflect.Type) reflect.Type {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		return t
	}
	t = deref(t)
	if t.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" || (name == "name" && len(prefix) > 0 && prefix[len(prefix)-1] == "*") {
			continue
		}
		p := append(slices.Clone(prefix), name)
		*out = append(*out, strings.Join(p, "."))
		switch ft := deref(sf.Type); ft.Kind() {
		case reflect.Struct:
			jsonPaths(ft, p, out)
		case reflect.Slice:
			if et := deref(ft.Elem()); et.Kind() == reflect.Struct {
				mark := "#"
				if _, ok := et.FieldByName("Name"); ok {
					mark = "*"
				}
				jsonPaths(et, append(p, mark), out)
			}
		case reflect.Map:
			if et := deref(ft.Elem()); et.Kind() == reflect.Struct {
				jsonPaths(et, append(p, "$"), out)
			}
		}
	}
}

func TestWords(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"max_tool_steps":     "max tool steps",
		"voiceId":            "voice ID",
		"knowledge_base_ids": "knowledge base IDs",
		"webrtc":             "WebRTC",
		"redact-pii":         "redact PII",
	} {
		if got := words(in); got != want {
			t.Errorf("words(%q) = %q, want %q", in, got, want)
		}
	}
}
