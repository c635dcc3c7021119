package cli

import (
	"context"
	"flag"
	"strings"

	"github.com/agentplane/agentplane/client"
)

func auditCommand() *Command {
	return &Command{Name: "audit", Synopsis: "[--action ACTION] [--agent AGENT] [--resource-type TYPE] [--limit N] [-o json]",
		Summary: "the audit log: who changed what, newest first",
		Flags: func(fs *flag.FlagSet) Run {
			out := outputFlag(fs)
			action := fs.String("action", "", "an action (version.published) or a family (agent.*)")
			agent := fs.String("agent", "", "only changes to this agent (id or exact name)")
			resource := fs.String("resource-type", "", "only changes to this kind of resource (agent, version, webhook…)")
			limit := fs.Int("limit", 50, "at most this many entries (0: all)")
			return func(ctx context.Context, io IO, args []string) error {
				c, asJSON, err := start(io, out, args)
				if err != nil {
					return err
				}
				p := &client.ListAuditLogParams{}
				if *action != "" {
					p.Action = action
				}
				if *resource != "" {
					p.ResourceType = resource
				}
				if *agent != "" {
					id, err := resolveAgent(ctx, c, *agent)
					if err != nil {
						return err
					}
					p.AgentId = &id
				}
				entries, err := collect(c.AuditLog(ctx, p), *limit)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(io.Stdout, entries)
				}
				rows := make([][]string, len(entries))
				for i, e := range entries {
					paths := make([]string, 0, len(e.Changes))
					for _, ch := range e.Changes {
						paths = append(paths, ch.Path)
					}
					rows[i] = []string{when(e.OccurredAt), string(e.Action), e.ResourceType + " " + e.ResourceId,
						actorName(&e.Actor), string(e.Via), strings.Join(paths, " ")}
				}
				return table(io.Stdout, []string{"WHEN", "ACTION", "RESOURCE", "ACTOR", "VIA", "CHANGED"}, rows)
			}
		}}
}
