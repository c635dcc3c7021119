package jobs

import (
	"fmt"
	"strings"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/fetch"
)

// HeuristicInputs derives builder inputs from crawled pages without a
// model: the company from the given name or the home page title, its
// services from the pages' headings, and its contact details and opening
// hours as found on the pages, so the generated instructions name them.
func HeuristicInputs(name string, overview *string, sites []fetch.Site) agentplane.InstructionBuilderInputs {
	str := func(s string) *string {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		return &s
	}
	if name == "" && len(sites) > 0 {
		name = cleanTitle(sites[0].Title)
	}
	var services, emails, phones, hours []string
	var knowledge strings.Builder
	seen := map[string]bool{}
	add := func(list *[]string, vals ...string) {
		for _, v := range vals {
			v = strings.TrimSpace(v)
			if v != "" && !seen[strings.ToLower(v)] {
				seen[strings.ToLower(v)] = true
				*list = append(*list, v)
			}
		}
	}
	for _, s := range sites {
		add(&services, s.Headings...)
		add(&emails, s.Emails...)
		add(&phones, s.Phones...)
		add(&hours, s.Hours...)
	}
	if len(services) > 12 {
		services = services[:12]
	}
	if overview != nil && strings.TrimSpace(*overview) != "" {
		knowledge.WriteString(strings.TrimSpace(*overview) + "\n\n")
	}
	if len(sites) > 0 && sites[0].Description != "" {
		knowledge.WriteString(sites[0].Description + "\n\n")
	}
	if len(services) > 0 {
		knowledge.WriteString("Services and topics: " + strings.Join(services, "; ") + ".\n")
	}
	contact := contactLine(emails, phones)
	if contact != "" {
		knowledge.WriteString("Contact: " + contact + ".\n")
	}
	if len(hours) > 0 {
		knowledge.WriteString("Opening hours: " + strings.Join(hours, "; ") + ".\n")
	}
	for _, s := range sites {
		if t := strings.TrimSpace(s.Text); t != "" {
			knowledge.WriteString("\nFrom " + s.URL + ":\n" + truncate(t, 3000) + "\n")
		}
	}
	company := name
	if company == "" {
		company = "the company"
	}
	purpose := fmt.Sprintf("Answer callers' questions about %s", company)
	if len(services) > 0 {
		purpose += " and help them with " + strings.Join(services[:min(len(services), 5)], ", ")
	}
	purpose += "."
	escalation := "If the caller needs a person or something you can't answer, offer to pass on a message"
	if contact != "" {
		escalation += " and give them the contact details: " + contact
	}
	escalation += "."
	in := agentplane.InstructionBuilderInputs{
		CompanyName:      str(name),
		Purpose:          &purpose,
		Personality:      str("Friendly, patient and concise."),
		OpeningLine:      str(fmt.Sprintf("Thank you for calling %s, how can I help you today?", company)),
		ConversationFlow: str("Greet the caller, find out what they need, answer from the knowledge below, and confirm the next step before ending."),
		Knowledge:        str(truncate(knowledge.String(), 50000)),
		Escalation:       &escalation,
		Closing:          str(fmt.Sprintf("Thank the caller for contacting %s and say goodbye.", company)),
		Guardrails:       []string{"Only state facts from the knowledge above; if unsure, say so.", "Never ask for payment card numbers or passwords."},
	}
	return in
}

func contactLine(emails, phones []string) string {
	var parts []string
	if len(phones) > 0 {
		parts = append(parts, "phone "+strings.Join(phones[:min(len(phones), 3)], ", "))
	}
	if len(emails) > 0 {
		parts = append(parts, "email "+strings.Join(emails[:min(len(emails), 3)], ", "))
	}
	return strings.Join(parts, "; ")
}

// cleanTitle keeps the company part of "Acme Plumbing | Home".
func cleanTitle(t string) string {
	for _, sep := range []string{" | ", " - ", " – ", " — ", " :: "} {
		if i := strings.Index(t, sep); i > 0 {
			t = t[:i]
		}
	}
	return truncate(strings.TrimSpace(t), 200)
}
