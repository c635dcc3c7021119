package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/agentplane/agentplane/client"
	"github.com/google/uuid"
)

func webhooksCommand() *Command {
	return &Command{Name: "webhooks", Summary: "signed HTTP callbacks for the organization's events", Subs: []*Command{
		{Name: "list", Synopsis: "[-o json]", Summary: "list the webhooks",
			Flags: func(fs *flag.FlagSet) Run {
				out := outputFlag(fs)
				return func(ctx context.Context, io IO, args []string) error {
					c, asJSON, err := start(io, out, args)
					if err != nil {
						return err
					}
					hooks, err := collect(c.Webhooks(ctx, nil), 0)
					if err != nil {
						return err
					}
					if asJSON {
						return printJSON(io.Stdout, hooks)
					}
					rows := make([][]string, len(hooks))
					for i, h := range hooks {
						rows[i] = []string{h.Id.String(), h.Url, strings.Join(h.Events, " "), yesNo(h.Enabled), orDash(h.DisabledReason)}
					}
					return table(io.Stdout, []string{"ID", "URL", "EVENTS", "ENABLED", "DISABLED BECAUSE"}, rows)
				}
			}},
		{Name: "create", Synopsis: "--url URL --event PATTERN… [--description TEXT] [-o json]",
			Summary: "create a webhook; its signing secret is shown this once",
			Flags: func(fs *flag.FlagSet) Run {
				out := outputFlag(fs)
				u := fs.String("url", "", "where events are POSTed (required)")
				desc := fs.String("description", "", "what it is for")
				var events list
				fs.Var(&events, "event", "an event type (version.published), a family (agent.*) or * (repeatable; required)")
				return func(ctx context.Context, io IO, args []string) error {
					c, asJSON, err := start(io, out, args)
					if err != nil {
						return err
					}
					if *u == "" || len(events) == 0 {
						return Usagef("--url and at least one --event are required")
					}
					in := client.WebhookInput{Url: *u, Events: events}
					if *desc != "" {
						in.Description = desc
					}
					r, err := c.CreateWebhookWithResponse(ctx, nil, in)
					if err := check(r, err); err != nil {
						return err
					}
					if asJSON {
						return printBody(io.Stdout, r.Body)
					}
					h := r.JSON201
					if err := fields(io.Stdout, "id", h.Id.String(), "url", h.Url, "events", strings.Join(h.Events, " "), "secret", h.Secret); err != nil {
						return err
					}
					fmt.Fprintln(io.Stderr, "Keep the secret: it is not shown again. Receivers check each delivery's signature with it.")
					return nil
				}
			}},
		{Name: "delete", Synopsis: "WEBHOOK_ID", Summary: "delete a webhook; deliveries not yet made are dropped",
			Flags: func(fs *flag.FlagSet) Run {
				return func(ctx context.Context, io IO, args []string) error {
					c, _, err := start(io, nil, args, "WEBHOOK_ID")
					if err != nil {
						return err
					}
					id, err := uuid.Parse(args[0])
					if err != nil {
						return Usagef("%q is not a webhook id", args[0])
					}
					r, err := c.DeleteWebhookWithResponse(ctx, id, nil)
					if err := check(r, err); err != nil {
						return err
					}
					fmt.Fprintf(io.Stdout, "deleted webhook %s\n", id)
					return nil
				}
			}},
	}}
}
