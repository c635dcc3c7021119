package sip_test

import (
	"math"
	"net/http"
	"testing"
	"time"
)

// TestGracefulShutdown: when the node is told to stop with a call up, the
// front door takes no new call (OPTIONS and INVITEs get 503), HTTP shuts
// down without waiting for the call, and the call's BYE still reaches the
// backend and completes the conversation with its duration before the
// node exits.
func TestGracefulShutdown(t *testing.T) {
	needSIPp(t)
	t.Parallel()
	port := freeUDPPort(t)
	n := startNode(t, options{backendPort: port, args: []string{"--shutdown-timeout", "30s"}})
	agent := n.agent(t, "Front desk", 1)
	n.deploy(t, agent)

	b := backend(t, port, "uas_backend.xml", 1, "-d", "50")
	c := n.caller(t, "uac_call.xml", agent.String(), "+14155550111", "-d", "3000")
	var conv string
	for deadline := time.Now().Add(20 * time.Second); ; {
		if l := b.logLines("INVITE "); len(l) == 1 {
			conv = fields(l[0])["conv"]
			if n.conversation(t, conv).Status == "in_progress" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the call did not start\n%s", c.report())
		}
		time.Sleep(10 * time.Millisecond)
	}

	stopped := make(chan error, 1)
	go func() { stopped <- n.stop() }()
	for deadline := time.Now().Add(10 * time.Second); probe(t, n.SIP) != 503; {
		if time.Now().After(deadline) {
			t.Fatal("OPTIONS are not answered 503 after the stop")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		res, err := http.Get(n.URL + "/healthz")
		if err != nil {
			break // HTTP is down
		}
		res.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("HTTP still serves after the stop")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-c.done:
		t.Fatal("the call ended before HTTP was down: the test proves nothing about the order")
	default:
	}
	n.caller(t, "uac_503.xml", agent.String(), "+14155550112").wait()
	c.wait()
	b.wait()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return after the last call")
	}

	// The ledger, read from a new start on the same data: completed, with
	// SIPp's duration.
	again := startNode(t, options{dir: n.Dir, key: n.Key})
	got := again.conversation(t, conv)
	talk := sippDurations(t, c)[fields(b.logLines("INVITE ")[0])["call_id"]]
	if got.Status != "completed" || got.Duration == nil || math.Abs(float64(*got.Duration)-talk.Seconds()) > 0.5 {
		t.Errorf("the call that ended during the shutdown is %s, duration %v (SIPp: %v)", got.Status, got.Duration, talk)
	}
}
