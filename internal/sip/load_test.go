package sip_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/agentplane/agentplane/client"
)

// TestLoad: 200 calls at 20 calls a second, each talking a second: every
// call completes at SIPp's end, and the ledger has 200 conversations
// completed, each with the duration SIPp measured (joined through the
// Call-ID the backend logged beside the conversation id) to within
// half a second.
func TestLoad(t *testing.T) {
	needSIPp(t)
	t.Parallel()
	const calls = 200
	port := freeUDPPort(t)
	n := startNode(t, options{backendPort: port})
	agent := n.agent(t, "Front desk", 1)
	n.deploy(t, agent)

	b := backend(t, port, "uas_backend.xml", calls, "-d", "100")
	c := n.caller(t, "uac_call.xml", agent.String(), "+14155550111", "-m", "200", "-r", "20", "-d", "1000", "-l", "100")
	c.wait()
	b.wait()
	talk := sippDurations(t, c)
	convOf := map[string]string{} // Call-ID → conversation
	for _, l := range b.logLines("INVITE ") {
		f := fields(l)
		convOf[f["call_id"]] = f["conv"]
	}
	if len(talk) != calls || len(convOf) != calls {
		t.Fatalf("SIPp completed %d calls and the backend saw %d, want %d each", len(talk), len(convOf), calls)
	}

	// The ledger writes after a BYE run beside its relay: wait for them.
	var got map[string]client.Conversation
	deadline := time.Now().Add(30 * time.Second)
	for {
		got = map[string]client.Conversation{}
		completed := 0
		for conv, err := range n.API.Conversations(context.Background(), &client.ListConversationsParams{AgentId: &agent}) {
			if err != nil {
				t.Fatal(err)
			}
			got[conv.Id.String()] = conv
			if conv.Status == "completed" {
				completed++
			}
		}
		if completed == calls || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	worst := 0.0
	for callID, d := range talk {
		conv, ok := got[convOf[callID]]
		if !ok || conv.Status != "completed" || conv.Duration == nil {
			t.Errorf("call %s: conversation %s is %+v, want completed with a duration", callID, convOf[callID], conv)
			continue
		}
		diff := math.Abs(float64(*conv.Duration) - d.Seconds())
		worst = max(worst, diff)
		if diff > 0.5 {
			t.Errorf("call %s: duration %.3f s, SIPp measured %.3f s", callID, *conv.Duration, d.Seconds())
		}
	}
	if len(got) != calls {
		t.Errorf("%d conversations, want %d", len(got), calls)
	}
	t.Logf("%d calls; the largest gap between the ledger's and SIPp's duration: %.1f ms", calls, worst*1000)
}
