package httpapi_test

import (
	"context"
	"fmt"
	"testing"

	ap "github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/service"
)

// TestAgentDetailStatements: GET /core/agents/{id} sends two statements
// whatever the agent has attached: one to authenticate the key
// (GetCredential; the last-used time is written later, in a batch) and one
// for the agent: all of it and its embeds when the node has not read it
// yet, its revision alone when the node kept what it sent last time
// (detailcache.go). After a change, the revision and then the detail: three.
// An agent with nothing and one with 20 versions, 10 numbers pinned in
// both slots, widgets, SIP and conversations cost the same.
func TestAgentDetailStatements(t *testing.T) {
	t.Parallel()
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			e, counter := dpCountingEnv(t, engine)
			ctx := context.Background()

			empty := dpAgent(t, e, "Empty")
			busy := dpAgent(t, e, "Busy")
			var versions []dpVer
			for i := range 20 {
				versions = append(versions, dpVersion(t, e, busy, fmt.Sprint("greeting ", i+1)))
			}
			var numbers []string
			for i := range 10 {
				numbers = append(numbers, dpRegister(t, e, fmt.Sprintf("+1 415 555 02%02d", i), nil).PhoneNumber)
			}
			// Half the numbers pin one version in both slots, the other
			// half a different version per slot.
			dpPublish(t, e, busy, 4, map[string]any{"phone_numbers": numbers[:5], "direction": "both"})
			dpPublish(t, e, busy, 8, map[string]any{"phone_numbers": numbers[5:], "direction": "inbound"})
			dpPublish(t, e, busy, 12, map[string]any{"phone_numbers": numbers[5:], "direction": "outbound"})
			for i := range 3 {
				e.admin(req{method: "POST", path: "/core/web-widgets", body: map[string]any{"name": fmt.Sprint("W", i),
					"agent_id": busy, "agent_version_id": versions[3].ID, "domains": []string{"https://acme.test"}}}).want(t, 201)
			}
			e.admin(req{method: "POST", path: "/core/agents/" + busy + "/deploy-as-sip"}).want(t, 200)
			for i := range 3 {
				dpStartConv(t, e, map[string]any{"channel": "telephone", "direction": "inbound", "user_id": fmt.Sprint("u", i), "agent_number": numbers[i]})
			}

			d := dpGetDetail(t, e, busy)
			if len(d.Versions) != 20 || len(d.PhoneNumbers) != 10 || len(d.WebWidgets) != 3 || !d.SIPEndpoint.Deployed ||
				d.ConversationStats.Total != 3 || d.LatestPublishedVersion == nil || *d.LatestPublishedVersion != 12 {
				t.Fatalf("busy agent: %d versions, %d numbers, %d widgets, sip %v, %d conversations, latest %v",
					len(d.Versions), len(d.PhoneNumbers), len(d.WebWidgets), d.SIPEndpoint.Deployed, d.ConversationStats.Total, d.LatestPublishedVersion)
			}

			count := func(fn func()) int64 {
				t.Helper()
				before := counter.Load()
				fn()
				return counter.Load() - before
			}
			get := func(agent string, status int) func() {
				return func() { e.admin(req{method: "GET", path: "/core/agents/" + agent}).want(t, status) }
			}
			for name, n := range map[string]int64{
				"GET of the empty agent":   count(get(empty, 200)),
				"GET of the busy agent":    count(get(busy, 200)),
				"GET of an unknown agent":  count(get("01900000-0000-7000-8000-000000000000", 404)),
				"GET of the empty, again":  count(get(empty, 200)),
				"GET of the busy, again":   count(get(busy, 200)),
				"GET of an unknown, again": count(get("01900000-0000-7000-8000-000000000001", 404)),
			} {
				if n != 2 {
					t.Errorf("%s sent %d statements, want 2 (authentication and the detail)", name, n)
				}
			}

			e.admin(req{method: "PUT", path: "/core/agents/" + busy, body: map[string]any{"description": "changed"}}).want(t, 200)
			if n := count(get(busy, 200)); n != 3 {
				t.Errorf("GET after a change sent %d statements, want 3 (authentication, the revision, the detail)", n)
			}
			if n := count(get(busy, 200)); n != 2 {
				t.Errorf("GET after that sent %d statements, want 2 (authentication, the revision)", n)
			}

			// The split: authentication is one statement, the detail one.
			var caller *ap.Caller
			if n := count(func() {
				var err error
				if caller, err = e.svc.Authenticate(ctx, e.boot.OrgKey, "", service.InOrg); err != nil {
					t.Fatal(err)
				}
			}); n != 1 {
				t.Errorf("authentication sent %d statements, want 1", n)
			}
			for _, agent := range []string{empty, busy} {
				if n := count(func() {
					if _, err := e.svc.GetAgent(ctx, caller, agent); err != nil {
						t.Fatal(err)
					}
				}); n != 1 {
					t.Errorf("service.GetAgent sent %d statements, want 1", n)
				}
			}
		})
	}
}
