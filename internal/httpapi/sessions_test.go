package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	ap "github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/service"
)

// Console sessions (SPEC §19): sign-in with each kind of credential, the
// cookie, what a session may do and where, the cross-origin rules of its
// writes, and its end with its credential.

type csSession struct {
	Kind             string     `json:"kind"`
	OrganizationID   string     `json:"organization_id"`
	OrganizationSlug string     `json:"organization_slug"`
	OrganizationName string     `json:"organization_name"`
	Actor            ap.Actor   `json:"actor"`
	Scopes           []ap.Scope `json:"scopes"`
	CreatedAt        string     `json:"created_at"`
	ExpiresAt        string     `json:"expires_at"`
}

// csSignIn signs in with credential (and organization, for a PAT) and
// returns the session cookie's "name=value".
func csSignIn(t *testing.T, e *env, credential, org string) string {
	t.Helper()
	body := map[string]any{"credential": credential}
	if org != "" {
		body["organization"] = org
	}
	r := e.do(req{method: "POST", path: "/console/api/session", body: body}).want(t, http.StatusNoContent)
	set := r.header.Get("Set-Cookie")
	// Plain http to a loopback address: no Secure, so no __Host- prefix.
	for _, want := range []string{"agentplane_session=", "Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=604800"} {
		if !strings.Contains(set, want) {
			t.Fatalf("Set-Cookie %q lacks %q", set, want)
		}
	}
	if strings.Contains(set, "Secure") || strings.Contains(set, credential) {
		t.Fatalf("Set-Cookie %q", set)
	}
	cookie, _, _ := strings.Cut(set, ";")
	return cookie
}

// csDo sends r with the session cookie and, for writes, the console's
// header.
func csDo(e *env, cookie string, r req) resp {
	e.t.Helper()
	h := map[string]string{"Cookie": cookie}
	if r.method != "GET" {
		h["X-Agentplane-Console"] = "1"
	}
	for k, v := range r.header {
		h[k] = v
	}
	r.header = h
	return e.do(r)
}

func csWhoami(t *testing.T, e *env, cookie string) csSession {
	t.Helper()
	var s csSession
	csDo(e, cookie, req{method: "GET", path: "/console/api/session"}).want(t, http.StatusOK).decodeInto(t, &s)
	return s
}

