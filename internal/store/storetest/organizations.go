package storetest

import (
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

var organizationTests = []test{
	{"Organizations/CreateAndFind", testOrgCreateFind},
	{"Organizations/DuplicateSlug", testOrgDuplicateSlug},
	{"Organizations/NotFound", testOrgNotFound},
	{"Organizations/Count", testOrgCount},
}

func testOrgCreateFind(t *testing.T, s *store.Store) {
	o := agentplane.Organization{ID: agentplane.NewID(), Name: "Acme Inc.", Slug: "acme", CreatedAt: at(1), UpdatedAt: at(2)}
	must(t, "create", s.CreateOrganization(ctx(), o))
	newOrg(t, s, "other") // a neighbour the lookups must not return

	byID, err := s.FindOrganization(ctx(), o.ID)
	must(t, "find by id", err)
	diff(t, "find by id", byID, o)

	bySlug, err := s.FindOrganization(ctx(), "acme")
	must(t, "find by slug", err)
	diff(t, "find by slug", bySlug, o)
}

func testOrgDuplicateSlug(t *testing.T, s *store.Store) {
	first := newOrg(t, s, "taken")
	dup := agentplane.Organization{ID: agentplane.NewID(), Name: "Someone else", Slug: "taken", CreatedAt: at(5), UpdatedAt: at(5)}
	wantCode(t, "create with a taken slug", s.CreateOrganization(ctx(), dup), agentplane.EConflict)

	// The loser left nothing behind and the winner is unchanged.
	if _, err := s.FindOrganization(ctx(), dup.ID); agentplane.ErrorCodeOf(err) != agentplane.ENotFound {
		t.Fatalf("find the rejected organization: err = %v, want not_found", err)
	}
	got, err := s.FindOrganization(ctx(), "taken")
	must(t, "find by slug", err)
	diff(t, "slug owner", got, first)

	n, err := s.CountOrganizations(ctx())
	must(t, "count", err)
	if n != 1 {
		t.Fatalf("CountOrganizations = %d, want 1", n)
	}
}

func testOrgNotFound(t *testing.T, s *store.Store) {
	newOrg(t, s, "present")
	for _, ref := range []string{agentplane.NewID(), "absent", "present-not"} {
		_, err := s.FindOrganization(ctx(), ref)
		wantCode(t, "find "+ref, err, agentplane.ENotFound)
	}
}

func testOrgCount(t *testing.T, s *store.Store) {
	// Zero on an empty database is what triggers first-start bootstrapping.
	n, err := s.CountOrganizations(ctx())
	must(t, "count empty", err)
	if n != 0 {
		t.Fatalf("CountOrganizations on a fresh store = %d, want 0", n)
	}
	for _, slug := range []string{"a", "b", "c"} {
		newOrg(t, s, slug)
	}
	n, err = s.CountOrganizations(ctx())
	must(t, "count", err)
	if n != 3 {
		t.Fatalf("CountOrganizations = %d, want 3", n)
	}
}
