package agentplane_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agentplane/agentplane"
)

// TestPublishGate walks every combination of the three instruction flags.
func TestPublishGate(t *testing.T) {
	t.Parallel()
	for _, status := range []agentplane.InstructionsStatus{agentplane.InstructionsIdle, agentplane.InstructionsGenerating, agentplane.InstructionsFailed} {
		for _, dirty := range []bool{false, true} {
			for _, manual := range []bool{false, true} {
				v := agentplane.Version{Version: 3, InstructionsStatus: status, InstructionsDirty: dirty, InstructionsManuallyEdited: manual}
				err := v.PublishGate()
				name := fmt.Sprintf("status=%s dirty=%v manual=%v", status, dirty, manual)
				switch {
				case status == agentplane.InstructionsGenerating:
					if agentplane.ErrorCodeOf(err) != agentplane.EConflict || !strings.Contains(err.Error(), "being generated") {
						t.Errorf("%s: %v, want conflict naming generation", name, err)
					}
				case dirty && !manual:
					if agentplane.ErrorCodeOf(err) != agentplane.EConflict || !strings.Contains(err.Error(), "stale") {
						t.Errorf("%s: %v, want conflict naming stale instructions", name, err)
					}
				default:
					if err != nil {
						t.Errorf("%s: %v, want publishable", name, err)
					}
				}
			}
		}
	}
}

func TestEditable(t *testing.T) {
	t.Parallel()
	if err := (agentplane.Version{Version: 2}).Editable(); err != nil {
		t.Errorf("draft not editable: %v", err)
	}
	err := agentplane.Version{Version: 2, Published: true}.Editable()
	if agentplane.ErrorCodeOf(err) != agentplane.EBadRequest || err.(*agentplane.Error).Message != "version 2 is published and cannot be changed" {
		t.Errorf("published: %v", err)
	}
}

func TestNextFromCopiesFlags(t *testing.T) {
	t.Parallel()
	msg := "boom"
	base := agentplane.Version{Version: 4, Config: []byte(`{"a":1}`), InstructionBuilderInputs: []byte(`{"company_name":"A"}`),
		InstructionsStatus: agentplane.InstructionsFailed, InstructionsError: &msg, InstructionsDirty: true, InstructionsManuallyEdited: true}
	v := agentplane.Version{Version: 5}.NextFrom(base)
	if *v.BaseVersion != 4 || string(v.Config) != `{"a":1}` || string(v.InstructionBuilderInputs) != `{"company_name":"A"}` ||
		v.InstructionsStatus != agentplane.InstructionsFailed || !v.InstructionsDirty || !v.InstructionsManuallyEdited || v.Version != 5 {
		t.Errorf("NextFrom = %+v", v)
	}
	base.InstructionsStatus = agentplane.InstructionsGenerating
	if v := (agentplane.Version{}).NextFrom(base); v.InstructionsStatus != agentplane.InstructionsIdle {
		t.Errorf("a generation in flight was copied: %s", v.InstructionsStatus)
	}
}

func TestSameJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":[1,2]}`, `{ "b":[1,2], "a":1 }`, true},
		{`{"a":1}`, `{"a":2}`, false},
		{``, `null`, true},
		{`null`, `{}`, false},
	} {
		if got := agentplane.SameJSON([]byte(tc.a), []byte(tc.b)); got != tc.want {
			t.Errorf("SameJSON(%s, %s) = %v", tc.a, tc.b, got)
		}
	}
}
