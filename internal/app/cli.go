package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/cli"
	"github.com/agentplane/agentplane/internal/config"
)

// command is one node of the command line: a group, which only names its
// subcommands, or a leaf, which registers its own flags and runs.
type command struct {
	name     string // the word that selects it; "" for the root
	synopsis string // what follows the command's path in a usage line
	summary  string // one line for the listings
	subs     []*command

	// Leaves only.
	settings config.Group // the settings it takes besides its own flags
	// flags registers the leaf's own flags on fs and returns what runs
	// once they and the settings are parsed.
	flags func(fs *flag.FlagSet) action
	// client is set instead of flags on a client command (internal/cli):
	// it takes no settings, and its positional arguments may sit among
	// its flags.
	client func(fs *flag.FlagSet) cli.Run
}

// action runs a leaf with its parsed settings.
type action func(ctx context.Context, cfg config.Config, env Env) error

// commands is the command line of the binary.
func commands() *command {
	subs := []*command{
		serveCommand(),
		migrateCommand(),
		backupCommand(),
		adminCommand(),
		{name: "version", summary: "print the version", settings: config.None,
			flags: func(*flag.FlagSet) action {
				return func(_ context.Context, _ config.Config, env Env) error {
					fmt.Fprintln(env.Stdout, "agentplane", Version)
					return nil
				}
			}},
	}
	for _, c := range cli.Commands() {
		subs = append(subs, fromClient(c))
	}
	return &command{summary: "agentplane — a self-hostable control plane for voice-AI agents", subs: subs}
}

// fromClient makes a client command a node of the command line.
func fromClient(c *cli.Command) *command {
	out := &command{name: c.Name, synopsis: c.Synopsis, summary: c.Summary, client: c.Flags}
	for _, s := range c.Subs {
		out.subs = append(out.subs, fromClient(s))
	}
	return out
}

// isHelp reports whether a word asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// dispatch walks args down from c (reached by path) to a leaf and runs it.
// A group asked for help prints its usage to stdout and succeeds; a group
// given no command or an unknown one prints it to stderr and fails.
func (c *command) dispatch(ctx context.Context, path []string, args []string, env Env) error {
	if c.flags != nil || c.client != nil {
		return c.runLeaf(ctx, path, args, env)
	}
	if len(args) == 0 {
		c.groupUsage(env.Stderr, path)
		if len(path) == 0 {
			return cli.Usagef("no command given")
		}
		return cli.Usagef("%q needs a command: %s", strings.Join(path, " "), c.subNames())
	}
	if isHelp(args[0]) {
		if args[0] == "help" && len(args) > 1 {
			// "help admin keys" is "admin keys --help".
			return c.dispatch(ctx, path, append(args[1:], "--help"), env)
		}
		c.groupUsage(env.Stdout, path)
		return nil
	}
	for _, s := range c.subs {
		if s.name == args[0] {
			return s.dispatch(ctx, append(path[:len(path):len(path)], s.name), args[1:], env)
		}
	}
	c.groupUsage(env.Stderr, path)
	return cli.Usagef("unknown command %q", strings.Join(append(path, args[0]), " "))
}

// subNames lists the group's subcommands for an error message.
func (c *command) subNames() string {
	names := make([]string, len(c.subs))
	for i, s := range c.subs {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

// runLeaf parses a leaf's flags and settings and runs it. Usage goes to
// stdout when asked for (and the command succeeds), to stderr with a
// parse error.
func (c *command) runLeaf(ctx context.Context, path []string, args []string, env Env) error {
	fs := flag.NewFlagSet("agentplane "+strings.Join(path, " "), flag.ContinueOnError)
	if c.client != nil {
		return c.runClient(ctx, path, fs, args, env)
	}
	run := c.flags(fs)
	own := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { own[f.Name] = true })
	var out bytes.Buffer
	fs.SetOutput(&out)
	fs.Usage = func() { c.leafUsage(&out, path, fs, own) }
	cfg, err := config.Load(fs, args, env.Getenv, c.settings)
	if errors.Is(err, flag.ErrHelp) {
		_, err = io.Copy(env.Stdout, &out)
		return err
	}
	_, _ = io.Copy(env.Stderr, &out)
	if err != nil {
		return cli.Usagef("%s", err)
	}
	if len(path) > 0 && path[0] == "admin" {
		// Changes an operator makes here are audited as the command
		// line's (SPEC §17).
		ctx = agentplane.WithOrigin(ctx, agentplane.Origin{Via: "cli"})
	}
	return run(ctx, cfg, env)
}

// runClient parses a client command's flags, which may come before,
// between or after its positional arguments, and runs it.
func (c *command) runClient(ctx context.Context, path []string, fs *flag.FlagSet, args []string, env Env) error {
	run := c.client(fs)
	own := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { own[f.Name] = true })
	var out bytes.Buffer
	fs.SetOutput(&out)
	fs.Usage = func() { c.leafUsage(&out, path, fs, own) }
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			_, err = io.Copy(env.Stdout, &out)
			return err
		}
		if err != nil {
			_, _ = io.Copy(env.Stderr, &out)
			return cli.Usagef("%s", err)
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	err := run(ctx, cli.IO{Stdin: env.Stdin, Stdout: env.Stdout, Stderr: env.Stderr, Getenv: env.Getenv, Terminal: env.Terminal}, positional)
	if errors.As(err, new(*cli.UsageError)) {
		fmt.Fprintf(env.Stderr, "Usage:\n  %s\n", strings.Join(append([]string{"agentplane"}, append(path, c.synopsis)...), " "))
	}
	return err
}

