package prompt

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/llm"
)

// split checks that msgs is one non-empty system message holding every
// phrase of want, then one user message, and returns the user text.
func split(t *testing.T, msgs []llm.Message, want ...string) string {
	t.Helper()
	if len(msgs) != 2 || msgs[0].Role != "system" || msgs[1].Role != "user" {
		t.Fatalf("messages %+v, want system then user", msgs)
	}
	sys := msgs[0].Content
	if strings.TrimSpace(sys) == "" {
		t.Fatal("system message is empty")
	}
	for _, w := range want {
		if !strings.Contains(sys, w) {
			t.Errorf("system message lacks %q:\n%s", w, sys)
		}
	}
	return msgs[1].Content
}

func TestCompare(t *testing.T) {
	t.Parallel()
	patch := json.RawMessage(`[{"op":"replace","path":"/voice/speed","value":1.2}]`)
	user := split(t, Compare(3, 5, patch, nil), "non-technical", "one short", "No markdown", "never instructions")
	want := "The patches turn version 3 into version 5.\n\nAgent configuration patch:\n" + string(patch) +
		"\n\nInstruction builder inputs patch:\n(no changes)\n"
	if user != want {
		t.Errorf("user message:\n%q\nwant\n%q", user, want)
	}
	// An empty, null or empty-array patch (surrounding space aside) is
	// no change; the config patch is trimmed.
	for _, p := range []string{"", "null", "[]", " [] \n"} {
		user := split(t, Compare(1, 2, json.RawMessage(" "+string(patch)+"\n"), json.RawMessage(p)))
		if !strings.HasSuffix(user, "Instruction builder inputs patch:\n(no changes)\n") ||
			!strings.Contains(user, "patch:\n"+string(patch)+"\n\n") {
			t.Errorf("inputs patch %q: user message:\n%s", p, user)
		}
	}
}

func TestInstructions(t *testing.T) {
	t.Parallel()
	inputs := json.RawMessage(`{"company_name":"Acme","faqs":[{"question":"Hours?","answer":"9-5"}]}`)
	user := split(t, Instructions(inputs), "You write system prompts for voice agents", `Speak to the agent as "you".`)
	if user != string(inputs) {
		t.Errorf("user message %q, want the inputs unchanged %q", user, inputs)
	}
}

func TestBuilderInputs(t *testing.T) {
	t.Parallel()
	overview := "We sell anvils.\nSince 1949."
	pages := []byte(`[{"url":"https://acme.example/","text":"Anvils"}]`)
	for _, tt := range []struct {
		name     string
		overview *string
		want     string
	}{
		{"without overview", nil,
			"Company name: Acme\nWebsite: https://acme.example\nPages (JSON):\n" + string(pages)},
		{"with overview", &overview,
			"Company name: Acme\nWebsite: https://acme.example\nOverview: We sell anvils.\nSince 1949.\nPages (JSON):\n" + string(pages)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			user := split(t, BuilderInputs("Acme", "https://acme.example", tt.overview, pages),
				"From a company's web pages", "advanced_instructions", "Use only facts from the pages")
			if user != tt.want {
				t.Errorf("user message:\n%q\nwant\n%q", user, tt.want)
			}
		})
	}
	if BuilderInputsSchemaName != "instruction_builder_inputs" {
		t.Errorf("BuilderInputsSchemaName = %q", BuilderInputsSchemaName)
	}
}
