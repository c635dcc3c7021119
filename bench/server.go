package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// buildServer compiles ./cmd/agentplane into dir and returns the binary's
// path. A build broken by someone's half-finished edit is retried a few
// times, a minute apart (BENCH_BUILD_RETRIES, default 3).
func buildServer(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "agentplane")
	pkg := "./cmd/agentplane"
	if os.Getenv("BENCH_CPUPROFILE") != "" {
		pkg = "./bench/profserve" // the same main, with a CPU profile
	}
	retries := envInt("BENCH_BUILD_RETRIES", 3)
	for attempt := 1; ; attempt++ {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err == nil {
			return bin, nil
		}
		if attempt > retries {
			return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
		logf("build failed (attempt %d/%d), retrying in 60s:\n%s", attempt, retries+1, out)
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(time.Minute):
		}
	}
}

// server is one running `agentplane serve` child process.
type server struct {
	bin, logPath string
	db           database
	extraArgs    []string
	addr         string
	cmd          *exec.Cmd
	done         chan error
	logFile      *os.File
}

// keyRE matches the org key the first start prints once.
var keyRE = regexp.MustCompile(`\bak_[0-9a-f-]{36}\.[A-Za-z0-9_-]+`)

// freeAddr returns a 127.0.0.1 address whose port was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start runs the server on a fresh port. When wantKey is set it waits for
// the first-start banner and returns the key printed there.
func (s *server) start(ctx context.Context, wantKey bool) (key string, err error) {
	if s.addr, err = freeAddr(); err != nil {
		return "", err
	}
	args := append(append([]string{"serve", "--addr", s.addr, "--log-format", "json"}, s.db.serveArgs()...), s.extraArgs...)
	s.cmd = exec.Command(s.bin, args...)
	// Only what the bench sets: no LLM, no database URL from the caller's
	// shell, so the run is the same on every machine.
	s.cmd.Env = cleanEnv()
	if s.logFile, err = os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
		return "", err
	}
	s.cmd.Stderr = s.logFile // the access log: one JSON line per request
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := s.cmd.Start(); err != nil {
		return "", fmt.Errorf("start server: %w", err)
	}
	s.done = make(chan error, 1)
	keyc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			if m := keyRE.FindString(sc.Text()); m != "" && !sent {
				keyc <- m
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		s.done <- s.cmd.Wait()
	}()
	deadline := time.Now().Add(60 * time.Second)
	if wantKey {
		select {
		case key = <-keyc:
		case err := <-s.done:
			s.cmd = nil
			return "", fmt.Errorf("server exited before printing its key: %v (log: %s)", err, s.logPath)
		case <-time.After(time.Until(deadline)):
			s.kill()
			return "", fmt.Errorf("no org key printed within 60s (log: %s)", s.logPath)
		case <-ctx.Done():
			s.kill()
			return "", ctx.Err()
		}
	}
	for {
		resp, err := http.Get("http://" + s.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return key, nil
			}
		}
		select {
		case err := <-s.done:
			s.cmd = nil
			return "", fmt.Errorf("server exited during start-up: %v (log: %s)", err, s.logPath)
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			s.kill()
			return "", ctx.Err()
		}
		if time.Now().After(deadline) {
			s.kill()
			return "", fmt.Errorf("server not healthy within 60s (log: %s)", s.logPath)
		}
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

func (s *server) url(path string) string { return "http://" + s.addr + path }

// stop sends SIGTERM and waits for a graceful exit (SIGKILL after 30s).
func (s *server) stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	defer s.logFile.Close()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.cmd = nil
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("server exited with %v on SIGTERM (log: %s)", err, s.logPath)
		}
		return err
	case <-time.After(30 * time.Second):
		s.kill()
		return fmt.Errorf("server did not stop within 30s of SIGTERM; killed")
	}
}

func (s *server) kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		<-s.done
		s.cmd = nil
	}
}

// cleanEnv is the environment for child processes: PATH and HOME-ish
// basics, nothing AGENTPLANE_* from the caller's shell.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AGENTPLANE_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// limiterFlags keeps the server's per-credential rate limiter in the
// request path but far above the bench's rates: every request of a run
// comes from the one org key, and the default limit (20 req/s) would turn
// the measurements into a measurement of the limiter. Flags the binary does
// not have (an older build) are left out.
func limiterFlags(bin string) []string {
	out, _ := exec.Command(bin, "serve", "--help").CombinedOutput()
	help := string(out)
	var flags []string
	if strings.Contains(help, "-rate-limit ") {
		flags = append(flags, "--rate-limit", "1000000")
	}
	if strings.Contains(help, "-rate-burst ") {
		flags = append(flags, "--rate-burst", "1000000")
	}
	return flags
}
