package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/agentplane/agentplane/client"
)

func workflowsCommand() *Command {
	return &Command{Name: "workflows", Summary: "background work: instruction generation, agents from websites", Subs: []*Command{
		{Name: "get", Synopsis: "WORKFLOW_ID [--wait] [-o json]", Summary: "show a workflow and its steps; --wait follows it to the end",
			Flags: func(fs *flag.FlagSet) Run {
				out := outputFlag(fs)
				wait := fs.Bool("wait", false, "poll until the workflow succeeds or fails, showing its steps on a terminal")
				every := fs.Duration("interval", 500*time.Millisecond, "how often --wait polls")
				timeout := fs.Duration("timeout", 15*time.Minute, "how long --wait waits at most")
				return func(ctx context.Context, io IO, args []string) error {
					c, asJSON, err := start(io, out, args, "WORKFLOW_ID")
					if err != nil {
						return err
					}
					if *every <= 0 {
						return Usagef("--interval must be positive")
					}
					get := func() (*client.GetWorkflowResponse, error) {
						r, err := c.GetWorkflowWithResponse(ctx, args[0], nil)
						return r, check(r, err)
					}
					r, err := get()
					if err != nil {
						return err
					}
					if *wait {
						if r, err = follow(ctx, io, r, get, *every, *timeout); err != nil {
							return err
						}
					}
					if asJSON {
						err = printBody(io.Stdout, r.Body)
					} else {
						err = printWorkflow(io, r.JSON200)
					}
					if err == nil && *wait && r.JSON200.Status == client.WorkflowStatusFailed {
						err = fmt.Errorf("workflow %s failed: %s", args[0], orDash(r.JSON200.Error))
					}
					return err
				}
			}},
	}}
}

func finished(s client.WorkflowStatus) bool {
	return s == client.WorkflowStatusSucceeded || s == client.WorkflowStatusFailed
}

// follow polls a workflow until it finishes. On a terminal it shows each
// step as it ends and the running one on a line redrawn in place.
func follow(ctx context.Context, io IO, r *client.GetWorkflowResponse, get func() (*client.GetWorkflowResponse, error),
	every, timeout time.Duration) (*client.GetWorkflowResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	shown := map[string]bool{} // steps whose end is on screen
	began := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if io.Terminal {
			progress(io, r.JSON200, shown, time.Since(began))
		}
		if finished(r.JSON200.Status) {
			return r, nil
		}
		select {
		case <-ctx.Done():
			if io.Terminal {
				fmt.Fprintln(io.Stderr)
			}
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("workflow %s still %s after %s", r.JSON200.WorkflowId, r.JSON200.Status, timeout)
			}
			return nil, ctx.Err()
		case <-tick.C:
		}
		next, err := get()
		if err != nil {
			return nil, err
		}
		r = next
	}
}

// progress redraws the workflow's state on stderr: a line for each step
// that ended since the last call, then the current one.
func progress(io IO, w *client.Workflow, shown map[string]bool, elapsed time.Duration) {
	const clear = "\r\033[K"
	current := ""
	done := 0
	for _, s := range w.Steps {
		switch s.Status {
		case client.WorkflowStepsStatusSucceeded, client.WorkflowStepsStatusFailed, client.WorkflowStepsStatusSkipped:
			done++
			if !shown[s.Name] {
				shown[s.Name] = true
				mark := map[client.WorkflowStepsStatus]string{"succeeded": "✓", "failed": "✗", "skipped": "–"}[s.Status]
				took := ""
				if s.StartedAt != nil && s.FinishedAt != nil {
					took = " " + s.FinishedAt.Sub(*s.StartedAt).Round(100*time.Millisecond).String()
				}
				fmt.Fprintf(io.Stderr, "%s%s %s%s\n", clear, mark, s.Name, took)
			}
		case client.WorkflowStepsStatusRunning:
			current = s.Name
		}
	}
	if finished(w.Status) {
		fmt.Fprintf(io.Stderr, "%s%s %s in %s\n", clear, w.Kind, w.Status, elapsed.Round(100*time.Millisecond))
		return
	}
	if current == "" {
		current = string(w.Status)
	}
	fmt.Fprintf(io.Stderr, "%s[%d/%d] %s… %s", clear, done, len(w.Steps), current, elapsed.Round(time.Second))
}

func printWorkflow(io IO, w *client.Workflow) error {
	if err := fields(io.Stdout, "workflow", w.WorkflowId.String(), "kind", string(w.Kind), "status", string(w.Status),
		"agent", orDash(w.AgentId), "version", orDash(w.Version), "error", orDash(w.Error)); err != nil {
		return err
	}
	fmt.Fprintln(io.Stdout)
	rows := make([][]string, len(w.Steps))
	for i, s := range w.Steps {
		took := "-"
		if s.StartedAt != nil && s.FinishedAt != nil {
			took = s.FinishedAt.Sub(*s.StartedAt).Round(time.Millisecond).String()
		}
		rows[i] = []string{s.Name, string(s.Status), took}
	}
	return table(io.Stdout, []string{"STEP", "STATUS", "TOOK"}, rows)
}
