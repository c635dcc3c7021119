package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ap "github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/httpapi"
	"github.com/agentplane/agentplane/internal/openapitest"
	"github.com/agentplane/agentplane/internal/service"
)

// The route × credential matrix of SPEC §2. TestMatrix walks
// e.server.Routes(), so a route added to the table is exercised with every
// credential case without touching this file; the expectations come from
// the route's own metadata (Scopes, UserOnly), checked against an
// independent reading of the scope rules. Only a route's success path and
// its cross-organization path need a fixture (mxFixtures): a route without
// one fails the test until one is added.

// mxReadScopes is every plain ":read" scope: the read-only org key.
var mxReadScopes = []ap.Scope{
	ap.ScopeAgentsRead, ap.ScopePhoneNumbersRead, ap.ScopeWebWidgetsRead,
	ap.ScopeConversationsRead, ap.ScopeMembersRead,
}

// mxViewerScopes is what SPEC §2 gives the viewer role, written out here
// rather than taken from the code under test.
var mxViewerScopes = []ap.Scope{
	ap.ScopeAgentsRead, ap.ScopePhoneNumbersRead, ap.ScopeWebWidgetsRead,
	ap.ScopeConversationsRead, ap.ScopeMembersRead,
}

// mxNarrowScopes narrow the admin user's "narrow PAT".
var mxNarrowScopes = []ap.Scope{ap.ScopeAgentsRead, ap.ScopeMembersRead}

// mxAllScopes is the admin role, written out.
var mxAllScopes = []ap.Scope{
	"agents:read", "agents:manage", "phone_numbers:read", "phone_numbers:manage",
	"web_widgets:read", "web_widgets:manage", "conversations:read",
	"conversations:read_sensitive", "conversations:manage", "members:read",
	"members:manage", "organizations:manage", "audit_log:read", "webhooks:read", "webhooks:manage",
}

// mxGrants is SPEC §2's rule, independent of the domain code: a route
// accepts any one of its scopes (none: any caller); a scope grants itself
// and "x:manage" grants "x:read".
func mxGrants(held, route []ap.Scope) bool {
	if len(route) == 0 {
		return true
	}
	for _, want := range route {
		for _, h := range held {
			if h == want {
				return true
			}
			if res, ok := strings.CutSuffix(string(want), ":read"); ok && string(h) == res+":manage" {
				return true
			}
		}
	}
	return false
}

// mxPinned pins the scope table of SPEC §3–§4 (and, when the route is
// registered, of later sections) so a wrong row in routes.go is caught
// even though the matrix derives its expectations from that table.
var mxPinned = []struct {
	route    string
	mode     string // "public", "org" or "user"
	scopes   []ap.Scope
	optional bool // checked only once the route is registered
}{
	{"GET /healthz", "public", nil, false},
	{"GET /readyz", "public", nil, false},
	{"GET /docs", "public", nil, false},
	{"GET /core/agents", "org", []ap.Scope{ap.ScopeAgentsRead}, false},
	{"POST /core/agents", "org", []ap.Scope{ap.ScopeAgentsManage}, false},
	{"GET /core/agents/{id}", "org", []ap.Scope{ap.ScopeAgentsRead}, false},
	{"PUT /core/agents/{id}", "org", []ap.Scope{ap.ScopeAgentsManage}, false},
	{"DELETE /core/agents/{id}", "org", []ap.Scope{ap.ScopeAgentsManage}, false},
	{"POST /admin/organizations", "user", nil, false},
	{"GET /admin/organizations", "user", nil, false},
	{"GET /admin/members/me/scopes", "org", nil, false},
	{"GET /admin/members", "org", []ap.Scope{ap.ScopeMembersRead}, false},
	{"POST /admin/members", "org", []ap.Scope{ap.ScopeMembersManage}, false},
	{"PUT /admin/members/{user_id}", "org", []ap.Scope{ap.ScopeMembersManage}, false},
	{"DELETE /admin/members/{user_id}", "org", []ap.Scope{ap.ScopeMembersManage}, false},
	{"POST /admin/organization-pats", "org", []ap.Scope{ap.ScopeOrganizationsManage}, false},
	{"GET /admin/organization-pats", "org", []ap.Scope{ap.ScopeOrganizationsManage}, false},
	{"DELETE /admin/organization-pats/{key_id}", "org", []ap.Scope{ap.ScopeOrganizationsManage}, false},
	{"POST /admin/user-pats", "user", nil, false},
	{"GET /admin/user-pats", "user", nil, false},
	{"DELETE /admin/user-pats/{key_id}", "user", nil, false},
	{"GET /admin/audit-log", "org", []ap.Scope{ap.ScopeAuditLogRead}, false},
	{"GET /admin/webhooks", "org", []ap.Scope{ap.ScopeWebhooksRead}, false},
	{"POST /admin/webhooks", "org", []ap.Scope{ap.ScopeWebhooksManage}, false},
	{"GET /admin/webhooks/{id}", "org", []ap.Scope{ap.ScopeWebhooksRead}, false},
	{"PATCH /admin/webhooks/{id}", "org", []ap.Scope{ap.ScopeWebhooksManage}, false},
	{"DELETE /admin/webhooks/{id}", "org", []ap.Scope{ap.ScopeWebhooksManage}, false},
	{"POST /admin/webhooks/{id}/rotate-secret", "org", []ap.Scope{ap.ScopeWebhooksManage}, false},
	{"POST /admin/webhooks/{id}/test", "org", []ap.Scope{ap.ScopeWebhooksManage}, false},
	{"GET /admin/webhooks/{id}/deliveries", "org", []ap.Scope{ap.ScopeWebhooksRead}, false},
	{"POST /admin/webhooks/{id}/deliveries/{delivery_id}/redeliver", "org", []ap.Scope{ap.ScopeWebhooksManage}, false},

	{"GET /core/agents/{id}/versions", "org", []ap.Scope{ap.ScopeAgentsRead}, true},
	{"POST /core/agents/{id}/versions", "org", []ap.Scope{ap.ScopeAgentsManage}, true},
	{"GET /core/agents/{id}/versions/{version}", "org", []ap.Scope{ap.ScopeAgentsRead}, true},
	{"PUT /core/agents/{id}/versions/{version}", "org", []ap.Scope{ap.ScopeAgentsManage}, true},
	{"PATCH /core/agents/{id}/versions/{version}", "org", []ap.Scope{ap.ScopeAgentsManage}, true},
	{"GET /core/agents/{id}/versions/diff", "org", []ap.Scope{ap.ScopeAgentsRead}, true},
	{"POST /core/agents/{id}/versions/{version}/generate-instructions", "org", []ap.Scope{ap.ScopeAgentsManage}, true},
	{"POST /core/agents/{id}/versions/compare", "org", []ap.Scope{ap.ScopeAgentsRead}, true},
	{"POST /core/agents/{id}/versions/{version}/publish", "org", []ap.Scope{ap.ScopeAgentsManage}, true},
	{"GET /core/agent-config-schema", "org", []ap.Scope{ap.ScopeAgentsRead}, true},
	{"POST /core/agent-config-schema/validate", "org", []ap.Scope{ap.ScopeAgentsRead}, true},
	{"GET /core/phone-numbers", "org", []ap.Scope{ap.ScopePhoneNumbersRead}, true},
	{"POST /core/phone-numbers", "org", []ap.Scope{ap.ScopePhoneNumbersManage}, true},
	{"GET /core/web-widgets", "org", []ap.Scope{ap.ScopeWebWidgetsRead}, true},
	{"POST /core/web-widgets", "org", []ap.Scope{ap.ScopeWebWidgetsManage}, true},
	{"GET /core/public/web-widgets/{id}", "public", nil, true},
	{"OPTIONS /core/public/web-widgets/{id}", "public", nil, true},
	{"POST /core/conversations", "org", []ap.Scope{ap.ScopeConversationsManage}, true},
	{"GET /core/conversations", "org", []ap.Scope{ap.ScopeConversationsRead, ap.ScopeConversationsReadSensitive}, true},
}

// mxPublicOK is where SPEC §2, §14 and §23 allow a route without a
// credential.
func mxPublicOK(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/openapi.json", "/metrics", "/docs", "/docs/init.js", "/docs/scalar-api-reference.js":
		return true
	case "/console/api/session": // §19: signs in with a credential in the body, then reads its cookie
		return true
	}
	// §19: an invitation's link is its credential.
	return strings.HasPrefix(path, "/core/public/") || strings.HasPrefix(path, "/console/api/invitations/")
}

