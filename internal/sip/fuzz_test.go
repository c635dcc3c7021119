package sip

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	gosip "github.com/emiago/sipgo/sip"
)

// FuzzRequest feeds any SIP message through what the front door does to
// a request before the service or the backend sees it: admission, the
// caller's user_id, the removal of X-Agentplane-* headers, and the
// Record-Route token lookup. None of it may panic; the user_id is always
// one the ledger takes; no X-Agentplane-* header survives, in any case,
// and every other header does, in order.
func FuzzRequest(f *testing.F) {
	f.Add("INVITE sip:01a24015-4863-754f-8791-711a85e25425@sip.agentplane.local SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\r\nFrom: \"Caller\" <sip:+14155550111@127.0.0.1:5061>;tag=1\r\n" +
		"To: <sip:01a24015-4863-754f-8791-711a85e25425@sip.agentplane.local>\r\nCall-ID: 1@127.0.0.1\r\nCSeq: 1 INVITE\r\n" +
		"Max-Forwards: 70\r\nX-Agentplane-Agent-Id: spoofed\r\nx-agentplane-conversation-id: spoofed\r\nX-Custom: keep-me\r\n" +
		"X-AGENTPLANE-VERSION: 9\r\nContent-Length: 0\r\n\r\n")
	f.Add("BYE sip:backend@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-2\r\n" +
		"Route: <sip:127.0.0.1:5060;transport=tcp;lr;apc=conv-1>, <sip:127.0.0.1:5060;lr;apc=conv-1>\r\n" +
		"From: <sip:%E2%80%AE+1415@x>;tag=2\r\nTo: <sip:a@b>;tag=3\r\nCall-ID: call-1\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n")
	f.Add("OPTIONS sip:x SIP/2.0\r\nFrom: <sip:\x00\u202e\u200d@x>\r\nX-Agentplane-: a\r\nx-agentplane-x-agentplane-: b\r\n\r\n")
	s := &Server{guard: newGuard(nil, 50), calls: newCallTable()}
	s.calls.add(&call{conv: "conv-1", callID: "call-1", answered: time.Now()})
	f.Fuzz(func(t *testing.T, raw string) {
		msg, err := gosip.ParseMessage([]byte(raw))
		if err != nil {
			return
		}
		req, ok := msg.(*gosip.Request)
		if !ok {
			return
		}
		req.SetSource("127.0.0.1:5061")
		s.admit(req, time.Now())

		u := callerOf(req)
		if u == "" || len(u) > maxUserID || !utf8.ValidString(u) || strings.TrimSpace(u) != u ||
			strings.ContainsFunc(u, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) {
			t.Fatalf("user_id %q from %q", u, raw)
		}

		fwd := req.Clone()
		var kept []string
		for _, h := range fwd.Headers() {
			if !hasPrefixFold(h.Name(), headerPrefix) {
				kept = append(kept, h.Name()+": "+h.Value())
			}
		}
		stripAgentplane(fwd)
		var after []string
		for _, h := range fwd.Headers() {
			if strings.HasPrefix(strings.ToLower(h.Name()), headerPrefix) {
				t.Fatalf("%s survived in %q", h.Name(), raw)
			}
			after = append(after, h.Name()+": "+h.Value())
		}
		if strings.Join(kept, "\n") != strings.Join(after, "\n") {
			t.Fatalf("other headers changed:\n%q\nbecame\n%q", kept, after)
		}

		if c := s.ourCall(req.Clone()); c != nil {
			if rt := req.Route(); rt == nil || req.CallID() == nil || req.CallID().Value() != c.callID {
				t.Fatalf("a call found for %q", raw)
			}
		}
	})
}
