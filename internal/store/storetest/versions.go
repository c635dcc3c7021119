package storetest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
	"github.com/google/go-cmp/cmp"
)

var versionTests = []test{
	{"Versions/DescriptionRoundTrip", testVersionDescription},
	{"Versions/PublishDraftOnly", testPublishDraftOnly},
}

// testVersionDescription: the change note is stored as given by create
// and by update, and read back the same by every read of a version.
func testVersionDescription(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	a := createAgent(t, s, newAgent(o, "a", at(1)))
	v := agentplane.Version{ID: agentplane.NewID(), OrganizationID: a.OrganizationID, AgentID: a.ID, Version: 1,
		Description: "first: \"é\" " + strings.Repeat("ü", 1990), Config: json.RawMessage(`{"instructions":"x"}`),
		InstructionsStatus: agentplane.InstructionsIdle, CreatedAt: at(10), UpdatedAt: at(10)}
	must(t, "create", inTx(s, func(q *store.Queries) error { return q.CreateVersion(ctx(), v) }))
	reads := func(want agentplane.Version) {
		t.Helper()
		got, err := s.GetVersion(ctx(), o.ID, a.ID, 1, false)
		must(t, "get", err)
		newest, err := s.NewestVersion(ctx(), o.ID, a.ID)
		must(t, "newest", err)
		byID, err := s.GetVersionByID(ctx(), o.ID, want.ID)
		must(t, "by id", err)
		list, err := s.ListVersions(ctx(), o.ID, a.ID, agentplane.VersionFilter{}, agentplane.Page{Limit: 10})
		must(t, "list", err)
		for _, r := range append([]agentplane.Version{got, newest, byID}, list.Items...) {
			if diff := cmp.Diff(want, r, cmpOpts); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
		}
	}
	reads(v)
	v.Description, v.UpdatedAt = "", at(20)
	must(t, "update", inTx(s, func(q *store.Queries) error { return q.UpdateVersion(ctx(), v) }))
	reads(v)
	v.Description, v.UpdatedAt = "again", at(30)
	must(t, "update", inTx(s, func(q *store.Queries) error { return q.UpdateVersion(ctx(), v) }))
	reads(v)
}

// testPublishDraftOnly: a publish with DraftOnly goes ahead on a draft and
// is a 409 on a published version, changing nothing; without it a
// published version is republished.
func testPublishDraftOnly(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	a := createAgent(t, s, newAgent(o, "a", at(1)))
	newVersion(t, s, a)
	p := store.Publish{OrganizationID: o.ID, AgentID: a.ID, Version: 1, Inbound: true, DraftOnly: true, Now: at(100)}
	if _, err := s.PublishVersion(ctx(), p); err != nil {
		t.Fatalf("draft-only publish of a draft: %v", err)
	}
	p.Now = at(200)
	_, err := s.PublishVersion(ctx(), p)
	if agentplane.ErrorCodeOf(err) != agentplane.EConflict || !strings.Contains(err.Error(), "newest version (1) is published") {
		t.Fatalf("draft-only publish of a published version: %v, want a conflict", err)
	}
	got, err := s.GetVersion(ctx(), o.ID, a.ID, 1, false)
	must(t, "get", err)
	if got.UpdatedAt.Millis() != at(100).Millis() {
		t.Errorf("a refused publish moved updated_at to %s", got.UpdatedAt)
	}
	p.DraftOnly = false
	if _, err := s.PublishVersion(ctx(), p); err != nil {
		t.Fatalf("republish: %v", err)
	}
}