// mxAnyScopeOK lists the in-organization routes open to every scope.
var mxAnyScopeOK = map[string]bool{"GET /admin/members/me/scopes": true}

// TestMatrixRouteTable checks the table itself: pinned rows, which routes
// are public, and the shape of every row's scopes.
func TestMatrixRouteTable(t *testing.T) {
	t.Parallel()
	srv := httpapi.New(nil, httpapi.Options{CursorKey: []byte("k")})
	routes := map[string]httpapi.RouteInfo{}
	for _, rt := range srv.Routes() {
		key := rt.Method + " " + rt.Path
		if _, dup := routes[key]; dup {
			t.Errorf("route %s is registered twice", key)
		}
		routes[key] = rt
	}
	for _, p := range mxPinned {
		rt, ok := routes[p.route]
		if !ok {
			if !p.optional {
				t.Errorf("route %s is not registered", p.route)
			}
			continue
		}
		mode := "org"
		if rt.Public {
			mode = "public"
		} else if rt.UserOnly {
			mode = "user"
		}
		if mode != p.mode {
			t.Errorf("%s: auth mode %s, want %s", p.route, mode, p.mode)
		}
		if !slices.Equal(rt.Scopes, p.scopes) {
			t.Errorf("%s: scopes %v, want %v", p.route, rt.Scopes, p.scopes)
		}
	}
	for key, rt := range routes {
		if rt.Public && rt.UserOnly {
			t.Errorf("%s is both public and user-only", key)
		}
		if rt.Public != mxPublicOK(rt.Path) {
			t.Errorf("%s: public=%v, but SPEC §2 requires a credential everywhere except /healthz, /readyz, /metrics, /openapi.json, /docs and /core/public/...", key, rt.Public)
		}
		if (rt.Public || rt.UserOnly) && len(rt.Scopes) > 0 {
			t.Errorf("%s: a public or user-only route can't demand organization scopes %v", key, rt.Scopes)
		}
		if !rt.Public && !rt.UserOnly && len(rt.Scopes) == 0 && !mxAnyScopeOK[key] {
			t.Errorf("%s: an in-organization route with no scope is open to every credential", key)
		}
		for _, s := range rt.Scopes {
			if !slices.Contains(mxAllScopes, s) {
				t.Errorf("%s: unknown scope %q", key, s)
			}
			res, action, _ := strings.Cut(string(s), ":")
			switch rt.Method {
			case http.MethodGet, http.MethodHead:
				// A read needs only the read scope where the resource has one.
				if action == "manage" && slices.Contains(mxAllScopes, ap.Scope(res+":read")) {
					t.Errorf("%s: a read route demands %s although %s:read exists", key, s, res)
				}
			case http.MethodPut, http.MethodPatch, http.MethodDelete:
				if action != "manage" {
					t.Errorf("%s: a write route accepts %s, which is not a :manage scope", key, s)
				}
			}
		}
	}
}

// mxTenant is one organization of the matrix with its admin credentials.
type mxTenant struct {
	name      string // "A" or "B"
	id, slug  string
	adminUser string
	adminKey  string // org key with every scope
	adminPAT  string // PAT of the admin user
}

// mxCall is one request a fixture prepared: path parameters filled with
// fresh objects of the tenant, a valid body, the status a caller allowed
// to use the route gets, and a check that a rejected request changed
// nothing.
type mxCall struct {
	path   string
	body   any
	header map[string]string // extra headers (public routes: Origin; PATCH of a version: its Content-Type)
	ok     int
	intact func(t *testing.T)
}

// with returns the call's headers and extra's (a credential case's), extra
// winning.
func (c mxCall) with(extra map[string]string) map[string]string {
	if len(c.header) == 0 {
		return extra
	}
	h := maps.Clone(c.header)
	maps.Copy(h, extra)
	return h
}

// mxFixture prepares a request to one route in tenant o; e is bound to
// the running subtest.
type mxFixture func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall

var mxSeq atomic.Int64

func mxUnique(prefix string) string {
	return prefix + strconv.FormatInt(mxSeq.Add(1), 10)
}

