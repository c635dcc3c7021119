package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

var memberTests = []test{
	{"Users/UpsertSameEmail", testUpsertUser},
	{"Members/AddGet", testMemberAddGet},
	{"Members/AddDuplicate", testMemberDuplicate},
	{"Members/SetRole", testMemberSetRole},
	{"Members/Remove", testMemberRemove},
	{"Members/CountAdmins", testCountAdmins},
	{"Members/ListPaging", testListMembers},
	{"Members/LockOrganization", testLockOrganization},
	{"Members/ListUserOrganizations", testListUserOrganizations},
}

// addMember makes u a member of o with role, joined at when.
func addMember(t *testing.T, s *store.Store, o agentplane.Organization, u agentplane.User, role agentplane.Role, when agentplane.Time) agentplane.Member {
	t.Helper()
	m := agentplane.Member{UserID: u.ID, OrganizationID: o.ID, Email: u.Email, Role: role, CreatedAt: when, UpdatedAt: when}
	must(t, "add member "+u.Email, s.AddMember(ctx(), m))
	return m
}

func testUpsertUser(t *testing.T, s *store.Store) {
	first := agentplane.User{ID: agentplane.NewID(), Email: "ann@example.com", CreatedAt: at(1), UpdatedAt: at(1)}
	got, err := s.UpsertUser(ctx(), first)
	must(t, "first upsert", err)
	diff(t, "first upsert", got, first)

	// A second upsert of the address returns the first row, not the new id
	// or times: that is how invitations of an existing person attach to them.
	again, err := s.UpsertUser(ctx(), agentplane.User{ID: agentplane.NewID(), Email: "ann@example.com", CreatedAt: at(9), UpdatedAt: at(9)})
	must(t, "second upsert", err)
	diff(t, "second upsert", again, first)

	other, err := s.UpsertUser(ctx(), agentplane.User{ID: agentplane.NewID(), Email: "bob@example.com", CreatedAt: at(3), UpdatedAt: at(3)})
	must(t, "other upsert", err)
	if other.ID == first.ID {
		t.Fatalf("two addresses got one user id %s", other.ID)
	}
}

func testMemberAddGet(t *testing.T, s *store.Store) {
	o, other := newOrg(t, s, "acme"), newOrg(t, s, "other")
	u := newUser(t, s, "ann@example.com")
	m := agentplane.Member{UserID: u.ID, OrganizationID: o.ID, Role: agentplane.RoleViewer, CreatedAt: at(10), UpdatedAt: at(20)}
	must(t, "add", s.AddMember(ctx(), m))

	got, err := s.GetMember(ctx(), o.ID, u.ID)
	must(t, "get", err)
	m.Email = u.Email // joined from users, not stored on the membership
	diff(t, "member", got, m)

	_, err = s.GetMember(ctx(), other.ID, u.ID)
	wantCode(t, "get in an organization the user is not in", err, agentplane.ENotFound)
	_, err = s.GetMember(ctx(), o.ID, agentplane.NewID())
	wantCode(t, "get unknown user", err, agentplane.ENotFound)
}

func testMemberDuplicate(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	u := newUser(t, s, "ann@example.com")
	first := addMember(t, s, o, u, agentplane.RoleAdmin, at(1))
	dup := agentplane.Member{UserID: u.ID, OrganizationID: o.ID, Email: u.Email, Role: agentplane.RoleViewer, CreatedAt: at(2), UpdatedAt: at(2)}
	err := s.AddMember(ctx(), dup)
	wantCode(t, "add twice", err, agentplane.EConflict)
	if !strings.Contains(err.Error(), u.Email) {
		t.Errorf("conflict message %q does not name %s", err, u.Email)
	}
	got, err := s.GetMember(ctx(), o.ID, u.ID)
	must(t, "get", err)
	diff(t, "member after a rejected duplicate", got, first)
}

func testMemberSetRole(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	u := newUser(t, s, "ann@example.com")
	m := addMember(t, s, o, u, agentplane.RoleViewer, at(1))

	must(t, "set role", s.SetMemberRole(ctx(), o.ID, u.ID, agentplane.RoleAdmin, at(50)))
	got, err := s.GetMember(ctx(), o.ID, u.ID)
	must(t, "get", err)
	m.Role, m.UpdatedAt = agentplane.RoleAdmin, at(50)
	diff(t, "member after SetMemberRole", got, m)

	other := newOrg(t, s, "other")
	wantCode(t, "set role in another organization",
		s.SetMemberRole(ctx(), other.ID, u.ID, agentplane.RoleViewer, at(60)), agentplane.ENotFound)
	wantCode(t, "set role of unknown user",
		s.SetMemberRole(ctx(), o.ID, agentplane.NewID(), agentplane.RoleViewer, at(60)), agentplane.ENotFound)
	got, err = s.GetMember(ctx(), o.ID, u.ID)
	must(t, "get", err)
	diff(t, "member after rejected role changes", got, m)
}

