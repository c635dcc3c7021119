package jobs

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agentplane/agentplane"
)

// TestTemplateInstructionsFitTheConfig: without a model, instructions
// from inputs as long as create-demo accepts (its instructions become the
// advanced instructions) are cut to what config.instructions holds, as a
// model's are.
func TestTemplateInstructionsFitTheConfig(t *testing.T) {
	t.Parallel()
	q := &Queue{}
	long := strings.Repeat("é", agentplane.MaxInstructions)
	name := "Acme"
	text, err := q.instructionsFor(context.Background(), agentplane.InstructionBuilderInputs{CompanyName: &name, AdvancedInstructions: &long})
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(text); n != agentplane.MaxInstructions || !strings.HasPrefix(text, "## Identity\nYou are the voice assistant of Acme") {
		t.Errorf("%d characters, starting %.60q", n, text)
	}
	short := "Mention the sale."
	if text, _ := q.instructionsFor(context.Background(), agentplane.InstructionBuilderInputs{AdvancedInstructions: &short}); !strings.HasSuffix(text, short) {
		t.Errorf("short inputs changed: %q", text)
	}
}