// mxFixtures has one entry per registered non-public route.
var mxFixtures = map[string]mxFixture{
	"GET /core/agents": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/core/agents", ok: http.StatusOK}
	},
	"POST /core/agents": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/core/agents", body: map[string]any{"name": "matrix agent", "metadata": map[string]any{"k": "v"}}, ok: http.StatusCreated}
	},
	"GET /core/agents/{id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/core/agents/" + w.newAgent(t, e, o), ok: http.StatusOK}
	},
	"PUT /core/agents/{id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		return mxCall{path: "/core/agents/" + id, body: map[string]any{"name": "renamed"}, ok: http.StatusOK,
			intact: func(t *testing.T) { w.agentIntact(t, e, o, id) }}
	},
	"DELETE /core/agents/{id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		return mxCall{path: "/core/agents/" + id, ok: http.StatusNoContent,
			intact: func(t *testing.T) { w.agentIntact(t, e, o, id) }}
	},
	"GET /core/agents/{id}/versions": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		w.newVersion(t, e, o, id)
		return mxCall{path: "/core/agents/" + id + "/versions", ok: http.StatusOK}
	},
	"POST /core/agents/{id}/versions": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		return mxCall{path: "/core/agents/" + id + "/versions", body: map[string]any{"config": map[string]any{"instructions": "new"}}, ok: http.StatusCreated,
			intact: func(t *testing.T) { w.versionsIntact(t, e, o, id, 0) }}
	},
	"GET /core/agents/{id}/versions/{version}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		return mxCall{path: "/core/agents/" + id + "/versions/" + strconv.Itoa(w.newVersion(t, e, o, id)), ok: http.StatusOK}
	},
	"PUT /core/agents/{id}/versions/{version}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		n := w.newVersion(t, e, o, id)
		return mxCall{path: "/core/agents/" + id + "/versions/" + strconv.Itoa(n), body: map[string]any{"config": map[string]any{"instructions": "changed"}}, ok: http.StatusOK,
			intact: func(t *testing.T) { w.versionIntact(t, e, o, id, n) }}
	},
	"PATCH /core/agents/{id}/versions/{version}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		n := w.newVersion(t, e, o, id)
		return mxCall{path: "/core/agents/" + id + "/versions/" + strconv.Itoa(n), header: map[string]string{"Content-Type": "application/merge-patch+json"},
			body: map[string]any{"config": map[string]any{"instructions": "changed"}, "description": "matrix"}, ok: http.StatusOK,
			intact: func(t *testing.T) { w.versionIntact(t, e, o, id, n) }}
	},
	"POST /core/agents/{id}/versions/{version}/publish": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		n := w.newVersion(t, e, o, id)
		num := w.newNumber(t, e, o)
		return mxCall{path: "/core/agents/" + id + "/versions/" + strconv.Itoa(n) + "/publish",
			body: map[string]any{"phone_numbers": []string{num}, "direction": "both"}, ok: http.StatusOK,
			intact: func(t *testing.T) {
				w.versionIntact(t, e, o, id, n)
				w.numberIntact(t, e, o, num)
			}}
	},
	"GET /core/agents/{id}/versions/diff": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		a, b := w.newVersion(t, e, o, id), w.newVersion(t, e, o, id)
		return mxCall{path: "/core/agents/" + id + "/versions/diff?from=" + strconv.Itoa(a) + "&to=" + strconv.Itoa(b), ok: http.StatusOK}
	},
	"POST /core/agents/{id}/versions/compare": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		a, b := w.newVersion(t, e, o, id), w.newVersion(t, e, o, id)
		return mxCall{path: "/core/agents/" + id + "/versions/compare", body: map[string]any{"from_version": a, "to_version": b}, ok: http.StatusOK}
	},
	"POST /core/agents/{id}/versions/{version}/generate-instructions": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		n := w.newInputsVersion(t, e, o, id)
		return mxCall{path: "/core/agents/" + id + "/versions/" + strconv.Itoa(n) + "/generate-instructions", ok: http.StatusAccepted,
			intact: func(t *testing.T) { w.notGenerating(t, e, o, id, n) }}
	},
	"POST /core/agents/create-from-website": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/core/agents/create-from-website", body: map[string]any{"company_name": "Matrix Co", "company_website": "https://example.com"}, ok: http.StatusAccepted}
	},
	"POST /core/agents/create-demo": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/core/agents/create-demo", body: map[string]any{"company_website": "https://example.com"}, ok: http.StatusAccepted}
	},
	"GET /core/workflows": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		w.newWorkflow(t, e, o)
		return mxCall{path: "/core/workflows", ok: http.StatusOK}
	},
	"GET /core/workflows/{workflow_id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/core/workflows/" + w.newWorkflow(t, e, o), ok: http.StatusOK}
	},
	"GET /core/agent-config-schema": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/core/agent-config-schema", ok: http.StatusOK}
	},
	"POST /core/agent-config-schema/validate": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/core/agent-config-schema/validate", body: map[string]any{"instructions": "hello"}, ok: http.StatusOK}
	},
	"GET /core/phone-numbers": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		w.newNumber(t, e, o)
		return mxCall{path: "/core/phone-numbers", ok: http.StatusOK}
	},
	"POST /core/phone-numbers": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		num := mxNumber()
		return mxCall{path: "/core/phone-numbers", body: map[string]any{"phone_number": num, "label": "matrix", "trunk_id": "trunk-1"}, ok: http.StatusCreated,
			intact: func(t *testing.T) {
				w.send(e, o, req{method: http.MethodGet, path: "/core/phone-numbers/" + url.PathEscape(num), token: o.adminKey}).want(t, http.StatusNotFound)
			}}
	},
	"GET /core/phone-numbers/{phone_number}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		num := w.newNumber(t, e, o)
		// Escaped "+": what a client that escapes everything sends.
		return mxCall{path: "/core/phone-numbers/%2B" + strings.TrimPrefix(num, "+"), ok: http.StatusOK}
	},
	"PATCH /core/phone-numbers/{phone_number}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		num := w.newNumber(t, e, o)
		return mxCall{path: "/core/phone-numbers/" + url.PathEscape(num), body: map[string]any{"label": "renamed", "outbound_shareable": true}, ok: http.StatusOK,
			intact: func(t *testing.T) { w.numberIntact(t, e, o, num) }}
	},
	"DELETE /core/phone-numbers/{phone_number}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		num := w.newNumber(t, e, o)
		return mxCall{path: "/core/phone-numbers/" + url.PathEscape(num), ok: http.StatusNoContent,
			intact: func(t *testing.T) { w.numberIntact(t, e, o, num) }}
	},
	"POST /core/agents/{id}/deploy-as-sip": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		w.newPublished(t, e, o, id)
		return mxCall{path: "/core/agents/" + id + "/deploy-as-sip", ok: http.StatusOK,
			intact: func(t *testing.T) { w.sipIntact(t, e, o, id, false) }}
	},
	"DELETE /core/agents/{id}/deploy-as-sip": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		w.newPublished(t, e, o, id)
		w.send(e, o, req{method: http.MethodPost, path: "/core/agents/" + id + "/deploy-as-sip", token: o.adminKey}).want(t, http.StatusOK)
		return mxCall{path: "/core/agents/" + id + "/deploy-as-sip", ok: http.StatusNoContent,
			intact: func(t *testing.T) { w.sipIntact(t, e, o, id, true) }}
	},
	"POST /core/agents/{id}/rollback": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		w.newPublished(t, e, o, id)
		n, _ := w.newPublished(t, e, o, id)
		return mxCall{path: "/core/agents/" + id + "/rollback", body: map[string]any{"description": "matrix"}, ok: http.StatusOK,
			intact: func(t *testing.T) { w.rolloutIntact(t, e, o, id, n, false) }}
	},
	"GET /core/agents/{id}/deployments": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		w.newPublished(t, e, o, id)
		return mxCall{path: "/core/agents/" + id + "/deployments?kind=publish", ok: http.StatusOK}
	},
	"PUT /core/agents/{id}/rollout": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id, live, canary := w.newCanary(t, e, o, false)
		return mxCall{path: "/core/agents/" + id + "/rollout", body: map[string]any{"version": canary, "percent": 25}, ok: http.StatusOK,
			intact: func(t *testing.T) { w.rolloutIntact(t, e, o, id, live, false) }}
	},
	"GET /core/agents/{id}/rollout": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id, _, _ := w.newCanary(t, e, o, true)
		return mxCall{path: "/core/agents/" + id + "/rollout", ok: http.StatusOK}
	},
	"DELETE /core/agents/{id}/rollout": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id, live, _ := w.newCanary(t, e, o, true)
		return mxCall{path: "/core/agents/" + id + "/rollout", ok: http.StatusNoContent,
			intact: func(t *testing.T) { w.rolloutIntact(t, e, o, id, live, true) }}
	},
	"POST /core/agents/{id}/rollout/promote": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id, live, _ := w.newCanary(t, e, o, true)
		return mxCall{path: "/core/agents/" + id + "/rollout/promote", ok: http.StatusOK,
			intact: func(t *testing.T) { w.rolloutIntact(t, e, o, id, live, true) }}
	},
	"GET /core/web-widgets": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		w.newWidget(t, e, o)
		return mxCall{path: "/core/web-widgets", ok: http.StatusOK}
	},
	"POST /core/web-widgets": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		_, vid := w.newPublished(t, e, o, id)
		return mxCall{path: "/core/web-widgets", body: map[string]any{"name": "matrix widget", "agent_id": id, "agent_version_id": vid,
			"domains": []string{"example.com", "http://localhost:3000"}, "published": true, "config": map[string]any{"theme": "dark"}}, ok: http.StatusCreated}
	},
	"GET /core/web-widgets/{id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/core/web-widgets/" + w.newWidget(t, e, o), ok: http.StatusOK}
	},
	"PUT /core/web-widgets/{id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newWidget(t, e, o)
		return mxCall{path: "/core/web-widgets/" + id, body: map[string]any{"name": "renamed", "domains": []string{"shop.example.com"}}, ok: http.StatusOK,
			intact: func(t *testing.T) { w.widgetIntact(t, e, o, id) }}
	},
	"DELETE /core/web-widgets/{id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newWidget(t, e, o)
		return mxCall{path: "/core/web-widgets/" + id, ok: http.StatusNoContent,
			intact: func(t *testing.T) { w.widgetIntact(t, e, o, id) }}
	},
	"GET /core/conversations": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		w.newConversation(t, e, o)
		return mxCall{path: "/core/conversations", ok: http.StatusOK}
	},
	"POST /core/conversations": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newAgent(t, e, o)
		w.newPublished(t, e, o, id)
		return mxCall{path: "/core/conversations", body: map[string]any{"channel": "telephone", "direction": "inbound", "user_id": "+15550001111",
			"agent_id": id, "version": "latest", "custom_metadata": map[string]any{"crm": "42"}}, ok: http.StatusCreated,
			intact: func(t *testing.T) { w.statsIntact(t, e, o, id) }}
	},
	"GET /core/conversations/{id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/core/conversations/" + w.newConversation(t, e, o), ok: http.StatusOK}
	},
	"PATCH /core/conversations/{id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newConversation(t, e, o)
		return mxCall{path: "/core/conversations/" + id, body: map[string]any{"status": "completed", "duration": 42.5, "user_turn_count": 7,
			"summary": "booked a visit", "transcript": []any{map[string]any{"role": "user", "text": "hi"}}}, ok: http.StatusOK,
			intact: func(t *testing.T) { w.conversationIntact(t, e, o, id) }}
	},
	"POST /admin/organizations": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/organizations", body: map[string]any{"name": "Matrix Org", "slug": mxUnique("mx-org-")}, ok: http.StatusCreated}
	},
	"GET /admin/organizations": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/organizations", ok: http.StatusOK}
	},
	"GET /admin/members/me/scopes": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/members/me/scopes", ok: http.StatusOK}
	},
	"GET /admin/members": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/members", ok: http.StatusOK}
	},
	"POST /admin/members": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/members", body: map[string]any{"email": mxUnique("new") + "@matrix.test", "role": "viewer"}, ok: http.StatusCreated}
	},
	"PUT /admin/members/{user_id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		uid := w.newMember(t, e, o)
		return mxCall{path: "/admin/members/" + uid, body: map[string]any{"role": "admin"}, ok: http.StatusOK,
			intact: func(t *testing.T) { w.memberIntact(t, o, uid) }}
	},
	"DELETE /admin/members/{user_id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		uid := w.newMember(t, e, o)
		return mxCall{path: "/admin/members/" + uid, ok: http.StatusNoContent,
			intact: func(t *testing.T) { w.memberIntact(t, o, uid) }}
	},
	"POST /admin/organization-pats": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/organization-pats", body: map[string]any{"name": "matrix key", "expires_at": nil}, ok: http.StatusCreated}
	},
	"GET /admin/organization-pats": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/organization-pats", ok: http.StatusOK}
	},
	"DELETE /admin/organization-pats/{key_id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		k := w.newKey(t, e, o, "/admin/organization-pats", o.adminKey)
		return mxCall{path: "/admin/organization-pats/" + k.KeyID, ok: http.StatusNoContent,
			intact: func(t *testing.T) { w.keyIntact(t, k.PATKey, service.InOrg) }}
	},
	"GET /admin/audit-log": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/audit-log", ok: http.StatusOK}
	},
	"GET /admin/webhooks": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/webhooks", ok: http.StatusOK}
	},
	"POST /admin/webhooks": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/webhooks", body: map[string]any{"url": "https://hooks.example.test/in", "events": []string{"*"}}, ok: http.StatusCreated}
	},
	"GET /admin/webhooks/{id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/webhooks/" + w.newWebhook(t, e, o), ok: http.StatusOK}
	},
	"PATCH /admin/webhooks/{id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newWebhook(t, e, o)
		return mxCall{path: "/admin/webhooks/" + id, body: map[string]any{"description": "patched"}, ok: http.StatusOK,
			intact: func(t *testing.T) { w.webhookIntact(t, e, o, id) }}
	},
	"DELETE /admin/webhooks/{id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newWebhook(t, e, o)
		return mxCall{path: "/admin/webhooks/" + id, ok: http.StatusNoContent,
			intact: func(t *testing.T) { w.webhookIntact(t, e, o, id) }}
	},
	"POST /admin/webhooks/{id}/rotate-secret": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newWebhook(t, e, o)
		return mxCall{path: "/admin/webhooks/" + id + "/rotate-secret", ok: http.StatusOK,
			intact: func(t *testing.T) { w.webhookIntact(t, e, o, id) }}
	},
	"POST /admin/webhooks/{id}/test": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/webhooks/" + w.newWebhook(t, e, o) + "/test", ok: http.StatusAccepted}
	},
	"GET /admin/webhooks/{id}/deliveries": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/webhooks/" + w.newWebhook(t, e, o) + "/deliveries", ok: http.StatusOK}
	},
	"POST /admin/webhooks/{id}/deliveries/{delivery_id}/redeliver": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		id := w.newWebhook(t, e, o)
		var d struct {
			ID string `json:"id"`
		}
		w.send(e, o, req{method: http.MethodPost, path: "/admin/webhooks/" + id + "/test", token: o.adminKey}).want(t, http.StatusAccepted).decodeInto(t, &d)
		return mxCall{path: "/admin/webhooks/" + id + "/deliveries/" + d.ID + "/redeliver", ok: http.StatusAccepted}
	},
	"POST /admin/user-pats": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/user-pats", body: map[string]any{"name": "matrix token"}, ok: http.StatusCreated}
	},
	"GET /admin/user-pats": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/admin/user-pats", ok: http.StatusOK}
	},
	"DELETE /admin/user-pats/{key_id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		k := w.newKey(t, e, o, "/admin/user-pats", o.adminPAT)
		return mxCall{path: "/admin/user-pats/" + k.KeyID, ok: http.StatusNoContent,
			intact: func(t *testing.T) { w.keyIntact(t, k.PATKey, service.UserOnly) }}
	},
}