func testMemberRemove(t *testing.T, s *store.Store) {
	o, other := newOrg(t, s, "acme"), newOrg(t, s, "other")
	u := newUser(t, s, "ann@example.com")
	addMember(t, s, o, u, agentplane.RoleAdmin, at(1))
	kept := addMember(t, s, other, u, agentplane.RoleViewer, at(2))

	must(t, "remove", s.RemoveMember(ctx(), o.ID, u.ID))
	_, err := s.GetMember(ctx(), o.ID, u.ID)
	wantCode(t, "get removed member", err, agentplane.ENotFound)
	wantCode(t, "remove again", s.RemoveMember(ctx(), o.ID, u.ID), agentplane.ENotFound)
	wantCode(t, "remove unknown user", s.RemoveMember(ctx(), o.ID, agentplane.NewID()), agentplane.ENotFound)

	// Leaving one organization keeps the user's other memberships.
	got, err := s.GetMember(ctx(), other.ID, u.ID)
	must(t, "get membership elsewhere", err)
	diff(t, "membership elsewhere", got, kept)
}

func testCountAdmins(t *testing.T, s *store.Store) {
	o, other := newOrg(t, s, "acme"), newOrg(t, s, "other")
	ann, bob, cy := newUser(t, s, "ann@example.com"), newUser(t, s, "bob@example.com"), newUser(t, s, "cy@example.com")
	addMember(t, s, o, ann, agentplane.RoleAdmin, at(1))
	addMember(t, s, o, bob, agentplane.RoleAdmin, at(2))
	addMember(t, s, o, cy, agentplane.RoleViewer, at(3))
	addMember(t, s, other, cy, agentplane.RoleAdmin, at(4)) // an admin elsewhere counts only there

	count := func(orgID string) int {
		t.Helper()
		n, err := s.CountAdmins(ctx(), orgID)
		must(t, "count admins", err)
		return n
	}
	if n := count(o.ID); n != 2 {
		t.Fatalf("CountAdmins = %d, want 2", n)
	}
	must(t, "demote", s.SetMemberRole(ctx(), o.ID, bob.ID, agentplane.RoleViewer, at(5)))
	if n := count(o.ID); n != 1 {
		t.Fatalf("CountAdmins after a demotion = %d, want 1", n)
	}
	if n := count(other.ID); n != 1 {
		t.Fatalf("CountAdmins of the other organization = %d, want 1", n)
	}
	if n := count(newOrg(t, s, "empty").ID); n != 0 {
		t.Fatalf("CountAdmins of an empty organization = %d, want 0", n)
	}
}

func testListMembers(t *testing.T, s *store.Store) {
	o, other := newOrg(t, s, "acme"), newOrg(t, s, "other")
	const n = 23
	var want []agentplane.Member
	for i := range n {
		u := newUser(t, s, fmt.Sprintf("user%02d@example.com", i))
		// Three joins per millisecond, so the user id has to break ties.
		want = append(want, addMember(t, s, o, u, agentplane.RoleViewer, at(int64(i/3))))
		if i%5 == 0 {
			addMember(t, s, other, u, agentplane.RoleAdmin, at(int64(i)))
		}
	}
	slices.SortFunc(want, func(a, b agentplane.Member) int {
		if c := b.CreatedAt.Compare(a.CreatedAt.Time); c != 0 {
			return c
		}
		return strings.Compare(b.UserID, a.UserID)
	})

	got, pages := pageAll(t, 4, n, func(p agentplane.Page) (agentplane.List[agentplane.Member], error) {
		return s.ListMembers(ctx(), o.ID, p)
	})
	diff(t, "members, newest first, across pages", got, want)
	if pages != wantPages(n, 4) {
		t.Errorf("pages = %d, want %d", pages, wantPages(n, 4))
	}
}

// demoteUnlessLast is the service's rule for role changes: lock the
// organization, then refuse to demote its last admin.
func demoteUnlessLast(q *store.Queries, orgID, userID string, when agentplane.Time) error {
	if err := q.LockOrganization(ctx(), orgID); err != nil {
		return err
	}
	n, err := q.CountAdmins(ctx(), orgID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return errLastAdmin
	}
	return q.SetMemberRole(ctx(), orgID, userID, agentplane.RoleViewer, when)
}

var errLastAdmin = agentplane.Errorf(agentplane.EConflict, "last admin")

