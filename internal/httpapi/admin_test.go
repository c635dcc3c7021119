package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	ap "github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/service"
)

// Scenarios of SPEC §3: organizations, members, org keys and user PATs.

var admTimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

type admOrg struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Slug      string `json:"slug"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

type admMember struct {
	UserID         string `json:"user_id"`
	OrganizationID string `json:"organization_id"`
	Email          string `json:"email"`
	Role           string `json:"role"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

type admKeyView struct {
	KeyID      string     `json:"key_id"`
	Name       string     `json:"name"`
	Scopes     []ap.Scope `json:"scopes"`
	ExpiresAt  *int64     `json:"expires_at"`
	CreatedAt  string     `json:"created_at"`
	LastUsedAt *string    `json:"last_used_at"`
}

type admPage[T any] struct {
	Data       []T `json:"data"`
	Pagination struct {
		Limit      int     `json:"limit"`
		NextCursor *string `json:"next_cursor"`
	} `json:"pagination"`
}

func admList[T any](t *testing.T, r resp) admPage[T] {
	t.Helper()
	var p admPage[T]
	r.want(t, http.StatusOK).decodeInto(t, &p)
	return p
}

// admWantErr checks a 4xx error body: status, code and, for 422, that one
// violation sits at loc.
func admWantErr(t *testing.T, r resp, status int, code string, loc ...any) errBody {
	t.Helper()
	r.want(t, status)
	b := r.err(t)
	if b.Code != code {
		t.Errorf("code %q, want %q (detail %q)", b.Code, code, b.Detail)
	}
	if len(loc) > 0 {
		want := fmt.Sprint(loc...)
		var got []string
		for _, e := range b.Errors {
			got = append(got, fmt.Sprint(e.Loc...))
			if fmt.Sprint(e.Loc...) == want && e.Msg != "" && e.Type != "" {
				return b
			}
		}
		t.Errorf("no violation at %v in %v (body %s)", loc, got, r.body)
	}
	return b
}

func admScopes(t *testing.T, e *env, token, org string) []ap.Scope {
	t.Helper()
	var out []ap.Scope
	e.do(req{method: http.MethodGet, path: "/admin/members/me/scopes", token: token, org: org}).want(t, http.StatusOK).decodeInto(t, &out)
	if out == nil {
		t.Fatalf("me/scopes returned null, want an array")
	}
	return out
}

func admCreateKey(t *testing.T, e *env, path, token, org string, body map[string]any) mxKey {
	t.Helper()
	var k mxKey
	e.do(req{method: http.MethodPost, path: path, token: token, org: org, body: body}).want(t, http.StatusCreated).decodeInto(t, &k)
	return k
}

// admViewer makes email a viewer of the env's organization and returns a
// PAT of that user (minted by bootstrapping a home organization for them).
func admViewer(t *testing.T, e *env, email, homeSlug string) (pat, userID string) {
	t.Helper()
	b, err := e.svc.Bootstrap(context.Background(), service.BootstrapInput{OrgName: "Home", OrgSlug: homeSlug, Email: email})
	if err != nil {
		t.Fatal(err)
	}
	var m admMember
	e.admin(req{method: http.MethodPost, path: "/admin/members", body: map[string]any{"email": email, "role": "viewer"}}).
		want(t, http.StatusCreated).decodeInto(t, &m)
	if m.UserID != b.UserID || m.Role != "viewer" {
		t.Fatalf("viewer membership %+v, want user %s as viewer", m, b.UserID)
	}
	return b.PAT, b.UserID
}

