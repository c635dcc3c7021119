package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/client"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/seal"
	"github.com/agentplane/agentplane/internal/store"
)

// TestNoSecretAtRest (SPEC §24, issue 9): after every kind of credential
// is minted — the first-start key, `admin bootstrap`'s key and token, org
// keys and user tokens over HTTP, some under an Idempotency-Key and
// replayed — no column of any table holds a credential, a secret part, or
// the cursor-signing key in clear, and the cursor key is stored sealed. On
// SQLite the files are private (0600, the data dir 0700).
func TestNoSecretAtRest(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			dataDir := filepath.Join(t.TempDir(), "data")
			key := make([]byte, seal.KeySize)
			for i := range key {
				key[i] = byte(i * 7)
			}
			var vars map[string]string
			dbArgs := []string{"--data-dir", dataDir}
			var db *sql.DB
			var err error
			if engine == store.Postgres {
				u := dbtest.NewPostgresDB(t)
				vars = map[string]string{"AGENTPLANE_SECRET_KEY": base64.StdEncoding.EncodeToString(key)}
				dbArgs = append(dbArgs, "--database-url", u)
				db, err = sql.Open("pgx", u)
			}
			n := launch(t, nil, vars, append([]string{"--addr", "127.0.0.1:0"}, dbArgs...)...).wait(t)
			tokens := []string{defaultKey(t, n.Stdout.String())}
			if engine == store.SQLite {
				db, err = sql.Open("sqlite", filepath.Join(dataDir, "agentplane.db"))
				if err == nil {
					key, err = seal.KeyFile(filepath.Join(dataDir, "secret.key"))
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			stdout, stderr, err := run(t, vars, append([]string{"admin", "bootstrap", "--org-name", "Acme", "--org-slug", "acme", "--email", "owner@acme.test"}, dbArgs...)...)
			var boot bootstrapOutput
			if err != nil || json.Unmarshal([]byte(stdout), &boot) != nil || boot.PAT == "" {
				t.Fatalf("admin bootstrap: %v %s %s", err, stdout, stderr)
			}
			tokens = append(tokens, boot.OrgKey, boot.PAT)
			defer db.Close()
			ctx := t.Context()
			admin := newClient(t, n, client.WithToken(tokens[0]))
			k, err := admin.CreateOrgKey(ctx, client.CredentialInput{Name: "ci"})
			if err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, k.PatKey)
			for i := range 2 { // the second is the replay
				if tok := mintIdempotent(t, n.URL, tokens[0], "/admin/organization-pats", "mint-key"); i == 0 {
					tokens = append(tokens, tok)
				}
			}
			for i := range 2 {
				if tok := mintIdempotent(t, n.URL, boot.PAT, "/admin/user-pats", "mint-pat"); i == 0 {
					tokens = append(tokens, tok)
				}
			}
			u, err := admin.With(client.WithToken(boot.PAT)).CreateUserPAT(ctx, client.CredentialInput{Name: "laptop"})
			if err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, u.PatKey)
			// A cursor exists and works.
			for range 3 {
				if _, err := admin.CreateAgent(ctx, client.AgentInput{Name: "a"}); err != nil {
					t.Fatal(err)
				}
			}
			page, err := admin.ListAgents(ctx, &client.ListAgentsParams{Limit: new(1)})
			if err != nil || page.NextCursor == "" {
				t.Fatalf("list: %v %+v", err, page)
			}

			// Webhook secrets (SPEC §18): one created, then rotated, so the
			// row holds a current and a previous secret.
			api := unvalidated(n.URL, tokens[0])
			var hook struct {
				ID     string `json:"id"`
				Secret string `json:"secret"`
			}
			if err := api.call(ctx, http.MethodPost, "/admin/webhooks", map[string]any{"url": "https://hooks.example.test/in", "events": []string{"*"}}, &hook, http.StatusCreated); err != nil {
				t.Fatal(err)
			}
			webhookSecrets := []string{hook.Secret}
			if err := api.call(ctx, http.MethodPost, "/admin/webhooks/"+hook.ID+"/rotate-secret", nil, &hook, http.StatusOK); err != nil {
				t.Fatal(err)
			}
			webhookSecrets = append(webhookSecrets, hook.Secret)

			box, err := seal.New(key)
			if err != nil {
				t.Fatal(err)
			}
			var current, previous []byte
			if err := db.QueryRowContext(ctx, `SELECT secret, previous_secret FROM webhook_endpoints`).Scan(&current, &previous); err != nil {
				t.Fatal(err)
			}
			for i, sealed := range [][]byte{previous, current} {
				plain, err := box.Open(sealed, "webhook_endpoints:"+hook.ID)
				if err != nil || string(plain) != webhookSecrets[i] {
					t.Errorf("webhook secret %d is not sealed under the server key: %v", i, err)
				}
			}
			var stored []byte
			if err := db.QueryRowContext(ctx, `SELECT value FROM server_secrets WHERE name = 'cursor_hmac'`).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			cursorKey, err := box.Open(stored, "server_secrets:cursor_hmac")
			if err != nil {
				t.Fatalf("the cursor key is not sealed under the server key: %v", err)
			}
			needles := map[string][]byte{
				"cursor key":        cursorKey,
				"cursor key (hex)":  []byte(hex.EncodeToString(cursorKey)),
				"cursor key (b64)":  []byte(base64.StdEncoding.EncodeToString(cursorKey)),
				"cursor key (b64u)": []byte(base64.RawURLEncoding.EncodeToString(cursorKey)),
			}
			for i, sec := range webhookSecrets {
				raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sec, "whsec_"))
				if err != nil {
					t.Fatal(err)
				}
				needles[fmt.Sprint("webhook secret ", i)] = []byte(sec)
				needles[fmt.Sprint("webhook secret (b64) ", i)] = []byte(strings.TrimPrefix(sec, "whsec_"))
				needles[fmt.Sprint("webhook key ", i)] = raw
				needles[fmt.Sprint("webhook key (hex) ", i)] = []byte(hex.EncodeToString(raw))
			}
			for i, tok := range tokens {
				needles[fmt.Sprint("token ", i)] = []byte(tok)
				needles[fmt.Sprint("secret of token ", i)] = []byte(secretOf(tok))
			}
			scanned := scanAllColumns(t, ctx, db, engine, needles)
			if scanned < 10 {
				t.Fatalf("scanned %d tables: the scan itself is broken", scanned)
			}

			if engine == store.SQLite {
				for _, f := range []string{"agentplane.db", "agentplane.db-wal", "agentplane.db-shm", "secret.key"} {
					if st, err := os.Stat(filepath.Join(dataDir, f)); err != nil || st.Mode().Perm() != 0o600 {
						t.Errorf("%s: %v, mode want 0600", f, err)
					}
				}
				if st, err := os.Stat(dataDir); err != nil || st.Mode().Perm() != 0o700 {
					t.Errorf("data dir: mode %v, want 0700", st.Mode().Perm())
				}
			}
		})
	}
}

