package sip_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The front door is driven by SIPp (Debian's sip-tester), a real SIP
// implementation, on loopback: callers (uac_*.xml) dial the server, and a
// SIPp user agent server stands in for the media runtime (uas_*.xml). The
// scenarios are in testdata; uac_reject.xml.in and uas_reject.xml.in are
// filled with a status code (SIPp takes no keyword there).

// needSIPp skips the test loudly without sipp, and fails it under
// AGENTPLANE_REQUIRE_SIPP=1 (CI).
func needSIPp(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sipp"); err == nil {
		return
	}
	if os.Getenv("AGENTPLANE_REQUIRE_SIPP") == "1" {
		t.Fatal("sipp is not on PATH and AGENTPLANE_REQUIRE_SIPP=1: install Debian's sip-tester")
	}
	skipOnce.Do(func() {
		fmt.Fprintln(os.Stderr, "*** internal/sip: SIPp tests SKIPPED: sipp is not on PATH (apt-get install sip-tester)")
	})
	t.Skip("sipp is not on PATH")
}

var skipOnce sync.Once

// sippRun is one SIPp process, with its logs in its own directory.
type sippRun struct {
	t    *testing.T
	name string
	dir  string
	cmd  *exec.Cmd
	out  bytes.Buffer
	done chan struct{}
	code int
}

// scenario is the path of a testdata scenario, or of a reject scenario
// made from its template for code ("uac_404.xml" from uac_reject.xml.in).
func scenario(t *testing.T, name string) string {
	t.Helper()
	if filepath.IsAbs(name) {
		return name // made by the test
	}
	if p := filepath.Join("testdata", name); fileExists(p) {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	role, code, ok := strings.Cut(strings.TrimSuffix(name, ".xml"), "_")
	if _, err := strconv.Atoi(code); !ok || err != nil {
		t.Fatalf("no scenario %s", name)
	}
	tmpl, err := os.ReadFile(filepath.Join("testdata", role+"_reject.xml.in"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, bytes.ReplaceAll(tmpl, []byte("@CODE@"), []byte(code)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// startSIPp runs sipp with the scenario name and args in the background.
// It never runs past a minute.
func startSIPp(t *testing.T, name string, args ...string) *sippRun {
	t.Helper()
	r := &sippRun{t: t, name: name, dir: t.TempDir(), done: make(chan struct{})}
	all := append([]string{"-sf", scenario(t, name), "-nostdin", "-timeout", "45s", "-timeout_error",
		"-trace_logs", "-log_file", r.path("log"), "-trace_err", "-error_file", r.path("err"),
		"-trace_msg", "-message_file", r.path("msg")}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	r.cmd = exec.CommandContext(ctx, "sipp", all...)
	r.cmd.Dir = r.dir // SIPp writes some files (rtt, stats) where it runs
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	if err := r.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start sipp: %v", err)
	}
	go func() {
		defer close(r.done)
		defer cancel()
		err := r.cmd.Wait()
		if exit, ok := errors.AsType[*exec.ExitError](err); ok {
			r.code = exit.ExitCode()
		} else if err != nil {
			r.code = -1
		}
	}()
	t.Cleanup(func() {
		_ = r.cmd.Process.Kill()
		<-r.done
	})
	return r
}

func (r *sippRun) path(kind string) string { return filepath.Join(r.dir, kind+".txt") }

// wait waits for SIPp to end and fails the test, with its logs, unless
// it exited 0 (every call as the scenario says).
func (r *sippRun) wait() {
	r.t.Helper()
	<-r.done
	if r.code != 0 {
		r.t.Fatalf("sipp %s exited %d\n%s", r.name, r.code, r.report())
	}
}

// report is what to read when a run went wrong.
func (r *sippRun) report() string {
	msgs := r.read("msg")
	if len(msgs) > 6000 {
		msgs = "…" + msgs[len(msgs)-6000:]
	}
	return fmt.Sprintf("output:\n%s\nerrors:\n%s\nlog:\n%s\nmessages:\n%s", tail(r.out.String(), 2000), r.read("err"), r.read("log"), msgs)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func (r *sippRun) read(kind string) string {
	b, _ := os.ReadFile(r.path(kind))
	return string(b)
}

// logLines are the lines of the scenario's <log> actions that start with
// prefix.
func (r *sippRun) logLines(prefix string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(r.read("log")))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix) {
			out = append(out, sc.Text())
		}
	}
	return out
}

// fields parses "KEY k1=v1 k2=v2 …" log lines into maps.
func fields(line string) map[string]string {
	out := map[string]string{}
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok {
			out[k] = v
		}
	}
	return out
}

// backend starts a SIPp user agent server with scenario name on a free
// loopback port, serving calls calls, and returns once it listens.
func backend(t *testing.T, port int, name string, calls int, args ...string) *sippRun {
	t.Helper()
	r := startSIPp(t, name, append([]string{"-i", "127.0.0.1", "-p", strconv.Itoa(port), "-t", "u1",
		"-m", strconv.Itoa(calls)}, args...)...)
	deadline := time.Now().Add(20 * time.Second)
	for !udpListening(port) {
		select {
		case <-r.done:
			t.Fatalf("sipp backend %s exited %d before listening\n%s", name, r.code, r.report())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("sipp backend %s does not listen on %d", name, port)
		}
	}
	return r
}

// udpListening reads /proc/net/udp for a socket bound to port (SIPp
// answers no probe that would not count as one of its calls).
func udpListening(port int) bool {
	want := fmt.Sprintf(":%04X ", port)
	for _, f := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		b, err := os.ReadFile(f)
		if err == nil && bytes.Contains(b, []byte(want)) {
			return true
		}
	}
	return false
}

// freeUDPPort is a loopback port free a moment ago, for a SIPp backend
// the server must be told of before it starts.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port
}