func TestAdminOrganizations(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		pat := e.boot.PAT
		var org admOrg
		before := time.Now().Add(-time.Second)
		e.do(req{method: http.MethodPost, path: "/admin/organizations", token: pat, body: map[string]any{"name": "  Globex  ", "slug": "globex"}}).
			want(t, http.StatusCreated).decodeInto(t, &org)
		if !ap.ValidID(org.ID) || org.Name != "Globex" || org.Slug != "globex" {
			t.Fatalf("created %+v, want a new id, name Globex, slug globex", org)
		}
		if !admTimeRE.MatchString(org.CreatedAt) || org.UpdatedAt != org.CreatedAt {
			t.Errorf("created_at %q updated_at %q, want equal RFC 3339 UTC millisecond times", org.CreatedAt, org.UpdatedAt)
		}
		if ts, _ := time.Parse(time.RFC3339, org.CreatedAt); ts.Before(before) || ts.After(time.Now().Add(time.Second)) {
			t.Errorf("created_at %s is not now", org.CreatedAt)
		}

		// The caller's organizations, newest membership first.
		p := admList[admOrg](t, e.do(req{method: http.MethodGet, path: "/admin/organizations", token: pat}))
		if len(p.Data) != 2 || p.Data[0] != org || p.Data[1].ID != e.boot.OrganizationID || p.Data[1].Slug != "acme" || p.Data[1].Name != "Acme" {
			t.Fatalf("organizations %+v, want globex then acme", p.Data)
		}
		if p.Pagination.Limit != 50 || p.Pagination.NextCursor != nil {
			t.Errorf("pagination %+v, want limit 50 and no next cursor", p.Pagination)
		}
		p1 := admList[admOrg](t, e.do(req{method: http.MethodGet, path: "/admin/organizations?limit=1", token: pat}))
		if len(p1.Data) != 1 || p1.Data[0].Slug != "globex" || p1.Pagination.NextCursor == nil || p1.Pagination.Limit != 1 {
			t.Fatalf("first page %+v", p1)
		}
		p2 := admList[admOrg](t, e.do(req{method: http.MethodGet, path: "/admin/organizations?limit=1&cursor=" + url.QueryEscape(*p1.Pagination.NextCursor), token: pat}))
		if len(p2.Data) != 1 || p2.Data[0].Slug != "acme" || p2.Pagination.NextCursor != nil {
			t.Fatalf("second page %+v", p2)
		}

		// The creator is the new organization's only member, as admin, by
		// id or by slug.
		for _, ref := range []string{org.ID, org.Slug} {
			mp := admList[admMember](t, e.do(req{method: http.MethodGet, path: "/admin/members", token: pat, org: ref}))
			if len(mp.Data) != 1 {
				t.Fatalf("members of globex: %+v", mp.Data)
			}
			m := mp.Data[0]
			if m.UserID != e.boot.UserID || m.OrganizationID != org.ID || m.Email != "admin@acme.test" || m.Role != "admin" {
				t.Errorf("member %+v, want the creator as admin of %s", m, org.ID)
			}
			if got := admScopes(t, e, pat, ref); !slices.Equal(got, mxAllScopes) {
				t.Errorf("creator's scopes in the new org %v, want every scope", got)
			}
		}
		// Nothing of acme's is visible in globex.
		if ag := admList[map[string]any](t, e.do(req{method: http.MethodGet, path: "/core/agents", token: pat, org: "globex"})); len(ag.Data) != 0 {
			t.Errorf("new organization has agents: %v", ag.Data)
		}

		// Only a PAT may create or list organizations.
		admWantErr(t, e.admin(req{method: http.MethodPost, path: "/admin/organizations", body: map[string]any{"name": "Key Org", "slug": "key-org"}}), http.StatusForbidden, "forbidden")
		admWantErr(t, e.admin(req{method: http.MethodGet, path: "/admin/organizations"}), http.StatusForbidden, "forbidden")
		admWantErr(t, e.do(req{method: http.MethodPost, path: "/admin/organizations", body: map[string]any{"name": "Anon", "slug": "anon"}}), http.StatusUnauthorized, "unauthenticated")

		// Slugs are unique.
		for _, slug := range []string{"globex", "acme", " acme "} {
			b := admWantErr(t, e.do(req{method: http.MethodPost, path: "/admin/organizations", token: pat, body: map[string]any{"name": "Dup", "slug": slug}}), http.StatusConflict, "conflict")
			if b.Detail == "" {
				t.Errorf("conflict for %q has no detail", slug)
			}
		}

		// Invalid input is 422 naming the field.
		for _, slug := range []string{"", "Globex", "-globex", "globex-", "glo bex", "glo_bex", "ünicode", strings.Repeat("a", 36), "a/b"} {
			admWantErr(t, e.do(req{method: http.MethodPost, path: "/admin/organizations", token: pat, body: map[string]any{"name": "Bad", "slug": slug}}),
				http.StatusUnprocessableEntity, "invalid", "body", "slug")
		}
		for _, name := range []string{"", "   ", strings.Repeat("n", 201)} {
			admWantErr(t, e.do(req{method: http.MethodPost, path: "/admin/organizations", token: pat, body: map[string]any{"name": name, "slug": "fine"}}),
				http.StatusUnprocessableEntity, "invalid", "body", "name")
		}
		admWantErr(t, e.do(req{method: http.MethodPost, path: "/admin/organizations", token: pat, body: map[string]any{"name": "X", "slug": "x-org", "id": ap.NewID()}}),
			http.StatusUnprocessableEntity, "invalid", "body", "id")
		admWantErr(t, e.do(req{method: http.MethodPost, path: "/admin/organizations", token: pat, body: map[string]any{"slug": "x-org"}}),
			http.StatusUnprocessableEntity, "invalid", "body", "name")
		// The longest slug and the shortest are fine.
		for _, slug := range []string{strings.Repeat("b", 35), "z"} {
			e.do(req{method: http.MethodPost, path: "/admin/organizations", token: pat, body: map[string]any{"name": "Edge", "slug": slug}}).want(t, http.StatusCreated)
		}
		// None of the refused requests created anything.
		if p := admList[admOrg](t, e.do(req{method: http.MethodGet, path: "/admin/organizations?limit=200", token: pat})); len(p.Data) != 4 {
			t.Errorf("%d organizations, want 4 (acme, globex and the two edge slugs)", len(p.Data))
		}

		// Another user sees only their own organizations.
		other, err := e.svc.Bootstrap(context.Background(), service.BootstrapInput{OrgName: "Initech", OrgSlug: "initech", Email: "ceo@initech.test"})
		if err != nil {
			t.Fatal(err)
		}
		op := admList[admOrg](t, e.do(req{method: http.MethodGet, path: "/admin/organizations", token: other.PAT}))
		if len(op.Data) != 1 || op.Data[0].ID != other.OrganizationID || op.Data[0].Slug != "initech" {
			t.Errorf("other user's organizations %+v, want only initech", op.Data)
		}
		// ... and is not a member of globex.
		admWantErr(t, e.do(req{method: http.MethodGet, path: "/admin/members", token: other.PAT, org: "globex"}), http.StatusForbidden, "forbidden")
	})
}

func TestAdminMyScopes(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		if got := admScopes(t, e, e.boot.OrgKey, ""); !slices.Equal(got, mxAllScopes) {
			t.Errorf("admin key scopes %v, want %v", got, mxAllScopes)
		}
		if got := admScopes(t, e, e.boot.PAT, "acme"); !slices.Equal(got, mxAllScopes) {
			t.Errorf("admin PAT scopes %v, want %v", got, mxAllScopes)
		}

		// A narrowed key: manage implies read, nothing else.
		k := admCreateKey(t, e, "/admin/organization-pats", e.boot.OrgKey, "", map[string]any{"name": "narrow", "scopes": []string{"agents:manage", "members:read"}})
		wantNarrow := []ap.Scope{"agents:read", "agents:manage", "members:read"}
		if !slices.Equal(k.Scopes, wantNarrow) {
			t.Errorf("created narrow key scopes %v, want %v", k.Scopes, wantNarrow)
		}
		if got := admScopes(t, e, k.PATKey, ""); !slices.Equal(got, wantNarrow) {
			t.Errorf("narrow key scopes %v, want %v", got, wantNarrow)
		}
		ro := admCreateKey(t, e, "/admin/organization-pats", e.boot.OrgKey, "", map[string]any{"name": "ro", "scopes": mxReadScopes})
		if got := admScopes(t, e, ro.PATKey, e.boot.OrganizationID); !slices.Equal(got, mxReadScopes) {
			t.Errorf("read-only key scopes %v, want %v", got, mxReadScopes)
		}

		// A viewer: every :read except conversations:read_sensitive, no
		// :manage.
		vpat, _ := admViewer(t, e, "viewer@acme.test", "viewer-home")
		got := admScopes(t, e, vpat, "acme")
		if !slices.Equal(got, mxViewerScopes) {
			t.Errorf("viewer scopes %v, want %v", got, mxViewerScopes)
		}
		for _, s := range got {
			if s == ap.ScopeConversationsReadSensitive || strings.HasSuffix(string(s), ":manage") {
				t.Errorf("viewer holds %s", s)
			}
		}
		// The same PAT in the viewer's own organization, where they are
		// admin, has every scope: a PAT acts with its user's role there.
		if got := admScopes(t, e, vpat, "viewer-home"); !slices.Equal(got, mxAllScopes) {
			t.Errorf("viewer's scopes in their own org %v, want every scope", got)
		}

		// A narrowed PAT of the viewer: the intersection of role and list.
		np := admCreateKey(t, e, "/admin/user-pats", vpat, "", map[string]any{"name": "np", "scopes": []string{"agents:manage", "conversations:read_sensitive"}})
		if got := admScopes(t, e, np.PATKey, "acme"); !slices.Equal(got, []ap.Scope{"agents:read"}) {
			t.Errorf("narrowed viewer PAT in acme %v, want [agents:read]", got)
		}
		if got := admScopes(t, e, np.PATKey, "viewer-home"); !slices.Equal(got, []ap.Scope{"agents:read", "agents:manage", "conversations:read_sensitive"}) {
			t.Errorf("narrowed viewer PAT at home %v, want [agents:read agents:manage conversations:read_sensitive]", got)
		}

		// Any credential may ask, but it must be a valid one and a PAT
		// needs the organization.
		admWantErr(t, e.do(req{method: http.MethodGet, path: "/admin/members/me/scopes"}), http.StatusUnauthorized, "unauthenticated")
		b := admWantErr(t, e.do(req{method: http.MethodGet, path: "/admin/members/me/scopes", token: vpat}), http.StatusUnauthorized, "unauthenticated")
		if b.Detail != "Token is missing organization claim" {
			t.Errorf("detail %q", b.Detail)
		}
	})
}

