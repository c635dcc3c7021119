package app_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/client"
)

// sameJSON reports whether got and want hold equal JSON values; key
// order is the store's business.
func sameJSON(got json.RawMessage, want string) bool {
	var g, w any
	return json.Unmarshal(got, &g) == nil && json.Unmarshal([]byte(want), &w) == nil && reflect.DeepEqual(g, w)
}

// ids lists the ids of a page in order.
func ids(as []agentplane.Agent) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
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

	sales, err := c.CreateAgent(ctx, agentplane.AgentInput{
		Name: new("  Sales Bot  "), Description: new("answers leads"),
		Metadata: json.RawMessage(`{"team": "sales", "tier": 2, "tags": ["a"]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if sales.Name != "Sales Bot" || !sales.Active || sales.IsDemo || !sameJSON(sales.Metadata, `{"team":"sales","tier":2,"tags":["a"]}`) {
		t.Errorf("created %+v", sales)
	}
	demo, err := c.CreateAgent(ctx, agentplane.AgentInput{Name: new("Demo"), IsDemo: new(true), Active: new(false)})
	if err != nil {
		t.Fatal(err)
	}
	if string(demo.Metadata) != `{}` || demo.Active || !demo.IsDemo {
		t.Errorf("created %+v", demo)
	}
	// The server keeps milliseconds; wait on the clock, not a sleep, so
	// the third agent is created strictly later than the second.
	for time.Now().UnixMilli() <= demo.CreatedAt.Millis() {
		time.Sleep(time.Millisecond) // poll interval
	}
	support, err := c.CreateAgent(ctx, agentplane.AgentInput{Name: new("Support"), Metadata: json.RawMessage(`{"team":"support"}`)})
	if err != nil {
		t.Fatal(err)
	}

	for name, tc := range map[string]struct {
		p    client.ListAgentsParams
		want []string
	}{
		"all, newest first":  {client.ListAgentsParams{}, []string{support.ID, demo.ID, sales.ID}},
		"name substring":     {client.ListAgentsParams{Name: "SALES"}, []string{sales.ID}},
		"inactive":           {client.ListAgentsParams{Active: new(false)}, []string{demo.ID}},
		"demo":               {client.ListAgentsParams{IsDemo: new(true)}, []string{demo.ID}},
		"not demo":           {client.ListAgentsParams{IsDemo: new(false)}, []string{support.ID, sales.ID}},
		"metadata contains":  {client.ListAgentsParams{Metadata: map[string]any{"team": "sales", "tier": 2}}, []string{sales.ID}},
		"metadata as JSON":   {client.ListAgentsParams{Metadata: map[string]any{"tier": "2"}}, []string{}},
		"created after":      {client.ListAgentsParams{ListParams: client.ListParams{CreatedAfter: support.CreatedAt.Time}}, []string{support.ID}},
		"created before":     {client.ListAgentsParams{ListParams: client.ListParams{CreatedBefore: support.CreatedAt.Time}}, []string{demo.ID, sales.ID}},
		"updated window":     {client.ListAgentsParams{ListParams: client.ListParams{UpdatedAfter: sales.CreatedAt.Time, UpdatedBefore: support.UpdatedAt.Time}}, []string{demo.ID, sales.ID}},
		"limit and a cursor": {client.ListAgentsParams{ListParams: client.ListParams{Limit: 2}}, []string{support.ID, demo.ID}},
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
	var all []string
	for a, err := range c.Agents(ctx, client.ListAgentsParams{ListParams: client.ListParams{Limit: 1}}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, a.ID)
	}
	if !slices.Equal(all, []string{support.ID, demo.ID, sales.ID}) {
		t.Errorf("iterating with limit 1 gave %v", all)
	}

	d, err := c.GetAgent(ctx, sales.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != sales.ID || d.Versions == nil || d.PhoneNumbers == nil || d.WebWidgets == nil || d.SIPEndpoint.Deployed ||
		d.SIPEndpoint.SIPURI != nil || d.LatestPublishedVersion != nil || d.ConversationStats.Total != 0 {
		t.Errorf("detail = %+v", d)
	}

	up, err := c.UpdateAgent(ctx, sales.ID, agentplane.AgentInput{Active: new(false)})
	if err != nil {
		t.Fatal(err)
	}
	if up.Active || up.Name != "Sales Bot" || up.Description != "answers leads" || !sameJSON(up.Metadata, string(sales.Metadata)) {
		t.Errorf("a partial update changed more than active: %+v", up)
	}
	if up.UpdatedAt.Before(sales.UpdatedAt.Time) || !up.CreatedAt.Equal(sales.CreatedAt.Time) {
		t.Errorf("timestamps after update: %+v", up)
	}

	_, err = c.CreateAgent(ctx, agentplane.AgentInput{Name: new(" "), Metadata: json.RawMessage(`[1]`)})
	if e := wantStatus(t, "an invalid agent", err, 422, "invalid"); e != nil && len(e.Errors) != 2 {
		t.Errorf("want one error per violation, got %+v", e.Errors)
	}
	_, err = c.ListAgents(ctx, client.ListAgentsParams{Metadata: map[string]any{}, Name: "x", ListParams: client.ListParams{Limit: 0}})
	if err != nil {
		t.Errorf("an empty metadata filter: %v", err)
	}

	if err := c.DeleteAgent(ctx, sales.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetAgent(ctx, sales.ID)
	wantStatus(t, "a deleted agent", err, 404, "not_found")
	err = c.DeleteAgent(ctx, sales.ID)
	wantStatus(t, "deleting twice", err, 404, "not_found")
	_, err = c.UpdateAgent(ctx, "not-an-id", agentplane.AgentInput{Name: new("x")})
	wantStatus(t, "updating a malformed id", err, 404, "not_found")
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

	m, err := lead.AddMember(ctx, agentplane.MemberInput{Email: "dev@team.test", Role: agentplane.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	if m.Role != agentplane.RoleViewer || m.OrganizationID != boot.OrganizationID || !agentplane.ValidID(m.UserID) {
		t.Errorf("added %+v", m)
	}
	page, err := lead.ListMembers(ctx, client.ListParams{Limit: 1})
	if err != nil || len(page.Data) != 1 || page.NextCursor == "" {
		t.Fatalf("first member page %+v (err %v)", page, err)
	}
	rest, err := lead.ListMembers(ctx, client.ListParams{Limit: 1, Cursor: page.NextCursor})
	if err != nil || len(rest.Data) != 1 || rest.NextCursor != "" || rest.Data[0].UserID == page.Data[0].UserID {
		t.Errorf("second member page %+v (err %v)", rest, err)
	}

	up, err := lead.UpdateMember(ctx, m.UserID, agentplane.RoleAdmin)
	if err != nil || up.Role != agentplane.RoleAdmin {
		t.Fatalf("promote: %+v, %v", up, err)
	}
	if _, err := lead.UpdateMember(ctx, m.UserID, agentplane.RoleViewer); err != nil {
		t.Fatal(err)
	}
	_, err = lead.UpdateMember(ctx, boot.UserID, agentplane.RoleViewer)
	wantStatus(t, "demoting the last admin", err, 409, "conflict")
	err = lead.RemoveMember(ctx, boot.UserID)
	wantStatus(t, "removing the last admin", err, 409, "conflict")
	if err := lead.RemoveMember(ctx, m.UserID); err != nil {
		t.Fatal(err)
	}
	err = lead.RemoveMember(ctx, m.UserID)
	wantStatus(t, "removing a non-member", err, 404, "not_found")

	// A new organization from the PAT makes its user that org's admin.
	user := lead.With(client.WithOrg(""))
	org, err := user.CreateOrganization(ctx, agentplane.OrganizationInput{Name: "Side project", Slug: "side"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = user.CreateOrganization(ctx, agentplane.OrganizationInput{Name: "Again", Slug: "side"})
	wantStatus(t, "a taken slug", err, 409, "conflict")
	orgs, err := user.ListOrganizations(ctx, client.ListParams{})
	if err != nil || len(orgs.Data) != 2 || orgs.Data[0].ID != org.ID {
		t.Errorf("organizations %+v (err %v), want the new one first", orgs, err)
	}
	scopes, err := lead.With(client.WithOrg("side")).MyScopes(ctx)
	if err != nil || !slices.Equal(scopes, agentplane.AllScopes) {
		t.Errorf("scopes in the new org %v (err %v)", scopes, err)
	}

	// Narrow PATs: the effective scopes are listed, and they bind.
	narrow, err := user.CreateUserPAT(ctx, agentplane.CredentialInput{Name: "reader", Scopes: &agentplane.Scopes{agentplane.ScopeAgentsManage}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(narrow.Scopes, agentplane.Scopes{agentplane.ScopeAgentsRead, agentplane.ScopeAgentsManage}) {
		t.Errorf("a PAT made with agents:manage lists %v", narrow.Scopes)
	}
	reader := lead.With(client.WithToken(narrow.PATKey))
	if _, err := reader.ListAgents(ctx, client.ListAgentsParams{}); err != nil {
		t.Errorf("the narrow PAT can't list agents: %v", err)
	}
	_, err = reader.ListMembers(ctx, client.ListParams{})
	if e := wantStatus(t, "a narrow PAT listing members", err, 403, "forbidden"); e != nil && e.Detail != "requires scope members:read" {
		t.Errorf("detail = %q", e.Detail)
	}
	pats, err := user.ListUserPATs(ctx, client.ListParams{})
	if err != nil || len(pats.Data) != 2 || pats.Data[0].KeyID != narrow.KeyID {
		t.Errorf("user PATs %+v (err %v)", pats, err)
	}
	_, err = user.CreateUserPAT(ctx, agentplane.CredentialInput{Name: "", ExpiresAt: new(int64(1))})
	if e := wantStatus(t, "an invalid PAT", err, 422, "invalid"); e != nil && len(e.Errors) != 2 {
		t.Errorf("errors = %+v, want name and expires_at", e.Errors)
	}
}
