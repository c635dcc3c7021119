package sip_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentplane/agentplane/client"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/google/uuid"
)

// TestCalls (SPEC §22): calls through the front door to a SIPp backend,
// each checked against the conversation the API shows. By agent id and
// by number, the backend gets the conversation, agent, version and
// version id of the conversation, and none of the caller's spoofed
// X-Agentplane-* headers; unknown, undeployed and slot-less targets are
// 404; a backend's 480 reaches the caller and leaves the conversation
// unanswered; a CANCEL before the answer cancels it; either side's BYE
// completes it with SIPp's duration; a rollback between two calls
// changes the version the second one gets.
func TestCalls(t *testing.T) {
	needSIPp(t)
	t.Parallel()
	port := freeUDPPort(t)
	n := startNode(t, options{backendPort: port})
	ctx := context.Background()
	agent := n.agent(t, "Front desk", 2)
	n.deploy(t, agent)
	number, slotless := "+14155550100", "+14155550101"
	for _, num := range []string{number, slotless} {
		r, err := n.API.RegisterPhoneNumberWithResponse(ctx, nil, client.RegisterPhoneNumberJSONRequestBody{PhoneNumber: num})
		if err := client.Check(r, err); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := n.API.PublishVersion(ctx, agent, 2, client.PublishInput{PhoneNumbers: &[]string{number}}); err != nil {
		t.Fatal(err)
	}
	undeployed := n.agent(t, "Not deployed", 1)

	t.Run("OPTIONS", func(t *testing.T) {
		n.caller(t, "uac_options.xml", "", "ping").wait()
	})
	t.Run("by agent id", func(t *testing.T) {
		conv := n.call(t, port, agent.String(), "+14155550111")
		if *conv.Version != 2 || conv.AgentNumber != nil {
			t.Errorf("the call got v%d (number %v); the live version is 2", *conv.Version, conv.AgentNumber)
		}
	})
	t.Run("by number", func(t *testing.T) {
		conv := n.call(t, port, number, "+14155550112")
		if *conv.Version != 2 || conv.AgentNumber == nil || *conv.AgentNumber != number {
			t.Errorf("the call got v%d, number %v; want v2 through %s", *conv.Version, conv.AgentNumber, number)
		}
	})
	t.Run("a large INVITE over UDP", func(t *testing.T) {
		// Past 1,300 bytes once the proxy's headers are in, as a
		// carrier's INVITE with a rich SDP often is.
		n.call(t, port, agent.String(), "+14155550118", padded(t, 1200))
	})
	t.Run("not found", func(t *testing.T) {
		for _, user := range []string{uuid.NewString(), undeployed.String(), slotless, "+14155550199", "front-desk"} {
			n.caller(t, "uac_404.xml", user, "+14155550113").wait()
		}
		if got := n.metric(t, `agentplane_sip_invites_rejected_total{reason="not_found"}`); got != 5 {
			t.Errorf("rejected not_found = %v, want 5", got)
		}
	})
	t.Run("the backend refuses", func(t *testing.T) {
		b := backend(t, port, "uas_480.xml", 1)
		n.caller(t, "uac_480.xml", agent.String(), "+14155550114").wait()
		b.wait()
		if c := n.settled(t, convOf(t, b)); c.Status != "unanswered" || c.Duration != nil {
			t.Errorf("a call the backend refused with 480 is %s (duration %v), want unanswered", c.Status, c.Duration)
		}
	})
	t.Run("CANCEL before the answer", func(t *testing.T) {
		b := backend(t, port, "uas_cancel.xml", 1)
		n.caller(t, "uac_cancel.xml", agent.String(), "+14155550115", "-d", "100").wait()
		b.wait() // it got a CANCEL of its own, answered 487 and got its ACK
		id := convOf(t, b)
		if c := n.settled(t, id); c.Status != "cancelled" {
			t.Errorf("a call cancelled while ringing is %s, want cancelled", c.Status)
		}
		// Two writes: created ringing (the INVITE), then cancelled.
		if got := n.trail(t, id); !slices.Equal(got, []string{"conversation.created ringing", "conversation.updated cancelled"}) {
			t.Errorf("the cancelled call's audit trail is %q", got)
		}
	})
	t.Run("the backend hangs up", func(t *testing.T) {
		b := backend(t, port, "uas_bye.xml", 1, "-d", "300")
		n.caller(t, "uac_wait_bye.xml", number, "+14155550116").wait()
		b.wait()
		c := n.settled(t, convOf(t, b))
		if c.Status != "completed" || c.Duration == nil || *c.Duration < 0.3 || *c.Duration > 2 {
			t.Errorf("a call the backend ended after 300 ms is %s, duration %v", c.Status, c.Duration)
		}
	})
	t.Run("rollback between calls", func(t *testing.T) {
		for _, want := range []int{1, 2} { // a rollback to 1, then one back to 2
			r, err := n.API.RollbackAgentWithResponse(ctx, agent, nil, client.RollbackAgentJSONRequestBody{})
			if err := client.Check(r, err); err != nil {
				t.Fatal(err)
			}
			for _, user := range []string{agent.String(), number} { // the slot follows the live version
				if conv := n.call(t, port, user, "+14155550117"); *conv.Version != want {
					t.Errorf("after the rollback a call to %s got v%d, want v%d", user, *conv.Version, want)
				}
			}
		}
	})
	if got := n.metric(t, `agentplane_sip_calls_total{outcome="completed"}`); got != 8 {
		t.Errorf("completed calls = %v, want 8", got)
	}
}

// TestCallsPostgres: the front door on PostgreSQL records a call the same.
func TestCallsPostgres(t *testing.T) {
	needSIPp(t)
	t.Parallel()
	dbURL := dbtest.NewPostgresDB(t) // skips without PostgreSQL, fails under AGENTPLANE_REQUIRE_POSTGRES=1
	port := freeUDPPort(t)
	n := startNode(t, options{backendPort: port, databaseURL: dbURL})
	agent := n.agent(t, "Front desk", 1)
	n.deploy(t, agent)
	if conv := n.call(t, port, agent.String(), "+14155550111"); *conv.Version != 1 {
		t.Errorf("the call got v%d, want 1", *conv.Version)
	}
}

// call runs one call from a SIPp caller (talking 400 ms; uac_call.xml
// unless scenario names another) through n to a
// SIPp backend that checks the X-Agentplane-* headers, and checks the
// conversation: what the backend was told, completed, with SIPp's
// duration. It returns the conversation.
func (n *node) call(t *testing.T, port int, user, from string, scenario ...string) client.Conversation {
	t.Helper()
	b := backend(t, port, "uas_backend.xml", 1, "-d", "50")
	c := n.caller(t, append(scenario, "uac_call.xml")[0], user, from, "-d", "400")
	c.wait()
	b.wait()
	invites := b.logLines("INVITE ")
	if len(invites) != 1 {
		t.Fatalf("the backend logged %q", invites)
	}
	seen := fields(invites[0])
	conv := n.settled(t, seen["conv"])
	if conv.AgentId.String() != seen["agent"] || strconv.Itoa(*conv.Version) != seen["version"] ||
		conv.AgentVersionId.String() != seen["version_id"] {
		t.Errorf("the backend was told %v; the conversation is agent %s v%d (%s)", seen, conv.AgentId, *conv.Version, conv.AgentVersionId)
	}
	if seen["custom"] != "keep-me" || seen["spoof"] != "" {
		t.Errorf("the caller's own headers: X-Custom %q (kept?), spoofed X-Agentplane-* %q (gone?)", seen["custom"], seen["spoof"])
	}
	if want := "sip:" + user + "@127.0.0.1:"; !regexp.MustCompile("^" + regexp.QuoteMeta(want)).MatchString(seen["ruri"]) {
		t.Errorf("the backend's Request-URI is %s, want %s…", seen["ruri"], want)
	}
	if conv.Status != "completed" || conv.UserId != from || conv.Channel != "telephone" || conv.Direction != "inbound" {
		t.Errorf("conversation %+v: want completed, telephone, inbound, user %s", conv, from)
	}
	talk := sippDurations(t, c)[seen["call_id"]]
	if conv.Duration == nil || math.Abs(float64(*conv.Duration)-talk.Seconds()) > 0.5 {
		t.Errorf("duration %v, SIPp measured %v", conv.Duration, talk)
	}
	return conv
}

// padded is uac_call.xml with an X-Pad header of size bytes.
func padded(t *testing.T, size int) string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("testdata", "uac_call.xml"))
	if err != nil {
		t.Fatal(err)
	}
	line := "X-Custom: keep-me\n"
	out := strings.Replace(string(text), line, line+"      X-Pad: "+strings.Repeat("p", size)+"\n", 1)
	p := filepath.Join(t.TempDir(), "uac_call_large.xml")
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// callLine is uac_call.xml's log line: seconds and microseconds as
// SIPp prints doubles ("1796369393.000000 906556.000000"), a value of 0
// as nothing at all.
var callLine = regexp.MustCompile(`^CALL call_id=(\S+) answered=(\d+)\.0+ +(\d*)(?:\.0+)? +ended=(\d+)\.0+ +(\d*)(?:\.0+)?`)