// groupUsage lists every command under the group with its synopsis.
func (c *command) groupUsage(w io.Writer, path []string) {
	var b strings.Builder
	if c.summary != "" {
		b.WriteString(c.summary + "\n\n")
	}
	prefix := strings.Join(append([]string{"agentplane"}, path...), " ")
	fmt.Fprintf(&b, "Usage:\n  %s <command> [flags]\n\nCommands:\n", prefix)
	c.walk(path, func(p []string, leaf *command) {
		line := strings.Join(p[len(path):], " ")
		if leaf.synopsis != "" {
			line += " " + leaf.synopsis
		}
		fmt.Fprintf(&b, "  %s\n        %s\n", line, leaf.summary)
	})
	fmt.Fprintf(&b, "\nRun \"%s <command> --help\" for a command's flags.\n", prefix)
	_, _ = io.WriteString(w, b.String())
}

// walk calls fn for every leaf under c, in order, with its full path.
func (c *command) walk(path []string, fn func(path []string, leaf *command)) {
	if c.flags != nil || c.client != nil {
		fn(path, c)
		return
	}
	for _, s := range c.subs {
		s.walk(append(path[:len(path):len(path)], s.name), fn)
	}
}

// leafUsage prints a leaf's usage line, summary and flags: its own first,
// then the settings it shares with serve, each with its kind.
func (c *command) leafUsage(w io.Writer, path []string, fs *flag.FlagSet, own map[string]bool) {
	var b strings.Builder
	line := strings.Join(append([]string{"agentplane"}, path...), " ")
	if c.synopsis != "" {
		line += " " + c.synopsis
	}
	fmt.Fprintf(&b, "Usage:\n  %s\n\n%s\n", line, capitalize(c.summary))
	section := func(title string, mine bool) {
		first := true
		fs.VisitAll(func(f *flag.Flag) {
			if own[f.Name] != mine {
				return
			}
			if first {
				fmt.Fprintf(&b, "\n%s:\n", title)
				first = false
			}
			kind, help := flagKind(f)
			dash := "--"
			if len(f.Name) == 1 {
				dash = "-" // -o, as people type it
			}
			if kind != "" {
				kind = " " + kind
			}
			fmt.Fprintf(&b, "  %s%s%s\n        %s", dash, f.Name, kind, help)
			if f.DefValue != "" && !(kind == "" && f.DefValue == "false") {
				if kind == " string" {
					fmt.Fprintf(&b, " (default %q)", f.DefValue)
				} else {
					fmt.Fprintf(&b, " (default %s)", f.DefValue)
				}
			}
			b.WriteString("\n")
		})
	}
	section("Flags", true)
	section("Settings (a flag overrides its variable)", false)
	_, _ = io.WriteString(w, b.String())
}

// flagKind names the kind of value a flag takes and returns its help:
// settings say their kind themselves; the standard library's flags are
// named the way flag.PrintDefaults names them.
func flagKind(f *flag.Flag) (kind, help string) {
	if v, ok := f.Value.(interface{ Type() string }); ok {
		return v.Type(), f.Usage
	}
	kind, help = flag.UnquoteUsage(f)
	return kind, help
}

// capitalize makes a summary a sentence.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}
