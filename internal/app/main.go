package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/agentplane/agentplane/internal/config"
)

// Version is set at build time with -ldflags "-X …/internal/app.Version=v1.2.3".
var Version = "dev"

// Env is the process environment Main reads: standard streams and
// variables, replaceable in tests.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Terminal reports whether stderr is a terminal (text logs by default).
	Terminal bool
	// Started, when set, receives the running App (tests read its address).
	Started func(*App)
}

// OSEnv is the real process environment.
func OSEnv() Env {
	terminal := false
	if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		terminal = true
	}
	return Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Terminal: terminal}
}

const usage = `agentplane — a self-hostable control plane for voice-AI agents

Usage:
  agentplane serve [flags]      run the HTTP API (see: agentplane serve --help)
  agentplane migrate [flags]    apply database migrations and exit
  agentplane admin <command>    bootstrap, keys and members without HTTP
  agentplane version            print the version
`

// Main runs the command line args (without the program name) until ctx is
// cancelled (serve) or the command finishes. It returns an error for main
// to print and exit non-zero with.
func Main(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return errors.New("no command given")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, env)
	case "migrate":
		return migrate(ctx, rest, env)
	case "admin":
		return admin(ctx, rest, env)
	case "version", "--version", "-v":
		fmt.Fprintln(env.Stdout, "agentplane", Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	default:
		fmt.Fprint(env.Stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// load parses the settings of a subcommand whose extra flags are already
// registered on fs.
func load(fs *flag.FlagSet, args []string, env Env) (config.Config, error) {
	fs.SetOutput(env.Stderr)
	cfg, err := config.Load(fs, args, env.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		return cfg, errHelp
	}
	return cfg, err
}

// errHelp ends a command after -h printed its usage; main exits 0.
var errHelp = errors.New("help requested")

// IsHelp reports whether err only means that help was printed.
func IsHelp(err error) bool { return errors.Is(err, errHelp) }

func serve(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("agentplane serve", flag.ContinueOnError)
	cfg, err := load(fs, args, env)
	if err != nil {
		return err
	}
	log := newLogger(env.Stderr, cfg.LogFormat, cfg.LogLevel, env.Terminal)
	log.Info("starting", "version", Version, "config", cfg.Redacted())
	a, err := New(ctx, cfg, log, env.Stdout)
	if err != nil {
		return err
	}
	if env.Started != nil {
		env.Started(a)
	}
	return a.Run(ctx)
}

func migrate(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("agentplane migrate", flag.ContinueOnError)
	cfg, err := load(fs, args, env)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	cur, _, err := st.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "database at migration %d\n", cur)
	return nil
}

// printJSON writes v indented, for admin commands.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// required reports missing required flags by name.
func required(pairs ...string) error {
	var missing []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			missing = append(missing, "--"+pairs[i])
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing required flag(s): %s", strings.Join(missing, ", "))
	}
	return nil
}
