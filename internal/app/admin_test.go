package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/client"
)

// bootstrapOutput is what `admin bootstrap` prints, and nothing else.
type bootstrapOutput struct {
	OrganizationID string `json:"organization_id"`
	UserID         string `json:"user_id"`
	OrgKey         string `json:"org_key"`
	PAT            string `json:"pat"`
}

// bootstrap runs `admin bootstrap` on dir and decodes its one object.
func bootstrap(t *testing.T, dir, name, slug, email string) bootstrapOutput {
	t.Helper()
	stdout, stderr, err := run(t, nil, "admin", "bootstrap", "--org-name", name, "--org-slug", slug, "--email", email, "--data-dir", dir)
	if err != nil {
		t.Fatalf("admin bootstrap: %v\n%s", err, stderr)
	}
	var out bootstrapOutput
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("admin bootstrap printed %q: %v", stdout, err)
	}
	if dec.More() {
		t.Errorf("admin bootstrap printed more than one object: %q", stdout)
	}
	if !agentplane.ValidID(out.OrganizationID) || !agentplane.ValidID(out.UserID) ||
		!tokenPattern.MatchString(out.OrgKey) || !strings.HasPrefix(out.OrgKey, "ak_") ||
		!tokenPattern.MatchString(out.PAT) || !strings.HasPrefix(out.PAT, "pat_") {
		t.Fatalf("admin bootstrap printed %+v", out)
	}
	return out
}

// keyID is the id part of a token: "ak_<id>.<secret>" → "<id>".
func keyID(token string) string {
	_, rest, _ := strings.Cut(token, "_")
	id, _, _ := strings.Cut(rest, ".")
	return id
}

// secretOf is the secret part of a token.
func secretOf(token string) string {
	_, s, _ := strings.Cut(token, ".")
	return s
}

