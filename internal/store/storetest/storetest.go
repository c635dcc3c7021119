// Package storetest is the store conformance suite: every store behaviour,
// written once and run against each engine, so SQLite and PostgreSQL can't
// drift apart unnoticed. Engines plug in through Run's open function; the
// tests themselves never know which engine they are on.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
	"github.com/google/go-cmp/cmp"
)

// test is one behaviour, run on a store nobody else touches.
type test struct {
	name string
	fn   func(t *testing.T, s *store.Store)
}

// suite lists every behaviour; each file of the package contributes its own
// list so a file stays about one resource.
func suite() []test {
	var all []test
	all = append(all, organizationTests...)
	all = append(all, memberTests...)
	all = append(all, credentialTests...)
	all = append(all, agentTests...)
	all = append(all, agentListTests...)
	all = append(all, agentDetailTests...)
	all = append(all, miscTests...)
	all = append(all, phoneTests...)
	all = append(all, versionTests...)
	all = append(all, deliveryTests...)
	return all
}

// Run runs the whole suite. open must return a freshly migrated, empty store
// each time it is called (and close it when t ends): every subtest gets its
// own, which is what lets them run in parallel and lets tests assert exact
// counts and list contents.
func Run(t *testing.T, open func(t *testing.T) *store.Store) {
	for _, tc := range suite() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// ctx is the context of the suite's calls; the tests have no deadlines of
// their own because go test's -timeout already bounds a hung database.
func ctx() context.Context { return context.Background() }

// base is an arbitrary fixed instant. Tests build every time from it so
// expected orders and windows are exact, never a race with the clock.
var base = agentplane.TimeOf(time.Date(2025, 3, 14, 15, 9, 26, 535_000_000, time.UTC))

// at returns base plus ms milliseconds.
func at(ms int64) agentplane.Time { return agentplane.TimeFromMillis(base.Millis() + ms) }

// ptr returns a pointer to a copy of v, for the optional fields of inputs.
func ptr[T any](v T) *T { return &v }

// cmpOpts compares domain values: agentplane.Time by instant (its embedded
// time.Time has unexported fields cmp refuses to look into), and JSON by
// meaning, because PostgreSQL's jsonb reformats what it stores.
var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b agentplane.Time) bool { return a.Equal(b.Time) }),
	cmp.Comparer(jsonEqual),
}

// jsonEqual reports whether a and b are the same JSON value. Two values
// that don't parse are equal only byte for byte, so garbage never hides.
func jsonEqual(a, b json.RawMessage) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return bytes.Equal(a, b)
	}
	return cmp.Equal(va, vb)
}

// diff fails t when got differs from want.
func diff(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpOpts); d != "" {
		t.Fatalf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// inTx runs fn in a transaction, as the service runs every write that
// changes an agent's detail (the store refuses one outside).
func inTx(s *store.Store, fn func(q *store.Queries) error) error { return s.WithTx(ctx(), fn) }

// must fails t on a non-nil err; what names the call in the message.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantCode fails t unless err carries code. Callers depend on the code, not
// the message, to pick an HTTP status, so that is what is asserted.
func wantCode(t *testing.T, what string, err error, code agentplane.ErrorCode) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %s", what, code)
	}
	if got := agentplane.ErrorCodeOf(err); got != code {
		t.Fatalf("%s: error %q has code %s, want %s", what, err, got, code)
	}
}

// newOrg creates an organization with the given slug, created at base.
func newOrg(t *testing.T, s *store.Store, slug string) agentplane.Organization {
	t.Helper()
	o := agentplane.Organization{ID: agentplane.NewID(), Name: "Org " + slug, Slug: slug, CreatedAt: base, UpdatedAt: base}
	must(t, "create organization "+slug, s.CreateOrganization(ctx(), o))
	return o
}

// newUser upserts a user with the given email, created at base.
func newUser(t *testing.T, s *store.Store, email string) agentplane.User {
	t.Helper()
	u, err := s.UpsertUser(ctx(), agentplane.User{ID: agentplane.NewID(), Email: email, CreatedAt: base, UpdatedAt: base})
	must(t, "upsert user "+email, err)
	return u
}

// pageAll walks a keyset-paged list to its end with the given limit and
// returns every item and the number of pages. It fails on a page longer
// than limit, an empty page that still has a next cursor, and on more pages
// than items could fill, which is how a cursor that doesn't advance shows.
func pageAll[T any](t *testing.T, limit, maxItems int, list func(p agentplane.Page) (agentplane.List[T], error)) (items []T, pages int) {
	t.Helper()
	p := agentplane.Page{Limit: limit}
	for {
		l, err := list(p)
		must(t, fmt.Sprintf("list page %d", pages+1), err)
		pages++
		if len(l.Items) > limit {
			t.Fatalf("page %d has %d items, limit %d", pages, len(l.Items), limit)
		}
		if l.Items == nil {
			t.Fatalf("page %d: Items is nil; an empty page must be an empty slice so it renders as []", pages)
		}
		items = append(items, l.Items...)
		if l.Next == nil {
			return items, pages
		}
		if len(l.Items) < limit {
			t.Fatalf("page %d has %d < %d items but a next cursor", pages, len(l.Items), limit)
		}
		if pages > maxItems/limit+1 {
			t.Fatalf("more than %d pages for at most %d items: the cursor does not advance", pages, maxItems)
		}
		p.After = l.Next
	}
}

// wantPages is the number of pages a walk over n items with limit takes:
// a last page that is exactly full carries no cursor, because the store
// fetches one row more than asked to know.
func wantPages(n, limit int) int {
	if n == 0 {
		return 1
	}
	return (n + limit - 1) / limit
}
