package agentplane

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// at is a step time n milliseconds into the epoch.
func at(n int64) Time { return TimeOf(time.UnixMilli(n)) }

func statuses(w *Workflow) []StepStatus {
	out := make([]StepStatus, len(w.Steps))
	for i, s := range w.Steps {
		out[i] = s.Status
	}
	return out
}

func sameStatuses(t *testing.T, w *Workflow, want ...StepStatus) {
	t.Helper()
	got := statuses(w)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
}

// TestWorkflowRunsStepsInOrder walks a workflow through an attempt that
// fails in its second step, a retry that succeeds, a step that skips
// itself, and the end.
func TestWorkflowRunsStepsInOrder(t *testing.T) {
	w := &Workflow{Status: WorkflowQueued, Steps: NewSteps("a", "b", "c")}
	t1, t2, t3 := at(1), at(2), at(3)

	i, ok := w.NextStep()
	if !ok || i != 0 {
		t.Fatalf("NextStep = %d, %v; want 0, true", i, ok)
	}
	w.StartStep(0, t1)
	if w.Status != WorkflowRunning || w.Steps[0].StartedAt == nil || *w.Steps[0].StartedAt != t1 {
		t.Fatalf("StartStep: workflow %s, step %+v", w.Status, w.Steps[0])
	}
	w.FinishStep(0, t2)
	sameStatuses(t, w, StepSucceeded, StepPending, StepPending)

	if i, _ = w.NextStep(); i != 1 {
		t.Fatalf("NextStep = %d after the first step, want 1", i)
	}
	w.StartStep(1, t2)
	w.RetryStep(1, t3) // a failure a later attempt may fix
	sameStatuses(t, w, StepSucceeded, StepPending, StepPending)
	if w.Finished() {
		t.Fatal("a workflow with a step to retry is finished")
	}

	// A crash mid-step leaves it running; the next attempt picks it up.
	w.StartStep(1, t3)
	if i, _ = w.NextStep(); i != 1 {
		t.Fatalf("NextStep = %d with step 1 left running, want 1", i)
	}
	w.FinishStep(1, t3)
	w.StartStep(2, t3)
	w.SkipStep(2)
	w.FinishStep(2, t3)
	sameStatuses(t, w, StepSucceeded, StepSucceeded, StepSkipped)
	if _, ok := w.NextStep(); ok {
		t.Fatal("NextStep found a step after the last")
	}
	w.Succeed(t3)
	if !w.Finished() || w.Status != WorkflowSucceeded {
		t.Fatalf("after Succeed: %s", w.Status)
	}
}

func TestWorkflowFailAtSkipsTheRest(t *testing.T) {
	w := &Workflow{Status: WorkflowQueued, Steps: NewSteps("a", "b", "c", "d")}
	w.StartStep(0, at(1))
	w.FinishStep(0, at(1))
	w.StartStep(1, at(2))
	w.FailAt(1, at(3), "could not read the site")
	sameStatuses(t, w, StepSucceeded, StepFailed, StepSkipped, StepSkipped)
	if w.Status != WorkflowFailed || w.Error == nil || *w.Error != "could not read the site" || !w.Finished() {
		t.Fatalf("after FailAt: status %s, error %v", w.Status, w.Error)
	}
	if w.Steps[1].FinishedAt == nil || *w.Steps[1].FinishedAt != at(3) {
		t.Fatalf("the failed step has no end time: %+v", w.Steps[1])
	}
	if _, ok := w.NextStep(); ok {
		t.Fatal("a failed workflow has a next step")
	}
}

func TestPermanent(t *testing.T) {
	base := Errorf(EInvalid, "could not read example.com")
	if Permanent(nil) != nil {
		t.Fatal("Permanent(nil) is not nil")
	}
	p := Permanent(base)
	wrapped := fmt.Errorf("step fetch_site: %w", p)
	for _, c := range []struct {
		err  error
		want bool
	}{
		{base, false}, {errors.New("connection reset"), false}, {nil, false},
		{p, true}, {wrapped, true},
	} {
		if got := IsPermanent(c.err); got != c.want {
			t.Errorf("IsPermanent(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	// The user's message survives the mark.
	if e, ok := errors.AsType[*Error](wrapped); !ok || e.Message != "could not read example.com" || p.Error() != base.Error() {
		t.Fatalf("the marked error lost its message: %v", wrapped)
	}
}
