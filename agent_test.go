package agentplane_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/agentplane/agentplane"
)

func ptr[T any](v T) *T { return &v }

func TestAgentInputValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		in      agentplane.AgentInput
		create  bool
		wantLoc string // "" when valid
	}{
		{"name required on create", agentplane.AgentInput{}, true, "name"},
		{"name optional on update", agentplane.AgentInput{}, false, ""},
		{"blank name", agentplane.AgentInput{Name: ptr("   ")}, true, "name"},
		{"201 chars", agentplane.AgentInput{Name: ptr(strings.Repeat("é", 201))}, true, "name"},
		{"200 chars", agentplane.AgentInput{Name: ptr(strings.Repeat("é", 200))}, true, ""},
		{"metadata array", agentplane.AgentInput{Name: ptr("a"), Metadata: json.RawMessage(`[1]`)}, true, "metadata"},
		{"metadata null", agentplane.AgentInput{Name: ptr("a"), Metadata: json.RawMessage(`null`)}, true, "metadata"},
		{"metadata too big", agentplane.AgentInput{Name: ptr("a"), Metadata: json.RawMessage(`{"k":"` + strings.Repeat("x", 16<<10) + `"}`)}, true, "metadata"},
	} {
		err := tc.in.Validate(tc.create)
		if tc.wantLoc == "" {
			if err != nil {
				t.Errorf("%s: unexpected error %v", tc.name, err)
			}
			continue
		}
		e, ok := err.(*agentplane.Error)
		if !ok || e.Code != agentplane.EInvalid || len(e.Fields) != 1 || e.Fields[0].Loc[1] != tc.wantLoc {
			t.Errorf("%s: got %#v, want one violation at %s", tc.name, err, tc.wantLoc)
		}
	}
}

func TestAgentInputNormalizes(t *testing.T) {
	t.Parallel()
	in := agentplane.AgentInput{Name: ptr("  Front desk  "), Metadata: json.RawMessage("{ \"a\" : [ 1, 2 ] }")}
	if err := in.Validate(true); err != nil {
		t.Fatal(err)
	}
	if *in.Name != "Front desk" || string(in.Metadata) != `{"a":[1,2]}` {
		t.Errorf("normalized to %q %s", *in.Name, in.Metadata)
	}
}

func TestTimeJSON(t *testing.T) {
	t.Parallel()
	tm := agentplane.TimeFromMillis(1764331200000) // 2025-11-28T12:00:00Z
	b, _ := json.Marshal(tm)
	if string(b) != `"2025-11-28T12:00:00.000Z"` {
		t.Errorf("marshal = %s, want milliseconds always present", b)
	}
	for _, s := range []string{"1764331200000", "2025-11-28T12:00:00Z", "2025-11-28T13:00:00+01:00"} {
		got, ok := agentplane.ParseTime(s)
		if !ok || got.Millis() != tm.Millis() {
			t.Errorf("ParseTime(%q) = %v %v", s, got, ok)
		}
	}
	if _, ok := agentplane.ParseTime("yesterday"); ok {
		t.Error("ParseTime accepted garbage")
	}
}
