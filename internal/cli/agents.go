package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"iter"
	"strings"

	"github.com/agentplane/agentplane/client"
	"github.com/google/uuid"
)

func agentsCommand() *Command {
	return &Command{Name: "agents", Summary: "the organization's agents", Subs: []*Command{
		{Name: "list", Synopsis: "[--name NAME] [-o json]", Summary: "list the agents, newest first",
			Flags: func(fs *flag.FlagSet) Run {
				out := outputFlag(fs)
				name := fs.String("name", "", "only agents whose name matches")
				limit := fs.Int("limit", 0, "at most this many (0: all)")
				return func(ctx context.Context, io IO, args []string) error {
					c, asJSON, err := start(io, out, args)
					if err != nil {
						return err
					}
					p := &client.ListAgentsParams{}
					if *name != "" {
						p.Name = name
					}
					agents, err := collect(c.Agents(ctx, p), *limit)
					if err != nil {
						return err
					}
					if asJSON {
						return printJSON(io.Stdout, agents)
					}
					rows := make([][]string, len(agents))
					for i, a := range agents {
						rows[i] = []string{a.Id.String(), a.Name, yesNo(a.Active), orDash(a.LiveVersion), when(a.UpdatedAt)}
					}
					return table(io.Stdout, []string{"ID", "NAME", "ACTIVE", "LIVE", "UPDATED"}, rows)
				}
			}},
		agentLeaf("get", "show an agent (by id or exact name) with its versions and numbers",
			func(ctx context.Context, c *client.Client, id client.AgentID) (client.Response, *client.AgentDetail, error) {
				r, err := c.GetAgentWithResponse(ctx, id, nil)
				if err != nil {
					return nil, nil, err
				}
				return r, r.JSON200, nil
			},
			func(io IO, _ client.AgentID, a *client.AgentDetail) error { return printAgent(io, a) }),
		{Name: "create", Synopsis: "--name NAME [--description TEXT] [-o json]", Summary: "create an agent",
			Flags: func(fs *flag.FlagSet) Run {
				out := outputFlag(fs)
				name := fs.String("name", "", "the agent's name (required)")
				desc := fs.String("description", "", "what the agent is for")
				inactive := fs.Bool("inactive", false, "create it inactive")
				return func(ctx context.Context, io IO, args []string) error {
					c, asJSON, err := start(io, out, args)
					if err != nil {
						return err
					}
					if strings.TrimSpace(*name) == "" {
						return Usagef("--name is required")
					}
					in := client.AgentInput{Name: *name, Description: desc, Active: new(!*inactive)}
					r, err := c.CreateAgentWithResponse(ctx, nil, in)
					if err := check(r, err); err != nil {
						return err
					}
					if asJSON {
						return printBody(io.Stdout, r.Body)
					}
					a := r.JSON201
					return fields(io.Stdout, "id", a.Id.String(), "name", a.Name, "active", yesNo(a.Active))
				}
			}},
		{Name: "delete", Synopsis: "AGENT", Summary: "delete an agent with its versions (its conversations stay)",
			Flags: func(fs *flag.FlagSet) Run {
				return func(ctx context.Context, io IO, args []string) error {
					c, id, _, err := startAgent(ctx, io, nil, args, "AGENT")
					if err != nil {
						return err
					}
					r, err := c.DeleteAgentWithResponse(ctx, id, nil)
					if err := check(r, err); err != nil {
						return err
					}
					fmt.Fprintf(io.Stdout, "deleted agent %s\n", id)
					return nil
				}
			}},
	}}
}

// agentLeaf is a leaf that takes AGENT (an id or exact name) and -o json:
// call makes its one request for the agent, and show prints the answer on
// a terminal (with -o json the body goes out as the server sent it).
func agentLeaf[T any](name, summary string, call func(context.Context, *client.Client, client.AgentID) (client.Response, T, error),
	show func(IO, client.AgentID, T) error) *Command {
	return &Command{Name: name, Synopsis: "AGENT [-o json]", Summary: summary,
		Flags: func(fs *flag.FlagSet) Run {
			out := outputFlag(fs)
			return func(ctx context.Context, io IO, args []string) error {
				c, id, asJSON, err := startAgent(ctx, io, out, args, "AGENT")
				if err != nil {
					return err
				}
				r, v, err := call(ctx, c, id)
				if err := check(r, err); err != nil {
					return err
				}
				if asJSON {
					return printBody(io.Stdout, r.Bytes())
				}
				return show(io, id, v)
			}
		}}
}

