package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// builtBinary builds cmd/agentplane once per test process, without -race
// (whose shadow memory would swamp a memory measurement), and returns its
// path.
var builtBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "agentplane-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "agentplane")
	// go test puts its own GOROOT/bin first on the PATH of the tests.
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/agentplane")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// binaryNode is the real binary serving on a free loopback port.
type binaryNode struct {
	URL, Key string
	cmd      *exec.Cmd
	stdout   *syncBuffer
	stderr   *syncBuffer
}

// startBinary runs `agentplane serve` in dataDir with extra environment.
func startBinary(t *testing.T, dataDir string, vars map[string]string) *binaryNode {
	t.Helper()
	bin, err := builtBinary()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	n := &binaryNode{URL: "http://" + addr, stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	n.cmd = exec.Command(bin, "serve", "--addr", addr, "--data-dir", dataDir, "--log-format", "json")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AGENTPLANE_") {
			n.cmd.Env = append(n.cmd.Env, kv)
		}
	}
	for k, v := range vars {
		n.cmd.Env = append(n.cmd.Env, k+"="+v)
	}
	n.cmd.Stdout, n.cmd.Stderr = n.stdout, n.stderr
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = n.cmd.Process.Kill()
		_ = n.cmd.Wait()
	})
	deadline := time.Now().Add(patience)
	for {
		if res, err := http.Get(n.URL + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the binary did not get ready; stderr:\n%s", tail(n.stderr.String()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	n.Key = defaultKey(t, n.stdout.String())
	return n
}

// rss is the child's resident set in bytes, from /proc.
func (n *binaryNode) rss(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", n.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}

// sockets counts the child's open sockets (listener, database and client
// connections), from /proc.
func (n *binaryNode) sockets(t *testing.T) int {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", n.cmd.Process.Pid)
	fds, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && strings.HasPrefix(target, "socket:") {
			count++
		}
	}
	return count
}

// TestSlowReadersCantPinMemory is issue 9's item 2 against the real
// binary: 100 connections each ask (pipelined, 20 times over) for a list
// whose rows hold 3 MB, and never read. Every answer is cut to a page of
// at most agentplane.MaxPageBytes, each connection holds one answer at a
// time, and the write deadline disconnects it: resident memory grows by
// less than 100 MiB, and every stalled connection is closed within the
// write timeout plus a margin.
func TestSlowReadersCantPinMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads resident memory from /proc")
	}
	t.Parallel()
	const (
		conns        = 100
		pipelined    = 20
		writeTimeout = 2 * time.Second
	)
	n := startBinary(t, t.TempDir(), map[string]string{
		"AGENTPLANE_RATE_LIMIT":    "0", // one key makes every request
		"AGENTPLANE_WRITE_TIMEOUT": writeTimeout.String(),
	})
	// 200 agents with 15 KB of metadata each: a 3 MB list before pages
	// were bounded.
	blob := strings.Repeat("m", 15<<10)
	for i := range 200 {
		body, _ := json.Marshal(map[string]any{"name": fmt.Sprint("agent ", i), "metadata": map[string]string{"notes": blob}})
		req, _ := http.NewRequest("POST", n.URL+"/core/agents", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+n.Key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 201 {
			t.Fatalf("create agent %d: %d", i, res.StatusCode)
		}
	}
	request := "GET /core/agents?limit=200 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + n.Key + "\r\n\r\n"
	// One page read in full, as a well-behaved client would: the size a
	// stalled reader would have to hold, and the memory baseline.
	res, err := http.DefaultClient.Do(func() *http.Request {
		r, _ := http.NewRequest("GET", n.URL+"/core/agents?limit=200", nil)
		r.Header.Set("Authorization", "Bearer "+n.Key)
		return r
	}())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if len(page) > 300<<10 {
		t.Fatalf("a page is %d bytes, want it bounded near 256 KiB", len(page))
	}
	before, sockets := n.rss(t), n.sockets(t)

	started := time.Now()
	for range conns {
		c, err := net.Dial("tcp", strings.TrimPrefix(n.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		tc := c.(*net.TCPConn)
		_ = tc.SetReadBuffer(4 << 10) // a reader that takes (almost) nothing
		defer tc.Close()
		if _, err := tc.Write([]byte(strings.Repeat(request, pipelined))); err != nil {
			t.Fatal(err)
		}
	}
	// Watch the resident set while the readers stall.
	peak := before
	for time.Since(started) < writeTimeout {
		peak = max(peak, n.rss(t))
		time.Sleep(20 * time.Millisecond)
	}
	growth := peak - before
	t.Logf("RSS %d MiB before, peak %d MiB with %d stalled readers (growth %d MiB); one page is %d KiB",
		before>>20, peak>>20, conns, growth>>20, len(page)>>10)
	if growth >= 100<<20 {
		t.Errorf("RSS grew by %d MiB with %d stalled readers, want < 100 MiB", growth>>20, conns)
	}

	// Each stalled connection must be closed by the server within the
	// write timeout plus a margin: its socket leaves the process (what the
	// kernel still buffers for the peer is no longer the server's).
	bound := writeTimeout + 20*time.Second // generous: a loaded CI host
	for n.sockets(t) > sockets {
		if time.Since(started) > bound {
			t.Fatalf("%d of %d stalled connections still open %s after they stalled", n.sockets(t)-sockets, conns, bound)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("every stalled connection closed by the server %s after the requests (write timeout %s)",
		time.Since(started).Round(10*time.Millisecond), writeTimeout)
	if strings.Contains(n.stderr.String(), `"status":500`) {
		t.Errorf("stalled readers were logged as server errors")
	}
}