func testLockOrganization(t *testing.T, s *store.Store) {
	// Two admins each demote the other. Without the lock both transactions
	// count two admins and the organization ends with none. The interleaving
	// is forced: the first transaction counts, then starts the second and
	// keeps its lock until the second is seen waiting for it.
	o := newOrg(t, s, "acme")
	ann, bob := newUser(t, s, "ann@example.com"), newUser(t, s, "bob@example.com")
	addMember(t, s, o, ann, agentplane.RoleAdmin, at(1))
	addMember(t, s, o, bob, agentplane.RoleAdmin, at(2))

	second := make(chan error, 1)
	var early error // what the second transaction returned while the first held the lock
	finishedEarly := false
	first := s.WithTx(ctx(), func(q *store.Queries) error {
		if err := q.LockOrganization(ctx(), o.ID); err != nil {
			return err
		}
		n, err := q.CountAdmins(ctx(), o.ID)
		if err != nil || n != 2 {
			return fmt.Errorf("count before the race: %d, %v", n, err)
		}
		go func() {
			second <- s.WithTx(ctx(), func(q *store.Queries) error { return demoteUnlessLast(q, o.ID, ann.ID, at(4)) })
		}()
		if finishedEarly, early = waitBlocked(t, s, second); finishedEarly {
			return nil // reported below, outside the transaction
		}
		return q.SetMemberRole(ctx(), o.ID, bob.ID, agentplane.RoleViewer, at(3))
	})
	must(t, "first demotion", first)
	if finishedEarly {
		t.Fatalf("the second transaction ended (err = %v) while the first held the organization lock", early)
	}
	if err := <-second; !errors.Is(err, errLastAdmin) {
		t.Fatalf("second demotion: err = %v, want the last-admin refusal", err)
	}
	n, err := s.CountAdmins(ctx(), o.ID)
	must(t, "count admins", err)
	if n != 1 {
		t.Fatalf("%d admins left, want 1", n)
	}
}

// waitBlocked returns once the transaction reporting on done is waiting
// for a lock, or with its result if it finished instead. On PostgreSQL
// the wait is observable, so it polls for it. SQLite's writer waits
// inside BEGIN's busy handler, which nothing reports, so there it waits
// a bounded time for a result that a working lock never lets arrive:
// a broken lock fails the test, a working one can't.
func waitBlocked(t *testing.T, s *store.Store, done chan error) (finished bool, err error) {
	t.Helper()
	if s.Engine() != store.Postgres {
		select {
		case err := <-done:
			return true, err
		case <-time.After(300 * time.Millisecond):
			return false, nil
		}
	}
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return true, err
		case <-deadline:
			t.Errorf("the second transaction neither finished nor waited for a lock in 30s")
			return false, nil
		case <-tick.C:
		}
		var waiting int
		err = s.DB().QueryRowContext(ctx(), `SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		if err != nil {
			t.Errorf("poll pg_stat_activity: %v", err)
			return false, nil
		}
		if waiting > 0 {
			return false, nil
		}
	}
}

func testListUserOrganizations(t *testing.T, s *store.Store) {
	ann, bob := newUser(t, s, "ann@example.com"), newUser(t, s, "bob@example.com")
	var orgs []agentplane.Organization
	for i := range 5 {
		orgs = append(orgs, newOrg(t, s, fmt.Sprintf("org%d", i)))
	}
	// Ann joined orgs 3, 0, 4 in that order (two in one millisecond); the
	// list follows her joins, not the organizations' own creation.
	addMember(t, s, orgs[3], ann, agentplane.RoleAdmin, at(10))
	addMember(t, s, orgs[0], ann, agentplane.RoleViewer, at(20))
	addMember(t, s, orgs[4], ann, agentplane.RoleViewer, at(20))
	addMember(t, s, orgs[1], bob, agentplane.RoleAdmin, at(30)) // not Ann's

	want := []agentplane.Organization{orgs[0], orgs[4]}
	if orgs[4].ID > orgs[0].ID { // same millisecond: higher id first
		want = []agentplane.Organization{orgs[4], orgs[0]}
	}
	want = append(want, orgs[3])

	got, pages := pageAll(t, 2, 3, func(p agentplane.Page) (agentplane.List[agentplane.Organization], error) {
		return s.ListUserOrganizations(ctx(), ann.ID, p)
	})
	diff(t, "Ann's organizations, newest membership first", got, want)
	if pages != 2 {
		t.Errorf("pages = %d, want 2", pages)
	}

	none, err := s.ListUserOrganizations(ctx(), agentplane.NewID(), agentplane.Page{Limit: 10})
	must(t, "list for a user without memberships", err)
	diff(t, "organizations of a stranger", none, agentplane.List[agentplane.Organization]{Items: []agentplane.Organization{}})
}