// sippDurations are the talk times uac_call.xml measured, by Call-ID:
// from the 200 to the 200 of its BYE.
func sippDurations(t *testing.T, r *sippRun) map[string]time.Duration {
	t.Helper()
	out := map[string]time.Duration{}
	for _, l := range r.logLines("CALL ") {
		m := callLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("unexpected log line %q", l)
		}
		at := func(s, us string) time.Time {
			sec, _ := strconv.ParseInt(s, 10, 64)
			usec, _ := strconv.ParseInt(us, 10, 64)
			return time.Unix(sec, usec*1000)
		}
		out[m[1]] = at(m[4], m[5]).Sub(at(m[2], m[3]))
	}
	return out
}

// convOf is the conversation id the backend logged.
// trail is conversation id's audit entries, oldest first, each as its
// action and the status it set.
func (n *node) trail(t *testing.T, id string) []string {
	t.Helper()
	r, err := n.API.ListAuditLogWithResponse(context.Background(), &client.ListAuditLogParams{ResourceId: &id})
	if err := client.Check(r, err); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range slices.Backward(r.JSON200.Data) {
		status := ""
		for _, op := range e.Changes {
			raw, _ := json.Marshal(op)
			var p struct {
				Path  string `json:"path"`
				Value any    `json:"value"`
			}
			_ = json.Unmarshal(raw, &p)
			if v, ok := p.Value.(map[string]any); ok && p.Path == "" {
				status, _ = v["status"].(string)
			} else if p.Path == "/status" {
				status, _ = p.Value.(string)
			}
		}
		out = append(out, string(e.Action)+" "+status)
	}
	return out
}

func convOf(t *testing.T, b *sippRun) string {
	t.Helper()
	lines := b.logLines("INVITE ")
	if len(lines) != 1 || fields(lines[0])["conv"] == "" {
		t.Fatalf("the backend logged %q", lines)
	}
	return fields(lines[0])["conv"]
}