// TestConsoleSessionWithOrgKey: an org key's session acts as the key does
// through /core, and only from the console's own pages.
func TestConsoleSessionWithOrgKey(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		cookie := csSignIn(t, e, e.boot.OrgKey, "")
		s := csWhoami(t, e, cookie)
		if s.Kind != "org_key" || s.OrganizationID != e.boot.OrganizationID || s.OrganizationSlug != "acme" ||
			s.Actor.Type != "org_key" || s.Actor.ID != roKeyID(e) || !slices.Contains(s.Scopes, ap.ScopeAgentsManage) {
			t.Fatalf("session %+v", s)
		}

		csDo(e, cookie, req{method: "GET", path: "/core/agents"}).want(t, http.StatusOK)
		var a struct{ ID string }
		csDo(e, cookie, req{method: "POST", path: "/core/agents", body: map[string]any{"name": "From the console"}}).
			want(t, http.StatusCreated).decodeInto(t, &a)
		// Who made it is the key behind the session.
		var v struct {
			CreatedBy ap.Actor `json:"created_by"`
		}
		csDo(e, cookie, req{method: "POST", path: "/core/agents/" + a.ID + "/versions", body: map[string]any{"config": map[string]any{"instructions": "Hi"}}}).
			want(t, http.StatusCreated).decodeInto(t, &v)
		if v.CreatedBy.ID != roKeyID(e) {
			t.Errorf("made by %+v", v.CreatedBy)
		}

		// Writes need the console's header and its own origin.
		for _, c := range []struct {
			name   string
			header map[string]string
		}{
			{"no console header", map[string]string{"X-Agentplane-Console": ""}},
			{"another site", map[string]string{"Sec-Fetch-Site": "cross-site"}},
			{"another origin", map[string]string{"Origin": "https://evil.example"}},
		} {
			r := e.do(req{method: "POST", path: "/core/agents", body: map[string]any{"name": "forged"},
				header: mergeHeaders(map[string]string{"Cookie": cookie, "X-Agentplane-Console": "1"}, c.header)})
			dpWantErr(t, r, http.StatusForbidden, "forbidden")
		}
		var list admPage[struct{ Name string }]
		csDo(e, cookie, req{method: "GET", path: "/core/agents?name=forged"}).want(t, http.StatusOK).decodeInto(t, &list)
		if len(list.Data) != 0 {
			t.Fatalf("a refused write created %v", list.Data)
		}
		// The same origin is the console's own.
		csDo(e, cookie, req{method: "POST", path: "/core/agents", body: map[string]any{"name": "same origin"},
			header: map[string]string{"Origin": e.url, "Sec-Fetch-Site": "same-origin"}}).want(t, http.StatusCreated)

		// Another organization's objects stay 404; routes outside an
		// organization take personal tokens only.
		other, err := e.svc.Bootstrap(context.Background(), service.BootstrapInput{OrgName: "Other", OrgSlug: "other-co", Email: "x@other.test"})
		if err != nil {
			t.Fatal(err)
		}
		var theirs struct{ ID string }
		e.do(req{method: "POST", path: "/core/agents", token: other.OrgKey, body: map[string]any{"name": "Theirs"}}).want(t, http.StatusCreated).decodeInto(t, &theirs)
		dpWantErr(t, csDo(e, cookie, req{method: "GET", path: "/core/agents/" + theirs.ID}), http.StatusNotFound, "not_found")
		// Routes outside an organization take personal tokens, as for a
		// bearer key.
		dpWantErr(t, csDo(e, cookie, req{method: "GET", path: "/admin/user-pats"}), http.StatusForbidden, "forbidden")
		// A key's session stays in its organization.
		dpWantErr(t, csDo(e, cookie, req{method: "PUT", path: "/console/api/session", body: map[string]any{"organization": "other-co"}}),
			http.StatusForbidden, "forbidden")

		// A bearer credential wins over a cookie, and needs no header.
		e.do(req{method: "POST", path: "/core/agents", token: other.OrgKey, body: map[string]any{"name": "bearer"},
			header: map[string]string{"Cookie": cookie}}).want(t, http.StatusCreated)

		// Sign-out ends it and clears the cookie.
		r := csDo(e, cookie, req{method: "DELETE", path: "/console/api/session"}).want(t, http.StatusNoContent)
		if set := r.header.Get("Set-Cookie"); !strings.Contains(set, "agentplane_session=;") || !strings.Contains(set, "Max-Age=0") {
			t.Errorf("sign-out Set-Cookie %q", set)
		}
		dpWantErr(t, csDo(e, cookie, req{method: "GET", path: "/console/api/session"}), http.StatusUnauthorized, "unauthenticated")
		dpWantErr(t, csDo(e, cookie, req{method: "GET", path: "/core/agents"}), http.StatusUnauthorized, "unauthenticated")
	})
}

