package configschema

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/agentplane/agentplane"
)

// defaultsOnly is every top-level default of the schema, written out by
// hand rather than read from the code under test.
const defaultsOnly = `{"interruption":{"enabled":true},"language":"en-US","max_tool_steps":5,"noise_cancellation":"auto",` +
	`"recording":{"enabled":false,"redact_pii":false}}`

func TestNormalize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"empty: every top-level default", `{}`, defaultsOnly},
		{"only instructions", `{"instructions":"Hi."}`,
			`{"instructions":"Hi.","interruption":{"enabled":true},"language":"en-US","max_tool_steps":5,"noise_cancellation":"auto",` +
				`"recording":{"enabled":false,"redact_pii":false}}`},
		{"given values win, defaults fill the rest of a present object",
			`{"language":"fr-FR","max_tool_steps":9,"noise_cancellation":"off","interruption":{"min_words":2},"recording":{"enabled":true}}`,
			`{"interruption":{"enabled":true,"min_words":2},"language":"fr-FR","max_tool_steps":9,"noise_cancellation":"off",` +
				`"recording":{"enabled":true,"redact_pii":false}}`},
		{"false and explicit values are kept", `{"interruption":{"enabled":false},"recording":{"enabled":false,"redact_pii":true}}`,
			`{"interruption":{"enabled":false},"language":"en-US","max_tool_steps":5,"noise_cancellation":"auto",` +
				`"recording":{"enabled":false,"redact_pii":true}}`},
		{"nested structs that are present", `{"voice":{"provider":"p","voice_id":"v"},"starting_message":{"text":"Hello"},` +
			`"pre_conversation_workflow":{"workflow_id":"0190a000-0000-7000-8000-000000000000"}}`,
			`{"interruption":{"enabled":true},"language":"en-US","max_tool_steps":5,"noise_cancellation":"auto",` +
				`"pre_conversation_workflow":{"reject_on_error":false,"workflow_id":"0190a000-0000-7000-8000-000000000000"},` +
				`"recording":{"enabled":false,"redact_pii":false},"starting_message":{"interruptible":true,"text":"Hello"},` +
				`"voice":{"provider":"p","speed":1,"voice_id":"v"}}`},
		{"null stays null: a nullable struct is not invented", `{"starting_message":null,"post_conversation_workflow":null}`,
			`{"interruption":{"enabled":true},"language":"en-US","max_tool_steps":5,"noise_cancellation":"auto",` +
				`"post_conversation_workflow":null,"recording":{"enabled":false,"redact_pii":false},"starting_message":null}`},
		{"a map's present entries only", `{"channel_overrides":{"sms":{"instructions":"Be brief.","starting_message":{"text":"Hi"}}}}`,
			`{"channel_overrides":{"sms":{"instructions":"Be brief.","instructions_mode":"append","starting_message":{"interruptible":true,"text":"Hi"}}},` +
				`"interruption":{"enabled":true},"language":"en-US","max_tool_steps":5,"noise_cancellation":"auto",` +
				`"recording":{"enabled":false,"redact_pii":false}}`},
		{"objects without defaults stay as given", `{"endpointing":{},"llm":{"provider":"p","model":"m"},` +
			`"tools":[{"name":"t","actions":[{"type":"play_message","text":"One moment."}]}],"turn_detection":{"models":[{"provider":"livekit"}]}}`,
			`{"endpointing":{},"interruption":{"enabled":true},"language":"en-US","llm":{"model":"m","provider":"p"},"max_tool_steps":5,` +
				`"noise_cancellation":"auto","recording":{"enabled":false,"redact_pii":false},` +
				`"tools":[{"actions":[{"text":"One moment.","type":"play_message"}],"name":"t"}],"turn_detection":{"models":[{"provider":"livekit"}]}}`},
		{"numbers and spacing canonical", ` { "voice" : {"provider":"p","voice_id":"v","speed":1.50}, "max_tool_steps": 1e1 } `,
			`{"interruption":{"enabled":true},"language":"en-US","max_tool_steps":10,"noise_cancellation":"auto",` +
				`"recording":{"enabled":false,"redact_pii":false},"voice":{"provider":"p","speed":1.5,"voice_id":"v"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Normalize(json.RawMessage(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("Normalize(%s)\n got %s\nwant %s", tc.in, got, tc.want)
			}
			again, err := Normalize(got)
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("not idempotent: %s → %s (%v)", got, again, err)
			}
			if err := Validate(got); err != nil {
				t.Errorf("normalized config is invalid: %v", err)
			}
		})
	}
}

// TestNormalizeFillsEverySchemaDefault walks the served schema: every
// property with a default, in every definition, is filled when a present
// object of that definition omits it.
func TestNormalizeFillsEverySchemaDefault(t *testing.T) {
	t.Parallel()
	var doc struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Default json.RawMessage `json:"default"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	// Where a present object of each definition with defaults sits, with
	// the fields it requires.
	at := map[string]struct{ config, path string }{
		"AgentConfig":          {`{}`, ``},
		"Interruption":         {`{"interruption":{}}`, `interruption`},
		"Recording":            {`{"recording":{}}`, `recording`},
		"Voice":                {`{"voice":{"provider":"p","voice_id":"v"}}`, `voice`},
		"StartingMessage":      {`{"starting_message":{"text":"t"}}`, `starting_message`},
		"ChannelOverride":      {`{"channel_overrides":{"email":{}}}`, `channel_overrides.email`},
		"ConversationWorkflow": {`{"post_conversation_workflow":{"definition":{}}}`, `post_conversation_workflow`},
	}
	checked := 0
	for name, def := range doc.Defs {
		for field, p := range def.Properties {
			if p.Default == nil {
				continue
			}
			where, ok := at[name]
			if !ok {
				t.Errorf("%s.%s has a default, but the test doesn't know where a %s goes: teach it", name, field, name)
				continue
			}
			got, err := Normalize(json.RawMessage(where.config))
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(got, &v); err != nil {
				t.Fatal(err)
			}
			obj := v.(map[string]any)
			if where.path != "" {
				for _, k := range bytes.Split([]byte(where.path), []byte(".")) {
					obj = obj[string(k)].(map[string]any)
				}
			}
			if !agentplane.SameJSON(mustJSON(t, obj[field]), p.Default) {
				t.Errorf("%s: %s.%s = %v, want the schema's default %s", got, name, field, obj[field], p.Default)
			}
			checked++
		}
	}
	if checked < 10 {
		t.Errorf("only %d defaults checked", checked)
	}
}