// mxPublicFixtures has one entry per registered public route with path
// parameters: a public route answers the same whatever credential comes
// with the request (none, garbage, either organization's).
var mxPublicFixtures = map[string]mxFixture{
	"GET /console/api/invitations/{token}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/console/api/invitations/" + w.newInvitation(t, e, o), ok: http.StatusOK}
	},
	"POST /console/api/invitations/{token}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/console/api/invitations/" + w.newInvitation(t, e, o), body: map[string]any{"name": "first token"}, ok: http.StatusCreated}
	},
	"GET /core/public/web-widgets/{id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/core/public/web-widgets/" + w.newWidget(t, e, o), header: map[string]string{"Origin": "https://example.com"}, ok: http.StatusOK}
	},
	"OPTIONS /core/public/web-widgets/{id}": func(t *testing.T, w *mxWorld, e *env, o *mxTenant) mxCall {
		return mxCall{path: "/core/public/web-widgets/" + w.newWidget(t, e, o),
			header: map[string]string{"Origin": "https://example.com", "Access-Control-Request-Method": "GET"}, ok: http.StatusNoContent}
	},
}

// mxKind is what a credential case expects of a route.
type mxKind int

const (
	mxSkip      mxKind = iota // the case says nothing about this route
	mxOK                      // the fixture's success status
	mxUnauth                  // 401
	mxForbidden               // 403
)

type mxWant struct {
	kind   mxKind
	detail string     // exact detail, when set
	scopes []ap.Scope // a 403 for lack of one of these scopes
}

// mxCase is one credential (and X-Anyreach-Org) to try on every route.
type mxCase struct {
	name   string
	tenant *mxTenant // whose caller this is; nil for no valid credential
	token  string
	org    string
	header map[string]string
	future bool // send to the server whose clock is two hours ahead
	want   func(rt httpapi.RouteInfo) mxWant
}

func mxAll(w mxWant) func(httpapi.RouteInfo) mxWant {
	return func(httpapi.RouteInfo) mxWant { return w }
}

// mxOrgKey is an org key holding held: refused on user-only routes,
// otherwise allowed by scope.
func mxOrgKey(held []ap.Scope) func(httpapi.RouteInfo) mxWant {
	return func(rt httpapi.RouteInfo) mxWant {
		switch {
		case rt.UserOnly:
			return mxWant{kind: mxForbidden}
		case mxGrants(held, rt.Scopes):
			return mxWant{kind: mxOK}
		}
		return mxWant{kind: mxForbidden, scopes: rt.Scopes}
	}
}

// mxPATInOrg is a PAT with a valid X-Anyreach-Org whose effective scopes
// there are held. User-only routes act for the user whatever the header
// says; the no-header case covers them.
func mxPATInOrg(held []ap.Scope) func(httpapi.RouteInfo) mxWant {
	return func(rt httpapi.RouteInfo) mxWant {
		switch {
		case rt.UserOnly:
			return mxWant{kind: mxSkip}
		case mxGrants(held, rt.Scopes):
			return mxWant{kind: mxOK}
		}
		return mxWant{kind: mxForbidden, scopes: rt.Scopes}
	}
}

// mxPATRefused is a PAT whose X-Anyreach-Org names an organization the
// user is not a member of (or none at all).
func mxPATRefused(rt httpapi.RouteInfo) mxWant {
	if rt.UserOnly {
		return mxWant{kind: mxSkip}
	}
	return mxWant{kind: mxForbidden}
}

// mxPATNoOrg is a PAT without X-Anyreach-Org.
func mxPATNoOrg(rt httpapi.RouteInfo) mxWant {
	if rt.UserOnly {
		return mxWant{kind: mxOK}
	}
	return mxWant{kind: mxUnauth, detail: "Token is missing organization claim"}
}

// mxExchange is one recorded request and response, for the leak check.
type mxExchange struct {
	tenant *mxTenant // nil: a caller without a valid credential
	sent   string    // everything the caller sent: path, headers, body
	label  string
	status int
	body   []byte
}

// mxWorld is the matrix's fixture: organizations A and B, credentials of
// every kind in A, and the recorded exchanges.
type mxWorld struct {
	e      *env
	future *env // same database, service clock two hours ahead
	a, b   *mxTenant

	readKey     string
	viewerPAT   string
	narrowPAT   string
	revokedKey  string
	revokedPAT  string
	expiringKey string
	expiringPAT string

	mu        sync.Mutex
	exchanges []mxExchange
}

var mxUUID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// bind returns a copy of e reporting to t, with its own validator.
func mxBind(t *testing.T, e *env) *env {
	c := *e
	c.t = t
	c.client = &http.Client{Transport: openapitest.New(t).Transport(nil)}
	return &c
}

// send does r on e and records the exchange as tenant's.
func (w *mxWorld) send(e *env, tenant *mxTenant, r req) resp {
	e.t.Helper()
	res := e.do(r)
	sent, _ := json.Marshal(r.body)
	var sb strings.Builder
	sb.WriteString(r.path + "\n" + r.token + "\n" + r.org + "\n" + string(sent))
	for k, v := range r.header {
		sb.WriteString("\n" + k + ": " + v)
	}
	w.mu.Lock()
	w.exchanges = append(w.exchanges, mxExchange{tenant: tenant, sent: sb.String(), label: r.method + " " + r.path, status: res.status, body: res.body})
	w.mu.Unlock()
	return res
}

// mxKey is a created credential as POST returns it.
type mxKey struct {
	PATKey    string     `json:"pat_key"`
	KeyID     string     `json:"key_id"`
	Name      string     `json:"name"`
	Scopes    []ap.Scope `json:"scopes"`
	ExpiresAt *int64     `json:"expires_at"`
	CreatedAt string     `json:"created_at"`
}

