package app_test

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentplane/agentplane/client"
)

func TestSecretsNeverReachTheLog(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	const llmKey = "sk-llm-S3CRET-in-env"
	n := launch(t, nil, map[string]string{"AGENTPLANE_LLM_API_KEY": llmKey},
		"--addr", "127.0.0.1:0", "--data-dir", dir, "--log-format", "json").wait(t)
	defKey := defaultKey(t, n.Stdout.String())
	// A second organization and a user with a PAT, made the operator's way
	// while the server runs on the same database.
	boot := bootstrap(t, dir, "Acme", "acme", "owner@acme.test")

	// Every credential that exists during the test; none may be logged.
	tokens := []string{defKey, boot.OrgKey, boot.PAT}
	// Strings sent as credentials that are not credentials.
	sent := []string{llmKey}

	admin := newClient(t, n, client.WithToken(defKey))
	orgKey, err := admin.CreateOrgKey(ctx, client.CredentialInput{Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	readKey, err := admin.CreateOrgKey(ctx, client.CredentialInput{Name: "read only", Scopes: &[]client.Scope{client.AgentsRead}})
	if err != nil {
		t.Fatal(err)
	}
	tokens = append(tokens, orgKey.PatKey, readKey.PatKey)
	if _, err := admin.ListOrgKeys(ctx, nil); err != nil {
		t.Fatal(err)
	}

	ci := admin.With(client.WithToken(orgKey.PatKey))
	if _, err := ci.CreateAgent(ctx, client.AgentInput{Name: "logged agent"}); err != nil {
		t.Fatal(err)
	}
	_, err = admin.With(client.WithToken(readKey.PatKey)).CreateAgent(ctx, client.AgentInput{Name: "refused"})
	wantStatus(t, "a read-only key creating an agent", err, 403, "forbidden")
	if err := admin.RevokeOrgKey(ctx, orgKey.KeyId); err != nil {
		t.Fatal(err)
	}
	_, err = ci.ListAgents(ctx, nil)
	wantStatus(t, "a revoked key", err, 401, "unauthenticated")
	_, err = admin.With(client.WithOrg("acme")).ListAgents(ctx, nil)
	wantStatus(t, "a key naming another organization", err, 403, "forbidden")

	owner := newClient(t, n, client.WithToken(boot.PAT))
	pat, err := owner.CreateUserPAT(ctx, client.CredentialInput{Name: "laptop"})
	if err != nil {
		t.Fatal(err)
	}
	expiry := time.Now().Add(time.Hour).UnixMilli()
	expiring, err := owner.CreateUserPAT(ctx, client.CredentialInput{Name: "expiring", ExpiresAt: &expiry})
	if err != nil {
		t.Fatal(err)
	}
	tokens = append(tokens, pat.PatKey, expiring.PatKey)
	if _, err := owner.ListUserPATs(ctx, nil); err != nil {
		t.Fatal(err)
	}
	laptop := owner.With(client.WithToken(pat.PatKey), client.WithOrg("acme"))
	if _, err := laptop.CreateAgent(ctx, client.AgentInput{Name: "acme agent"}); err != nil {
		t.Fatal(err)
	}
	_, err = laptop.With(client.WithOrg("")).ListAgents(ctx, nil)
	wantStatus(t, "a PAT without organization", err, 401, "unauthenticated")
	_, err = laptop.With(client.WithOrg("default")).ListAgents(ctx, nil)
	wantStatus(t, "a PAT in an organization its user is not in", err, 403, "forbidden")
	org, err := owner.CreateOrganization(ctx, client.OrganizationInput{Name: "Second", Slug: "second"})
	if err != nil {
		t.Fatal(err)
	}
	secondKey, err := owner.With(client.WithOrg(org.Id.String())).CreateOrgKey(ctx, client.CredentialInput{Name: "second"})
	if err != nil {
		t.Fatal(err)
	}
	tokens = append(tokens, secondKey.PatKey)
	if _, err := admin.With(client.WithToken(secondKey.PatKey)).ListAgents(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := owner.RevokeUserPAT(ctx, pat.KeyId); err != nil {
		t.Fatal(err)
	}
	_, err = laptop.ListAgents(ctx, nil)
	wantStatus(t, "a revoked PAT", err, 401, "unauthenticated")
	_, err = admin.With(client.WithToken(boot.OrgKey)).CreateUserPAT(ctx, client.CredentialInput{Name: "x"})
	wantStatus(t, "an org key on a PAT-only route", err, 403, "forbidden")

	// Credentials that fail: garbage, a real key id with a wrong secret,
	// a PAT's id presented as an org key, and a non-Bearer scheme.
	garbage := "garbage-token-S3CRET"
	wrongSecret := "ak_" + orgKey.KeyId.String() + ".wrong-secret-S3CRET"
	wrongKind := "ak_" + pat.KeyId.String() + "." + secretOf(pat.PatKey)
	sent = append(sent, garbage, wrongSecret, wrongKind)
	for _, tok := range []string{garbage, wrongSecret, wrongKind} {
		_, err := admin.With(client.WithToken(tok)).ListAgents(ctx, nil)
		wantStatus(t, "token "+tok, err, 401, "unauthenticated")
	}
	basic := base64.StdEncoding.EncodeToString([]byte("user:basic-S3CRET"))
	sent = append(sent, basic)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, n.URL+"/core/agents", nil)
	req.Header.Set("Authorization", "Basic "+basic)
	resp, err := httpClient(t, nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("Basic auth got %d, want 401", resp.StatusCode)
	}

	// Stop the server so every line is written, then read the log.
	if err := n.stop(); err != nil {
		t.Fatal(err)
	}
	log := n.Stderr.String()
	forbidden := append([]string{"Bearer"}, sent...)
	for _, tok := range tokens {
		forbidden = append(forbidden, tok, secretOf(tok))
	}
	for _, s := range forbidden {
		if strings.Contains(log, s) {
			t.Errorf("the log contains %q", s)
		}
	}

	// The log is the one being searched: JSON lines, one per request,
	// naming credentials by id.
	requests, byKeyID := 0, 0
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("--log-format json wrote a line that is not JSON: %q", sc.Text())
		}
		if line["msg"] == "request" {
			requests++
			if line["credential_id"] == orgKey.KeyId.String() {
				byKeyID++
			}
		}
	}
	t.Logf("searched %d log lines (%d requests) for %d strings", strings.Count(log, "\n"), requests, len(forbidden))
	if requests < 20 || byKeyID < 1 {
		t.Errorf("the log has %d request lines, %d naming the ci key by id; want every request logged", requests, byKeyID)
	}

	// The banner on stdout is the one place a key is shown.
	if got := tokenPattern.FindAllString(n.Stdout.String(), -1); len(got) == 0 || strings.Count(strings.Join(got, " "), defKey) != len(got) {
		t.Errorf("stdout shows %q, want only the default key", got)
	}
}
