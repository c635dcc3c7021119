package storetest

import (
	"encoding/json"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

var agentTests = []test{
	{"Agents/CreateGet", testAgentCreateGet},
	{"Agents/Update", testAgentUpdate},
	{"Agents/Delete", testAgentDelete},
	{"Agents/Tenancy", testAgentTenancy},
}

// newAgent returns an agent of o named name, created and updated at when,
// with empty metadata (what the service stores when none is given).
func newAgent(o agentplane.Organization, name string, when agentplane.Time) agentplane.Agent {
	return agentplane.Agent{ID: agentplane.NewID(), OrganizationID: o.ID, Name: name, Active: true,
		Metadata: json.RawMessage(`{}`), CreatedAt: when, UpdatedAt: when}
}

// createAgent stores a, failing t on error.
func createAgent(t *testing.T, s *store.Store, a agentplane.Agent) agentplane.Agent {
	t.Helper()
	must(t, "create agent "+a.Name, s.CreateAgent(ctx(), a))
	return a
}

// getAgent reads orgID's agent id, failing t on error.
func getAgent(t *testing.T, s *store.Store, orgID, id string) agentplane.Agent {
	t.Helper()
	a, err := s.GetAgent(ctx(), orgID, id)
	must(t, "get agent", err)
	return a
}

func testAgentCreateGet(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	a := agentplane.Agent{
		ID: agentplane.NewID(), OrganizationID: o.ID,
		Name: "Réception — 受付 🤖", Description: "line one\nline two, 'quoted' and \"double\"",
		Active: false, IsDemo: true,
		Metadata:  json.RawMessage(`{"team":"front desk","floor":3,"ratio":0.25,"vip":true,"tags":["a","b"],"owner":{"name":"Ann","ids":[1,2]},"none":null,"esc":"tab\there \u00e9"}`),
		CreatedAt: at(10), UpdatedAt: at(20),
	}
	must(t, "create", s.CreateAgent(ctx(), a))
	diff(t, "agent", getAgent(t, s, o.ID, a.ID), a)

	// Both booleans the other way round, so a column stuck at its default
	// can't pass.
	b := newAgent(o, "plain", at(30))
	b.Active, b.IsDemo = true, false
	createAgent(t, s, b)
	diff(t, "second agent", getAgent(t, s, o.ID, b.ID), b)

	dup := newAgent(o, "dup", at(40))
	dup.ID = a.ID
	wantCode(t, "create with a taken id", s.CreateAgent(ctx(), dup), agentplane.EConflict)
	diff(t, "agent after a rejected duplicate", getAgent(t, s, o.ID, a.ID), a)

	_, err := s.GetAgent(ctx(), o.ID, agentplane.NewID())
	wantCode(t, "get unknown agent", err, agentplane.ENotFound)
}

func testAgentUpdate(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	a := newAgent(o, "before", at(1))
	a.Metadata = json.RawMessage(`{"k":"v","n":1}`)
	createAgent(t, s, a)
	neighbour := createAgent(t, s, newAgent(o, "neighbour", at(2)))

	u := a
	u.Name, u.Description = "after", "now described"
	u.Active, u.IsDemo = false, true
	u.Metadata = json.RawMessage(`{"n":2,"added":{"deep":[true]}}`)
	u.UpdatedAt = at(100)
	u.CreatedAt = at(99) // the store must not let an update move creation
	must(t, "update", inTx(s, func(q *store.Queries) error { return q.UpdateAgent(ctx(), u) }))

	want := u
	want.CreatedAt = a.CreatedAt
	diff(t, "updated agent", getAgent(t, s, o.ID, a.ID), want)
	diff(t, "neighbour after the update", getAgent(t, s, o.ID, neighbour.ID), neighbour)

	// Metadata is replaced as a whole: keys left out of the update are gone.
	u.Metadata = json.RawMessage(`{}`)
	u.UpdatedAt = at(200)
	must(t, "clear metadata", inTx(s, func(q *store.Queries) error { return q.UpdateAgent(ctx(), u) }))
	want.Metadata, want.UpdatedAt = json.RawMessage(`{}`), at(200)
	diff(t, "agent with cleared metadata", getAgent(t, s, o.ID, a.ID), want)

	missing := newAgent(o, "ghost", at(3))
	wantCode(t, "update unknown agent", inTx(s, func(q *store.Queries) error { return q.UpdateAgent(ctx(), missing) }), agentplane.ENotFound)
	if _, err := s.GetAgent(ctx(), o.ID, missing.ID); agentplane.ErrorCodeOf(err) != agentplane.ENotFound {
		t.Fatalf("an update of an unknown agent created it: err = %v", err)
	}
}

func testAgentDelete(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	a := createAgent(t, s, newAgent(o, "doomed", at(1)))
	b := createAgent(t, s, newAgent(o, "kept", at(2)))

	must(t, "delete", inTx(s, func(q *store.Queries) error { return q.DeleteAgent(ctx(), o.ID, a.ID) }))
	_, err := s.GetAgent(ctx(), o.ID, a.ID)
	wantCode(t, "get deleted agent", err, agentplane.ENotFound)
	wantCode(t, "delete again", inTx(s, func(q *store.Queries) error { return q.DeleteAgent(ctx(), o.ID, a.ID) }), agentplane.ENotFound)
	wantCode(t, "update deleted agent", inTx(s, func(q *store.Queries) error { return q.UpdateAgent(ctx(), a) }), agentplane.ENotFound)

	diff(t, "other agent after the delete", getAgent(t, s, o.ID, b.ID), b)
	l, err := s.ListAgents(ctx(), o.ID, agentplane.AgentFilter{}, agentplane.Page{Limit: 10})
	must(t, "list", err)
	diff(t, "agents after the delete", l.Items, []agentplane.Agent{b})
}

func testAgentTenancy(t *testing.T, s *store.Store) {
	mine, theirs := newOrg(t, s, "mine"), newOrg(t, s, "theirs")
	a := newAgent(mine, "private", at(1))
	a.Metadata = json.RawMessage(`{"secret":"yes"}`)
	createAgent(t, s, a)

	// Every call names the organization; another organization's id gets
	// not_found, the same answer as a missing agent, so ids leak nothing.
	_, err := s.GetAgent(ctx(), theirs.ID, a.ID)
	wantCode(t, "get through another organization", err, agentplane.ENotFound)

	hijack := a
	hijack.OrganizationID = theirs.ID
	hijack.Name, hijack.Active, hijack.Metadata, hijack.UpdatedAt = "owned", false, json.RawMessage(`{}`), at(50)
	wantCode(t, "update through another organization", inTx(s, func(q *store.Queries) error { return q.UpdateAgent(ctx(), hijack) }), agentplane.ENotFound)
	wantCode(t, "delete through another organization", inTx(s, func(q *store.Queries) error { return q.DeleteAgent(ctx(), theirs.ID, a.ID) }), agentplane.ENotFound)

	diff(t, "agent after cross-organization attempts", getAgent(t, s, mine.ID, a.ID), a)
	l, err := s.ListAgents(ctx(), theirs.ID, agentplane.AgentFilter{}, agentplane.Page{Limit: 10})
	must(t, "list the other organization", err)
	diff(t, "the other organization's agents", l, agentplane.List[agentplane.Agent]{Items: []agentplane.Agent{}})
	l, err = s.ListAgents(ctx(), theirs.ID, agentplane.AgentFilter{Metadata: map[string]json.RawMessage{"secret": json.RawMessage(`"yes"`)}}, agentplane.Page{Limit: 10})
	must(t, "list the other organization by metadata", err)
	if len(l.Items) != 0 {
		t.Fatalf("a metadata filter crossed organizations: %v", l.Items)
	}
}