func (w *mxWorld) newKey(t *testing.T, e *env, o *mxTenant, path, token string) mxKey {
	t.Helper()
	return w.newKeyWith(t, e, o, path, token, map[string]any{"name": mxUnique("fixture key ")})
}

func (w *mxWorld) newKeyWith(t *testing.T, e *env, o *mxTenant, path, token string, body map[string]any) mxKey {
	t.Helper()
	var k mxKey
	w.send(e, o, req{method: http.MethodPost, path: path, token: token, body: body}).want(t, http.StatusCreated).decodeInto(t, &k)
	if k.PATKey == "" || k.KeyID == "" {
		t.Fatalf("created key lacks pat_key or key_id: %+v", k)
	}
	return k
}

// newWebhook creates an endpoint in o, described "fixture webhook".
func (w *mxWorld) newWebhook(t *testing.T, e *env, o *mxTenant) string {
	t.Helper()
	var h struct {
		ID string `json:"id"`
	}
	w.send(e, o, req{method: http.MethodPost, path: "/admin/webhooks", token: o.adminKey,
		body: map[string]any{"url": "https://hooks.example.test/fixture", "events": []string{"agent.*"}, "description": "fixture webhook"}}).
		want(t, http.StatusCreated).decodeInto(t, &h)
	return h.ID
}

func (w *mxWorld) webhookIntact(t *testing.T, e *env, o *mxTenant, id string) {
	t.Helper()
	var h struct {
		Description string `json:"description"`
		UpdatedAt   string `json:"updated_at"`
		CreatedAt   string `json:"created_at"`
	}
	w.send(e, o, req{method: http.MethodGet, path: "/admin/webhooks/" + id, token: o.adminKey}).want(t, http.StatusOK).decodeInto(t, &h)
	if h.Description != "fixture webhook" || h.UpdatedAt != h.CreatedAt {
		t.Errorf("a rejected request changed webhook %s: %+v", id, h)
	}
}

func (w *mxWorld) newAgent(t *testing.T, e *env, o *mxTenant) string {
	t.Helper()
	var a struct {
		ID string `json:"id"`
	}
	w.send(e, o, req{method: http.MethodPost, path: "/core/agents", token: o.adminKey, body: map[string]any{"name": "fixture agent"}}).
		want(t, http.StatusCreated).decodeInto(t, &a)
	return a.ID
}

func (w *mxWorld) agentIntact(t *testing.T, e *env, o *mxTenant, id string) {
	t.Helper()
	var a struct {
		Name string `json:"name"`
	}
	w.send(e, o, req{method: http.MethodGet, path: "/core/agents/" + id, token: o.adminKey}).want(t, http.StatusOK).decodeInto(t, &a)
	if a.Name != "fixture agent" {
		t.Errorf("a rejected request changed agent %s: name %q", id, a.Name)
	}
}

// newVersion adds a draft with distinct instructions to agent id and
// returns its number.
func (w *mxWorld) newVersion(t *testing.T, e *env, o *mxTenant, id string) int {
	t.Helper()
	var v struct {
		Version int `json:"version"`
	}
	w.send(e, o, req{method: http.MethodPost, path: "/core/agents/" + id + "/versions", token: o.adminKey,
		body: map[string]any{"config": map[string]any{"instructions": "fixture instructions"}}}).
		want(t, http.StatusCreated).decodeInto(t, &v)
	if v.Version < 1 {
		t.Fatalf("created version %d", v.Version)
	}
	return v.Version
}

// versionIntact checks draft n of agent id is as newVersion made it.
// newInputsVersion creates a draft with builder inputs (so instructions can
// be generated) and returns its number.
func (w *mxWorld) newInputsVersion(t *testing.T, e *env, o *mxTenant, id string) int {
	t.Helper()
	var v struct {
		Version int `json:"version"`
	}
	w.send(e, o, req{method: http.MethodPost, path: "/core/agents/" + id + "/versions", token: o.adminKey,
		body: map[string]any{"config": map[string]any{}, "instruction_builder_inputs": map[string]any{"company_name": "Matrix Co"}}}).
		want(t, http.StatusCreated).decodeInto(t, &v)
	return v.Version
}

// notGenerating checks that a refused request started no generation.
func (w *mxWorld) notGenerating(t *testing.T, e *env, o *mxTenant, id string, n int) {
	t.Helper()
	var v struct {
		InstructionsStatus string `json:"instructions_status"`
	}
	w.send(e, o, req{method: http.MethodGet, path: "/core/agents/" + id + "/versions/" + strconv.Itoa(n), token: o.adminKey}).
		want(t, http.StatusOK).decodeInto(t, &v)
	if v.InstructionsStatus != "idle" {
		t.Errorf("a rejected request started generating version %d of agent %s: %s", n, id, v.InstructionsStatus)
	}
}

// newWorkflow starts an instruction generation in o and returns its
// workflow id.
func (w *mxWorld) newWorkflow(t *testing.T, e *env, o *mxTenant) string {
	t.Helper()
	id := w.newAgent(t, e, o)
	n := w.newInputsVersion(t, e, o, id)
	var started struct {
		WorkflowID string `json:"workflow_id"`
	}
	w.send(e, o, req{method: http.MethodPost, path: "/core/agents/" + id + "/versions/" + strconv.Itoa(n) + "/generate-instructions", token: o.adminKey}).
		want(t, http.StatusAccepted).decodeInto(t, &started)
	return started.WorkflowID
}

func (w *mxWorld) versionIntact(t *testing.T, e *env, o *mxTenant, id string, n int) {
	t.Helper()
	var v struct {
		Published bool `json:"published"`
		Config    struct {
			Instructions string `json:"instructions"`
		} `json:"config"`
	}
	w.send(e, o, req{method: http.MethodGet, path: "/core/agents/" + id + "/versions/" + strconv.Itoa(n), token: o.adminKey}).
		want(t, http.StatusOK).decodeInto(t, &v)
	if v.Published || v.Config.Instructions != "fixture instructions" {
		t.Errorf("a rejected request changed version %d of agent %s: %+v", n, id, v)
	}
}

// versionsIntact checks agent id still has n versions.
func (w *mxWorld) versionsIntact(t *testing.T, e *env, o *mxTenant, id string, n int) {
	t.Helper()
	var p struct {
		Data []json.RawMessage `json:"data"`
	}
	w.send(e, o, req{method: http.MethodGet, path: "/core/agents/" + id + "/versions", token: o.adminKey}).
		want(t, http.StatusOK).decodeInto(t, &p)
	if len(p.Data) != n {
		t.Errorf("a rejected request changed agent %s's versions: %d, want %d", id, len(p.Data), n)
	}
}

// mxNumber returns a valid North American number no other fixture of
// this process uses: +1 415 555 xxxx.
func mxNumber() string {
	return fmt.Sprintf("+1415555%04d", mxSeq.Add(1)%10000)
}

// newNumber registers a fresh number with label "fixture" in o and returns
// it in E.164.
func (w *mxWorld) newNumber(t *testing.T, e *env, o *mxTenant) string {
	t.Helper()
	num := mxNumber()
	var p struct {
		PhoneNumber string `json:"phone_number"`
	}
	// National format on purpose: the server normalizes.
	national := "(415) 555-" + num[len(num)-4:]
	w.send(e, o, req{method: http.MethodPost, path: "/core/phone-numbers", token: o.adminKey,
		body: map[string]any{"phone_number": national, "label": "fixture"}}).want(t, http.StatusCreated).decodeInto(t, &p)
	if p.PhoneNumber != num {
		t.Fatalf("registered %q as %q, want %q", national, p.PhoneNumber, num)
	}
	return num
}

// numberIntact checks num is still registered in o as newNumber made it:
// label "fixture", not shareable, both slots empty.
func (w *mxWorld) numberIntact(t *testing.T, e *env, o *mxTenant, num string) {
	t.Helper()
	var p struct {
		Label             *string `json:"label"`
		OutboundShareable bool    `json:"outbound_shareable"`
		Inbound           *string `json:"inbound_agent_version_id"`
		Outbound          *string `json:"outbound_agent_version_id"`
	}
	w.send(e, o, req{method: http.MethodGet, path: "/core/phone-numbers/" + url.PathEscape(num), token: o.adminKey}).
		want(t, http.StatusOK).decodeInto(t, &p)
	if p.Label == nil || *p.Label != "fixture" || p.OutboundShareable || p.Inbound != nil || p.Outbound != nil {
		t.Errorf("a rejected request changed phone number %s: %+v", num, p)
	}
}