// start is the common beginning of a leaf: its positional arguments
// checked, its output format and a client for the login.
func start(io IO, out *format, args []string, names ...string) (*client.Client, bool, error) {
	if err := wantArgs(args, names...); err != nil {
		return nil, false, err
	}
	asJSON := false
	if out != nil {
		var err error
		if asJSON, err = out.json(); err != nil {
			return nil, false, err
		}
	}
	c, err := connect(io)
	return c, asJSON, err
}

// collect gathers up to limit items of a list (0: all), with API errors
// made readable.
func collect[T any](seq iter.Seq2[T, error], limit int) ([]T, error) {
	out := []T{}
	for v, err := range seq {
		if err != nil {
			return nil, readable(err)
		}
		out = append(out, v)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

// readable makes a *client.Error an apiError.
func readable(err error) error {
	if e, ok := errors.AsType[*client.Error](err); ok {
		return apiError{e}
	}
	return err
}

// startAgent is start for a command whose first argument is AGENT: it
// also resolves the agent's id (resolveAgent).
func startAgent(ctx context.Context, io IO, out *format, args []string, names ...string) (*client.Client, client.AgentID, bool, error) {
	c, asJSON, err := start(io, out, args, names...)
	if err != nil {
		return nil, client.AgentID{}, false, err
	}
	id, err := resolveAgent(ctx, c, args[0])
	return c, id, asJSON, err
}

// resolveAgent takes an agent's id, or its exact name when that names
// exactly one agent.
func resolveAgent(ctx context.Context, c *client.Client, ref string) (client.AgentID, error) {
	if id, err := uuid.Parse(ref); err == nil {
		return id, nil
	}
	matches, err := collect(c.Agents(ctx, &client.ListAgentsParams{Name: &ref}), 0)
	if err != nil {
		return uuid.Nil, err
	}
	var ids []client.AgentID
	for _, a := range matches {
		if a.Name == ref {
			ids = append(ids, a.Id)
		}
	}
	switch len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		return uuid.Nil, Usagef("no agent is named %q (give its id or exact name)", ref)
	}
	return uuid.Nil, Usagef("%d agents are named %q: give the id", len(ids), ref)
}

// printAgent shows an agent's detail as a person reads it.
func printAgent(io IO, a *client.AgentDetail) error {
	meta, _ := json.Marshal(a.Metadata)
	if err := fields(io.Stdout, "id", a.Id.String(), "name", a.Name, "description", a.Description,
		"active", yesNo(a.Active), "demo", yesNo(a.IsDemo), "metadata", string(meta),
		"live version", orDash(a.LiveVersion), "latest published", orDash(a.LatestPublishedVersion),
		"conversations", fmt.Sprint(a.ConversationStats.Total)); err != nil {
		return err
	}
	if len(a.Versions) > 0 {
		fmt.Fprintln(io.Stdout)
		rows := make([][]string, len(a.Versions))
		for i, v := range a.Versions {
			rows[i] = []string{fmt.Sprint(v.Version), yesNo(v.Published), v.Description, when(v.UpdatedAt)}
		}
		if err := table(io.Stdout, []string{"VERSION", "PUBLISHED", "DESCRIPTION", "UPDATED"}, rows); err != nil {
			return err
		}
	}
	if len(a.PhoneNumbers) > 0 {
		fmt.Fprintln(io.Stdout)
		rows := make([][]string, len(a.PhoneNumbers))
		for i, n := range a.PhoneNumbers {
			rows[i] = numberRow(n)
		}
		return table(io.Stdout, numberHeader, rows)
	}
	return nil
}