func mergeHeaders(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range []map[string]string{a, b} {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// TestConsoleSessionWithPAT: a personal token signs in to an organization
// it belongs to, switches to another, acts with its narrowed scopes, and
// its session ends when it is revoked.
func TestConsoleSessionWithPAT(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		dpWantErr(t, e.do(req{method: "POST", path: "/console/api/session", body: map[string]any{"credential": e.boot.PAT}}),
			http.StatusUnauthorized, "unauthenticated")
		dpWantErr(t, e.do(req{method: "POST", path: "/console/api/session", body: map[string]any{"credential": e.boot.PAT, "organization": "nowhere"}}),
			http.StatusForbidden, "forbidden")
		cookie := csSignIn(t, e, e.boot.PAT, "acme")
		s := csWhoami(t, e, cookie)
		if s.Kind != "pat" || s.Actor.Type != "user" || s.Actor.ID != e.boot.UserID || s.Actor.Name == "" || s.OrganizationSlug != "acme" {
			t.Fatalf("session %+v", s)
		}
		// Another organization of the same user.
		var org struct{ ID string }
		e.do(req{method: "POST", path: "/admin/organizations", token: e.boot.PAT, body: map[string]any{"name": "Second", "slug": "second"}}).
			want(t, http.StatusCreated).decodeInto(t, &org)
		csDo(e, cookie, req{method: "PUT", path: "/console/api/session", body: map[string]any{"organization": "second"}}).want(t, http.StatusNoContent)
		if s := csWhoami(t, e, cookie); s.OrganizationID != org.ID || s.OrganizationName != "Second" {
			t.Fatalf("after the switch: %+v", s)
		}
		var agents admPage[struct{ Name string }]
		csDo(e, cookie, req{method: "GET", path: "/core/agents"}).want(t, http.StatusOK).decodeInto(t, &agents)
		if len(agents.Data) != 0 {
			t.Fatalf("the second organization shows %v", agents.Data)
		}

		// A personal token's session manages its user's tokens, as the
		// token itself may.
		var own admPage[struct {
			Name string `json:"name"`
		}]
		csDo(e, cookie, req{method: "GET", path: "/admin/user-pats"}).want(t, http.StatusOK).decodeInto(t, &own)
		if len(own.Data) == 0 {
			t.Fatal("a personal token's session lists no personal tokens")
		}
		var made struct {
			PATKey string `json:"pat_key"`
			KeyID  string `json:"key_id"`
		}
		csDo(e, cookie, req{method: "POST", path: "/admin/user-pats", body: map[string]any{"name": "from the console"}}).
			want(t, http.StatusCreated).decodeInto(t, &made)
		csDo(e, cookie, req{method: "DELETE", path: "/admin/user-pats/" + made.KeyID}).want(t, http.StatusNoContent)

		// A narrowed token's session has its narrow scopes.
		narrow := admCreateKey(t, e, "/admin/user-pats", e.boot.PAT, "", map[string]any{"name": "reader", "scopes": []string{"agents:read"}})
		reader := csSignIn(t, e, narrow.PATKey, "acme")
		if s := csWhoami(t, e, reader); !slices.Equal(s.Scopes, []ap.Scope{ap.ScopeAgentsRead}) {
			t.Fatalf("narrow session scopes %v", s.Scopes)
		}
		csDo(e, reader, req{method: "GET", path: "/core/agents"}).want(t, http.StatusOK)
		dpWantErr(t, csDo(e, reader, req{method: "POST", path: "/core/agents", body: map[string]any{"name": "no"}}), http.StatusForbidden, "forbidden")
		// …and, narrowed, may not manage its user's tokens (SPEC §2).
		dpWantErr(t, csDo(e, reader, req{method: "GET", path: "/admin/user-pats"}), http.StatusForbidden, "forbidden")

		// Revoking the token ends its session at once on this node.
		e.do(req{method: "DELETE", path: "/admin/user-pats/" + narrow.KeyID, token: e.boot.PAT}).want(t, http.StatusNoContent)
		dpWantErr(t, csDo(e, reader, req{method: "GET", path: "/core/agents"}), http.StatusUnauthorized, "unauthenticated")
		dpWantErr(t, csDo(e, reader, req{method: "GET", path: "/console/api/session"}), http.StatusUnauthorized, "unauthenticated")
		// The other session lives on.
		csWhoami(t, e, cookie)
	})
}

// TestConsoleSignInRefusals: bad credentials are 401 and count against
// the address; plain http to a host that isn't loopback is refused with
// the reason; a sign-in from another site is refused; a made-up cookie
// is 401.
func TestConsoleSignInRefusals(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		for _, cred := range []string{"", "garbage", "ak_" + ap.NewID() + ".nope", strings.Repeat("a", 5000)} {
			dpWantErr(t, e.do(req{method: "POST", path: "/console/api/session", body: map[string]any{"credential": cred}}),
				http.StatusUnauthorized, "unauthenticated")
		}
		r := e.do(req{method: "POST", path: "/console/api/session", body: map[string]any{"credential": e.boot.OrgKey},
			header: map[string]string{"Host": "agents.example.com"}})
		if body := dpWantErr(t, r, http.StatusBadRequest, "invalid"); !strings.Contains(body.Detail, "--public-url") {
			t.Errorf("plain http refusal: %q", body.Detail)
		}
		if r.header.Get("Set-Cookie") != "" {
			t.Errorf("a refused sign-in set a cookie")
		}
		dpWantErr(t, e.do(req{method: "POST", path: "/console/api/session", body: map[string]any{"credential": e.boot.OrgKey},
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}}), http.StatusForbidden, "forbidden")
		for _, cookie := range []string{"agentplane_session=made-up", "__Host-agentplane_session=" + strings.Repeat("x", 200)} {
			dpWantErr(t, e.do(req{method: "GET", path: "/console/api/session", header: map[string]string{"Cookie": cookie}}),
				http.StatusUnauthorized, "unauthenticated")
			dpWantErr(t, e.do(req{method: "GET", path: "/core/agents", header: map[string]string{"Cookie": cookie}}),
				http.StatusUnauthorized, "unauthenticated")
		}
	})
}