func TestAdminCommands(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	boot := bootstrap(t, dir, "X Corp", "x", "a@b.c")

	_, _, err := run(t, nil, "admin", "bootstrap", "--org-name", "Again", "--org-slug", "x", "--email", "z@b.c", "--data-dir", dir)
	if err == nil {
		t.Error("a second bootstrap with a taken slug succeeded")
	}
	_, _, err = run(t, nil, "admin", "bootstrap", "--org-name", "Y", "--data-dir", dir)
	if err == nil || !strings.Contains(err.Error(), "--org-slug") || !strings.Contains(err.Error(), "--email") {
		t.Errorf("bootstrap without flags: err %v, want the missing flags named", err)
	}

	n := serve(t, dir)
	if out := n.Stdout.String(); strings.Contains(out, "ak_") {
		t.Errorf("a bootstrapped database still got a default key:\n%s", out)
	}
	viaKey := newClient(t, n, client.WithToken(boot.OrgKey))
	viaPAT := newClient(t, n, client.WithToken(boot.PAT), client.WithOrg("x"))

	a, err := viaKey.CreateAgent(ctx, client.AgentInput{Name: "made with the org key"})
	if err != nil {
		t.Fatal(err)
	}
	if a.OrganizationId.String() != boot.OrganizationID {
		t.Errorf("agent is in %s, want the bootstrapped org %s", a.OrganizationId, boot.OrganizationID)
	}
	got, err := viaPAT.GetAgent(ctx, a.Id)
	if err != nil || got.Name != a.Name {
		t.Fatalf("the PAT in org x can't read the agent: %v", err)
	}
	scopes, err := viaPAT.MyScopes(ctx)
	if err != nil || !sameScopes(scopes, agentplane.AllScopes) {
		t.Errorf("the bootstrap PAT's scopes = %v (err %v), want every scope", scopes, err)
	}
	e := wantStatus(t, "PAT without X-Anyreach-Org", func() error {
		_, err := viaPAT.With(client.WithOrg("")).ListAgents(ctx, nil)
		return err
	}(), 401, "unauthenticated")
	if e != nil && e.Detail != "Token is missing organization claim" {
		t.Errorf("detail = %q", e.Detail)
	}
	orgs, err := viaPAT.With(client.WithOrg("")).ListOrganizations(ctx, nil)
	if err != nil || len(orgs.Data) != 1 || orgs.Data[0].Slug != "x" || orgs.Data[0].Name != "X Corp" {
		t.Errorf("the PAT's organizations = %+v (err %v)", orgs, err)
	}

	// admin keys: list shows the bootstrap key and never a secret.
	stdout, stderr, err := run(t, nil, "admin", "keys", "list", "--org", "x", "--data-dir", dir)
	if err != nil {
		t.Fatalf("admin keys list: %v\n%s", err, stderr)
	}
	var keys []struct {
		KeyID string `json:"key_id"`
		Name  string `json:"name"`
	}
	if err := json.Unmarshal([]byte(stdout), &keys); err != nil || len(keys) != 1 || keys[0].KeyID != keyID(boot.OrgKey) {
		t.Errorf("admin keys list printed %s (err %v), want the bootstrap key", stdout, err)
	}
	if strings.Contains(stdout, secretOf(boot.OrgKey)) {
		t.Error("admin keys list printed a secret")
	}

	stdout, stderr, err = run(t, nil, "admin", "keys", "create", "--org", boot.OrganizationID, "--name", "cli", "--data-dir", dir)
	if err != nil {
		t.Fatalf("admin keys create: %v\n%s", err, stderr)
	}
	var created struct {
		KeyID  string `json:"key_id"`
		OrgKey string `json:"org_key"`
	}
	if err := json.Unmarshal([]byte(stdout), &created); err != nil || keyID(created.OrgKey) != created.KeyID {
		t.Fatalf("admin keys create printed %s (err %v)", stdout, err)
	}
	viaCLIKey := newClient(t, n, client.WithToken(created.OrgKey))
	page, err := viaCLIKey.ListAgents(ctx, nil)
	if err != nil || len(page.Data) != 1 || page.Data[0].Id != a.Id {
		t.Errorf("a CLI-made key lists %+v (err %v)", page, err)
	}
	listed, err := viaKey.ListOrgKeys(ctx, nil)
	if err != nil || len(listed.Data) != 2 || listed.Data[0].KeyId.String() != created.KeyID || listed.Data[0].Name != "cli" {
		t.Errorf("HTTP lists keys %+v (err %v), want the CLI key first", listed, err)
	}

	if _, stderr, err := run(t, nil, "admin", "keys", "revoke", "--org", "x", "--key-id", created.KeyID, "--data-dir", dir); err != nil {
		t.Fatalf("admin keys revoke: %v\n%s", err, stderr)
	}
	// The CLI is another process, like another node: the server may trust
	// the row it cached for up to 500 ms (SPEC §24 allows 1 s).
	revoked := time.Now()
	for {
		if _, err = viaCLIKey.ListAgents(ctx, nil); err != nil || time.Since(revoked) > time.Second {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	wantStatus(t, "a key revoked by the CLI, within 1 s", err, 401, "unauthenticated")
	if _, _, err := run(t, nil, "admin", "keys", "revoke", "--org", "x", "--key-id", agentplane.NewID(), "--data-dir", dir); err == nil {
		t.Error("revoking an unknown key succeeded")
	}

	// admin members: add a viewer, who can then be seen over HTTP.
	stdout, stderr, err = run(t, nil, "admin", "members", "add", "--org", "x", "--email", "Viewer@B.c", "--role", "viewer", "--data-dir", dir)
	if err != nil {
		t.Fatalf("admin members add: %v\n%s", err, stderr)
	}
	var m agentplane.Member
	if err := json.Unmarshal([]byte(stdout), &m); err != nil || m.Email != "viewer@b.c" || m.Role != agentplane.RoleViewer || m.OrganizationID != boot.OrganizationID {
		t.Errorf("admin members add printed %s (err %v)", stdout, err)
	}
	stdout, _, err = run(t, nil, "admin", "members", "list", "--org", "x", "--data-dir", dir)
	var members []agentplane.Member
	if err != nil || json.Unmarshal([]byte(stdout), &members) != nil || len(members) != 2 {
		t.Errorf("admin members list printed %s (err %v)", stdout, err)
	}
	mp, err := viaPAT.ListMembers(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]agentplane.Role{}
	for _, m := range mp.Data {
		roles[string(m.Email)] = agentplane.Role(m.Role)
	}
	if len(roles) != 2 || roles["a@b.c"] != agentplane.RoleAdmin || roles["viewer@b.c"] != agentplane.RoleViewer {
		t.Errorf("HTTP lists members %v", roles)
	}
	if _, _, err := run(t, nil, "admin", "members", "list", "--org", "nope", "--data-dir", dir); err == nil {
		t.Error("members list of an unknown organization succeeded")
	}
	if strings.Contains(n.Stderr.String(), secretOf(boot.PAT)) {
		t.Error("the server logged the bootstrap PAT")
	}

	// What the command line changed is in the audit log as the command
	// line's (SPEC §17), beside what the API changed.
	var audit struct {
		Data []agentplane.AuditEntry `json:"data"`
	}
	if err := unvalidated(n.URL, boot.OrgKey).call(ctx, http.MethodGet, "/admin/audit-log?limit=200", nil, &audit, http.StatusOK); err != nil {
		t.Fatal(err)
	}
	via := map[string]string{}
	for _, e := range audit.Data {
		via[e.Action+" "+e.Actor.Type] = e.Via
	}
	for action, want := range map[string]string{
		"organization.created system": "cli", "credential.created system": "cli", "credential.revoked system": "cli",
		"member.added system": "cli", "agent.created org_key": "api",
	} {
		if via[action] != want {
			t.Errorf("audit log: %s came via %q, want %q (entries: %v)", action, via[action], want, via)
		}
	}
}
