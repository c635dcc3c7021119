package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// "P4 busy" runs P4 again with the host busy (DESIGN.md §6): one
// CPU-bound process per core for the whole measurement, each this binary
// re-executed as `bench spin`. Processes rather than goroutines in the
// bench: goroutines would compete with the load generator inside its own
// Go scheduler, not through the kernel's with every process, as another
// tenant's work does.
//
// Each spinner starts in a session of its own (setsid), as another
// tenant's work does: it was started from another login, service or
// container, not from the server's shell. This matters wherever the kernel
// groups tasks for fair scheduling by session (autogroup, the default on
// most distributions; the machine line prints it): a spinner in the bench's
// session shared one scheduling group with the server, so the server got
// a third of its group's share while every PostgreSQL backend, which puts
// itself in a session of its own, had a whole group. That starved the
// server against the database it waits on, not against the load, and was
// the whole of P4 busy's PostgreSQL tail (p99 0.35–1.25 s; 11–12 ms with
// the spinners in their own sessions; docs/performance.md).

// runSpin is `bench spin -for d`: keep one core busy until killed, or for
// d at most, so that a bench that dies without killing its spinners does
// not leave them running for long.
func runSpin(args []string) error {
	fs := flag.NewFlagSet("spin", flag.ContinueOnError)
	limit := fs.Duration("for", 30*time.Minute, "exit after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	runtime.GOMAXPROCS(1) // one core's worth, however many there are
	time.AfterFunc(*limit, func() { os.Exit(0) })
	// Hash a 4 KiB block over and over: CPU only, no allocation, no
	// system call, and nothing the compiler can drop.
	block := make([]byte, 4096)
	for {
		sum := sha256.Sum256(block)
		copy(block, sum[:])
	}
}

// spinners are the running `bench spin` processes.
type spinners []*exec.Cmd

// startSpinners starts n spinners that exit by themselves after limit.
func startSpinners(n int, limit time.Duration) (spinners, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var s spinners
	for range n {
		cmd := exec.Command(exe, "spin", "-for", limit.String())
		cmd.Env = cleanEnv()
		cmd.Stderr = os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // another tenant: see above
		if err := cmd.Start(); err != nil {
			s.stop()
			return nil, fmt.Errorf("start spinner: %w", err)
		}
		s = append(s, cmd)
	}
	return s, nil
}

// stop kills the spinners and reaps them.
func (s spinners) stop() {
	for _, cmd := range s {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}
