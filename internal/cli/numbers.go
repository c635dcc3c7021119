package cli

import (
	"context"
	"flag"

	"github.com/agentplane/agentplane/client"
)

var numberHeader = []string{"NUMBER", "LABEL", "INBOUND AGENT", "IN VERSION", "OUTBOUND AGENT", "OUT VERSION"}

func numberRow(n client.PhoneNumber) []string {
	return []string{n.PhoneNumber, orDash(n.Label), orDash(n.InboundAgentId), orDash(n.InboundVersion),
		orDash(n.OutboundAgentId), orDash(n.OutboundVersion)}
}

func numbersCommand() *Command {
	return &Command{Name: "numbers", Summary: "the organization's phone numbers", Subs: []*Command{
		{Name: "list", Synopsis: "[-o json]", Summary: "list the phone numbers with the agent versions on them",
			Flags: func(fs *flag.FlagSet) Run {
				out := outputFlag(fs)
				return func(ctx context.Context, io IO, args []string) error {
					c, asJSON, err := start(io, out, args)
					if err != nil {
						return err
					}
					ns, err := collect(c.PhoneNumbers(ctx, nil), 0)
					if err != nil {
						return err
					}
					if asJSON {
						return printJSON(io.Stdout, ns)
					}
					rows := make([][]string, len(ns))
					for i, n := range ns {
						rows[i] = numberRow(n)
					}
					return table(io.Stdout, numberHeader, rows)
				}
			}},
		{Name: "add", Synopsis: "E164 [--label TEXT] [--trunk-id ID] [-o json]", Summary: "register a phone number (E.164, e.g. +14155550100)",
			Flags: func(fs *flag.FlagSet) Run {
				out := outputFlag(fs)
				label := fs.String("label", "", "a name for people")
				trunk := fs.String("trunk-id", "", "the SIP trunk it arrives on")
				return func(ctx context.Context, io IO, args []string) error {
					c, asJSON, err := start(io, out, args, "E164")
					if err != nil {
						return err
					}
					in := client.PhoneNumberInput{PhoneNumber: args[0]}
					if *label != "" {
						in.Label = label
					}
					if *trunk != "" {
						in.TrunkId = trunk
					}
					r, err := c.RegisterPhoneNumberWithResponse(ctx, nil, in)
					if err := check(r, err); err != nil {
						return err
					}
					if asJSON {
						return printBody(io.Stdout, r.Body)
					}
					return table(io.Stdout, numberHeader, [][]string{numberRow(*r.JSON201)})
				}
			}},
	}}
}