func TestAdminMembers(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		acme := e.boot.OrganizationID
		p := admList[admMember](t, e.admin(req{method: http.MethodGet, path: "/admin/members"}))
		if len(p.Data) != 1 {
			t.Fatalf("members %+v, want the bootstrap admin", p.Data)
		}
		if m := p.Data[0]; m.UserID != e.boot.UserID || m.OrganizationID != acme || m.Email != "admin@acme.test" || m.Role != "admin" ||
			!admTimeRE.MatchString(m.CreatedAt) || !admTimeRE.MatchString(m.UpdatedAt) {
			t.Errorf("member %+v", m)
		}

		// Adding an unknown email creates the user; the address is
		// normalized.
		var nm admMember
		e.admin(req{method: http.MethodPost, path: "/admin/members", body: map[string]any{"email": "  New.Person@Acme.TEST ", "role": "viewer"}}).
			want(t, http.StatusCreated).decodeInto(t, &nm)
		if !ap.ValidID(nm.UserID) || nm.UserID == e.boot.UserID || nm.OrganizationID != acme || nm.Email != "new.person@acme.test" || nm.Role != "viewer" ||
			!admTimeRE.MatchString(nm.CreatedAt) {
			t.Fatalf("new member %+v", nm)
		}
		// The same person added elsewhere is the same user.
		other, err := e.svc.Bootstrap(ctx, service.BootstrapInput{OrgName: "Initech", OrgSlug: "initech", Email: "ceo@initech.test"})
		if err != nil {
			t.Fatal(err)
		}
		var om admMember
		e.do(req{method: http.MethodPost, path: "/admin/members", token: other.OrgKey, body: map[string]any{"email": "new.person@acme.test", "role": "admin"}}).
			want(t, http.StatusCreated).decodeInto(t, &om)
		if om.UserID != nm.UserID || om.OrganizationID != other.OrganizationID || om.Role != "admin" {
			t.Errorf("member in initech %+v, want user %s as admin", om, nm.UserID)
		}
		// Adding a member twice (in any case) conflicts.
		for _, email := range []string{"new.person@acme.test", "NEW.PERSON@acme.test", "admin@acme.test"} {
			admWantErr(t, e.admin(req{method: http.MethodPost, path: "/admin/members", body: map[string]any{"email": email, "role": "admin"}}), http.StatusConflict, "conflict")
		}
		// Validation.
		for _, email := range []string{"", "not-an-email", "Name <x@y.test>", "x@", strings.Repeat("a", 250) + "@y.test"} {
			admWantErr(t, e.admin(req{method: http.MethodPost, path: "/admin/members", body: map[string]any{"email": email, "role": "viewer"}}),
				http.StatusUnprocessableEntity, "invalid", "body", "email")
		}
		for _, role := range []string{"", "owner", "Admin"} {
			admWantErr(t, e.admin(req{method: http.MethodPost, path: "/admin/members", body: map[string]any{"email": "r@acme.test", "role": role}}),
				http.StatusUnprocessableEntity, "invalid", "body", "role")
		}
		admWantErr(t, e.admin(req{method: http.MethodPost, path: "/admin/members", body: map[string]any{"email": "r@acme.test", "role": "viewer", "user_id": ap.NewID()}}),
			http.StatusUnprocessableEntity, "invalid", "body", "user_id")
		admWantErr(t, e.admin(req{method: http.MethodPost, path: "/admin/members", body: map[string]any{"email": "r@acme.test", "role": "viewer", "organization_id": ap.NewID()}}),
			http.StatusUnprocessableEntity, "invalid", "body", "organization_id")

		// A viewer may list but not manage members.
		vpat, vid := admViewer(t, e, "viewer@acme.test", "viewer-home")
		vp := admList[admMember](t, e.do(req{method: http.MethodGet, path: "/admin/members", token: vpat, org: "acme"}))
		var ids []string
		for _, m := range vp.Data {
			ids = append(ids, m.UserID)
		}
		if want := []string{vid, nm.UserID, e.boot.UserID}; !slices.Equal(ids, want) {
			t.Errorf("members %v, want newest first %v", ids, want)
		}
		forbidden := []req{
			{method: http.MethodPost, path: "/admin/members", body: map[string]any{"email": "v2@acme.test", "role": "viewer"}},
			{method: http.MethodPut, path: "/admin/members/" + nm.UserID, body: map[string]any{"role": "admin"}},
			{method: http.MethodDelete, path: "/admin/members/" + nm.UserID},
		}
		for _, r := range forbidden {
			r.token, r.org = vpat, "acme"
			b := admWantErr(t, e.do(r), http.StatusForbidden, "forbidden")
			if b.Detail != "requires scope members:manage" {
				t.Errorf("%s %s: detail %q, want %q", r.method, r.path, b.Detail, "requires scope members:manage")
			}
		}
		if m, err := e.store.GetMember(ctx, acme, nm.UserID); err != nil || m.Role != ap.RoleViewer {
			t.Errorf("after the viewer's refused requests: %+v, %v", m, err)
		}
		if _, err := e.store.GetMember(ctx, acme, "00000000-0000-0000-0000-000000000000"); ap.ErrorCodeOf(err) != ap.ENotFound {
			t.Errorf("GetMember of nobody: %v", err)
		}

		// Paging.
		p1 := admList[admMember](t, e.admin(req{method: http.MethodGet, path: "/admin/members?limit=2"}))
		if len(p1.Data) != 2 || p1.Pagination.NextCursor == nil {
			t.Fatalf("first page %+v", p1)
		}
		p2 := admList[admMember](t, e.admin(req{method: http.MethodGet, path: "/admin/members?limit=2&cursor=" + url.QueryEscape(*p1.Pagination.NextCursor)}))
		if len(p2.Data) != 1 || p2.Data[0].UserID != e.boot.UserID || p2.Pagination.NextCursor != nil {
			t.Fatalf("second page %+v", p2)
		}

		// A cursor is only good for the list and organization it came
		// from.
		admWantErr(t, e.admin(req{method: http.MethodGet, path: "/admin/organization-pats?cursor=" + url.QueryEscape(*p1.Pagination.NextCursor)}),
			http.StatusUnprocessableEntity, "invalid", "query", "cursor")
		admWantErr(t, e.do(req{method: http.MethodGet, path: "/admin/members?limit=2&cursor=" + url.QueryEscape(*p1.Pagination.NextCursor), token: other.OrgKey}),
			http.StatusUnprocessableEntity, "invalid", "query", "cursor")
		admWantErr(t, e.admin(req{method: http.MethodGet, path: "/admin/members?role=admin"}), http.StatusUnprocessableEntity, "invalid", "query", "role")

		// Changing a role.
		var um admMember
		e.admin(req{method: http.MethodPut, path: "/admin/members/" + nm.UserID, body: map[string]any{"role": "admin"}}).want(t, http.StatusOK).decodeInto(t, &um)
		if um.UserID != nm.UserID || um.Role != "admin" || um.Email != "new.person@acme.test" || um.OrganizationID != acme || um.UpdatedAt < nm.UpdatedAt {
			t.Errorf("updated member %+v", um)
		}
		if m, err := e.store.GetMember(ctx, acme, nm.UserID); err != nil || m.Role != ap.RoleAdmin {
			t.Errorf("stored member %+v, %v", m, err)
		}
		// The role in initech is untouched.
		if m, err := e.store.GetMember(ctx, other.OrganizationID, nm.UserID); err != nil || m.Role != ap.RoleAdmin {
			t.Errorf("initech membership %+v, %v", m, err)
		}
		admWantErr(t, e.admin(req{method: http.MethodPut, path: "/admin/members/" + ap.NewID(), body: map[string]any{"role": "admin"}}), http.StatusNotFound, "not_found")
		admWantErr(t, e.admin(req{method: http.MethodPut, path: "/admin/members/nope", body: map[string]any{"role": "admin"}}), http.StatusNotFound, "not_found")
		admWantErr(t, e.admin(req{method: http.MethodPut, path: "/admin/members/" + other.UserID, body: map[string]any{"role": "viewer"}}), http.StatusNotFound, "not_found")
		admWantErr(t, e.admin(req{method: http.MethodPut, path: "/admin/members/" + nm.UserID, body: map[string]any{"role": "owner"}}), http.StatusUnprocessableEntity, "invalid", "body", "role")
		admWantErr(t, e.admin(req{method: http.MethodPut, path: "/admin/members/" + nm.UserID, body: map[string]any{"role": "viewer", "email": "x@y.test"}}), http.StatusUnprocessableEntity, "invalid", "body", "email")

		// The last admin can be neither demoted nor removed. Two admins
		// now: demoting one is fine, then the other is the last.
		e.admin(req{method: http.MethodPut, path: "/admin/members/" + e.boot.UserID, body: map[string]any{"role": "viewer"}}).want(t, http.StatusOK)
		for _, r := range []req{
			{method: http.MethodPut, path: "/admin/members/" + nm.UserID, body: map[string]any{"role": "viewer"}},
			{method: http.MethodDelete, path: "/admin/members/" + nm.UserID},
		} {
			b := admWantErr(t, e.admin(r), http.StatusConflict, "conflict")
			if !strings.Contains(b.Detail, "last admin") {
				t.Errorf("%s: detail %q does not explain the last admin rule", r.method, b.Detail)
			}
		}
		// Re-asserting the last admin's role is not a demotion.
		e.admin(req{method: http.MethodPut, path: "/admin/members/" + nm.UserID, body: map[string]any{"role": "admin"}}).want(t, http.StatusOK)
		if m, err := e.store.GetMember(ctx, acme, nm.UserID); err != nil || m.Role != ap.RoleAdmin {
			t.Errorf("last admin after refused changes: %+v, %v", m, err)
		}
		// The demoted bootstrap user's PAT now acts as a viewer.
		if got := admScopes(t, e, e.boot.PAT, "acme"); !slices.Equal(got, mxViewerScopes) {
			t.Errorf("demoted admin's scopes %v, want the viewer's", got)
		}

		// Removing members.
		e.admin(req{method: http.MethodDelete, path: "/admin/members/" + e.boot.UserID}).want(t, http.StatusNoContent)
		admWantErr(t, e.admin(req{method: http.MethodDelete, path: "/admin/members/" + e.boot.UserID}), http.StatusNotFound, "not_found")
		admWantErr(t, e.admin(req{method: http.MethodDelete, path: "/admin/members/" + ap.NewID()}), http.StatusNotFound, "not_found")
		admWantErr(t, e.admin(req{method: http.MethodDelete, path: "/admin/members/nope"}), http.StatusNotFound, "not_found")
		admWantErr(t, e.admin(req{method: http.MethodDelete, path: "/admin/members/" + other.UserID}), http.StatusNotFound, "not_found")
		// A removed member's PAT no longer works in the organization.
		admWantErr(t, e.do(req{method: http.MethodGet, path: "/admin/members/me/scopes", token: e.boot.PAT, org: "acme"}), http.StatusForbidden, "forbidden")
		final := admList[admMember](t, e.admin(req{method: http.MethodGet, path: "/admin/members"}))
		ids = ids[:0]
		for _, m := range final.Data {
			ids = append(ids, m.UserID+"="+m.Role)
		}
		if want := []string{vid + "=viewer", nm.UserID + "=admin"}; !slices.Equal(ids, want) {
			t.Errorf("members %v, want %v", ids, want)
		}

		// In an organization a PAT just created, the creator is the last
		// admin too.
		e.do(req{method: http.MethodPost, path: "/admin/organizations", token: vpat, body: map[string]any{"name": "Solo", "slug": "solo"}}).want(t, http.StatusCreated)
		admWantErr(t, e.do(req{method: http.MethodPut, path: "/admin/members/" + vid, token: vpat, org: "solo", body: map[string]any{"role": "viewer"}}), http.StatusConflict, "conflict")
		admWantErr(t, e.do(req{method: http.MethodDelete, path: "/admin/members/" + vid, token: vpat, org: "solo"}), http.StatusConflict, "conflict")
	})
}

