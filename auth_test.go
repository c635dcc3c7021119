package agentplane_test

import (
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/google/go-cmp/cmp"
)

func TestManageImpliesRead(t *testing.T) {
	t.Parallel()
	held := agentplane.Scopes{agentplane.ScopeAgentsManage}
	for _, tc := range []struct {
		want agentplane.Scope
		ok   bool
	}{
		{agentplane.ScopeAgentsManage, true},
		{agentplane.ScopeAgentsRead, true},
		{agentplane.ScopePhoneNumbersRead, false},
		{agentplane.ScopeMembersManage, false},
	} {
		if got := held.Allows(tc.want); got != tc.ok {
			t.Errorf("agents:manage allows %s = %v, want %v", tc.want, got, tc.ok)
		}
	}
	// conversations:manage grants conversations:read, but
	// read_sensitive is its own scope, not a ":read".
	conv := agentplane.Scopes{agentplane.ScopeConversationsManage}
	if !conv.Allows(agentplane.ScopeConversationsRead) || conv.Allows(agentplane.ScopeConversationsReadSensitive) {
		t.Errorf("conversations:manage grants read=%v sensitive=%v", conv.Allows(agentplane.ScopeConversationsRead), conv.Allows(agentplane.ScopeConversationsReadSensitive))
	}
}

func TestRoles(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff(agentplane.Scopes(agentplane.AllScopes), agentplane.RoleAdmin.Scopes()); diff != "" {
		t.Errorf("admin scopes (-want +got):\n%s", diff)
	}
	want := agentplane.Scopes{
		agentplane.ScopeAgentsRead, agentplane.ScopePhoneNumbersRead, agentplane.ScopeWebWidgetsRead,
		agentplane.ScopeConversationsRead, agentplane.ScopeMembersRead,
	}
	if diff := cmp.Diff(want, agentplane.RoleViewer.Scopes()); diff != "" {
		t.Errorf("viewer scopes (-want +got):\n%s", diff)
	}
	if agentplane.Role("owner").Valid() || agentplane.Role("owner").Scopes() != nil {
		t.Error("unknown role is valid or has scopes")
	}
}

func TestIntersect(t *testing.T) {
	t.Parallel()
	viewer := agentplane.RoleViewer.Scopes()
	// A PAT narrowed to agents:manage used by a viewer can only read agents.
	got := viewer.Intersect(agentplane.Scopes{agentplane.ScopeAgentsManage})
	if diff := cmp.Diff(agentplane.Scopes{agentplane.ScopeAgentsRead}, got); diff != "" {
		t.Errorf("viewer ∩ agents:manage (-want +got):\n%s", diff)
	}
	if got := (agentplane.Scopes{agentplane.ScopeMembersRead}).Intersect(agentplane.Scopes{agentplane.ScopeAgentsRead}); got != nil {
		t.Errorf("disjoint intersect = %v, want none", got)
	}
	exp := agentplane.Scopes{agentplane.ScopeMembersManage}.Expand()
	if diff := cmp.Diff(agentplane.Scopes{agentplane.ScopeMembersRead, agentplane.ScopeMembersManage}, exp); diff != "" {
		t.Errorf("expand (-want +got):\n%s", diff)
	}
}

func TestAllowsAnyEmptyMeansAuthenticated(t *testing.T) {
	t.Parallel()
	if !(agentplane.Scopes{}).AllowsAny() {
		t.Error("a route without scopes must admit any authenticated caller")
	}
	if (agentplane.Scopes{}).AllowsAny(agentplane.ScopeAgentsRead) {
		t.Error("no scopes allowed agents:read")
	}
}