// mintIdempotent creates a credential at path under Idempotency-Key key
// and returns the new secret, or "" for a replay (which must be a 409
// without it).
func mintIdempotent(t *testing.T, base, token, path, key string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(`{"name":"minted"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	res, err := httpClient(t, nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		PATKey string `json:"pat_key"`
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	switch {
	case res.StatusCode == 201 && res.Header.Get("Idempotent-Replayed") == "":
		if err := json.Unmarshal(buf.Bytes(), &out); err != nil || out.PATKey == "" {
			t.Fatalf("mint %s: %s", path, buf.String())
		}
		return out.PATKey
	case res.StatusCode == 409 && res.Header.Get("Idempotent-Replayed") == "true" && !strings.Contains(buf.String(), "_key"):
		return ""
	}
	t.Fatalf("mint %s with key %s: %d %s", path, key, res.StatusCode, buf.String())
	return ""
}

// scanAllColumns reads every row of every table as text and fails t when
// any value contains a needle; it returns how many tables it read.
func scanAllColumns(t *testing.T, ctx context.Context, db *sql.DB, engine store.Engine, needles map[string][]byte) int {
	t.Helper()
	list := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if engine == store.Postgres {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`
	}
	rows, err := db.QueryContext(ctx, list)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	for _, table := range tables {
		r, err := db.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		cols, _ := r.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			if err := r.Scan(ptrs...); err != nil {
				t.Fatalf("scan %s: %v", table, err)
			}
			for i, v := range vals {
				var b []byte
				switch x := v.(type) {
				case []byte:
					b = x
				case string:
					b = []byte(x)
				default:
					b = fmt.Append(nil, x)
				}
				for what, needle := range needles {
					if len(needle) > 0 && bytes.Contains(b, needle) {
						t.Errorf("%s.%s holds the %s in clear", table, cols[i], what)
					}
				}
			}
		}
		r.Close()
	}
	return len(tables)
}
