// Package cli is agentplane's client commands (SPEC §20): they talk to a
// server over HTTP through the Go client (never to a database), with the
// login stored by `agentplane login` or AGENTPLANE_URL, AGENTPLANE_TOKEN
// and AGENTPLANE_ORG. Agents as code — pull, plan and push of one YAML
// file per agent — is here too (ascode.go, plan.go, push.go).
//
// The binary's command line (internal/app) grafts Commands onto its own
// tree; this package knows nothing of serve or the database.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/agentplane/agentplane/client"
)

// Command is a client command: a group, which only names its
// subcommands, or a leaf, which registers its flags and runs.
type Command struct {
	Name     string // the word that selects it
	Synopsis string // what follows the command's path in a usage line
	Summary  string // one line for the listings
	Subs     []*Command
	// Flags registers the leaf's flags on fs and returns what runs once
	// they are parsed, with the positional arguments.
	Flags func(fs *flag.FlagSet) Run
}

// Run runs a leaf.
type Run func(ctx context.Context, io IO, args []string) error

// IO is what a command reads and writes: the process's streams and
// environment, replaceable in tests.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Terminal reports whether stderr is a terminal: long work shows its
	// progress there.
	Terminal bool
}

// UsageError is a command used wrongly: the process exits with status 2.
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

// Usagef returns a *UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{msg: fmt.Sprintf(format, args...)}
}

// ExitCode is the process's exit status for err (SPEC §20): 0 on success,
// 2 on a usage error, 1 on anything else — an API error included.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.As(err, new(*UsageError)):
		return 2
	default:
		return 1
	}
}

// Commands are the client commands, in the order the help lists them.
func Commands() []*Command {
	return []*Command{
		loginCommand(),
		agentsCommand(),
		versionsCommand(),
		rollbackCommand(),
		rolloutCommand(),
		numbersCommand(),
		workflowsCommand(),
		auditCommand(),
		webhooksCommand(),
		pullCommand(),
		planCommand(),
		pushCommand(),
	}
}

// args checks a leaf's positional arguments: exactly the names given.
func wantArgs(args []string, names ...string) error {
	if len(args) != len(names) {
		return Usagef("want %d argument(s) (%s), got %d", len(names), strings.Join(names, " "), len(args))
	}
	return nil
}

// apiError makes a *client.Error readable on a terminal: the status and
// detail, then one line per violation of a 422.
type apiError struct{ e *client.Error }

func (a apiError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s: %s", a.e.Status, a.e.Code, a.e.Detail)
	for _, f := range a.e.Errors {
		loc := make([]string, len(f.Loc))
		for i, l := range f.Loc {
			loc[i] = l.String()
		}
		fmt.Fprintf(&b, "\n  %s: %s", strings.Join(loc, "."), f.Msg)
	}
	return b.String()
}

func (a apiError) Unwrap() error { return a.e }

// check is client.Check with the error made readable.
func check(r client.Response, err error) error {
	if err := client.Check(r, err); err != nil {
		if e, ok := errors.AsType[*client.Error](err); ok {
			return apiError{e}
		}
		return err
	}
	return nil
}
