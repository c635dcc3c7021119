package app

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/agentplane/agentplane/internal/cli"
	"github.com/agentplane/agentplane/internal/config"
)

// Version is set at build time with -ldflags "-X …/internal/app.Version=v1.2.3".
var Version = "dev"

// Env is the process environment Main reads: standard streams and
// variables, replaceable in tests.
type Env struct {
	Stdin          io.Reader
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
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Terminal: terminal}
}

// ExitCode is the exit status for Main's error: 0, 1 on a failure (an
// API error included), 2 on a usage error (SPEC §20).
func ExitCode(err error) int { return cli.ExitCode(err) }

// Main runs the command line args (without the program name) until ctx is
// cancelled (serve) or the command finishes. It returns an error for main
// to print and exit non-zero with; asking for help is not an error.
func Main(ctx context.Context, args []string, env Env) error {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-v") {
		args = []string{"version"}
	}
	return commands().dispatch(ctx, nil, args, env)
}

func serveCommand() *command {
	return &command{
		name: "serve", synopsis: "[flags]", summary: "run the HTTP API", settings: config.Serve,
		flags: func(*flag.FlagSet) action { return serve },
	}
}

func serve(ctx context.Context, cfg config.Config, env Env) error {
	sink := newLogSink(env.Stderr)
	defer sink.Close()
	log := newLogger(sink.direct(), cfg.LogFormat, cfg.LogLevel, env.Terminal)
	access := newLogger(sink.buffered(), cfg.LogFormat, cfg.LogLevel, env.Terminal)
	log.Info("starting", "version", Version, "config", cfg.Redacted())
	a, err := New(ctx, cfg, log, access, env.Stdout)
	if err != nil {
		return err
	}
	if env.Started != nil {
		env.Started(a)
	}
	return a.Run(ctx)
}

func migrateCommand() *command {
	return &command{
		name: "migrate", synopsis: "[flags]", summary: "apply database migrations and exit", settings: config.Database,
		flags: func(*flag.FlagSet) action { return migrate },
	}
}

func migrate(ctx context.Context, cfg config.Config, env Env) error {
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