// TestDefaultConfigIsNormalizedEmpty: the first draft "latest" creates is
// exactly the schema's defaults.
func TestDefaultConfigIsNormalizedEmpty(t *testing.T) {
	t.Parallel()
	got, err := Normalize(json.RawMessage(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	want, err := agentplane.CanonicalJSON(agentplane.DefaultConfig)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Normalize({}) = %s, agentplane.DefaultConfig = %s", got, want)
	}
}

func TestNormalizeRefusesNonJSON(t *testing.T) {
	t.Parallel()
	if _, err := Normalize(json.RawMessage(`{"a":`)); err == nil {
		t.Error("truncated JSON normalized without an error")
	}
	if got, err := Normalize(nil); err != nil || got != nil {
		t.Errorf("Normalize(nil) = %s, %v", got, err)
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkNormalize is what reading a stored version now costs on top of
// the store's read: a config of a few tools and overrides.
func BenchmarkNormalize(b *testing.B) {
	config := json.RawMessage(`{"instructions":"` + string(bytes.Repeat([]byte("Be helpful. "), 200)) + `",` +
		`"voice":{"provider":"eleven","voice_id":"v1"},"starting_message":{"text":"Hello"},` +
		`"channel_overrides":{"sms":{"instructions":"Short."},"webrtc":{"starting_message":{"text":"Hi"}}},` +
		`"tools":[{"name":"a","actions":[{"type":"play_message","text":"One moment."},{"type":"hangup"}]},` +
		`{"name":"b","properties":{"x":{"type":"string"}},"required":["x"],"actions":[{"type":"http","method":"GET","url":"https://x.test"}]}]}`)
	b.SetBytes(int64(len(config)))
	for b.Loop() {
		if _, err := Normalize(config); err != nil {
			b.Fatal(err)
		}
	}
}