// admSecretLeaks reports whether body holds the key's secret or its
// SHA-256 in a common encoding.
func admSecretLeaks(body []byte, token string) bool {
	_, secret, _ := strings.Cut(token, ".")
	sum := sha256.Sum256([]byte(secret))
	for _, s := range []string{secret, hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:]), base64.RawURLEncoding.EncodeToString(sum[:])} {
		if strings.Contains(string(body), s) {
			return true
		}
	}
	return strings.Contains(string(body), "pat_key")
}

// admCheckKeyList checks every listed credential has exactly the fields of
// SPEC §3 and that none of the tokens shows.
func admCheckKeyList(t *testing.T, r resp, tokens ...string) []admKeyView {
	t.Helper()
	raw := admList[map[string]any](t, r)
	for _, item := range raw.Data {
		var keys []string
		for k := range item {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if want := []string{"created_at", "expires_at", "key_id", "last_used_at", "name", "scopes"}; !slices.Equal(keys, want) {
			t.Errorf("listed key has fields %v, want %v", keys, want)
		}
	}
	for _, tok := range tokens {
		if admSecretLeaks(r.body, tok) {
			t.Errorf("the list shows a secret or its hash: %s", r.body)
		}
	}
	return admList[admKeyView](t, r).Data
}

func admFind(keys []admKeyView, id string) *admKeyView {
	for i := range keys {
		if keys[i].KeyID == id {
			return &keys[i]
		}
	}
	return nil
}

func TestAdminOrganizationPATs(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		exp := time.Now().Add(24 * time.Hour).UnixMilli()
		before := time.Now().Add(-time.Second)
		k := admCreateKey(t, e, "/admin/organization-pats", e.boot.OrgKey, "", map[string]any{"name": "  ci  ", "expires_at": exp})
		if !ap.ValidID(k.KeyID) || !strings.HasPrefix(k.PATKey, "ak_"+k.KeyID+".") || len(k.PATKey) < len("ak_")+36+1+40 {
			t.Fatalf("created key %+v: want pat_key ak_<key_id>.<secret>", k)
		}
		if k.Name != "ci" || k.ExpiresAt == nil || *k.ExpiresAt != exp || !slices.Equal(k.Scopes, mxAllScopes) || !admTimeRE.MatchString(k.CreatedAt) {
			t.Errorf("created key %+v, want name ci, expires_at %d, every scope", k, exp)
		}
		if ts, _ := time.Parse(time.RFC3339, k.CreatedAt); ts.Before(before) || ts.After(time.Now().Add(time.Second)) {
			t.Errorf("created_at %s is not now", k.CreatedAt)
		}
		// The key works, in this organization.
		if got := admScopes(t, e, k.PATKey, ""); !slices.Equal(got, mxAllScopes) {
			t.Errorf("new key's scopes %v", got)
		}
		// Without expires_at, or with null, the key doesn't expire.
		forever := admCreateKey(t, e, "/admin/organization-pats", e.boot.OrgKey, "", map[string]any{"name": "forever", "expires_at": nil})
		if forever.ExpiresAt != nil {
			t.Errorf("expires_at %d, want null", *forever.ExpiresAt)
		}
		if admCreateKey(t, e, "/admin/organization-pats", e.boot.OrgKey, "", map[string]any{"name": "no expiry"}).ExpiresAt != nil {
			t.Errorf("omitted expires_at did not mean null")
		}

		// Validation.
		bad := []struct {
			body map[string]any
			loc  []any
		}{
			{map[string]any{"name": ""}, []any{"body", "name"}},
			{map[string]any{"name": "   "}, []any{"body", "name"}},
			{map[string]any{"expires_at": exp}, []any{"body", "name"}},
			{map[string]any{"name": strings.Repeat("n", 201)}, []any{"body", "name"}},
			{map[string]any{"name": "past", "expires_at": time.Now().Add(-time.Minute).UnixMilli()}, []any{"body", "expires_at"}},
			{map[string]any{"name": "zero", "expires_at": 0}, []any{"body", "expires_at"}},
			{map[string]any{"name": "string", "expires_at": "tomorrow"}, []any{"body", "expires_at"}},
			{map[string]any{"name": "unknown scope", "scopes": []string{"agents:manage", "agents:delete"}}, []any{"body", "scopes", 1}},
			{map[string]any{"name": "empty scopes", "scopes": []string{}}, []any{"body", "scopes"}},
			{map[string]any{"name": "scopes string", "scopes": "agents:read"}, []any{"body", "scopes"}},
			{map[string]any{"name": "id", "key_id": ap.NewID()}, []any{"body", "key_id"}},
			{map[string]any{"name": "key", "pat_key": "ak_x.y"}, []any{"body", "pat_key"}},
		}
		for _, b := range bad {
			admWantErr(t, e.admin(req{method: http.MethodPost, path: "/admin/organization-pats", body: b.body}), http.StatusUnprocessableEntity, "invalid", b.loc...)
		}

		// The list: the effective scopes, never the secret.
		keys := admCheckKeyList(t, e.admin(req{method: http.MethodGet, path: "/admin/organization-pats"}), k.PATKey, forever.PATKey, e.boot.OrgKey)
		lk := admFind(keys, k.KeyID)
		if lk == nil || lk.Name != "ci" || lk.ExpiresAt == nil || *lk.ExpiresAt != exp || lk.CreatedAt != k.CreatedAt || !slices.Equal(lk.Scopes, mxAllScopes) {
			t.Fatalf("listed %+v, want the created key", lk)
		}
		if len(keys) != 4 || admFind(keys, forever.KeyID) == nil || keys[0].Name != "no expiry" || keys[len(keys)-1].Name != "bootstrap org key" {
			t.Errorf("list %+v: want 4 keys, newest first", keys)
		}

		// last_used_at appears once use is flushed.
		if err := e.svc.FlushLastUsed(ctx); err != nil {
			t.Fatal(err)
		}
		keys = admCheckKeyList(t, e.admin(req{method: http.MethodGet, path: "/admin/organization-pats"}))
		if lf := admFind(keys, forever.KeyID); lf == nil || lf.LastUsedAt != nil {
			t.Errorf("unused key %+v, want last_used_at null", lf)
		}
		used0 := time.Now().Add(-time.Second)
		admScopes(t, e, forever.PATKey, "")
		used1 := time.Now().Add(time.Second)
		if err := e.svc.FlushLastUsed(ctx); err != nil {
			t.Fatal(err)
		}
		keys = admCheckKeyList(t, e.admin(req{method: http.MethodGet, path: "/admin/organization-pats"}))
		lf := admFind(keys, forever.KeyID)
		if lf == nil || lf.LastUsedAt == nil || !admTimeRE.MatchString(*lf.LastUsedAt) {
			t.Fatalf("used key %+v, want last_used_at set", lf)
		}
		if ts, _ := time.Parse(time.RFC3339, *lf.LastUsedAt); ts.Before(used0) || ts.After(used1) {
			t.Errorf("last_used_at %s, want between %s and %s", *lf.LastUsedAt, used0, used1)
		}
		if boot := keys[len(keys)-1]; boot.LastUsedAt == nil {
			t.Errorf("the bootstrap key, used by every request here, has no last_used_at")
		}

		// Revoking.
		r := e.admin(req{method: http.MethodDelete, path: "/admin/organization-pats/" + k.KeyID}).want(t, http.StatusNoContent)
		if len(r.body) != 0 {
			t.Errorf("204 with body %q", r.body)
		}
		admWantErr(t, e.do(req{method: http.MethodGet, path: "/admin/members/me/scopes", token: k.PATKey}), http.StatusUnauthorized, "unauthenticated")
		admWantErr(t, e.do(req{method: http.MethodGet, path: "/core/agents", token: k.PATKey}), http.StatusUnauthorized, "unauthenticated")
		admWantErr(t, e.admin(req{method: http.MethodDelete, path: "/admin/organization-pats/" + k.KeyID}), http.StatusNotFound, "not_found")
		admWantErr(t, e.admin(req{method: http.MethodDelete, path: "/admin/organization-pats/" + ap.NewID()}), http.StatusNotFound, "not_found")
		admWantErr(t, e.admin(req{method: http.MethodDelete, path: "/admin/organization-pats/nope"}), http.StatusNotFound, "not_found")
		if admFind(admCheckKeyList(t, e.admin(req{method: http.MethodGet, path: "/admin/organization-pats"})), k.KeyID) != nil {
			t.Errorf("a revoked key is still listed")
		}
		// A user PAT is not an organization key.
		up := admCreateKey(t, e, "/admin/user-pats", e.boot.PAT, "", map[string]any{"name": "mine"})
		admWantErr(t, e.admin(req{method: http.MethodDelete, path: "/admin/organization-pats/" + up.KeyID}), http.StatusNotFound, "not_found")
		// Another organization's key is not found, and keeps working.
		other, err := e.svc.Bootstrap(ctx, service.BootstrapInput{OrgName: "Initech", OrgSlug: "initech", Email: "ceo@initech.test"})
		if err != nil {
			t.Fatal(err)
		}
		ok := admCreateKey(t, e, "/admin/organization-pats", other.OrgKey, "", map[string]any{"name": "theirs"})
		admWantErr(t, e.admin(req{method: http.MethodDelete, path: "/admin/organization-pats/" + ok.KeyID}), http.StatusNotFound, "not_found")
		admScopes(t, e, ok.PATKey, "")
		if admFind(admCheckKeyList(t, e.admin(req{method: http.MethodGet, path: "/admin/organization-pats"})), ok.KeyID) != nil {
			t.Errorf("another organization's key is listed")
		}
		// A key may revoke itself; its next request fails.
		e.do(req{method: http.MethodDelete, path: "/admin/organization-pats/" + forever.KeyID, token: forever.PATKey}).want(t, http.StatusNoContent)
		admWantErr(t, e.do(req{method: http.MethodGet, path: "/admin/organization-pats", token: forever.PATKey}), http.StatusUnauthorized, "unauthenticated")

		// No escalation: a key made by a narrow creator never exceeds it.
		creator := admCreateKey(t, e, "/admin/organization-pats", e.boot.OrgKey, "", map[string]any{"name": "creator", "scopes": []string{"agents:read", "organizations:manage"}})
		esc := admCreateKey(t, e, "/admin/organization-pats", creator.PATKey, "", map[string]any{"name": "escalate", "scopes": []string{"agents:manage"}})
		if !slices.Equal(esc.Scopes, []ap.Scope{"agents:read"}) {
			t.Errorf("key requested with agents:manage by an agents:read creator has scopes %v, want [agents:read]", esc.Scopes)
		}
		if got := admScopes(t, e, esc.PATKey, ""); !slices.Equal(got, []ap.Scope{"agents:read"}) {
			t.Errorf("escalated key's scopes %v", got)
		}
		b := admWantErr(t, e.do(req{method: http.MethodPost, path: "/core/agents", token: esc.PATKey, body: map[string]any{"name": "x"}}), http.StatusForbidden, "forbidden")
		if b.Detail != "requires scope agents:manage" {
			t.Errorf("detail %q", b.Detail)
		}
		e.do(req{method: http.MethodGet, path: "/core/agents", token: esc.PATKey}).want(t, http.StatusOK)
		def := admCreateKey(t, e, "/admin/organization-pats", creator.PATKey, "", map[string]any{"name": "default"})
		if want := []ap.Scope{"agents:read", "organizations:manage"}; !slices.Equal(def.Scopes, want) {
			t.Errorf("default key of a narrow creator has scopes %v, want %v", def.Scopes, want)
		}
		// Only scopes the creator lacks: refused rather than a key that can
		// do nothing.
		admWantErr(t, e.do(req{method: http.MethodPost, path: "/admin/organization-pats", token: creator.PATKey,
			body: map[string]any{"name": "dead", "scopes": []string{"members:manage"}}}), http.StatusUnprocessableEntity, "invalid")
		mix := admCreateKey(t, e, "/admin/organization-pats", creator.PATKey, "", map[string]any{"name": "mix", "scopes": []string{"members:manage", "organizations:manage"}})
		if !slices.Equal(mix.Scopes, []ap.Scope{"organizations:manage"}) {
			t.Errorf("mixed request has scopes %v, want [organizations:manage]", mix.Scopes)
		}
		// Asking only for scopes the creator lacks yields a key that can do
		// nothing (or no key at all), never a default, all-scope key.
		if r := e.do(req{method: http.MethodPost, path: "/admin/organization-pats", token: creator.PATKey, body: map[string]any{"name": "nothing", "scopes": []string{"members:manage"}}}); r.status == http.StatusCreated {
			var none mxKey
			r.decodeInto(t, &none)
			if len(none.Scopes) != 0 {
				t.Errorf("key requested with only scopes its creator lacks has scopes %v", none.Scopes)
			}
			if got := admScopes(t, e, none.PATKey, ""); len(got) != 0 {
				t.Errorf("it acts with scopes %v", got)
			}
			admWantErr(t, e.do(req{method: http.MethodGet, path: "/core/agents", token: none.PATKey}), http.StatusForbidden, "forbidden")
			admWantErr(t, e.do(req{method: http.MethodGet, path: "/admin/members", token: none.PATKey}), http.StatusForbidden, "forbidden")
		} else if r.status < 400 || r.status > 499 {
			t.Errorf("status %d for a key with no grantable scope; body %s", r.status, r.body)
		}
		keys = admCheckKeyList(t, e.admin(req{method: http.MethodGet, path: "/admin/organization-pats"}), creator.PATKey, esc.PATKey, def.PATKey)
		if lc := admFind(keys, creator.KeyID); lc == nil || !slices.Equal(lc.Scopes, []ap.Scope{"agents:read", "organizations:manage"}) {
			t.Errorf("listed creator %+v", lc)
		}
		if le := admFind(keys, esc.KeyID); le == nil || !slices.Equal(le.Scopes, []ap.Scope{"agents:read"}) {
			t.Errorf("listed escalation attempt %+v", le)
		}
		// A key without organizations:manage can't touch keys at all.
		for _, r := range []req{
			{method: http.MethodPost, path: "/admin/organization-pats", body: map[string]any{"name": "x"}},
			{method: http.MethodGet, path: "/admin/organization-pats"},
			{method: http.MethodDelete, path: "/admin/organization-pats/" + creator.KeyID},
		} {
			r.token = esc.PATKey
			b := admWantErr(t, e.do(r), http.StatusForbidden, "forbidden")
			if b.Detail != "requires scope organizations:manage" {
				t.Errorf("%s %s: detail %q", r.method, r.path, b.Detail)
			}
		}

		// A PAT with X-Anyreach-Org makes keys of that organization, at
		// most with the user's role there.
		vpat, _ := admViewer(t, e, "viewer@acme.test", "viewer-home")
		admWantErr(t, e.do(req{method: http.MethodPost, path: "/admin/organization-pats", token: vpat, org: "acme", body: map[string]any{"name": "v"}}), http.StatusForbidden, "forbidden")
		pk := admCreateKey(t, e, "/admin/organization-pats", vpat, "viewer-home", map[string]any{"name": "home key"})
		if got := admScopes(t, e, pk.PATKey, ""); !slices.Equal(got, mxAllScopes) {
			t.Errorf("key made by a PAT in its admin's org has scopes %v", got)
		}
		admWantErr(t, e.do(req{method: http.MethodGet, path: "/admin/members/me/scopes", token: pk.PATKey, org: "acme"}), http.StatusForbidden, "forbidden")
	})
}

