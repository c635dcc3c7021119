package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/store"
)

// TestSIPCallsAnswerWithTheLiveVersion (SPEC §10, §15, §22): publish v1…v4,
// republish v2: a call to the agent's SIP URI and a conversation by
// agent_id both get v2, and so does a call to a number whose slot pins the
// live version, through a rollback too. A URI of another domain, an agent
// not deployed, an unknown number are not found.
func TestSIPCallsAnswerWithTheLiveVersion(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st, err := store.Open(ctx, dbtest.Options(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			svc := service.New(st, service.Options{SIPDomain: "sip.example.test"})
			boot, err := svc.Bootstrap(ctx, service.BootstrapInput{OrgName: "Acme", OrgSlug: "acme", Email: "ops@acme.test"})
			if err != nil {
				t.Fatal(err)
			}
			c := agentplane.SystemCaller(boot.OrganizationID)
			name := "Front desk"
			agent, err := svc.CreateAgent(ctx, c, agentplane.AgentInput{Name: &name})
			if err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 4; i++ {
				cfg := json.RawMessage(fmt.Sprintf(`{"instructions":"Version %d"}`, i))
				if _, err := svc.CreateVersion(ctx, c, agent.ID, agentplane.VersionCreate{Config: cfg}); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.PublishVersion(ctx, c, agent.ID, i, service.PublishInput{}); err != nil {
					t.Fatal(err)
				}
			}
			uri := "sip:" + agent.ID + "@sip.example.test"
			if _, err := svc.StartSIPCall(ctx, uri, "+14155550111"); agentplane.ErrorCodeOf(err) != agentplane.ENotFound {
				t.Fatalf("a call to an agent not deployed as SIP: %v", err)
			}
			ep, err := svc.DeploySIP(ctx, c, agent.ID)
			if err != nil || *ep.SIPURI != uri {
				t.Fatalf("deploy: %+v %v", ep, err)
			}
			if _, err := svc.PublishVersion(ctx, c, agent.ID, 2, service.PublishInput{}); err != nil {
				t.Fatal(err)
			}
			number := "+14155550100"
			if _, err := svc.RegisterPhoneNumber(ctx, c, agentplane.PhoneNumberInput{PhoneNumber: number}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.PublishVersion(ctx, c, agent.ID, 2, service.PublishInput{PhoneNumbers: []string{number}}); err != nil {
				t.Fatal(err)
			}

			answered := func(what string, start agentplane.ConversationStart, err error) int {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				conv := start.Conversation
				if conv.Channel != "telephone" || conv.Direction != "inbound" || conv.OrganizationID != boot.OrganizationID {
					t.Fatalf("%s: %+v", what, conv)
				}
				if got := agentplane.InstructionsOf(start.AgentConfig); got != fmt.Sprint("Version ", *conv.Version) {
					t.Fatalf("%s: v%d ran %q", what, *conv.Version, got)
				}
				return *conv.Version
			}
			for _, c := range []struct {
				what string
				uri  string
			}{
				{"the SIP URI", uri},
				{"the SIP URI with a port and parameters", "SIP:" + agent.ID + "@SIP.example.test:5060;transport=tcp"},
				{"the number's SIP URI", "sips:" + number + "@sip.example.test"},
			} {
				start, err := svc.StartSIPCall(ctx, c.uri, "+14155550111")
				if v := answered(c.what, start, err); v != 2 {
					t.Errorf("%s answered with v%d after v2 was republished, want 2", c.what, v)
				}
				if start.Conversation.UserID != "+14155550111" {
					t.Errorf("%s: user %q", c.what, start.Conversation.UserID)
				}
			}
			start, err := svc.StartConversation(ctx, c, agentplane.ConversationInput{Channel: "telephone", Direction: "inbound",
				UserID: "u", AgentID: &agent.ID})
			if v := answered("a conversation by agent_id", start, err); v != 2 {
				t.Errorf("a conversation by agent_id answered with v%d, want 2", v)
			}

			// A rollback reaches SIP and the number alike.
			if _, err := svc.Rollback(ctx, c, agent.ID, agentplane.RollbackInput{ToVersion: ptr(3)}); err != nil {
				t.Fatal(err)
			}
			for _, u := range []string{uri, "sip:" + number + "@sip.example.test"} {
				start, err := svc.StartSIPCall(ctx, u, "")
				if v := answered(u, start, err); v != 3 || start.Conversation.UserID != "anonymous" {
					t.Errorf("%s after a rollback to 3: v%d, user %q", u, v, start.Conversation.UserID)
				}
			}

			for _, bad := range []string{
				"sip:" + agent.ID + "@elsewhere.test",
				"sip:" + agentplane.NewID() + "@sip.example.test",
				"sip:+14155550199@sip.example.test",
				"sip:4155550100@sip.example.test",
				"tel:" + number,
				"sip:@sip.example.test",
				"sip:" + agent.ID,
			} {
				if _, err := svc.StartSIPCall(ctx, bad, "x"); agentplane.ErrorCodeOf(err) != agentplane.ENotFound {
					t.Errorf("%s: %v, want not found", bad, err)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
