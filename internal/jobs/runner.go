package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/agentplane/agentplane"
)

// step does one step of a workflow; it reads and writes the workflow (its
// state, or its agent and version). It must be idempotent: a crash after
// its effect but before its step is marked succeeded runs it again. Errors
// that no retry can change are returned as agentplane.Permanent.
type step func(ctx context.Context, c *agentplane.Caller, w *agentplane.Workflow, i int) error

// stepsOf maps each workflow kind's step names to their functions.
func (q *Queue) stepsOf(kind string) (map[string]step, bool) {
	switch kind {
	case agentplane.KindGenerateInstructions:
		return map[string]step{"generate_instructions": q.stepGenerate}, true
	case agentplane.KindCreateFromWebsite, agentplane.KindCreateDemo:
		return q.scaffoldSteps(), true
	}
	return nil, false
}

// run does the workflow's remaining steps in order, recording each step's
// start and end. River calls it on every attempt; a failed step returns
// its error so River retries, unless it is permanent or this is the final
// attempt: then the failure is recorded as the workflow's end.
func (q *Queue) run(ctx context.Context, args WorkflowArgs, final bool) error {
	w, err := q.svc.WorkflowToRun(ctx, agentplane.SystemCaller(args.OrganizationID), args.WorkflowID)
	if agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
		return nil // deleted with its organization: nothing to do
	} else if err != nil {
		return err
	}
	if w.Finished() {
		return nil // a duplicate delivery of a finished job
	}
	c := agentplane.SystemCaller(w.OrganizationID)
	steps, known := q.stepsOf(w.Kind)
	for {
		i, ok := w.NextStep()
		if !ok {
			break
		}
		fn, ok := steps[w.Steps[i].Name]
		if !known || !ok {
			return q.fail(ctx, c, &w, i, fmt.Errorf("no step %q in a workflow of kind %q", w.Steps[i].Name, w.Kind))
		}
		w.StartStep(i, q.stamp())
		if err := q.svc.SaveWorkflow(ctx, c, w); err != nil {
			return err
		}
		if err := fn(ctx, c, &w, i); err != nil {
			if final || agentplane.IsPermanent(err) {
				return q.fail(ctx, c, &w, i, err)
			}
			w.RetryStep(i, q.stamp())
			if serr := q.svc.SaveWorkflow(ctx, c, w); serr != nil {
				// The next attempt finds the step running and runs it
				// again all the same.
				q.opts.Logger.WarnContext(ctx, "workflow step retry not recorded", "workflow_id", w.ID, "err", serr)
			}
			return err
		}
		w.FinishStep(i, q.stamp())
		if err := q.svc.SaveWorkflow(ctx, c, w); err != nil {
			return err
		}
	}
	w.Succeed(q.stamp())
	return q.svc.SucceedWorkflow(ctx, c, w)
}

// fail records the workflow's failed end at step i; the service takes
// back, in the same transaction, what the workflow made (a scaffolded
// agent, or the version it added to an existing one).
func (q *Queue) fail(ctx context.Context, c *agentplane.Caller, w *agentplane.Workflow, i int, cause error) error {
	// Recorded even when the attempt's context has ended (its timeout, or
	// a shutdown cancelling the last attempt): River won't run the job
	// again, so a failure not recorded now would leave the workflow
	// running forever, and what it made behind.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	// Users see what they can act on; anything else (a network or
	// database failure, whose text may name internal addresses) stays in
	// the server log, which the workflow id finds (SPEC §24).
	msg := "the step failed on the server; the operator's log has the details under workflow_id " + w.ID
	if e, ok := errors.AsType[*agentplane.Error](cause); ok {
		msg = e.Message
	}
	w.FailAt(i, q.stamp(), msg)
	q.opts.Logger.WarnContext(ctx, "workflow failed", "workflow_id", w.ID, "kind", w.Kind, "step", w.Steps[i].Name, "err", cause)
	return q.svc.FailWorkflow(ctx, c, *w)
}

// recordTimeout bounds recording a workflow's failure.
const recordTimeout = 30 * time.Second

// answer marks the service's answers about the data permanent (not
// found, conflict, invalid input, not configured): the same call gets the
// same answer on every attempt. Anything else (the database, the network,
// a timeout) may pass and is retried.
func answer(err error) error {
	if e, ok := errors.AsType[*agentplane.Error](err); ok && e.Code != agentplane.EInternal {
		return agentplane.Permanent(err)
	}
	return err
}
