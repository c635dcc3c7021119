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
	v1, v2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	first, err := s.ServerSecret(ctx(), "cursor", v1)
	must(t, "first call", err)
	if !bytes.Equal(first, v1) {
		t.Fatalf("first call stored %x, want %x", first, v1)
	}
	// Cursors signed before a restart must verify after it, so the value
	// is created once and then only read.
	again, err := s.ServerSecret(ctx(), "cursor", v2)
	must(t, "second call", err)
	if !bytes.Equal(again, v1) {
		t.Fatalf("second call returned %x, want the first %x", again, v1)
	}
	other, err := s.ServerSecret(ctx(), "other purpose", v2)
	must(t, "other name", err)
	if !bytes.Equal(other, v2) {
		t.Fatalf("another name got %x, want its own %x", other, v2)
	}
	// Replace swaps only from the value it names.
	v3 := bytes.Repeat([]byte{3}, 48)
	must(t, "replace from a stale value", s.ReplaceServerSecret(ctx(), "cursor", v2, v3))
	if got, _ := s.ServerSecret(ctx(), "cursor", v2); !bytes.Equal(got, v1) {
		t.Fatalf("a stale replace changed the value to %x", got)
	}
	must(t, "replace", s.ReplaceServerSecret(ctx(), "cursor", v1, v3))
	if got, _ := s.ServerSecret(ctx(), "cursor", v2); !bytes.Equal(got, v3) {
		t.Fatalf("after replace: %x, want %x", got, v3)
	}
}

func testServerSecretRace(t *testing.T, s *store.Store) {
	// Nodes starting together all offer a value at once; every one of
	// them must end up with the same (first) value.
	const n = 8
	var (
		wg   sync.WaitGroup
		got  [n][]byte
		errs [n]error
	)
	for i := range n {
		wg.Go(func() { got[i], errs[i] = s.ServerSecret(ctx(), "shared", bytes.Repeat([]byte{byte(i + 1)}, 32)) })
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
