package agentplane_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/agentplane/agentplane"
)

func TestConversationJSONHidesSensitiveFieldsWhenRedacted(t *testing.T) {
	t.Parallel()
	sum := "Caller booked a plumber."
	c := agentplane.Conversation{ID: "x", Summary: &sum, Transcript: json.RawMessage(`[{"role":"user","text":"hi"}]`)}
	full, _ := json.Marshal(c)
	for _, want := range []string{`"summary":"Caller booked a plumber."`, `"transcript":[{`, `"custom_metadata":null`, `"initial_context":null`} {
		if !strings.Contains(string(full), want) {
			t.Errorf("full JSON %s lacks %s", full, want)
		}
	}
	red, _ := json.Marshal(c.Redacted())
	for _, gone := range []string{"summary", "transcript", "custom_metadata"} {
		if strings.Contains(string(red), `"`+gone+`"`) {
			t.Errorf("redacted JSON %s still has %s", red, gone)
		}
	}
	if !strings.Contains(string(red), `"id":"x"`) {
		t.Errorf("redacted JSON lost the rest: %s", red)
	}
}

func TestTerminalStatuses(t *testing.T) {
	t.Parallel()
	for _, s := range agentplane.TerminalStatuses {
		if !agentplane.Terminal(s) || !agentplane.ValidStatus(s) {
			t.Errorf("%s", s)
		}
	}
	for _, s := range agentplane.OpenStatuses {
		if agentplane.Terminal(s) || !agentplane.ValidStatus(s) {
			t.Errorf("%s", s)
		}
	}
	if agentplane.ValidStatus("done") {
		t.Error("unknown status valid")
	}
}
