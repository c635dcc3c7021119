package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/client"
)

// TestAgentsAsCode is SPEC §20's loop: pull → edit → plan → push → a
// second push is a no-op; a file without an id creates its agent and
// gets the id written back; --dry-run and plan write nothing; --publish
// publishes with the note.
func TestAgentsAsCode(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	u := newUser(t, s)
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "agents")

	// An agent made elsewhere, with a published version 1.
	support, err := s.API.CreateAgent(ctx, client.AgentInput{Name: "Support line", Metadata: &map[string]any{"team": "care"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.CreateVersion(ctx, support.Id, client.VersionCreate{Config: &client.AgentConfig{Instructions: new("Help callers with their orders.")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.PublishVersion(ctx, support.Id, 1, client.PublishInput{}); err != nil {
		t.Fatal(err)
	}

	// pull writes one file per agent, with the read-only fields.
	out := u.ok("pull", "--dir", dir)
	file := filepath.Join(dir, "support-line.yaml")
	if !strings.Contains(out, file) {
		t.Fatalf("pull printed:\n%s", out)
	}
	pulled := readFile(t, file)
	for _, want := range []string{"id: " + support.Id.String(), "version: 1", "live_version: 1", "name: Support line",
		"instructions: Help callers with their orders.", "team: care"} {
		if !strings.Contains(pulled, want+"\n") {
			t.Errorf("pulled file lacks %q:\n%s", want, pulled)
		}
	}
	// Straight after a pull there is nothing to push.
	if out := u.ok("plan", "--dir", dir); !strings.Contains(out, "unchanged") || !strings.Contains(out, "Plan: 0 to create, 0 to change, 1 unchanged.") {
		t.Errorf("plan after pull:\n%s", out)
	}

	// Edit: the description and the instructions; and a new agent's file.
	edited := strings.Replace(pulled, "instructions: Help callers with their orders.", "instructions: Help callers with their orders and returns.", 1)
	edited = strings.Replace(edited, "description: \"\"", "description: Orders and returns", 1)
	if edited == pulled || !strings.Contains(edited, "Orders and returns") {
		t.Fatalf("the edit did not apply to:\n%s", pulled)
	}
	writeFile(t, file, edited)
	newFile := filepath.Join(dir, "sales.yaml")
	writeFile(t, newFile, "# Our sales line.\nname: Sales\nconfig:\n  instructions: Sell the premium plan.\n")

	plan := u.ok("plan", "--dir", dir)
	for _, want := range []string{
		`description: "" → "Orders and returns"`,
		"config: new draft version 2 on top of published version 1",
		`~ instructions: "Help callers with their orders." → "Help callers with their orders and returns."`,
		newFile + " — Sales", "create the agent and its version 1 (a draft)",
		"Plan: 1 to create, 1 to change, 0 unchanged.",
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}

	// --dry-run shows the same and writes nothing, on the server or in files.
	dry := u.ok("push", "--dir", dir, "--dry-run", "--publish")
	if !strings.Contains(dry, "Dry run: nothing was written.") || !strings.Contains(dry, "publish it") {
		t.Errorf("push --dry-run:\n%s", dry)
	}
	if n := countAgents(t, s); n != 1 {
		t.Errorf("after plan and --dry-run the server has %d agents, want 1", n)
	}
	if got := readFile(t, newFile); strings.Contains(got, "id:") {
		t.Errorf("--dry-run wrote an id into %s", newFile)
	}

	// push: the changes, each published with the note.
	out = u.ok("push", "--dir", dir, "--publish", "--description", "returns and sales")
	if !strings.Contains(out, "Pushed: 2 agent(s) changed.") {
		t.Errorf("push:\n%s", out)
	}
	a, err := s.API.GetAgent(ctx, support.Id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Description != "Orders and returns" || a.LiveVersion == nil || *a.LiveVersion != 2 || len(a.Versions) != 2 {
		t.Errorf("after push: description %q, live %v, %d versions; want the edit live as version 2", a.Description, a.LiveVersion, len(a.Versions))
	}
	v2, err := s.API.GetVersion(ctx, support.Id, 2)
	if err != nil || *v2.Config.Instructions != "Help callers with their orders and returns." || v2.Description != "returns and sales" || !v2.Published {
		t.Errorf("version 2: %+v (%v)", v2, err)
	}
	// The new agent's file has its id now, its comment kept.
	salesFile := readFile(t, newFile)
	if !strings.HasPrefix(salesFile, "id: ") || !strings.Contains(salesFile, "# Our sales line.") {
		t.Errorf("sales.yaml after push:\n%s", salesFile)
	}
	salesID := uuidOf(t, strings.TrimSpace(strings.TrimPrefix(strings.SplitN(salesFile, "\n", 2)[0], "id:")))
	if v, err := s.API.GetVersion(ctx, salesID, 1); err != nil || !v.Published || *v.Config.Instructions != "Sell the premium plan." {
		t.Errorf("Sales version 1: %+v (%v)", v, err)
	}

	// A second push is a no-op: nothing written, no entry in the audit log.
	before := countAudit(t, s)
	if out := u.ok("push", "--dir", dir, "--publish"); !strings.Contains(out, "Pushed: 0 agent(s) changed.") || !strings.Contains(out, "Plan: 0 to create, 0 to change, 2 unchanged.") {
		t.Errorf("second push:\n%s", out)
	}
	if after := countAudit(t, s); after != before {
		t.Errorf("the second push wrote %d audit entries", after-before)
	}

	// Without --publish a config change lands in a draft; a further change
	// updates that draft instead of stacking drafts.
	writeFile(t, newFile, strings.Replace(salesFile, "Sell the premium plan.", "Sell the premium plan first.", 1))
	if out := u.ok("push", "--dir", dir); !strings.Contains(out, "config: new draft version 2 on top of published version 1") {
		t.Errorf("push of a change without --publish:\n%s", out)
	}
	writeFile(t, newFile, strings.Replace(salesFile, "Sell the premium plan.", "Sell the premium plan, then support.", 1))
	if out := u.ok("push", "--dir", dir); !strings.Contains(out, "config: change draft version 2") {
		t.Errorf("push of a second change:\n%s", out)
	}
	if vs := versionsOf(t, s, salesID); vs != 2 {
		t.Errorf("Sales has %d versions, want 2 (the draft changed in place)", vs)
	}
}

// TestPushRefusesInvalidFiles: any invalid file names its file and JSON
// path, and nothing at all is written — not even the valid files' changes.
func TestPushRefusesInvalidFiles(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	u := newUser(t, s)
	dir := t.TempDir()
	audited := countAudit(t, s) // the first start's own entries
	writeFile(t, filepath.Join(dir, "a-good.yaml"), "name: Good\nconfig:\n  instructions: Fine.\n")
	writeFile(t, filepath.Join(dir, "b-config.yaml"), "name: Bad config\nconfig:\n  max_tool_steps: 900\n  tools:\n    - name: lookup\n      actions:\n        - type: teleport\n")
	writeFile(t, filepath.Join(dir, "c-typo.yaml"), "nmae: Typo\n")
	writeFile(t, filepath.Join(dir, "d-kind.yaml"), "name: Kind\nactive: maybe\n")
	writeFile(t, filepath.Join(dir, "e-yaml.yaml"), "name: [unclosed\n")
	writeFile(t, filepath.Join(dir, "f-id.yaml"), "id: 01234567-89ab-cdef-0123-456789abcdef\nname: Gone\n")
	writeFile(t, filepath.Join(dir, "notes.txt"), "not an agent file, ignored\n")

	for _, cmd := range [][]string{{"plan", "--dir", dir}, {"push", "--dir", dir, "--publish"}} {
		r := u.run("", cmd...)
		if r.Code != 1 {
			t.Errorf("%s: exit %d, want 1", cmd[0], r.Code)
		}
		for _, want := range []string{
			filepath.Join(dir, "b-config.yaml") + ": $.config.max_tool_steps: ",
			filepath.Join(dir, "b-config.yaml") + ": $.config.tools[0].actions[0].type: ",
			filepath.Join(dir, "c-typo.yaml") + ": $.nmae: unknown field",
			filepath.Join(dir, "d-kind.yaml") + ": $.active: want true or false",
			filepath.Join(dir, "e-yaml.yaml") + ": not YAML: yaml: line 1",
			filepath.Join(dir, "f-id.yaml") + ": $.id: no such agent on the server",
			"6 problem(s); nothing was written",
		} {
			if !strings.Contains(r.Stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", cmd[0], want, r.Stderr)
			}
		}
		if strings.Contains(r.Stderr, "a-good.yaml") || strings.Contains(r.Stderr, "notes.txt") {
			t.Errorf("%s: a valid file or a non-YAML file was named:\n%s", cmd[0], r.Stderr)
		}
	}
	if n := countAgents(t, s); n != 0 {
		t.Errorf("the server has %d agents after a refused push, want 0", n)
	}
	if got := readFile(t, filepath.Join(dir, "a-good.yaml")); strings.Contains(got, "id:") {
		t.Errorf("a refused push wrote an id into a-good.yaml")
	}
	if entries := countAudit(t, s); entries != audited {
		t.Errorf("a refused push wrote %d audit entries", entries-audited)
	}
	// An empty directory and a missing one are usage errors.
	u.fails(2, "has no agent files", "push", "--dir", t.TempDir())
	u.fails(2, "no such file or directory", "plan", "--dir", filepath.Join(dir, "missing"))
	// Two files claiming one agent.
	a, err := s.API.CreateAgent(t.Context(), client.AgentInput{Name: "Twin"})
	if err != nil {
		t.Fatal(err)
	}
	twins := t.TempDir()
	writeFile(t, filepath.Join(twins, "one.yaml"), "id: "+a.Id.String()+"\nname: Twin\n")
	writeFile(t, filepath.Join(twins, "two.yaml"), "id: "+a.Id.String()+"\nname: Twin again\n")
	u.fails(1, filepath.Join(twins, "two.yaml")+": $.id: the same agent as "+filepath.Join(twins, "one.yaml"), "push", "--dir", twins)
	if err := os.Remove(filepath.Join(twins, "two.yaml")); err != nil {
		t.Fatal(err)
	}
}

func countAgents(t *testing.T, s *server) int {
	t.Helper()
	n := 0
	for _, err := range s.API.Agents(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

func countAudit(t *testing.T, s *server) int {
	t.Helper()
	n := 0
	for _, err := range s.API.AuditLog(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

func versionsOf(t *testing.T, s *server, id client.AgentID) int {
	t.Helper()
	n := 0
	for _, err := range s.API.Versions(t.Context(), id, nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}
