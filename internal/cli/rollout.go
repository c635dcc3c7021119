package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"

	"github.com/agentplane/agentplane/client"
)

func rollbackCommand() *Command {
	return &Command{Name: "rollback", Synopsis: "AGENT [--to VERSION] [--description TEXT] [-o json]",
		Summary: "make an earlier published version live again (default: the one before the live one)",
		Flags: func(fs *flag.FlagSet) Run {
			out := outputFlag(fs)
			to := fs.Int("to", 0, "the published version to go back to")
			desc := fs.String("description", "", "why (kept in the deployment history)")
			return func(ctx context.Context, io IO, args []string) error {
				c, id, asJSON, err := startAgent(ctx, io, out, args, "AGENT")
				if err != nil {
					return err
				}
				in := client.RollbackInput{}
				if *to > 0 {
					in.ToVersion = to
				}
				if *desc != "" {
					in.Description = desc
				}
				r, err := c.RollbackAgentWithResponse(ctx, id, nil, in)
				if err := check(r, err); err != nil {
					return err
				}
				if asJSON {
					return printBody(io.Stdout, r.Body)
				}
				return printLiveChange(io, id, r.JSON200)
			}
		}}
}

// printLiveChange says which version went live in place of which.
func printLiveChange(io IO, id client.AgentID, l *client.Rollback) error {
	_, err := fmt.Fprintf(io.Stdout, "agent %s: live version %d (was %d)\n", id, l.LiveVersion, l.PreviousVersion)
	return err
}

func rolloutCommand() *Command {
	return &Command{Name: "rollout", Summary: "canary rollouts: a share of new conversations on a version", Subs: []*Command{
		{Name: "start", Synopsis: "AGENT --version N --percent P [--description TEXT] [-o json]",
			Summary: "send P% of new conversations to published version N",
			Flags: func(fs *flag.FlagSet) Run {
				out := outputFlag(fs)
				version := fs.Int("version", 0, "the published version to canary (required)")
				percent := fs.Int("percent", 0, "the share of new conversations it gets, 1-99 (required)")
				desc := fs.String("description", "", "why (kept in the deployment history)")
				return func(ctx context.Context, io IO, args []string) error {
					c, asJSON, err := start(io, out, args, "AGENT")
					if err != nil {
						return err
					}
					if *version <= 0 || *percent <= 0 {
						return Usagef("--version and --percent are required")
					}
					id, err := resolveAgent(ctx, c, args[0])
					if err != nil {
						return err
					}
					in := client.RolloutInput{Version: *version, Percent: *percent}
					if *desc != "" {
						in.Description = desc
					}
					r, err := c.StartRolloutWithResponse(ctx, id, nil, in)
					if err := check(r, err); err != nil {
						return err
					}
					if asJSON {
						return printBody(io.Stdout, r.Body)
					}
					return printRollout(io, id, r.JSON200)
				}
			}},
		agentLeaf("status", "show the rollout in progress with each arm's conversations",
			func(ctx context.Context, c *client.Client, id client.AgentID) (client.Response, *client.RolloutView, error) {
				r, err := c.GetRolloutWithResponse(ctx, id, nil)
				if err != nil {
					return nil, nil, err
				}
				return r, r.JSON200, nil
			}, printRollout),
		agentLeaf("promote", "make the canary version live for everyone",
			func(ctx context.Context, c *client.Client, id client.AgentID) (client.Response, *client.Rollback, error) {
				r, err := c.PromoteRolloutWithResponse(ctx, id, nil)
				if err != nil {
					return nil, nil, err
				}
				return r, r.JSON200, nil
			}, printLiveChange),
		{Name: "abort", Synopsis: "AGENT", Summary: "end the rollout: every new conversation gets the live version",
			Flags: func(fs *flag.FlagSet) Run {
				return func(ctx context.Context, io IO, args []string) error {
					c, id, _, err := startAgent(ctx, io, nil, args, "AGENT")
					if err != nil {
						return err
					}
					r, err := c.EndRolloutWithResponse(ctx, id, nil)
					if err := check(r, err); err != nil {
						return err
					}
					fmt.Fprintf(io.Stdout, "agent %s: rollout ended\n", id)
					return nil
				}
			}},
	}}
}

func printRollout(io IO, id client.AgentID, v *client.RolloutView) error {
	if v == nil {
		fmt.Fprintf(io.Stdout, "agent %s: no rollout\n", id)
		return nil
	}
	return table(io.Stdout, []string{"ARM", "VERSION", "SHARE", "CONVERSATIONS", "COMPLETION"}, [][]string{
		{"live", strconv.Itoa(v.Live.Version), fmt.Sprintf("%d%%", 100-v.Percent), strconv.Itoa(v.Live.Stats.Total), rate(v.Live.Stats.CompletionRate)},
		{"canary", strconv.Itoa(v.Canary.Version), fmt.Sprintf("%d%%", v.Percent), strconv.Itoa(v.Canary.Stats.Total), rate(v.Canary.Stats.CompletionRate)},
	})
}

func rate(r *float32) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", *r*100)
}
