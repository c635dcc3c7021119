package storetest

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

var miscTests = []test{
	{"ServerSecret", testServerSecret},
	{"ServerSecret/Racing", testServerSecretRace},
	{"Migrate/Idempotent", testMigrateTwice},
	{"WithTx/CommitAndRollback", testWithTx},
}

func testServerSecret(t *testing.T, s *store.Store) {
	first, err := s.ServerSecret(ctx(), "cursor")
	must(t, "first call", err)
	if len(first) != 32 {
		t.Fatalf("secret is %d bytes, want 32", len(first))
	}
	if bytes.Equal(first, make([]byte, 32)) {
		t.Fatalf("secret is all zero bytes")
	}
	// Cursors signed before a restart must verify after it, so the value
	// is created once and then only read.
	again, err := s.ServerSecret(ctx(), "cursor")
	must(t, "second call", err)
	if !bytes.Equal(first, again) {
		t.Fatalf("second call returned %x, first %x", again, first)
	}
	other, err := s.ServerSecret(ctx(), "other purpose")
	must(t, "other name", err)
	if len(other) != 32 || bytes.Equal(other, first) {
		t.Fatalf("secrets of two names: %x and %x; want two distinct 32-byte values", first, other)
	}
}

func testServerSecretRace(t *testing.T, s *store.Store) {
	// Nodes starting together all ask for the secret at once; every one of
	// them must end up with the same value.
	const n = 8
	var (
		wg   sync.WaitGroup
		got  [n][]byte
		errs [n]error
	)
	for i := range n {
		wg.Go(func() { got[i], errs[i] = s.ServerSecret(ctx(), "shared") })
	}
	wg.Wait()
	for i := range n {
		must(t, "racing call", errs[i])
		if len(got[i]) != 32 || !bytes.Equal(got[i], got[0]) {
			t.Fatalf("racing callers got different secrets: %x and %x", got[0], got[i])
		}
	}
}

func testMigrateTwice(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "survivor")
	before, target, err := s.MigrationStatus(ctx())
	must(t, "status", err)
	if before != target || target < 1 {
		t.Fatalf("fresh store: current %d, target %d; want current == target >= 1", before, target)
	}

	// Every node migrates at start, so a migrated database must take it
	// again without change and without losing rows.
	must(t, "migrate again", s.Migrate(ctx()))
	must(t, "and again", s.Migrate(ctx()))
	current, target2, err := s.MigrationStatus(ctx())
	must(t, "status after re-migrating", err)
	if current != before || target2 != target {
		t.Fatalf("after re-migrating: current %d, target %d; want %d, %d", current, target2, before, target)
	}
	got, err := s.FindOrganization(ctx(), o.ID)
	must(t, "find after re-migrating", err)
	diff(t, "organization after re-migrating", got, o)
}

func testWithTx(t *testing.T, s *store.Store) {
	kept := agentplane.Organization{ID: agentplane.NewID(), Name: "kept", Slug: "kept", CreatedAt: base, UpdatedAt: base}
	must(t, "committed transaction", s.WithTx(ctx(), func(q *store.Queries) error {
		return q.CreateOrganization(ctx(), kept)
	}))
	got, err := s.FindOrganization(ctx(), "kept")
	must(t, "find committed", err)
	diff(t, "committed organization", got, kept)

	// fn's error comes back as is, so the service can return its own codes
	// through WithTx, and everything fn wrote is gone.
	boom := agentplane.Errorf(agentplane.EConflict, "boom")
	lost := agentplane.Organization{ID: agentplane.NewID(), Name: "lost", Slug: "lost", CreatedAt: base, UpdatedAt: base}
	err = s.WithTx(ctx(), func(q *store.Queries) error {
		if err := q.CreateOrganization(ctx(), lost); err != nil {
			return err
		}
		u, err := q.UpsertUser(ctx(), agentplane.User{ID: agentplane.NewID(), Email: "lost@example.com", CreatedAt: base, UpdatedAt: base})
		if err != nil {
			return err
		}
		if err := q.AddMember(ctx(), agentplane.Member{OrganizationID: lost.ID, UserID: u.ID, Role: agentplane.RoleAdmin, CreatedAt: base, UpdatedAt: base}); err != nil {
			return err
		}
		// Reads inside the transaction see its own writes.
		if _, err := q.FindOrganization(ctx(), "lost"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx returned %v, want fn's error", err)
	}
	_, err = s.FindOrganization(ctx(), "lost")
	wantCode(t, "find rolled-back organization", err, agentplane.ENotFound)
	n, err := s.CountOrganizations(ctx())
	must(t, "count", err)
	if n != 1 {
		t.Fatalf("CountOrganizations after a rollback = %d, want 1", n)
	}
	// The rolled-back user is gone too: upserting the address now creates it.
	fresh := agentplane.User{ID: agentplane.NewID(), Email: "lost@example.com", CreatedAt: at(1), UpdatedAt: at(1)}
	u, err := s.UpsertUser(ctx(), fresh)
	must(t, "upsert after rollback", err)
	diff(t, "user after rollback", u, fresh)
}