func TestAdminUserPATs(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		pat := e.boot.PAT
		k := admCreateKey(t, e, "/admin/user-pats", pat, "", map[string]any{"name": "laptop"})
		if !ap.ValidID(k.KeyID) || !strings.HasPrefix(k.PATKey, "pat_"+k.KeyID+".") || k.Name != "laptop" || k.ExpiresAt != nil ||
			!slices.Equal(k.Scopes, mxAllScopes) || !admTimeRE.MatchString(k.CreatedAt) {
			t.Fatalf("created PAT %+v", k)
		}
		// It works for the user, in their organization.
		e.do(req{method: http.MethodGet, path: "/admin/user-pats", token: k.PATKey}).want(t, http.StatusOK)
		if got := admScopes(t, e, k.PATKey, "acme"); !slices.Equal(got, mxAllScopes) {
			t.Errorf("scopes %v", got)
		}

		keys := admCheckKeyList(t, e.do(req{method: http.MethodGet, path: "/admin/user-pats", token: pat}), k.PATKey, pat)
		var names []string
		for _, key := range keys {
			names = append(names, key.Name)
		}
		if !slices.Equal(names, []string{"laptop", "bootstrap token"}) {
			t.Errorf("user PATs %v, want [laptop, bootstrap token]", names)
		}

		// Validation, as for org keys.
		admWantErr(t, e.do(req{method: http.MethodPost, path: "/admin/user-pats", token: pat, body: map[string]any{"name": ""}}), http.StatusUnprocessableEntity, "invalid", "body", "name")
		admWantErr(t, e.do(req{method: http.MethodPost, path: "/admin/user-pats", token: pat, body: map[string]any{"name": "p", "expires_at": time.Now().Add(-time.Second).UnixMilli()}}),
			http.StatusUnprocessableEntity, "invalid", "body", "expires_at")
		admWantErr(t, e.do(req{method: http.MethodPost, path: "/admin/user-pats", token: pat, body: map[string]any{"name": "p", "scopes": []string{"root"}}}),
			http.StatusUnprocessableEntity, "invalid", "body", "scopes", 0)
		// Org keys can't manage user PATs.
		for _, r := range []req{
			{method: http.MethodPost, path: "/admin/user-pats", body: map[string]any{"name": "x"}},
			{method: http.MethodGet, path: "/admin/user-pats"},
			{method: http.MethodDelete, path: "/admin/user-pats/" + k.KeyID},
		} {
			admWantErr(t, e.admin(r), http.StatusForbidden, "forbidden")
		}

		// Another user sees and touches only their own tokens.
		other, err := e.svc.Bootstrap(ctx, service.BootstrapInput{OrgName: "Initech", OrgSlug: "initech", Email: "ceo@initech.test"})
		if err != nil {
			t.Fatal(err)
		}
		okeys := admCheckKeyList(t, e.do(req{method: http.MethodGet, path: "/admin/user-pats", token: other.PAT}), k.PATKey, pat)
		if len(okeys) != 1 || okeys[0].Name != "bootstrap token" || admFind(okeys, k.KeyID) != nil {
			t.Errorf("other user's PATs %+v", okeys)
		}
		admWantErr(t, e.do(req{method: http.MethodDelete, path: "/admin/user-pats/" + k.KeyID, token: other.PAT}), http.StatusNotFound, "not_found")
		e.do(req{method: http.MethodGet, path: "/admin/user-pats", token: k.PATKey}).want(t, http.StatusOK)
		// An org key's id is not a user PAT.
		keyID, _, _ := strings.Cut(strings.TrimPrefix(e.boot.OrgKey, "ak_"), ".")
		admWantErr(t, e.do(req{method: http.MethodDelete, path: "/admin/user-pats/" + keyID, token: pat}), http.StatusNotFound, "not_found")
		admScopes(t, e, e.boot.OrgKey, "")

		// last_used_at.
		if err := e.svc.FlushLastUsed(ctx); err != nil {
			t.Fatal(err)
		}
		lk := admFind(admCheckKeyList(t, e.do(req{method: http.MethodGet, path: "/admin/user-pats", token: pat})), k.KeyID)
		if lk == nil || lk.LastUsedAt == nil {
			t.Errorf("used PAT %+v, want last_used_at", lk)
		}

		// A narrowed PAT can't manage its user's credentials at all, so it
		// can't widen itself through a new PAT either.
		narrow := admCreateKey(t, e, "/admin/user-pats", pat, "", map[string]any{"name": "narrow", "scopes": []string{"agents:read"}})
		if !slices.Equal(narrow.Scopes, []ap.Scope{"agents:read"}) {
			t.Errorf("narrow PAT scopes %v", narrow.Scopes)
		}
		if got := admScopes(t, e, narrow.PATKey, "acme"); !slices.Equal(got, []ap.Scope{"agents:read"}) {
			t.Errorf("narrow PAT's scopes in acme %v", got)
		}
		for _, r := range []req{
			{method: http.MethodPost, path: "/admin/user-pats", body: map[string]any{"name": "wider"}},
			{method: http.MethodGet, path: "/admin/user-pats"},
			{method: http.MethodDelete, path: "/admin/user-pats/" + k.KeyID},
			{method: http.MethodPost, path: "/admin/organizations", body: map[string]any{"name": "N", "slug": "narrow-org"}},
		} {
			r.token = narrow.PATKey
			admWantErr(t, e.do(r), http.StatusForbidden, "forbidden")
		}
		// Revoking.
		e.do(req{method: http.MethodDelete, path: "/admin/user-pats/" + k.KeyID, token: pat}).want(t, http.StatusNoContent)
		admWantErr(t, e.do(req{method: http.MethodGet, path: "/admin/user-pats", token: k.PATKey}), http.StatusUnauthorized, "unauthenticated")
		admWantErr(t, e.do(req{method: http.MethodGet, path: "/admin/members/me/scopes", token: k.PATKey, org: "acme"}), http.StatusUnauthorized, "unauthenticated")
		admWantErr(t, e.do(req{method: http.MethodDelete, path: "/admin/user-pats/" + k.KeyID, token: pat}), http.StatusNotFound, "not_found")
		admWantErr(t, e.do(req{method: http.MethodDelete, path: "/admin/user-pats/nope", token: pat}), http.StatusNotFound, "not_found")
		if admFind(admCheckKeyList(t, e.do(req{method: http.MethodGet, path: "/admin/user-pats", token: pat})), k.KeyID) != nil {
			t.Errorf("a revoked PAT is still listed")
		}
	})
}

