package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/client"
	"github.com/google/uuid"
)

// sameJSON reports whether got, as JSON, and want hold equal JSON values;
// key order is the store's business.
func sameJSON(got any, want string) bool {
	b, err := json.Marshal(got)
	var g, w any
	return err == nil && json.Unmarshal(b, &g) == nil && json.Unmarshal([]byte(want), &w) == nil && reflect.DeepEqual(g, w)
}

// ids lists the ids of a page in order.
func ids(as []client.Agent) []client.AgentID {
	out := make([]client.AgentID, len(as))
	for i, a := range as {
		out[i] = a.Id
	}
	return out
}

// TestAgentsThroughTheClient runs every agent method and filter of the
// client against a real server.
func TestAgentsThroughTheClient(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	n := serve(t, t.TempDir())
	c := newClient(t, n, client.WithToken(defaultKey(t, n.Stdout.String())))

	sales, err := c.CreateAgent(ctx, client.AgentInput{
		Name: "  Sales Bot  ", Description: new("answers leads"),
		Metadata: &map[string]any{"team": "sales", "tier": 2, "tags": []string{"a"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if sales.Name != "Sales Bot" || !sales.Active || sales.IsDemo || !sameJSON(sales.Metadata, `{"team":"sales","tier":2,"tags":["a"]}`) {
		t.Errorf("created %+v", sales)
	}
	demo, err := c.CreateAgent(ctx, client.AgentInput{Name: "Demo", IsDemo: new(true), Active: new(false)})
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(demo.Metadata, `{}`) || demo.Active || !demo.IsDemo {
		t.Errorf("created %+v", demo)
	}
	// The server keeps milliseconds; wait on the clock, not a sleep, so
	// the third agent is created strictly later than the second.
	for time.Now().UnixMilli() <= demo.CreatedAt.UnixMilli() {
		time.Sleep(time.Millisecond) // poll interval
	}
	support, err := c.CreateAgent(ctx, client.AgentInput{Name: "Support", Metadata: &map[string]any{"team": "support"}})
	if err != nil {
		t.Fatal(err)
	}

	for name, tc := range map[string]struct {
		p    *client.ListAgentsParams
		want []client.AgentID
	}{
		"all, newest first":  {nil, []client.AgentID{support.Id, demo.Id, sales.Id}},
		"name substring":     {&client.ListAgentsParams{Name: new("SALES")}, []client.AgentID{sales.Id}},
		"inactive":           {&client.ListAgentsParams{Active: new(false)}, []client.AgentID{demo.Id}},
		"demo":               {&client.ListAgentsParams{IsDemo: new(true)}, []client.AgentID{demo.Id}},
		"not demo":           {&client.ListAgentsParams{IsDemo: new(false)}, []client.AgentID{support.Id, sales.Id}},
		"metadata contains":  {&client.ListAgentsParams{Metadata: new(`{"team":"sales","tier":2}`)}, []client.AgentID{sales.Id}},
		"metadata as JSON":   {&client.ListAgentsParams{Metadata: new(`{"tier":"2"}`)}, []client.AgentID{}},
		"created after":      {&client.ListAgentsParams{CreatedAfter: client.TimeParam(support.CreatedAt)}, []client.AgentID{support.Id}},
		"created before":     {&client.ListAgentsParams{CreatedBefore: client.TimeParam(support.CreatedAt)}, []client.AgentID{demo.Id, sales.Id}},
		"updated window":     {&client.ListAgentsParams{UpdatedAfter: client.TimeParam(sales.CreatedAt), UpdatedBefore: client.TimeParam(support.UpdatedAt)}, []client.AgentID{demo.Id, sales.Id}},
		"limit and a cursor": {&client.ListAgentsParams{Limit: new(2)}, []client.AgentID{support.Id, demo.Id}},
	} {
		page, err := c.ListAgents(ctx, tc.p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := ids(page.Data); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", name, got, tc.want)
		}
	}
	var all []client.AgentID
	for a, err := range c.Agents(ctx, &client.ListAgentsParams{Limit: new(1)}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, a.Id)
	}
	if !slices.Equal(all, []client.AgentID{support.Id, demo.Id, sales.Id}) {
		t.Errorf("iterating with limit 1 gave %v", all)
	}

	d, err := c.GetAgent(ctx, sales.Id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Id != sales.Id || d.Versions == nil || d.PhoneNumbers == nil || d.WebWidgets == nil || d.SipEndpoint.Deployed ||
		d.SipEndpoint.SipUri != nil || d.LatestPublishedVersion != nil || d.ConversationStats.Total != 0 {
		t.Errorf("detail = %+v", d)
	}

	up, err := c.UpdateAgent(ctx, sales.Id, client.AgentUpdate{Active: new(false)})
	if err != nil {
		t.Fatal(err)
	}
	if up.Active || up.Name != "Sales Bot" || up.Description != "answers leads" || !reflect.DeepEqual(up.Metadata, sales.Metadata) {
		t.Errorf("a partial update changed more than active: %+v", up)
	}
	if up.UpdatedAt.Before(sales.UpdatedAt) || !up.CreatedAt.Equal(sales.CreatedAt) {
		t.Errorf("timestamps after update: %+v", up)
	}

	// Metadata that is not an object can't be typed: the generated
	// WithBody form sends raw JSON.
	r, err := c.CreateAgentWithBodyWithResponse(ctx, nil, "application/json", strings.NewReader(`{"name": " ", "metadata": [1]}`))
	if e := wantStatus(t, "an invalid agent", client.Check(r, err), 422, "invalid"); e != nil && len(e.Errors) != 2 {
		t.Errorf("want one error per violation, got %+v", e.Errors)
	}
	_, err = c.ListAgents(ctx, &client.ListAgentsParams{Metadata: new(`{}`), Name: new("x")})
	if err != nil {
		t.Errorf("an empty metadata filter: %v", err)
	}

	if err := c.DeleteAgent(ctx, sales.Id); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetAgent(ctx, sales.Id)
	wantStatus(t, "a deleted agent", err, 404, "not_found")
	err = c.DeleteAgent(ctx, sales.Id)
	wantStatus(t, "deleting twice", err, 404, "not_found")
	// An id is a UUID in Go, so a request editor puts the malformed one in.
	malformed := func(_ context.Context, r *http.Request) error {
		r.URL.Path = "/core/agents/not-an-id"
		return nil
	}
	u, err := c.UpdateAgentWithResponse(ctx, uuid.Nil, nil, client.AgentUpdate{Name: new("x")}, malformed)
	wantStatus(t, "updating a malformed id", client.Check(u, err), 404, "not_found")
}

// TestMembersThroughTheClient runs the member, organization and PAT
// methods of the client against a real server.
func TestMembersThroughTheClient(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	boot := bootstrap(t, dir, "Team", "team", "lead@team.test")
	n := serve(t, dir)
	lead := newClient(t, n, client.WithToken(boot.PAT), client.WithOrg(boot.OrganizationID))

	m, err := lead.AddMember(ctx, client.MemberInput{Email: "dev@team.test", Role: client.Viewer})
	if err != nil {
		t.Fatal(err)
	}
	if m.Role != client.Viewer || m.OrganizationId.String() != boot.OrganizationID || m.UserId == uuid.Nil {
		t.Errorf("added %+v", m)
	}
	page, err := lead.ListMembers(ctx, &client.ListMembersParams{Limit: new(1)})
	if err != nil || len(page.Data) != 1 || page.NextCursor == "" {
		t.Fatalf("first member page %+v (err %v)", page, err)
	}
	rest, err := lead.ListMembers(ctx, &client.ListMembersParams{Limit: new(1), Cursor: &page.NextCursor})
	if err != nil || len(rest.Data) != 1 || rest.NextCursor != "" || rest.Data[0].UserId == page.Data[0].UserId {
		t.Errorf("second member page %+v (err %v)", rest, err)
	}

	up, err := lead.UpdateMember(ctx, m.UserId, client.Admin)
	if err != nil || up.Role != client.Admin {
		t.Fatalf("promote: %+v, %v", up, err)
	}
	if _, err := lead.UpdateMember(ctx, m.UserId, client.Viewer); err != nil {
		t.Fatal(err)
	}
	bootUser := uuid.MustParse(boot.UserID)
	_, err = lead.UpdateMember(ctx, bootUser, client.Viewer)
	wantStatus(t, "demoting the last admin", err, 409, "conflict")
	err = lead.RemoveMember(ctx, bootUser)
	wantStatus(t, "removing the last admin", err, 409, "conflict")
	if err := lead.RemoveMember(ctx, m.UserId); err != nil {
		t.Fatal(err)
	}
	err = lead.RemoveMember(ctx, m.UserId)
	wantStatus(t, "removing a non-member", err, 404, "not_found")

	// A new organization from the PAT makes its user that org's admin.
	user := lead.With(client.WithOrg(""))
	org, err := user.CreateOrganization(ctx, client.OrganizationInput{Name: "Side project", Slug: "side"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = user.CreateOrganization(ctx, client.OrganizationInput{Name: "Again", Slug: "side"})
	wantStatus(t, "a taken slug", err, 409, "conflict")
	orgs, err := user.ListOrganizations(ctx, nil)
	if err != nil || len(orgs.Data) != 2 || orgs.Data[0].Id != org.Id {
		t.Errorf("organizations %+v (err %v), want the new one first", orgs, err)
	}
	scopes, err := lead.With(client.WithOrg("side")).MyScopes(ctx)
	if err != nil || !sameScopes(scopes, agentplane.AllScopes) {
		t.Errorf("scopes in the new org %v (err %v)", scopes, err)
	}

	// Narrow PATs: the effective scopes are listed, and they bind.
	narrow, err := user.CreateUserPAT(ctx, client.CredentialInput{Name: "reader", Scopes: &[]client.Scope{client.AgentsManage}})
	if err != nil {
		t.Fatal(err)
	}
	if !sameScopes(narrow.Scopes, agentplane.Scopes{agentplane.ScopeAgentsRead, agentplane.ScopeAgentsManage}) {
		t.Errorf("a PAT made with agents:manage lists %v", narrow.Scopes)
	}
	reader := lead.With(client.WithToken(narrow.PatKey))
	if _, err := reader.ListAgents(ctx, nil); err != nil {
		t.Errorf("the narrow PAT can't list agents: %v", err)
	}
	_, err = reader.ListMembers(ctx, nil)
	if e := wantStatus(t, "a narrow PAT listing members", err, 403, "forbidden"); e != nil && e.Detail != "requires scope members:read" {
		t.Errorf("detail = %q", e.Detail)
	}
	pats, err := user.ListUserPATs(ctx, nil)
	if err != nil || len(pats.Data) != 2 || pats.Data[0].KeyId != narrow.KeyId {
		t.Errorf("user PATs %+v (err %v)", pats, err)
	}
	_, err = user.CreateUserPAT(ctx, client.CredentialInput{Name: "", ExpiresAt: new(int64(1))})
	if e := wantStatus(t, "an invalid PAT", err, 422, "invalid"); e != nil && len(e.Errors) != 2 {
		t.Errorf("errors = %+v, want name and expires_at", e.Errors)
	}
}
