package httpapi_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"github.com/agentplane/agentplane/internal/httpapi"
)

// TestDetailCacheFollowsEveryChange: two more nodes over the same service
// and database, one with the agent detail cache and one without. After
// every kind of write that changes what an agent's GET shows — including
// changes that reach an agent only through a number it shares with
// another — the caching node, which read both agents before the write,
// answers byte for byte what the node without a cache reads afresh.
// Writes go through a third node, as a load balancer would send them.
func TestDetailCacheFollowsEveryChange(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		key, err := e.svc.CursorKey(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		node := func(cacheBytes int) *env {
			ts := httptest.NewServer(httpapi.New(e.svc, httpapi.Options{CursorKey: key, DetailCacheBytes: cacheBytes}))
			t.Cleanup(ts.Close)
			n := *e
			n.url = ts.URL
			return &n
		}
		cached, fresh := node(0), node(-1)

		a, b := dpAgent(t, e, "A"), dpAgent(t, e, "B")
		dpVersion(t, e, a, "a1")
		dpVersion(t, e, b, "b1")
		agents := []string{a, b}
		same := func(step string) {
			t.Helper()
			for _, id := range agents {
				// Twice on the caching node: the first read after the
				// change refreshes or serves the kept answer, the second
				// serves what the first kept.
				for range 2 {
					got := cached.admin(req{method: "GET", path: "/core/agents/" + id})
					want := fresh.admin(req{method: "GET", path: "/core/agents/" + id})
					if got.status != want.status || !bytes.Equal(got.body, want.body) || got.header.Get("ETag") != want.header.Get("ETag") {
						t.Fatalf("after %s, agent %s: the caching node answered %d %s (ETag %s), a fresh read %d %s (ETag %s)",
							step, id, got.status, got.body, got.header.Get("ETag"), want.status, want.body, want.header.Get("ETag"))
					}
				}
			}
		}
		same("creating both")

		e.admin(req{method: "PUT", path: "/core/agents/" + a, body: map[string]any{"name": "A renamed"}}).want(t, 200)
		same("renaming A")
		dpVersion(t, e, a, "a2")
		same("a new version of A")
		e.admin(req{method: "PUT", path: "/core/agents/" + a + "/versions/2", body: map[string]any{"config": dpConfig("a2 edited")}}).want(t, 200)
		same("editing A's draft")
		e.admin(req{method: "PATCH", path: "/core/agents/" + a + "/versions/latest", header: vpMerge, body: map[string]any{"description": "a2 note"}}).want(t, 200)
		same("patching the change note of A's latest draft")
		e.admin(req{method: "PUT", path: "/core/agents/" + b + "/versions/latest", body: map[string]any{"description": "b1 note"}}).want(t, 200)
		same("a note on B's latest draft through PUT")

		n1 := dpRegister(t, e, "+1 415 555 0301", nil).PhoneNumber
		n2 := dpRegister(t, e, "+1 415 555 0302", nil).PhoneNumber
		same("registering numbers")
		dpPublish(t, e, b, 1, map[string]any{"phone_numbers": []string{n1}, "direction": "both"})
		same("B taking both slots of a number")
		dpPublish(t, e, a, 1, map[string]any{"phone_numbers": []string{n1}, "direction": "inbound"})
		same("A taking B's inbound slot (B's detail changes through the number)")
		e.admin(req{method: "PATCH", path: dpPhonePath(n1), body: map[string]any{"label": "front desk"}}).want(t, 200)
		same("relabeling the number both pin")

		w := dpCreateWidget(t, e, map[string]any{"name": "W", "agent_id": a, "agent_version_id": dpGetDetail(t, fresh, a).Versions[1].ID,
			"domains": []string{"https://acme.test"}})
		same("a widget for A")
		e.admin(req{method: "PUT", path: "/core/web-widgets/" + w.ID, body: map[string]any{"agent_id": b,
			"agent_version_id": dpGetDetail(t, fresh, b).Versions[0].ID}}).want(t, 200)
		same("moving the widget to B")
		e.admin(req{method: "DELETE", path: "/core/web-widgets/" + w.ID}).want(t, 204)
		same("deleting the widget")

		e.admin(req{method: "POST", path: "/core/agents/" + a + "/deploy-as-sip"}).want(t, 200)
		same("deploying A as SIP")
		e.admin(req{method: "DELETE", path: "/core/agents/" + a + "/deploy-as-sip"}).want(t, 204)
		same("undeploying A")

		conv := dpStartConv(t, e, map[string]any{"channel": "telephone", "direction": "inbound", "user_id": "u1", "agent_number": n1})
		same("a conversation on the number (A's inbound slot)")
		dpPatchConv(t, e, conv.Conversation.ID, map[string]any{"status": "completed", "duration": 42.5})
		same("the conversation completing")

		dpPublish(t, e, a, 1, map[string]any{"phone_numbers": []string{n2}, "direction": "inbound"})
		dpPublish(t, e, b, 1, map[string]any{"phone_numbers": []string{n2}, "direction": "outbound"})
		same("sharing a second number")
		e.admin(req{method: "DELETE", path: dpPhonePath(n1)}).want(t, 204)
		same("deleting the first number")
		e.admin(req{method: "DELETE", path: "/core/agents/" + b}).want(t, 204)
		same("deleting B (A's shared number loses its outbound slot)")
	})
}
