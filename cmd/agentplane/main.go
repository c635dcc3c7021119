// Command agentplane is the agentplane server, its admin tool and the
// client commands (agents as code included).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/agentplane/agentplane/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := app.Main(ctx, os.Args[1:], app.OSEnv()); err != nil {
		fmt.Fprintln(os.Stderr, "agentplane:", err)
		os.Exit(app.ExitCode(err))
	}
}
