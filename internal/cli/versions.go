package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/agentplane/agentplane/client"
)

func versionsCommand() *Command {
	return &Command{Name: "versions", Summary: "an agent's versions", Subs: []*Command{
		{Name: "list", Synopsis: "AGENT [-o json]", Summary: "list an agent's versions, newest first",
			Flags: func(fs *flag.FlagSet) Run {
				out := outputFlag(fs)
				return func(ctx context.Context, io IO, args []string) error {
					c, id, asJSON, err := startAgent(ctx, io, out, args, "AGENT")
					if err != nil {
						return err
					}
					vs, err := collect(c.Versions(ctx, id, nil), 0)
					if err != nil {
						return err
					}
					if asJSON {
						return printJSON(io.Stdout, vs)
					}
					rows := make([][]string, len(vs))
					for i, v := range vs {
						rows[i] = []string{strconv.Itoa(v.Version), yesNo(v.Published), v.Description, actorName(v.CreatedBy), when(v.UpdatedAt)}
					}
					return table(io.Stdout, []string{"VERSION", "PUBLISHED", "DESCRIPTION", "AUTHOR", "UPDATED"}, rows)
				}
			}},
		{Name: "get", Synopsis: "AGENT VERSION [-o json]", Summary: "show a version (a number or latest) with its config",
			Flags: func(fs *flag.FlagSet) Run {
				out := outputFlag(fs)
				return func(ctx context.Context, io IO, args []string) error {
					c, id, asJSON, err := startAgent(ctx, io, out, args, "AGENT", "VERSION")
					if err != nil {
						return err
					}
					r, err := c.GetVersionWithResponse(ctx, id, args[1], nil)
					if err := check(r, err); err != nil {
						return err
					}
					if asJSON {
						return printBody(io.Stdout, r.Body)
					}
					v := r.JSON200
					if err := fields(io.Stdout, "agent", v.AgentId.String(), "version", strconv.Itoa(v.Version),
						"published", yesNo(v.Published), "description", v.Description, "author", actorName(v.CreatedBy),
						"instructions", string(v.InstructionsStatus)); err != nil {
						return err
					}
					fmt.Fprintln(io.Stdout, "config:")
					return printJSON(io.Stdout, v.Config)
				}
			}},
		{Name: "diff", Synopsis: "AGENT FROM TO [-o json]", Summary: "the JSON Patch that turns version FROM's config into TO's",
			Flags: func(fs *flag.FlagSet) Run {
				out := outputFlag(fs)
				return func(ctx context.Context, io IO, args []string) error {
					c, asJSON, err := start(io, out, args, "AGENT", "FROM", "TO")
					if err != nil {
						return err
					}
					id, from, to, err := agentAndTwo(ctx, c, args)
					if err != nil {
						return err
					}
					r, err := c.DiffVersionsWithResponse(ctx, id, &client.DiffVersionsParams{From: from, To: to})
					if err := check(r, err); err != nil {
						return err
					}
					if asJSON {
						return printBody(io.Stdout, r.Body)
					}
					if len(*r.JSON200) == 0 {
						fmt.Fprintf(io.Stdout, "versions %d and %d have the same config\n", from, to)
					}
					for _, op := range *r.JSON200 {
						fmt.Fprintln(io.Stdout, patchLine(op))
					}
					return nil
				}
			}},
		{Name: "compare", Synopsis: "AGENT FROM TO", Summary: "a written summary of what changed between two versions (needs the server's LLM)",
			Flags: func(fs *flag.FlagSet) Run {
				return func(ctx context.Context, io IO, args []string) error {
					c, _, err := start(io, nil, args, "AGENT", "FROM", "TO")
					if err != nil {
						return err
					}
					id, from, to, err := agentAndTwo(ctx, c, args)
					if err != nil {
						return err
					}
					r, err := c.CompareVersionsWithResponse(ctx, id, nil, client.CompareVersionsJSONRequestBody{FromVersion: from, ToVersion: to})
					if err := check(r, err); err != nil {
						return err
					}
					_, err = io.Stdout.Write(r.Body)
					if err == nil && !strings.HasSuffix(string(r.Body), "\n") {
						_, err = fmt.Fprintln(io.Stdout)
					}
					return err
				}
			}},
		{Name: "publish", Synopsis: "AGENT VERSION [--description TEXT] [--number E164]… [-o json]",
			Summary: "publish a version (it goes live) and pin it on phone numbers",
			Flags: func(fs *flag.FlagSet) Run {
				out := outputFlag(fs)
				desc := fs.String("description", "", "the publish note")
				var numbers, unassign list
				fs.Var(&numbers, "number", "a phone number to pin this version on (repeatable)")
				fs.Var(&unassign, "unassign", "a phone number to take this agent off (repeatable)")
				direction := fs.String("direction", "", "inbound, outbound or both (default both)")
				return func(ctx context.Context, io IO, args []string) error {
					c, id, asJSON, err := startAgent(ctx, io, out, args, "AGENT", "VERSION")
					if err != nil {
						return err
					}
					in := client.PublishInput{}
					if *desc != "" {
						in.Description = desc
					}
					if len(numbers) > 0 {
						in.PhoneNumbers = (*[]string)(&numbers)
					}
					if len(unassign) > 0 {
						in.UnassignPhoneNumbers = (*[]string)(&unassign)
					}
					if *direction != "" {
						in.Direction = (*client.PublishDirection)(direction)
					}
					r, err := c.PublishVersionWithResponse(ctx, id, args[1], nil, in)
					if err := check(r, err); err != nil {
						return err
					}
					if asJSON {
						return printBody(io.Stdout, r.Body)
					}
					fmt.Fprintf(io.Stdout, "published version %s of agent %s\n", args[1], id)
					if changed := *r.JSON200; len(changed) > 0 {
						rows := make([][]string, len(changed))
						for i, n := range changed {
							rows[i] = numberRow(n)
						}
						return table(io.Stdout, numberHeader, rows)
					}
					return nil
				}
			}},
	}}
}

// agentAndTwo resolves AGENT FROM TO.
func agentAndTwo(ctx context.Context, c *client.Client, args []string) (client.AgentID, int, int, error) {
	from, err1 := strconv.Atoi(args[1])
	to, err2 := strconv.Atoi(args[2])
	if err1 != nil || err2 != nil {
		return client.AgentID{}, 0, 0, Usagef("FROM and TO are version numbers")
	}
	id, err := resolveAgent(ctx, c, args[0])
	return id, from, to, err
}

// patchLine shows one JSON Patch operation on a line.
func patchLine(op client.PatchOp) string {
	sign := map[client.PatchOpOp]string{"add": "+", "remove": "-", "replace": "~", "move": ">", "copy": "=", "test": "?"}[op.Op]
	line := fmt.Sprintf("%s %s %s", sign, op.Op, op.Path)
	if op.From != nil {
		line += " from " + *op.From
	}
	if op.Op != "remove" && op.Op != "move" {
		v, _ := json.Marshal(op.Value)
		line += " " + string(v)
	}
	return line
}

func actorName(a *client.Actor) string {
	if a == nil {
		return "-"
	}
	if a.Name != "" {
		return a.Name
	}
	return a.Id
}

// list is a repeatable string flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

// Type names the flag's kind in the help: each use gives one string.
func (l *list) Type() string { return "string" }
