package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/app"
)

// TestLogin stores the server and credential (0600) after checking them;
// the client commands then need no variables; the variables override the
// stored login; a PAT's login asks for its organization.
func TestLogin(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	u := newUser(t, nil)
	file := filepath.Join(u.env["XDG_CONFIG_HOME"], "agentplane", "login.json")

	// Not logged in: a usage error that says what to do.
	u.fails(2, "not logged in", "agents", "list")

	// A credential the server refuses is not stored.
	if r := u.run("ak_01234567-89ab-cdef-0123-456789abcdef.nope\n", "login", "--url", s.URL); r.Code != 1 || !strings.Contains(r.Stderr, "401") {
		t.Errorf("login with a wrong key: exit %d, stderr %q; want 1 with the 401", r.Code, r.Stderr)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("a refused login left %s (err %v)", file, err)
	}
	// Not a credential at all, or not a URL: usage errors.
	if r := u.run("hunter2\n", "login", "--url", s.URL); r.Code != 2 {
		t.Errorf("login with a password: exit %d, want 2", r.Code)
	}
	if r := u.run(s.Key+"\n", "login", "--url", "localhost:8080"); r.Code != 2 {
		t.Errorf("login --url without a scheme: exit %d, want 2", r.Code)
	}

	// The URL asked for, then the key: stored for the owner only.
	r := u.run(s.URL+"\n"+s.Key+"\n", "login")
	if r.Code != 0 || !strings.Contains(r.Stdout, "agents:manage") || !strings.Contains(r.Stderr, "Server URL") {
		t.Fatalf("login: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("login file %s: %v, mode %v; want 0600", file, err, fi.Mode())
	}
	var stored struct{ URL, Token, Org string }
	if err := json.Unmarshal([]byte(readFile(t, file)), &stored); err != nil || stored.URL != s.URL || stored.Token != s.Key {
		t.Errorf("stored login %+v (%v)", stored, err)
	}
	u.ok("agents", "create", "--name", "Logged in")
	if out := u.ok("agents", "list"); !strings.Contains(out, "Logged in") {
		t.Errorf("agents list with the stored login:\n%s", out)
	}
	// A variable overrides the stored field.
	u.env["AGENTPLANE_TOKEN"] = "ak_01234567-89ab-cdef-0123-456789abcdef.nope"
	u.fails(1, "401", "agents", "list")
	delete(u.env, "AGENTPLANE_TOKEN")

	// A personal access token: login asks for the organization.
	var boot struct {
		OrganizationID string `json:"organization_id"`
		PAT            string `json:"pat"`
	}
	out, errOut := new(buffer), new(buffer)
	if err := app.Main(t.Context(), []string{"admin", "bootstrap", "--org-name", "Beta", "--org-slug", "beta", "--email", "ana@beta.example", "--data-dir", s.DataDir},
		app.Env{Stdout: out, Stderr: errOut, Getenv: func(string) string { return "" }}); err != nil {
		t.Fatalf("bootstrap: %v\n%s", err, errOut)
	}
	if err := json.Unmarshal([]byte(out.String()), &boot); err != nil || boot.PAT == "" {
		t.Fatalf("bootstrap printed %s", out)
	}
	pat := newUser(t, nil)
	if r := pat.run(boot.PAT+"\nbeta\n", "login", "--url", s.URL); r.Code != 0 || !strings.Contains(r.Stderr, "Organization") {
		t.Fatalf("login with a PAT: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	pat.ok("agents", "create", "--name", "Beta agent")
	list := decode[[]struct{ Name, OrganizationID string }](t, pat.ok("agents", "list", "-o", "json"))
	if len(list) != 1 || list[0].Name != "Beta agent" {
		t.Errorf("the PAT's organization has %+v, want only Beta agent", list)
	}
	// Without the organization, a PAT is refused by the API (exit 1).
	nolog := newUser(t, nil)
	nolog.env["AGENTPLANE_URL"], nolog.env["AGENTPLANE_TOKEN"] = s.URL, boot.PAT
	nolog.fails(1, "401 unauthenticated: Token is missing organization claim", "agents", "list")
}
