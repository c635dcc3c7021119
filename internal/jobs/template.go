package jobs

import (
	"strings"

	"github.com/agentplane/agentplane"
)

// InstructionsTemplate turns builder inputs into a system prompt with one
// section per input, deterministic so it can be tested and diffed.
func InstructionsTemplate(in agentplane.InstructionBuilderInputs) string {
	var b strings.Builder
	val := func(p *string) string {
		if p == nil {
			return ""
		}
		return strings.TrimSpace(*p)
	}
	section := func(title, body string) {
		if body == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString("## " + title + "\n" + body)
	}
	company := val(in.CompanyName)
	identity := "You are a voice assistant"
	if company != "" {
		identity = "You are the voice assistant of " + company
	}
	if ind := val(in.Industry); ind != "" {
		identity += ", a business in " + ind
	}
	identity += ". You speak with callers on the phone: keep sentences short and natural, one question at a time."
	if lang := val(in.Language); lang != "" {
		identity += " Speak " + lang + "."
	}
	section("Identity", identity)
	section("Purpose", val(in.Purpose))
	section("Personality", val(in.Personality))
	if o := val(in.OpeningLine); o != "" {
		section("Opening", "Start the call with: \""+o+"\"")
	}
	section("Conversation flow", val(in.ConversationFlow))
	section("Knowledge", val(in.Knowledge))
	if len(in.FAQs) > 0 {
		var f strings.Builder
		for i, q := range in.FAQs {
			if i > 0 {
				f.WriteString("\n")
			}
			f.WriteString("Q: " + strings.TrimSpace(q.Question) + "\nA: " + strings.TrimSpace(q.Answer))
		}
		section("Frequently asked questions", f.String())
	}
	if len(in.Guardrails) > 0 {
		var g strings.Builder
		for i, r := range in.Guardrails {
			if i > 0 {
				g.WriteString("\n")
			}
			g.WriteString("- " + strings.TrimSpace(r))
		}
		section("Guardrails", g.String())
	}
	section("Escalation", val(in.Escalation))
	section("Closing", val(in.Closing))
	section("Additional instructions", val(in.AdvancedInstructions))
	return b.String()
}