// TestAdminLastAdminRace demotes and removes two admins at once, many
// times: the organization must always keep exactly one.
func TestAdminLastAdminRace(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		acme := e.boot.OrganizationID
		var second admMember
		e.admin(req{method: http.MethodPost, path: "/admin/members", body: map[string]any{"email": "second@acme.test", "role": "admin"}}).
			want(t, http.StatusCreated).decodeInto(t, &second)
		users := []string{e.boot.UserID, second.UserID}
		for round := range 8 {
			remove := round%2 == 1
			statuses := make([]int, len(users))
			var wg sync.WaitGroup
			for i, uid := range users {
				wg.Go(func() {
					r := req{method: http.MethodPut, path: "/admin/members/" + uid, body: map[string]any{"role": "viewer"}}
					if remove {
						r = req{method: http.MethodDelete, path: "/admin/members/" + uid}
					}
					statuses[i] = e.admin(r).status
				})
			}
			wg.Wait()
			slices.Sort(statuses)
			okStatus := http.StatusOK
			if remove {
				okStatus = http.StatusNoContent
			}
			if want := []int{okStatus, http.StatusConflict}; !slices.Equal(statuses, want) {
				t.Fatalf("round %d: statuses %v, want one %d and one 409", round, statuses, okStatus)
			}
			if n, err := e.store.CountAdmins(ctx, acme); err != nil || n != 1 {
				t.Fatalf("round %d: %d admins (%v), want 1", round, n, err)
			}
			// Restore two admins for the next round.
			for _, uid := range users {
				if _, err := e.store.GetMember(ctx, acme, uid); err != nil {
					var m admMember
					e.admin(req{method: http.MethodPost, path: "/admin/members", body: map[string]any{"email": map[string]string{e.boot.UserID: "admin@acme.test", second.UserID: "second@acme.test"}[uid], "role": "admin"}}).
						want(t, http.StatusCreated).decodeInto(t, &m)
					if m.UserID != uid {
						t.Fatalf("re-added user %s, want %s", m.UserID, uid)
					}
				} else {
					e.admin(req{method: http.MethodPut, path: "/admin/members/" + uid, body: map[string]any{"role": "admin"}}).want(t, http.StatusOK)
				}
			}
		}
	})
}