// newPublished adds a version to agent id, publishes it and returns its
// number and id.
func (w *mxWorld) newPublished(t *testing.T, e *env, o *mxTenant, id string) (int, string) {
	t.Helper()
	var v struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	w.send(e, o, req{method: http.MethodPost, path: "/core/agents/" + id + "/versions", token: o.adminKey,
		body: map[string]any{"config": map[string]any{"instructions": "published fixture", "starting_message": map[string]any{"text": "Hello!"}}}}).
		want(t, http.StatusCreated).decodeInto(t, &v)
	w.send(e, o, req{method: http.MethodPost, path: "/core/agents/" + id + "/versions/" + strconv.Itoa(v.Version) + "/publish", token: o.adminKey}).
		want(t, http.StatusOK)
	return v.Version, v.ID
}

// newInvitation adds a new member to o and returns their invitation's
// token.
func (w *mxWorld) newInvitation(t *testing.T, e *env, o *mxTenant) string {
	t.Helper()
	var m struct {
		InviteURL string `json:"invite_url"`
	}
	w.send(e, o, req{method: http.MethodPost, path: "/admin/members", token: o.adminKey,
		body: map[string]any{"email": mxUnique("invitee-") + "@example.com", "role": "viewer"}}).want(t, http.StatusCreated).decodeInto(t, &m)
	token, ok := strings.CutPrefix(m.InviteURL, "/console/invite/")
	if !ok || token == "" {
		t.Fatalf("invite_url %q", m.InviteURL)
	}
	return token
}

// newCanary makes an agent in o with two published versions, the first
// live, and with running, a rollout of the second; it returns the agent
// and the two version numbers.
func (w *mxWorld) newCanary(t *testing.T, e *env, o *mxTenant, running bool) (id string, live, canary int) {
	t.Helper()
	id = w.newAgent(t, e, o)
	live, _ = w.newPublished(t, e, o, id)
	canary, _ = w.newPublished(t, e, o, id)
	w.send(e, o, req{method: http.MethodPost, path: "/core/agents/" + id + "/rollback", token: o.adminKey}).want(t, http.StatusOK)
	if running {
		w.send(e, o, req{method: http.MethodPut, path: "/core/agents/" + id + "/rollout", token: o.adminKey,
			body: map[string]any{"version": canary, "percent": 10}}).want(t, http.StatusOK)
	}
	return id, live, canary
}

// rolloutIntact checks agent id's live version is still live and whether
// a rollout still runs.
func (w *mxWorld) rolloutIntact(t *testing.T, e *env, o *mxTenant, id string, live int, running bool) {
	t.Helper()
	var a struct {
		LiveVersion *int `json:"live_version"`
	}
	w.send(e, o, req{method: http.MethodGet, path: "/core/agents/" + id, token: o.adminKey}).want(t, http.StatusOK).decodeInto(t, &a)
	if a.LiveVersion == nil || *a.LiveVersion != live {
		t.Errorf("a rejected request moved agent %s's live version from %d to %v", id, live, a.LiveVersion)
	}
	want := http.StatusNotFound
	if running {
		want = http.StatusOK
	}
	w.send(e, o, req{method: http.MethodGet, path: "/core/agents/" + id + "/rollout", token: o.adminKey}).want(t, want)
}

// sipIntact checks agent id's SIP deployment state is still deployed.
func (w *mxWorld) sipIntact(t *testing.T, e *env, o *mxTenant, id string, deployed bool) {
	t.Helper()
	var a struct {
		SIP struct {
			Deployed bool `json:"deployed"`
		} `json:"sip_endpoint"`
	}
	w.send(e, o, req{method: http.MethodGet, path: "/core/agents/" + id, token: o.adminKey}).want(t, http.StatusOK).decodeInto(t, &a)
	if a.SIP.Deployed != deployed {
		t.Errorf("a rejected request changed agent %s's SIP deployment to deployed=%v", id, a.SIP.Deployed)
	}
}

// newWidget creates a published widget named "fixture widget" (on a new
// agent with a published version) in o and returns its id.
func (w *mxWorld) newWidget(t *testing.T, e *env, o *mxTenant) string {
	t.Helper()
	agent := w.newAgent(t, e, o)
	_, vid := w.newPublished(t, e, o, agent)
	var wd struct {
		ID string `json:"id"`
	}
	w.send(e, o, req{method: http.MethodPost, path: "/core/web-widgets", token: o.adminKey,
		body: map[string]any{"name": "fixture widget", "agent_id": agent, "agent_version_id": vid, "domains": []string{"example.com"}, "published": true}}).
		want(t, http.StatusCreated).decodeInto(t, &wd)
	return wd.ID
}

// widgetIntact checks widget id is as newWidget made it.
func (w *mxWorld) widgetIntact(t *testing.T, e *env, o *mxTenant, id string) {
	t.Helper()
	var wd struct {
		Name    string   `json:"name"`
		Domains []string `json:"domains"`
	}
	w.send(e, o, req{method: http.MethodGet, path: "/core/web-widgets/" + id, token: o.adminKey}).want(t, http.StatusOK).decodeInto(t, &wd)
	if wd.Name != "fixture widget" || !slices.Equal(wd.Domains, []string{"https://example.com"}) {
		t.Errorf("a rejected request changed web widget %s: %+v", id, wd)
	}
}

// newConversation starts a conversation (with custom metadata, a
// sensitive field) on a new agent with a published version in o and
// returns its id.
func (w *mxWorld) newConversation(t *testing.T, e *env, o *mxTenant) string {
	t.Helper()
	agent := w.newAgent(t, e, o)
	w.newPublished(t, e, o, agent)
	var c struct {
		Conversation struct {
			ID string `json:"id"`
		} `json:"conversation"`
	}
	w.send(e, o, req{method: http.MethodPost, path: "/core/conversations", token: o.adminKey,
		body: map[string]any{"channel": "webrtc", "direction": "inbound", "user_id": "visitor", "agent_id": agent,
			"initial_context": map[string]any{"page": "/pricing"}, "custom_metadata": map[string]any{"crm": "42"}}}).
		want(t, http.StatusCreated).decodeInto(t, &c)
	return c.Conversation.ID
}

// conversationIntact checks conversation id is still as newConversation
// made it.
func (w *mxWorld) conversationIntact(t *testing.T, e *env, o *mxTenant, id string) {
	t.Helper()
	var c struct {
		Status   string   `json:"status"`
		Duration *float64 `json:"duration"`
		Summary  *string  `json:"summary"`
	}
	w.send(e, o, req{method: http.MethodGet, path: "/core/conversations/" + id, token: o.adminKey}).want(t, http.StatusOK).decodeInto(t, &c)
	if c.Status != "token_created" || c.Duration != nil || c.Summary != nil {
		t.Errorf("a rejected request changed conversation %s: %+v", id, c)
	}
}

// statsIntact checks agent id has no conversation yet.
func (w *mxWorld) statsIntact(t *testing.T, e *env, o *mxTenant, id string) {
	t.Helper()
	var a struct {
		Stats struct {
			Total int `json:"total"`
		} `json:"conversation_stats"`
	}
	w.send(e, o, req{method: http.MethodGet, path: "/core/agents/" + id, token: o.adminKey}).want(t, http.StatusOK).decodeInto(t, &a)
	if a.Stats.Total != 0 {
		t.Errorf("a rejected request started a conversation on agent %s (total %d)", id, a.Stats.Total)
	}
}

func (w *mxWorld) newMember(t *testing.T, e *env, o *mxTenant) string {
	t.Helper()
	var m struct {
		UserID string `json:"user_id"`
	}
	w.send(e, o, req{method: http.MethodPost, path: "/admin/members", token: o.adminKey,
		body: map[string]any{"email": mxUnique("member") + "@matrix.test", "role": "viewer"}}).
		want(t, http.StatusCreated).decodeInto(t, &m)
	return m.UserID
}

func (w *mxWorld) memberIntact(t *testing.T, o *mxTenant, uid string) {
	t.Helper()
	m, err := w.e.store.GetMember(context.Background(), o.id, uid)
	if err != nil {
		t.Errorf("a rejected request removed member %s: %v", uid, err)
	} else if m.Role != ap.RoleViewer {
		t.Errorf("a rejected request changed member %s's role to %s", uid, m.Role)
	}
}

func (w *mxWorld) keyIntact(t *testing.T, token string, mode service.OrgMode) {
	t.Helper()
	if _, err := w.e.svc.Authenticate(context.Background(), token, "", mode); err != nil {
		t.Errorf("a rejected request broke a credential: %v", err)
	}
}

