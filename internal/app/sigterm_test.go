package app_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agentplane/agentplane/internal/app"
)

const sigChildEnv = "AGENTPLANE_TEST_SIGTERM_CHILD"

// TestHelperSignalServe is not a test: it is the server child of
// TestSIGTERMUnderLoad, wired like main() — SIGTERM cancels Main's
// context — and skips unless started as that child.
func TestHelperSignalServe(t *testing.T) {
	if os.Getenv(sigChildEnv) == "" {
		t.Skip("the server child of TestSIGTERMUnderLoad")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	env := app.OSEnv()
	env.Started = func(a *app.App) { fmt.Printf("\nLISTENING %s\n", a.Addr()) }
	if err := app.Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", os.Getenv(sigChildEnv)}, env); err != nil {
		t.Fatalf("Main: %v", err)
	}
}

// TestSIGTERMUnderLoad: with 100 requests in flight (headers sent, bodies
// still arriving), SIGTERM loses none of them: each gets its 201, and the
// process then exits cleanly.
func TestSIGTERMUnderLoad(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSignalServe$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AGENTPLANE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, sigChildEnv+"="+t.TempDir(), "AGENTPLANE_RATE_LIMIT=0", "AGENTPLANE_LOG_FORMAT=json")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	keyRE := regexp.MustCompile(`\bak_[0-9a-f-]{36}\.[A-Za-z0-9_-]+`)
	var key, addr string
	var seen strings.Builder
	sc := bufio.NewScanner(stdout)
	for (key == "" || addr == "") && sc.Scan() {
		line := sc.Text()
		seen.WriteString(line + "\n")
		if k := keyRE.FindString(line); k != "" && key == "" {
			key = k
		}
		if a, ok := strings.CutPrefix(strings.TrimSpace(line), "LISTENING "); ok {
			addr = a
		}
	}
	if key == "" || addr == "" {
		t.Fatalf("child gave no key/address; stderr:\n%s", stderr.String())
	}
	var rest syncBuffer
	go func() {
		_, _ = io.Copy(&rest, stdout)
		exited <- cmd.Wait()
	}()

	const n = 100
	type result struct {
		status int
		err    error
	}
	results := make(chan result, n)
	bodies := make([]*slowBody, n)
	transport := &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: n}
	for i := range n {
		b := &slowBody{
			head:    []byte(`{"name": "in flight `),
			tail:    []byte(fmt.Sprintf(`%d"}`, i)),
			sent:    make(chan struct{}),
			release: make(chan struct{}),
		}
		bodies[i] = b
		req, _ := http.NewRequest("POST", "http://"+addr+"/core/agents", b)
		req.ContentLength = int64(len(b.head) + len(b.tail))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		go func() {
			res, err := (&http.Client{Transport: transport}).Do(req)
			if err != nil {
				results <- result{err: err}
				return
			}
			res.Body.Close()
			results <- result{status: res.StatusCode}
		}()
	}
	for i, b := range bodies {
		select {
		case <-b.sent:
		case <-time.After(patience):
			t.Fatalf("request %d never got its head on the wire", i)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The process must not exit while requests are in flight.
	select {
	case err := <-exited:
		t.Fatalf("the server exited (%v) with 100 requests in flight; stdout:\n%s%s\nstderr:\n%s", err, seen.String(), rest.String(), stderr.String())
	case <-time.After(200 * time.Millisecond): // a window for a wrong early exit to show, not a wait for an event
	}
	for _, b := range bodies {
		close(b.release)
	}
	created := 0
	for range n {
		select {
		case r := <-results:
			if r.err != nil || r.status != http.StatusCreated {
				t.Errorf("an in-flight request got %d (err %v)", r.status, r.err)
			} else {
				created++
			}
		case <-time.After(patience):
			t.Fatalf("only %d of %d in-flight requests were answered", created, n)
		}
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the server exited with %v after SIGTERM; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(patience):
		t.Fatal("the server did not exit after SIGTERM")
	}
	if created != n {
		t.Errorf("%d of %d in-flight requests answered 201", created, n)
	}
}
