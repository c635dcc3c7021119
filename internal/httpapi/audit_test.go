package httpapi_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	ap "github.com/agentplane/agentplane"
)

// auditActions is SPEC §17's action for each org-scoped write route,
// written out here rather than read from the code under test. A route
// mapped to "" changes nothing (a validation, a comparison, a test send)
// and must leave no entry.
var auditActions = map[string]string{
	"POST /core/agents":                                               "agent.created",
	"PUT /core/agents/{id}":                                           "agent.updated",
	"DELETE /core/agents/{id}":                                        "agent.deleted",
	"POST /core/agent-config-schema/validate":                         "",
	"POST /core/agents/{id}/versions":                                 "version.created",
	"POST /core/agents/{id}/versions/compare":                         "",
	"PUT /core/agents/{id}/versions/{version}":                        "version.updated",
	"PATCH /core/agents/{id}/versions/{version}":                      "version.updated",
	"POST /core/agents/{id}/versions/{version}/publish":               "version.published",
	"POST /core/agents/{id}/rollback":                                 "agent.rolled_back",
	"PUT /core/agents/{id}/rollout":                                   "rollout.started",
	"DELETE /core/agents/{id}/rollout":                                "rollout.aborted",
	"POST /core/agents/{id}/rollout/promote":                          "rollout.promoted",
	"POST /core/agents/{id}/versions/{version}/generate-instructions": "workflow.started",
	"POST /core/agents/create-from-website":                           "workflow.started",
	"POST /core/agents/create-demo":                                   "workflow.started",
	"POST /core/phone-numbers":                                        "phone_number.created",
	"PATCH /core/phone-numbers/{phone_number}":                        "phone_number.updated",
	"DELETE /core/phone-numbers/{phone_number}":                       "phone_number.deleted",
	"POST /core/agents/{id}/deploy-as-sip":                            "sip.deployed",
	"DELETE /core/agents/{id}/deploy-as-sip":                          "sip.undeployed",
	"POST /core/web-widgets":                                          "web_widget.created",
	"PUT /core/web-widgets/{id}":                                      "web_widget.updated",
	"DELETE /core/web-widgets/{id}":                                   "web_widget.deleted",
	"POST /core/conversations":                                        "conversation.created",
	"PATCH /core/conversations/{id}":                                  "conversation.updated",
	"POST /admin/members":                                             "member.added",
	"PUT /admin/members/{user_id}":                                    "member.updated",
	"DELETE /admin/members/{user_id}":                                 "member.removed",
	"POST /admin/organization-pats":                                   "credential.created",
	"DELETE /admin/organization-pats/{key_id}":                        "credential.revoked",
	"POST /admin/webhooks":                                            "webhook.created",
	"PATCH /admin/webhooks/{id}":                                      "webhook.updated",
	"DELETE /admin/webhooks/{id}":                                     "webhook.deleted",
	"POST /admin/webhooks/{id}/rotate-secret":                         "webhook.secret_rotated",
	"POST /admin/webhooks/{id}/test":                                  "",
	"POST /admin/webhooks/{id}/deliveries/{delivery_id}/redeliver":    "",
}

// TestAuditEveryWrite walks the route table: every org-scoped write route,
// called by the admin key with the matrix's fixtures, appends exactly one
// audit entry with its action (or none for routes that change nothing),
// and the same route failing — a body that is not an object, or a path
// naming nothing — appends none.
func TestAuditEveryWrite(t *testing.T) {
	t.Parallel()
	forEngine(t, func(t *testing.T, e *env) {
		w := newMXWorld(t, e)
		a := w.a
		for _, rt := range e.server.Routes() {
			key := rt.Method + " " + rt.Path
			if rt.Public || rt.UserOnly || rt.Method == http.MethodGet {
				continue
			}
			want, ok := auditActions[key]
			if !ok {
				t.Errorf("%s: a write route without an audit action in this test: add it to auditActions", key)
				continue
			}
			fx := mxFixtures[key]
			if fx == nil {
				t.Errorf("%s: no matrix fixture", key)
				continue
			}
			call := fx(t, w, e, a)
			// Failures first: each leaves no entry.
			before := auditEntries(t, e, a.id)
			if call.body != nil {
				e.do(req{method: rt.Method, path: call.path, token: a.adminKey, body: "[]", header: call.header}).wantNot(t, call.ok)
			}
			if strings.Contains(rt.Path, "{") {
				e.do(req{method: rt.Method, path: unknownIDs(call.path), token: a.adminKey, body: call.body, header: call.header}).wantNot(t, call.ok)
			}
			if after := auditEntries(t, e, a.id); len(after) != len(before) {
				t.Errorf("%s: failed requests appended %d audit entries: %s", key, len(after)-len(before), after[0].Action)
			}
			e.do(req{method: rt.Method, path: call.path, token: a.adminKey, body: call.body, header: call.header}).want(t, call.ok)
			after := auditEntries(t, e, a.id)
			switch {
			case want == "" && len(after) != len(before):
				t.Errorf("%s: changes nothing, but appended %d entries (first %s)", key, len(after)-len(before), after[0].Action)
			case want != "" && len(after) != len(before)+1:
				t.Errorf("%s: appended %d entries, want exactly 1", key, len(after)-len(before))
			case want != "" && after[0].Action != want:
				t.Errorf("%s: appended %q, want %q", key, after[0].Action, want)
			case want != "":
				got := after[0]
				if got.ResourceType != ap.ResourceTypeOf(want) || got.Actor.Type != ap.ActorOrgKey || got.Via != "api" ||
					got.RequestID == nil || got.CredentialID == nil || got.IP == nil {
					t.Errorf("%s: entry %+v lacks its resource type, actor, via, request id, credential or ip", key, got)
				}
				if strings.Contains(string(got.Changes), "pat_") || strings.Contains(string(got.Changes), "whsec_") {
					t.Errorf("%s: entry's changes show a secret: %s", key, got.Changes)
				}
			}
		}
	}, withJobs)
}

var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// unknownIDs replaces every id in path (and a phone number) with one
// that names nothing.
func unknownIDs(path string) string {
	path = uuidPattern.ReplaceAllString(path, "0190a0a0-0000-7000-8000-000000000000")
	return regexp.MustCompile(`%2B[0-9]+|\+[0-9]+`).ReplaceAllString(path, "+19995550123")
}

// auditEntries is the organization's whole audit log, newest first.
func auditEntries(t *testing.T, e *env, orgID string) []ap.AuditEntry {
	t.Helper()
	var out []ap.AuditEntry
	p := ap.Page{Limit: ap.MaxLimit}
	for {
		l, err := e.svc.ListAuditLog(context.Background(), ap.SystemCaller(orgID), ap.AuditFilter{}, p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l.Items...)
		if l.Next == nil {
			return out
		}
		p.After = l.Next
	}
}

// wantNot fails the test when the response has status.
func (r resp) wantNot(t *testing.T, status int) resp {
	t.Helper()
	if r.status == status {
		t.Errorf("got %d, want anything else: %s", r.status, r.body)
	}
	return r
}
