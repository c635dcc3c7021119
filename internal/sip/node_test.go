package sip_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentplane/agentplane/client"
	"github.com/agentplane/agentplane/internal/app"
	"github.com/google/uuid"
)

// domain is the server's SIP domain (the default of --sip-domain).
const domain = "sip.agentplane.local"

// node is one `agentplane serve` with the SIP front door, run through
// app.Main as the binary runs it.
type node struct {
	URL, Key, Dir string
	API           *client.Client
	App           *app.App
	SIP           string // the UDP listener, host:port
	Log           *buffer
	cancel        context.CancelFunc
	done          chan error
}

// options are a node's settings beyond the defaults.
type options struct {
	backendPort int      // a SIPp backend on loopback; 0: no --sip-backend
	args        []string // more flags
	dir, key    string   // a data dir and key from an earlier start
	databaseURL string
}

// buffer is an io.Writer safe for a server's concurrent log writes.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var keyPattern = regexp.MustCompile(`\bak_[0-9a-f-]{36}\.[A-Za-z0-9_-]+`)

// startNode runs serve until the test ends (or stop).
func startNode(t *testing.T, o options) *node {
	t.Helper()
	n := &node{Dir: o.dir, Key: o.key, Log: &buffer{}, done: make(chan error, 1)}
	if n.Dir == "" {
		n.Dir = t.TempDir()
	}
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", n.Dir, "--sip-listen", "udp:127.0.0.1:0"}
	if o.backendPort != 0 {
		args = append(args, "--sip-backend", fmt.Sprintf("sip:127.0.0.1:%d", o.backendPort))
	}
	if o.databaseURL != "" {
		args = append(args, "--database-url", o.databaseURL)
	}
	args = append(args, o.args...)
	var out buffer
	started := make(chan *app.App, 1)
	env := app.Env{Stdout: &out, Stderr: n.Log, Started: func(a *app.App) { started <- a },
		Getenv: func(k string) string {
			if k == "AGENTPLANE_RATE_LIMIT" || k == "AGENTPLANE_AUTH_FAILURE_LIMIT" {
				return "0" // the tests call far faster than a person
			}
			return ""
		}}
	var ctx context.Context
	ctx, n.cancel = context.WithCancel(context.Background())
	go func() { n.done <- app.Main(ctx, args, env) }()
	t.Cleanup(func() {
		if err := n.stop(); err != nil {
			t.Errorf("serve returned %v", err)
		}
		if t.Failed() {
			t.Logf("the server's log:\n%s", tail(n.Log.String(), 8000))
		}
	})
	select {
	case n.App = <-started:
	case err := <-n.done:
		t.Fatalf("serve returned before serving: %v\n%s", err, n.Log)
	case <-time.After(time.Minute):
		t.Fatalf("serve did not start:\n%s", n.Log)
	}
	n.URL = "http://" + n.App.Addr()
	if n.Key == "" {
		if n.Key = keyPattern.FindString(out.String()); n.Key == "" {
			t.Fatalf("no key on the first start's stdout:\n%s", out.String())
		}
	}
	n.API = client.New(n.URL, client.WithToken(n.Key))
	for _, a := range n.App.SIPAddrs() {
		if a.Network() == "udp" {
			n.SIP = a.String()
		}
	}
	if n.SIP == "" {
		t.Fatalf("no UDP SIP listener in %v", n.App.SIPAddrs())
	}
	return n
}

// stop cancels serve and waits for it to return (once; later calls
// return nil).
func (n *node) stop() error {
	n.cancel()
	select {
	case err, ok := <-n.done:
		if ok {
			close(n.done)
		}
		return err
	case <-time.After(time.Minute):
		return fmt.Errorf("serve did not stop")
	}
}

// caller runs a SIPp caller scenario to n's SIP listener, dialling user
// from fromUser; extra args go last (-d, -m, -r…).
func (n *node) caller(t *testing.T, name, user, fromUser string, extra ...string) *sippRun {
	t.Helper()
	args := []string{n.SIP, "-i", "127.0.0.1", "-t", "u1", "-key", "domain", domain, "-key", "from_user", fromUser}
	if user != "" {
		args = append(args, "-s", user)
	}
	if !strings.Contains(strings.Join(extra, " "), "-m ") {
		args = append(args, "-m", "1")
	}
	return startSIPp(t, name, append(args, extra...)...)
}

// agent creates an agent with versions published versions (instructions
// "Version i"), the last one live.
func (n *node) agent(t *testing.T, name string, versions int) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	a, err := n.API.CreateAgent(ctx, client.AgentInput{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= versions; i++ {
		text := fmt.Sprint("Version ", i)
		if _, err := n.API.CreateVersion(ctx, a.Id, client.VersionCreate{Config: &client.AgentConfig{Instructions: &text}}); err != nil {
			t.Fatal(err)
		}
		if _, err := n.API.PublishVersion(ctx, a.Id, i, client.PublishInput{}); err != nil {
			t.Fatal(err)
		}
	}
	return a.Id
}

// deploy deploys the agent as SIP.
func (n *node) deploy(t *testing.T, id uuid.UUID) {
	t.Helper()
	r, err := n.API.DeployAgentAsSipWithResponse(context.Background(), id, nil)
	if err := client.Check(r, err); err != nil {
		t.Fatal(err)
	}
}

// conversation reads a conversation through the API.
func (n *node) conversation(t *testing.T, id string) client.Conversation {
	t.Helper()
	r, err := n.API.GetConversationWithResponse(context.Background(), uuid.MustParse(id), nil)
	if err := client.Check(r, err); err != nil {
		t.Fatal(err)
	}
	return *r.JSON200
}

// settled polls conversation id until its status is no longer open
// (ringing, in_progress…): the ledger writes after a BYE run beside the
// BYE's relay.
func (n *node) settled(t *testing.T, id string) client.Conversation {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c := n.conversation(t, id)
		switch c.Status {
		case "completed", "failed", "cancelled", "unanswered", "transferred":
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("conversation %s is still %s", id, c.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// metric reads one sample of the node's /metrics ("name{labels}").
func (n *node) metric(t *testing.T, series string) float64 {
	t.Helper()
	res, err := http.Get(n.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	for line := range strings.Lines(b.String()) {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return v
		}
	}
	t.Fatalf("no %s in /metrics", series)
	return 0
}

// probe sends one OPTIONS over UDP and returns the answer's status
// code, 0 when none came within a second: a probe a test can poll with,
// where starting SIPp each time would be slow.
func probe(t *testing.T, addr string) int {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	id := uuid.NewString()
	local := c.LocalAddr().String()
	msg := "OPTIONS sip:" + domain + " SIP/2.0\r\nVia: SIP/2.0/UDP " + local + ";branch=z9hG4bK-" + id + "\r\n" +
		"From: <sip:probe@" + local + ">;tag=" + id[:8] + "\r\nTo: <sip:" + domain + ">\r\nCall-ID: " + id + "\r\n" +
		"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 4096)
	for {
		k, err := c.Read(buf)
		if err != nil {
			return 0
		}
		// "SIP/2.0 200 OK"; a 100 Trying is not the answer.
		f := strings.Fields(string(buf[:k]))
		if len(f) > 1 && f[1] != "100" {
			code, _ := strconv.Atoi(f[1])
			return code
		}
	}
}
