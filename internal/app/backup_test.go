package app_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentplane/agentplane/client"
)

// copyFile copies src to dst with mode 0600.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBackupUnderConcurrentWrites (SPEC §24): `agentplane backup` run
// beside a serving node while writers keep inserting gives a copy that
// passes SQLite's integrity check, and a server started on the copy (with
// the data dir's secret.key) serves every row committed before the backup
// began.
func TestBackupUnderConcurrentWrites(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	n := serve(t, dir)
	key := defaultKey(t, n.Stdout.String())
	// The writers' client skips response validation: it would only slow
	// the load down; the restored server's answers are validated.
	c := client.New(n.URL, client.WithToken(key))

	var (
		mu        sync.Mutex
		committed = map[string]string{} // agent id → name, once its 201 is back
	)
	create := func(name string) error {
		a, err := c.CreateAgent(ctx, client.AgentInput{Name: name, Metadata: &map[string]any{"pad": strings.Repeat("x", 2000)}})
		if err != nil {
			return err
		}
		mu.Lock()
		committed[a.Id.String()] = name
		mu.Unlock()
		return nil
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(committed)
	}
	// Some data first, so the copy has something to take a while over.
	var seeders sync.WaitGroup
	for w := range 4 {
		seeders.Go(func() {
			for i := range 100 {
				if err := create(fmt.Sprintf("seed %d-%d", w, i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	seeders.Wait()

	stop := make(chan struct{})
	var writers sync.WaitGroup
	for w := range 4 {
		writers.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := create(fmt.Sprintf("writer %d-%d", w, i)); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		})
	}
	stopWriters := sync.OnceFunc(func() { close(stop); writers.Wait() })
	defer stopWriters()
	// waitFor polls until more than n agents are committed.
	waitFor := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(patience); count() <= n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the writers stalled at %d agents", count())
			}
		}
	}
	waitFor(count() + 20) // the writers are running

	mu.Lock()
	before := make(map[string]string, len(committed))
	for id, name := range committed {
		before[id] = name
	}
	mu.Unlock()
	out := filepath.Join(t.TempDir(), "backup.db")
	start := time.Now()
	stdout, stderr, err := run(t, nil, "backup", "--data-dir", dir, "--out", out)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, stderr)
	}
	during := count() - len(before)
	waitFor(count()) // still writing after the backup: it ran amid them
	stopWriters()
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backup of %d agents: %d bytes in %s while %d more were committed", len(before), fi.Size(), took.Round(time.Millisecond), during)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the backup's mode is %v, want 0600", fi.Mode().Perm())
	}
	keyFile := filepath.Join(dir, "secret.key")
	if !strings.Contains(stdout, "wrote "+out) || !strings.Contains(stdout, keyFile) {
		t.Errorf("backup printed %q; want the file written and the key file to keep", stdout)
	}

	db, err := sql.Open("sqlite", out)
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q (err %v), want ok", check, err)
	}
	db.Close()

	// A second backup to the same file is refused and leaves it alone.
	orig, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "backup", "--data-dir", dir, "--out", out); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a backup over an existing file: err %v, want it refused", err)
	}
	if now, err := os.ReadFile(out); err != nil || !bytes.Equal(now, orig) {
		t.Errorf("a refused backup changed the file (err %v)", err)
	}

	// Restore: the copy as agentplane.db and the key file beside it.
	restored := t.TempDir()
	copyFile(t, out, filepath.Join(restored, "agentplane.db"))
	copyFile(t, keyFile, filepath.Join(restored, "secret.key"))
	r := serve(t, restored)
	if strings.Contains(r.Stdout.String(), "ak_") {
		t.Errorf("a restored database got a new first-start key:\n%s", r.Stdout)
	}
	rc := newClient(t, r, client.WithToken(key))
	got := map[string]string{}
	p := &client.ListAgentsParams{Limit: new(200)}
	for {
		page, err := rc.ListAgents(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Data {
			got[a.Id.String()] = a.Name
		}
		if page.NextCursor == "" {
			break
		}
		p.Cursor = &page.NextCursor
	}
	for id, name := range before {
		if got[id] != name {
			t.Errorf("agent %s (%q), committed before the backup, is %q in the restored server", id, name, got[id])
		}
	}
	mu.Lock()
	for id, name := range got {
		if committed[id] != name {
			t.Errorf("the restored server has agent %s (%q) that no writer committed", id, name)
		}
	}
	mu.Unlock()
	t.Logf("the restored server has %d agents: %d from before the backup, %d committed during it", len(got), len(before), len(got)-len(before))

	// Without its key file the copy's sealed secrets don't open, and the
	// server says what is missing instead of starting.
	bare := t.TempDir()
	copyFile(t, out, filepath.Join(bare, "agentplane.db"))
	_, _, err = run(t, nil, "serve", "--addr", "127.0.0.1:0", "--data-dir", bare)
	if err == nil || !strings.Contains(err.Error(), "secret.key") {
		t.Errorf("serve on a copy without its key file: err %v, want it to name secret.key", err)
	}
}

func TestBackupRefusals(t *testing.T) {
	t.Parallel()
	// PostgreSQL: pointed at pg_dump, without connecting or echoing the
	// URL's password, and no file written.
	out := filepath.Join(t.TempDir(), "backup.db")
	_, _, err := run(t, nil, "backup", "--database-url", "postgres://app:pw-S3CRET@db.invalid/agentplane", "--out", out)
	if err == nil || !strings.Contains(err.Error(), "pg_dump") || strings.Contains(err.Error(), "S3CRET") {
		t.Errorf("backup on PostgreSQL: err %v, want pg_dump named and no password", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("backup on PostgreSQL wrote %s (stat err %v)", out, err)
	}
	// No database: nothing is created, neither the copy nor a database.
	empty := t.TempDir()
	_, _, err = run(t, nil, "backup", "--data-dir", empty, "--out", out)
	if err == nil || !strings.Contains(err.Error(), "no database at") {
		t.Errorf("backup of a missing database: err %v", err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) > 0 {
		t.Errorf("backup of a missing database created %v", entries)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("backup of a missing database wrote %s", out)
	}
	// --out is required.
	if _, _, err := run(t, nil, "backup", "--data-dir", empty); err == nil || !strings.Contains(err.Error(), "--out") {
		t.Errorf("backup without --out: err %v", err)
	}
}