// newMXWorld builds organizations A (the env's "acme") and B and every
// credential the cases use.
func newMXWorld(t *testing.T, e *env) *mxWorld {
	t.Helper()
	ctx := context.Background()
	bb, err := e.svc.Bootstrap(ctx, service.BootstrapInput{OrgName: "Bravo", OrgSlug: "bravo", Email: "admin@bravo.test"})
	if err != nil {
		t.Fatal(err)
	}
	w := &mxWorld{
		e: e,
		a: &mxTenant{name: "A", id: e.boot.OrganizationID, slug: "acme", adminUser: e.boot.UserID, adminKey: e.boot.OrgKey, adminPAT: e.boot.PAT},
		b: &mxTenant{name: "B", id: bb.OrganizationID, slug: "bravo", adminUser: bb.UserID, adminKey: bb.OrgKey, adminPAT: bb.PAT},
	}
	a := w.a

	w.readKey = w.newKeyWith(t, e, a, "/admin/organization-pats", a.adminKey,
		map[string]any{"name": "read only", "scopes": mxReadScopes}).PATKey

	// A viewer of A: a user who has a PAT (from bootstrapping a home org of
	// their own) and is then added to A as viewer.
	vb, err := e.svc.Bootstrap(ctx, service.BootstrapInput{OrgName: "Viewer Home", OrgSlug: "viewer-home", Email: "viewer@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	w.viewerPAT = vb.PAT
	var vm struct {
		UserID string `json:"user_id"`
	}
	w.send(e, a, req{method: http.MethodPost, path: "/admin/members", token: a.adminKey,
		body: map[string]any{"email": "viewer@acme.test", "role": "viewer"}}).want(t, http.StatusCreated).decodeInto(t, &vm)
	if vm.UserID != vb.UserID {
		t.Fatalf("adding an existing user's email made user %s, want the existing %s", vm.UserID, vb.UserID)
	}

	w.narrowPAT = w.newKeyWith(t, e, a, "/admin/user-pats", a.adminPAT,
		map[string]any{"name": "narrow", "scopes": mxNarrowScopes}).PATKey

	rk := w.newKey(t, e, a, "/admin/organization-pats", a.adminKey)
	w.send(e, a, req{method: http.MethodDelete, path: "/admin/organization-pats/" + rk.KeyID, token: a.adminKey}).want(t, http.StatusNoContent)
	w.revokedKey = rk.PATKey
	rp := w.newKey(t, e, a, "/admin/user-pats", a.adminPAT)
	w.send(e, a, req{method: http.MethodDelete, path: "/admin/user-pats/" + rp.KeyID, token: a.adminPAT}).want(t, http.StatusNoContent)
	w.revokedPAT = rp.PATKey

	exp := time.Now().Add(time.Hour).UnixMilli()
	w.expiringKey = w.newKeyWith(t, e, a, "/admin/organization-pats", a.adminKey,
		map[string]any{"name": "expiring", "expires_at": exp}).PATKey
	w.expiringPAT = w.newKeyWith(t, e, a, "/admin/user-pats", a.adminPAT,
		map[string]any{"name": "expiring", "expires_at": exp}).PATKey

	// The same database served by a service whose clock is two hours
	// ahead: the expiring credentials have expired there.
	// Workflows it starts get their jobs in the env's queue: the queue
	// is registered with the store.
	fsvc := service.New(e.store, service.Options{Secrets: testBox(t), Now: func() time.Time { return time.Now().Add(2 * time.Hour) }})
	ck, err := fsvc.CursorKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(httpapi.New(fsvc, httpapi.Options{CursorKey: ck}))
	t.Cleanup(ts.Close)
	f := *e
	f.svc, f.url = fsvc, ts.URL
	w.future = &f
	return w
}

func (w *mxWorld) cases() []mxCase {
	a, b := w.a, w.b
	dot := strings.LastIndex(a.adminKey, ".")
	return []mxCase{
		{name: "no credential", want: mxAll(mxWant{kind: mxUnauth})},
		{name: "garbage token", token: "garbage", want: mxAll(mxWant{kind: mxUnauth})},
		{name: "unknown key id", token: "ak_" + ap.NewID() + ".c2VjcmV0", want: mxAll(mxWant{kind: mxUnauth})},
		{name: "org key with a wrong secret", token: a.adminKey[:dot+1] + "x" + a.adminKey[dot+1:], want: mxAll(mxWant{kind: mxUnauth})},
		{name: "org key presented as a PAT", token: "pat_" + strings.TrimPrefix(a.adminKey, "ak_"), org: a.id, want: mxAll(mxWant{kind: mxUnauth})},
		{name: "Basic scheme", header: map[string]string{"Authorization": "Basic " + a.adminKey}, want: mxAll(mxWant{kind: mxUnauth})},
		{name: "scheme without token", header: map[string]string{"Authorization": "Bearer"}, want: mxAll(mxWant{kind: mxUnauth})},
		{name: "token without scheme", header: map[string]string{"Authorization": a.adminKey}, want: mxAll(mxWant{kind: mxUnauth})},
		{name: "revoked org key", token: w.revokedKey, want: mxAll(mxWant{kind: mxUnauth})},
		{name: "revoked PAT", token: w.revokedPAT, org: a.id, want: mxAll(mxWant{kind: mxUnauth})},
		{name: "expired org key", token: w.expiringKey, future: true, want: mxAll(mxWant{kind: mxUnauth})},
		{name: "expired PAT", token: w.expiringPAT, org: a.id, future: true, want: mxAll(mxWant{kind: mxUnauth})},
		{name: "expiring org key before expiry", tenant: a, token: w.expiringKey, want: mxOrgKey(mxAllScopes)},
		{name: "admin org key on the advanced clock", tenant: a, token: a.adminKey, future: true, want: mxOrgKey(mxAllScopes)},
		{name: "read-only org key", tenant: a, token: w.readKey, want: mxOrgKey(mxReadScopes)},
		{name: "admin org key", tenant: a, token: a.adminKey, want: mxOrgKey(mxAllScopes)},
		{name: "admin org key, lowercase scheme", tenant: a, header: map[string]string{"Authorization": "bearer " + a.adminKey}, want: mxOrgKey(mxAllScopes)},
		{name: "admin org key, own org id header", tenant: a, token: a.adminKey, org: a.id, want: mxOrgKey(mxAllScopes)},
		{name: "admin org key, own org slug header", tenant: a, token: a.adminKey, org: a.slug, want: mxOrgKey(mxAllScopes)},
		{name: "admin org key, other org id header", tenant: a, token: a.adminKey, org: b.id, want: mxAll(mxWant{kind: mxForbidden})},
		{name: "admin org key, other org slug header", tenant: a, token: a.adminKey, org: b.slug, want: mxAll(mxWant{kind: mxForbidden})},
		{name: "admin org key, unknown org header", tenant: a, token: a.adminKey, org: "no-such-org", want: mxAll(mxWant{kind: mxForbidden})},
		{name: "admin org key, unknown org id header", tenant: a, token: a.adminKey, org: ap.NewID(), want: mxAll(mxWant{kind: mxForbidden})},
		{name: "admin PAT without org header", tenant: a, token: a.adminPAT, want: mxPATNoOrg},
		{name: "admin PAT, org id header", tenant: a, token: a.adminPAT, org: a.id, want: mxPATInOrg(mxAllScopes)},
		{name: "admin PAT, org slug header", tenant: a, token: a.adminPAT, org: a.slug, want: mxPATInOrg(mxAllScopes)},
		{name: "viewer PAT, org header", tenant: a, token: w.viewerPAT, org: a.slug, want: mxPATInOrg(mxViewerScopes)},
		{name: "narrow PAT, org header", tenant: a, token: w.narrowPAT, org: a.id, want: mxPATInOrg(mxNarrowScopes)},
		{name: "viewer PAT without org header", tenant: a, token: w.viewerPAT, want: func(rt httpapi.RouteInfo) mxWant {
			if rt.UserOnly {
				return mxWant{kind: mxSkip} // the fixtures belong to A's admin user
			}
			return mxPATNoOrg(rt)
		}},
		{name: "non-member PAT, org id header", tenant: b, token: b.adminPAT, org: a.id, want: mxPATRefused},
		{name: "non-member PAT, org slug header", tenant: b, token: b.adminPAT, org: a.slug, want: mxPATRefused},
		{name: "PAT, unknown org header", tenant: a, token: a.adminPAT, org: "no-such-org", want: mxPATRefused},
		{name: "PAT, unknown org id header", tenant: a, token: a.adminPAT, org: ap.NewID(), want: mxPATRefused},
	}
}

// mxParam matches a path parameter; a route without a fixture gets fresh
// ids there so its authentication cases still run.
var mxParam = regexp.MustCompile(`\{[^}]+\}`)

func TestMatrix(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		w := newMXWorld(t, e)
		routes := e.server.Routes()
		t.Run("routes", func(t *testing.T) {
			for _, rt := range routes {
				if rt.Public {
					continue
				}
				t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
					t.Parallel()
					w.route(t, rt)
				})
			}
		})
		// Public routes with path parameters: the credential, whatever it
		// is, changes nothing. (Not recorded for the leak check: what a
		// public read shows is public by design.)
		t.Run("public", func(t *testing.T) {
			for _, rt := range routes {
				if !rt.Public || !strings.Contains(rt.Path, "{") {
					continue
				}
				key := rt.Method + " " + rt.Path
				t.Run(key, func(t *testing.T) {
					t.Parallel()
					fx := mxPublicFixtures[key]
					if fx == nil {
						t.Fatalf("no fixture for public route %s: add one to mxPublicFixtures", key)
					}
					for _, c := range []struct{ name, token, org string }{
						{"no credential", "", ""},
						{"garbage token", "garbage", ""},
						{"own organization's key", w.a.adminKey, ""},
						{"other organization's key", w.b.adminKey, ""},
						{"other organization's PAT and header", w.b.adminPAT, w.b.id},
					} {
						t.Run(c.name, func(t *testing.T) {
							e := mxBind(t, w.e)
							call := fx(t, w, e, w.a)
							e.do(req{method: rt.Method, path: call.path, token: c.token, org: c.org, body: call.body, header: call.header}).want(t, call.ok)
						})
					}
				})
			}
		})
		// Organization B does everything A did, after A's objects exist;
		// then no caller may have seen the other organization's ids.
		t.Run("organization B", func(t *testing.T) {
			for _, rt := range routes {
				fx := mxFixtures[rt.Method+" "+rt.Path]
				if rt.Public || fx == nil {
					continue
				}
				t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
					t.Parallel()
					be := mxBind(t, w.e)
					call := fx(t, w, be, w.b)
					r := req{method: rt.Method, path: call.path, body: call.body, token: w.b.adminKey, header: call.header}
					if rt.UserOnly {
						r.token = w.b.adminPAT
					}
					w.send(be, w.b, r).want(t, call.ok)
				})
			}
		})
		w.checkLeaks(t)
	}, withJobs)
}

