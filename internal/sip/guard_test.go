package sip_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/sip"
	gosip "github.com/emiago/sipgo/sip"
)

// TestGuards (SPEC §22): a source outside --sip-allow-cidrs gets 403; a
// source over --sip-rate-limit gets 503 with Retry-After; with no
// --sip-backend an INVITE gets 503 without one.
func TestGuards(t *testing.T) {
	needSIPp(t)
	t.Parallel()
	n := startNode(t, options{args: []string{"--sip-allow-cidrs", "127.0.0.1/32", "--sip-rate-limit", "2"}})
	agent := n.agent(t, "Front desk", 1)
	n.deploy(t, agent)

	t.Run("outside the allowed CIDRs", func(t *testing.T) {
		startSIPp(t, "uac_403.xml", n.SIP, "-i", "127.0.0.2", "-t", "u1", "-s", agent.String(),
			"-key", "domain", domain, "-key", "from_user", "+14155550111", "-m", "1").wait()
	})
	t.Run("over the rate, and no backend", func(t *testing.T) {
		// 8 INVITEs within 80 ms from one address allowed 2 a second.
		r := n.caller(t, "uac_503.xml", agent.String(), "+14155550111", "-m", "8", "-r", "100")
		r.wait()
		retry := regexp.MustCompile(`got 503 retry_after=\s*(\d*)`)
		plain, limited := 0, 0
		for _, l := range r.logLines("") {
			switch m := retry.FindStringSubmatch(l); {
			case m == nil:
			case m[1] == "":
				plain++ // no backend
			case m[1] == "1":
				limited++
			default:
				t.Errorf("Retry-After %s at 2 INVITEs a second, want 1", m[1])
			}
		}
		// The bucket holds 2; a slow machine may refill one or two more
		// while SIPp sends.
		if plain < 2 || limited < 3 || plain+limited != 8 {
			t.Errorf("%d answers without Retry-After (no backend) and %d with (over the rate); want the first 2 or so, then the rest", plain, limited)
		}
		if got := n.metric(t, `agentplane_sip_invites_rejected_total{reason="rate_limited"}`); int(got) != limited {
			t.Errorf("rejected rate_limited = %v, want %d", got, limited)
		}
		if got := n.metric(t, `agentplane_sip_invites_rejected_total{reason="no_backend"}`); int(got) != plain {
			t.Errorf("rejected no_backend = %v, want %d", got, plain)
		}
	})
}

// TestHandlerPanic: a handler that panics answers 500, and the server
// goes on answering, SIP and HTTP alike.
func TestHandlerPanic(t *testing.T) {
	needSIPp(t)
	t.Parallel()
	n := startNode(t, options{})
	sip.SetHook(n.App.SIP(), func(r *gosip.Request) {
		if r.Recipient.User == "panic" {
			panic("forced by the test")
		}
	})
	n.caller(t, "uac_500.xml", "panic", "+14155550111").wait()
	n.caller(t, "uac_options.xml", "", "ping").wait()
	res, err := http.Get(n.URL + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("/healthz after the panic: %v %v", res, err)
	}
	res.Body.Close()
	if got := n.metric(t, "agentplane_sip_handler_panics_total"); got != 1 {
		t.Errorf("panics = %v, want 1", got)
	}
	if !strings.Contains(n.Log.String(), "sip handler panic") {
		t.Errorf("the panic is not in the log:\n%s", n.Log)
	}
}
