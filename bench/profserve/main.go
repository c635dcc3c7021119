// Command profserve is cmd/agentplane with a CPU profile: the bench builds
// it instead of ./cmd/agentplane when BENCH_CPUPROFILE names a directory,
// and each server process writes <dir>/cpu-<pid>.pprof when it exits
// (SIGTERM). Read one with `go tool pprof -top <binary> <file>`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"syscall"

	"github.com/agentplane/agentplane/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if dir := os.Getenv("BENCH_CPUPROFILE"); dir != "" && len(os.Args) > 1 && os.Args[1] == "serve" {
		f, err := os.Create(filepath.Join(dir, "cpu-"+strconv.Itoa(os.Getpid())+".pprof"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "profserve:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "profserve:", err)
			os.Exit(1)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	if err := app.Main(ctx, os.Args[1:], app.OSEnv()); err != nil {
		fmt.Fprintln(os.Stderr, "agentplane:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}