// route runs every credential case, then the cross-organization case, on
// one route.
func (w *mxWorld) route(t *testing.T, rt httpapi.RouteInfo) {
	key := rt.Method + " " + rt.Path
	fx := mxFixtures[key]
	if fx == nil {
		t.Errorf("no matrix fixture for %s: add one to mxFixtures so its success and cross-organization cases run (authentication cases ran with placeholder ids)", key)
	}
	prepare := func(t *testing.T, e *env, o *mxTenant) mxCall {
		if fx != nil {
			return fx(t, w, e, o)
		}
		c := mxCall{path: mxParam.ReplaceAllStringFunc(rt.Path, func(string) string { return ap.NewID() })}
		if rt.Method == http.MethodPost || rt.Method == http.MethodPut || rt.Method == http.MethodPatch {
			c.body = map[string]any{}
		}
		return c
	}
	for _, c := range w.cases() {
		want := c.want(rt)
		if want.kind == mxSkip {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			e := mxBind(t, w.e)
			call := prepare(t, e, w.a)
			target := e
			if c.future {
				target = mxBind(t, w.future)
			}
			tenant := c.tenant
			if want.kind == mxUnauth {
				tenant = nil
			}
			r := w.send(target, tenant, req{method: rt.Method, path: call.path, token: c.token, org: c.org, body: call.body, header: call.with(c.header)})
			switch want.kind {
			case mxOK:
				if fx != nil {
					r.want(t, call.ok)
				} else if r.status == http.StatusUnauthorized || r.status == http.StatusForbidden {
					t.Fatalf("status %d, want the route to let this credential in; body: %s", r.status, r.body)
				}
				return
			case mxUnauth:
				r.want(t, http.StatusUnauthorized)
				b := r.err(t)
				if b.Code != "unauthenticated" {
					t.Errorf("code %q, want unauthenticated", b.Code)
				}
				if want.detail != "" && b.Detail != want.detail {
					t.Errorf("detail %q, want %q", b.Detail, want.detail)
				}
			case mxForbidden:
				r.want(t, http.StatusForbidden)
				b := r.err(t)
				if b.Code != "forbidden" {
					t.Errorf("code %q, want forbidden", b.Code)
				}
				if want.scopes != nil {
					if !strings.HasPrefix(b.Detail, "requires scope ") {
						t.Errorf("detail %q does not say which scope is required", b.Detail)
					}
					for _, s := range want.scopes {
						if !strings.Contains(b.Detail, string(s)) {
							t.Errorf("detail %q does not name scope %s", b.Detail, s)
						}
					}
					if len(want.scopes) == 1 && b.Detail != "requires scope "+string(want.scopes[0]) {
						t.Errorf("detail %q, want %q", b.Detail, "requires scope "+string(want.scopes[0]))
					}
				}
			}
			if call.intact != nil {
				call.intact(t)
			}
		})
	}

	// Another organization's ids in the path: 404, never 403, and nothing
	// changes.
	if fx == nil || !strings.Contains(rt.Path, "{") {
		return
	}
	type foreign struct {
		name       string
		token, org string
	}
	var callers []foreign
	if rt.UserOnly {
		callers = []foreign{{"another user's PAT", w.b.adminPAT, ""}}
	} else {
		callers = []foreign{
			{"other org's key", w.b.adminKey, ""},
			{"other org's key, own header", w.b.adminKey, w.b.slug},
			{"other org's admin PAT", w.b.adminPAT, w.b.id},
		}
	}
	for _, c := range callers {
		t.Run("other organization's object: "+c.name, func(t *testing.T) {
			e := mxBind(t, w.e)
			call := fx(t, w, e, w.a)
			r := w.send(e, w.b, req{method: rt.Method, path: call.path, token: c.token, org: c.org, body: call.body, header: call.header})
			r.want(t, http.StatusNotFound)
			if b := r.err(t); b.Code != "not_found" {
				t.Errorf("code %q, want not_found", b.Code)
			}
			if call.intact != nil {
				call.intact(t)
			}
		})
	}
}

// checkLeaks fails when a response shows a caller an id that only the other
// organization's callers were given, or shows a caller without a valid
// credential any id at all. An id the caller itself sent doesn't count.
func (w *mxWorld) checkLeaks(t *testing.T) {
	w.mu.Lock()
	defer w.mu.Unlock()
	// An id belongs to the organization whose caller first got it in a 2xx
	// response: that is almost always the response that created it.
	owner := map[string]*mxTenant{}
	for _, id := range []string{w.a.id, w.a.adminUser} {
		owner[id] = w.a
	}
	for _, id := range []string{w.b.id, w.b.adminUser} {
		owner[id] = w.b
	}
	for _, x := range w.exchanges {
		if x.tenant == nil || x.status < 200 || x.status > 299 {
			continue
		}
		for _, id := range mxUUID.FindAllString(string(x.body), -1) {
			if _, ok := owner[id]; !ok {
				owner[id] = x.tenant
			}
		}
	}
	leaks := 0
	for _, x := range w.exchanges {
		var leaked []string
		var from *mxTenant
		for _, id := range mxUUID.FindAllString(string(x.body), -1) {
			o, known := owner[id]
			if !known || o == x.tenant || strings.Contains(x.sent, id) || slices.Contains(leaked, id) {
				continue
			}
			leaked, from = append(leaked, id), o
		}
		if len(leaked) == 0 {
			continue
		}
		if leaks++; leaks > 10 {
			continue
		}
		who := "a caller without a valid credential"
		if x.tenant != nil {
			who = "a caller of organization " + x.tenant.name
		}
		t.Errorf("%s got ids of organization %s %v from %s (status %d): %s", who, from.name, leaked, x.label, x.status, mxTrunc(x.body))
	}
	if leaks > 10 {
		t.Errorf("... and %d more responses leaked ids", leaks-10)
	}
	if n := len(owner); n < 20 {
		t.Errorf("the leak check knew only %d ids; the fixtures should have produced more", n)
	}
}

func mxTrunc(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}
