package storetest

import (
	"crypto/sha256"
	"slices"
	"strings"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

var credentialTests = []test{
	{"Credentials/RoundTrip", testCredentialRoundTrip},
	{"Credentials/ListLiveOfOwner", testListCredentials},
	{"Credentials/Revoke", testRevokeCredential},
	{"Credentials/Touch", testTouchCredentials},
}

// orgKey returns an org key of o named name, created at when, with a hash
// derived from the name so every credential's hash is distinct.
func orgKey(o agentplane.Organization, name string, when agentplane.Time) agentplane.Credential {
	h := sha256.Sum256([]byte("secret of " + name))
	return agentplane.Credential{ID: agentplane.NewID(), Kind: agentplane.KindOrgKey, OrganizationID: o.ID,
		Name: name, CreatedAt: when, SecretHash: h[:]}
}

// pat returns a personal access token of u, like orgKey.
func pat(u agentplane.User, name string, when agentplane.Time) agentplane.Credential {
	h := sha256.Sum256([]byte("secret of " + name))
	return agentplane.Credential{ID: agentplane.NewID(), Kind: agentplane.KindPAT, UserID: u.ID,
		Name: name, CreatedAt: when, SecretHash: h[:]}
}

// getCredential reads id back, failing t on error.
func getCredential(t *testing.T, s *store.Store, id string) agentplane.Credential {
	t.Helper()
	c, err := s.GetCredential(ctx(), id)
	must(t, "get credential", err)
	return c
}

func testCredentialRoundTrip(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	u := newUser(t, s, "ann@example.com")

	// nil scopes mean "whatever the holder has" and must stay nil, not
	// become an empty list that grants nothing.
	key := orgKey(o, "deploy key", at(1))
	must(t, "create org key", s.CreateCredential(ctx(), key))
	diff(t, "org key", getCredential(t, s, key.ID), key)

	token := pat(u, "laptop", at(2))
	token.Scopes = agentplane.Scopes{agentplane.ScopeAgentsRead, agentplane.ScopeMembersManage}
	token.ExpiresAt = ptr(at(86_400_000).Millis())
	// A hash with bytes that are not valid UTF-8 or contain NUL must come
	// back unchanged: it is compared byte for byte at authentication.
	token.SecretHash = []byte{0x00, 0xff, 0xfe, 0x80, 0x00, 0x7f, 'a', 0xc3}
	must(t, "create PAT", s.CreateCredential(ctx(), token))
	diff(t, "PAT", getCredential(t, s, token.ID), token)

	_, err := s.GetCredential(ctx(), agentplane.NewID())
	wantCode(t, "get unknown credential", err, agentplane.ENotFound)

	dup := orgKey(o, "another", at(3))
	dup.ID = key.ID
	wantCode(t, "create with a taken id", s.CreateCredential(ctx(), dup), agentplane.EConflict)
	diff(t, "org key after a rejected duplicate", getCredential(t, s, key.ID), key)
}

// byNewest sorts credentials as lists return them.
func byNewest(cs []agentplane.Credential) []agentplane.Credential {
	cs = slices.Clone(cs)
	slices.SortFunc(cs, func(a, b agentplane.Credential) int {
		if c := b.CreatedAt.Compare(a.CreatedAt.Time); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return cs
}

func testListCredentials(t *testing.T, s *store.Store) {
	o, other := newOrg(t, s, "acme"), newOrg(t, s, "other")
	ann, bob := newUser(t, s, "ann@example.com"), newUser(t, s, "bob@example.com")
	addMember(t, s, o, ann, agentplane.RoleAdmin, at(0))

	var live []agentplane.Credential
	for i, name := range []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6"} {
		c := orgKey(o, name, at(int64(i/2))) // pairs share a millisecond
		must(t, "create "+name, s.CreateCredential(ctx(), c))
		live = append(live, c)
	}
	revoked := orgKey(o, "revoked", at(100))
	must(t, "create revoked", s.CreateCredential(ctx(), revoked))
	must(t, "revoke", s.RevokeCredential(ctx(), store.CredentialOwner{OrganizationID: o.ID}, revoked.ID, at(101)))
	must(t, "create other org's key", s.CreateCredential(ctx(), orgKey(other, "foreign", at(50))))
	annPAT := pat(ann, "ann laptop", at(60)) // Ann is a member, but a PAT is hers, not the org's
	must(t, "create Ann's PAT", s.CreateCredential(ctx(), annPAT))
	bobPAT := pat(bob, "bob laptop", at(61))
	must(t, "create Bob's PAT", s.CreateCredential(ctx(), bobPAT))

	got, pages := pageAll(t, 3, len(live), func(p agentplane.Page) (agentplane.List[agentplane.Credential], error) {
		return s.ListCredentials(ctx(), store.CredentialOwner{OrganizationID: o.ID}, p)
	})
	diff(t, "org keys, live only, newest first", got, byNewest(live))
	if pages != wantPages(len(live), 3) {
		t.Errorf("pages = %d, want %d", pages, wantPages(len(live), 3))
	}

	mine, err := s.ListCredentials(ctx(), store.CredentialOwner{UserID: ann.ID}, agentplane.Page{Limit: 10})
	must(t, "list Ann's PATs", err)
	diff(t, "Ann's PATs", mine, agentplane.List[agentplane.Credential]{Items: []agentplane.Credential{annPAT}})

	// The created window applies to created_at; the updated one is ignored
	// because credentials have no updated_at.
	win := agentplane.Page{Limit: 10, Window: agentplane.TimeWindow{
		CreatedAfter: ptr(at(1)), CreatedBefore: ptr(at(3)),
		UpdatedAfter: ptr(at(1_000_000)),
	}}
	windowed, err := s.ListCredentials(ctx(), store.CredentialOwner{OrganizationID: o.ID}, win)
	must(t, "list with a window", err)
	diff(t, "org keys created in [1, 3)", windowed.Items, byNewest(live[2:6]))
}

func testRevokeCredential(t *testing.T, s *store.Store) {
	o, other := newOrg(t, s, "acme"), newOrg(t, s, "other")
	ann, bob := newUser(t, s, "ann@example.com"), newUser(t, s, "bob@example.com")
	key := orgKey(o, "key", at(1))
	token := pat(ann, "token", at(2))
	must(t, "create key", s.CreateCredential(ctx(), key))
	must(t, "create PAT", s.CreateCredential(ctx(), token))

	// Every owner but the right one is told the credential doesn't exist,
	// so one tenant can't probe or revoke another's keys.
	wrong := []struct {
		what  string
		owner store.CredentialOwner
		id    string
	}{
		{"org key by another org", store.CredentialOwner{OrganizationID: other.ID}, key.ID},
		{"org key by a user", store.CredentialOwner{UserID: ann.ID}, key.ID},
		{"PAT by another user", store.CredentialOwner{UserID: bob.ID}, token.ID},
		{"PAT by an org", store.CredentialOwner{OrganizationID: o.ID}, token.ID},
		{"unknown id", store.CredentialOwner{OrganizationID: o.ID}, agentplane.NewID()},
	}
	for _, w := range wrong {
		wantCode(t, "revoke "+w.what, s.RevokeCredential(ctx(), w.owner, w.id, at(10)), agentplane.ENotFound)
	}
	diff(t, "org key after wrong revokes", getCredential(t, s, key.ID), key)
	diff(t, "PAT after wrong revokes", getCredential(t, s, token.ID), token)
	l, err := s.ListCredentials(ctx(), store.CredentialOwner{OrganizationID: o.ID}, agentplane.Page{Limit: 10})
	must(t, "list", err)
	diff(t, "org keys after wrong revokes", l.Items, []agentplane.Credential{key})

	must(t, "revoke key", s.RevokeCredential(ctx(), store.CredentialOwner{OrganizationID: o.ID}, key.ID, at(20)))
	must(t, "revoke PAT", s.RevokeCredential(ctx(), store.CredentialOwner{UserID: ann.ID}, token.ID, at(21)))
	key.RevokedAt, token.RevokedAt = ptr(at(20)), ptr(at(21))
	// Authentication reads revoked credentials too, to refuse them.
	diff(t, "revoked org key", getCredential(t, s, key.ID), key)
	diff(t, "revoked PAT", getCredential(t, s, token.ID), token)

	// A second revoke must not move revoked_at: the first time is the record.
	wantCode(t, "revoke twice", s.RevokeCredential(ctx(), store.CredentialOwner{OrganizationID: o.ID}, key.ID, at(30)), agentplane.ENotFound)
	diff(t, "org key after a second revoke", getCredential(t, s, key.ID), key)

	l, err = s.ListCredentials(ctx(), store.CredentialOwner{OrganizationID: o.ID}, agentplane.Page{Limit: 10})
	must(t, "list after revoke", err)
	diff(t, "org keys after revoke", l, agentplane.List[agentplane.Credential]{Items: []agentplane.Credential{}})
}

func testTouchCredentials(t *testing.T, s *store.Store) {
	o := newOrg(t, s, "acme")
	u := newUser(t, s, "ann@example.com")
	a, b, c := orgKey(o, "a", at(1)), orgKey(o, "b", at(2)), pat(u, "c", at(3))
	for _, cr := range []agentplane.Credential{a, b, c} {
		must(t, "create "+cr.Name, s.CreateCredential(ctx(), cr))
	}
	lastUsed := func(id string) *agentplane.Time {
		t.Helper()
		return getCredential(t, s, id).LastUsedAt
	}

	must(t, "touch nothing", s.TouchCredentials(ctx(), nil))
	must(t, "touch a and c", s.TouchCredentials(ctx(), map[string]int64{a.ID: at(1000).Millis(), c.ID: at(500).Millis()}))
	diff(t, "a last used", lastUsed(a.ID), ptr(at(1000)))
	diff(t, "b last used", lastUsed(b.ID), (*agentplane.Time)(nil))
	diff(t, "c last used", lastUsed(c.ID), ptr(at(500)))

	// Nodes flush their in-memory batches in any order: an older time that
	// arrives late must not overwrite a newer one, nor must an equal one
	// count as a change.
	must(t, "touch with older and newer times", s.TouchCredentials(ctx(), map[string]int64{
		a.ID: at(900).Millis(), b.ID: at(700).Millis(), c.ID: at(501).Millis(),
		agentplane.NewID(): at(800).Millis(), // a credential deleted meanwhile is no error
	}))
	diff(t, "a last used after an older touch", lastUsed(a.ID), ptr(at(1000)))
	diff(t, "b last used", lastUsed(b.ID), ptr(at(700)))
	diff(t, "c last used after a newer touch", lastUsed(c.ID), ptr(at(501)))

	must(t, "touch with the same time", s.TouchCredentials(ctx(), map[string]int64{a.ID: at(1000).Millis()}))
	diff(t, "a last used after an equal touch", lastUsed(a.ID), ptr(at(1000)))

	// Touching changes nothing else about the credential.
	got := getCredential(t, s, a.ID)
	a.LastUsedAt = ptr(at(1000))
	diff(t, "a after touches", got, a)
}