// TestInvitation (SPEC §19): adding a member answers with a one-time
// link; the invitee sees where it leads, names a first personal token,
// gets it once and is signed in to the right organization with the right
// role; the link then works no more, and it is never replayed.
func TestInvitation(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		var m struct {
			UserID    string `json:"user_id"`
			InviteURL string `json:"invite_url"`
		}
		add := req{method: "POST", path: "/admin/members", body: map[string]any{"email": "New.Hire@Example.com", "role": "viewer"},
			header: map[string]string{"Idempotency-Key": "invite-1"}}
		e.admin(add).want(t, http.StatusCreated).decodeInto(t, &m)
		token, ok := strings.CutPrefix(m.InviteURL, "/console/invite/")
		if !ok || len(token) < 40 {
			t.Fatalf("invite_url %q", m.InviteURL)
		}
		// The link is a credential: a retry doesn't get it again.
		if r := e.admin(add); r.status != http.StatusConflict || strings.Contains(string(r.body), token) {
			t.Fatalf("replay: %d %s", r.status, r.body)
		}
		var members admPage[map[string]any]
		e.admin(req{method: "GET", path: "/admin/members"}).want(t, http.StatusOK).decodeInto(t, &members)
		for _, mem := range members.Data {
			if _, has := mem["invite_url"]; has {
				t.Fatalf("a member list shows an invite_url: %v", mem)
			}
		}

		var inv struct {
			OrganizationSlug string `json:"organization_slug"`
			Email            string `json:"email"`
			Role             string `json:"role"`
		}
		e.do(req{method: "GET", path: "/console/api/invitations/" + token}).want(t, http.StatusOK).decodeInto(t, &inv)
		if inv.OrganizationSlug != "acme" || inv.Email != "new.hire@example.com" || inv.Role != "viewer" {
			t.Fatalf("invitation %+v", inv)
		}
		dpWantErr(t, e.do(req{method: "POST", path: "/console/api/invitations/" + token, body: map[string]any{"name": ""}}),
			http.StatusUnprocessableEntity, "invalid", "body", "name")
		dpWantErr(t, e.do(req{method: "POST", path: "/console/api/invitations/" + token, body: map[string]any{"name": "laptop"},
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}}), http.StatusForbidden, "forbidden")

		r := e.do(req{method: "POST", path: "/console/api/invitations/" + token, body: map[string]any{"name": "laptop"}}).want(t, http.StatusCreated)
		var pat struct {
			PATKey string `json:"pat_key"`
			Name   string `json:"name"`
		}
		r.decodeInto(t, &pat)
		if !strings.HasPrefix(pat.PATKey, "pat_") || pat.Name != "laptop" {
			t.Fatalf("created %s", r.body)
		}
		cookie, _, _ := strings.Cut(r.header.Get("Set-Cookie"), ";")
		s := csWhoami(t, e, cookie)
		if s.Kind != "pat" || s.OrganizationSlug != "acme" || s.Actor.ID != m.UserID || s.Actor.Name != "new.hire@example.com" ||
			slices.Contains(s.Scopes, ap.ScopeAgentsManage) || !slices.Contains(s.Scopes, ap.ScopeAgentsRead) {
			t.Fatalf("the invitee's session %+v", s)
		}
		// The token works as a bearer credential too, as a viewer.
		e.do(req{method: "GET", path: "/core/agents", token: pat.PATKey, org: "acme"}).want(t, http.StatusOK)
		dpWantErr(t, e.do(req{method: "POST", path: "/core/agents", token: pat.PATKey, org: "acme", body: map[string]any{"name": "x"}}),
			http.StatusForbidden, "forbidden")

		// Used: gone, the same as a link that never was.
		for _, tok := range []string{token, "never-issued", strings.Repeat("x", 500)} {
			dpWantErr(t, e.do(req{method: "GET", path: "/console/api/invitations/" + tok}), http.StatusNotFound, "not_found")
			dpWantErr(t, e.do(req{method: "POST", path: "/console/api/invitations/" + tok, body: map[string]any{"name": "again"}}),
				http.StatusNotFound, "not_found")
		}
	})
}
