package cli_test

import (
	"strings"
	"testing"

	"github.com/agentplane/agentplane/client"
)

// TestResourceCommands drives every resource command against a real
// server, in tables and as JSON, and checks each change through the API.
func TestResourceCommands(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	u := newUser(t, s)
	ctx := t.Context()

	// agents create / list / get (by id and by name).
	created := decode[struct{ ID, Name string }](t, u.ok("agents", "create", "--name", "Front desk", "--description", "answers the phone", "-o", "json"))
	if created.Name != "Front desk" || created.ID == "" {
		t.Fatalf("agents create -o json: %+v", created)
	}
	if out := u.ok("agents", "list"); !strings.Contains(out, "NAME") || !strings.Contains(out, created.ID) || !strings.Contains(out, "Front desk") {
		t.Errorf("agents list table:\n%s", out)
	}
	if out := u.ok("agents", "get", "Front desk"); !strings.Contains(out, "answers the phone") || !strings.Contains(out, created.ID) {
		t.Errorf("agents get by name:\n%s", out)
	}
	detail := decode[struct {
		ID          string `json:"id"`
		Description string `json:"description"`
	}](t, u.ok("agents", "get", created.ID, "-o", "json"))
	if detail.ID != created.ID || detail.Description != "answers the phone" {
		t.Errorf("agents get -o json: %+v", detail)
	}
	u.fails(2, `no agent is named "Back desk"`, "agents", "get", "Back desk")
	u.fails(1, "404", "agents", "get", "01234567-89ab-cdef-0123-456789abcdef")

	// Two versions, made through the API; the commands read them.
	id := client.AgentID(uuidOf(t, created.ID))
	for _, text := range []string{"Answer calls politely.", "Answer calls politely and briefly."} {
		if _, err := s.API.CreateVersion(ctx, id, client.VersionCreate{Config: &client.AgentConfig{Instructions: new(text)}}); err != nil {
			t.Fatal(err)
		}
	}
	if out := u.ok("versions", "list", "Front desk"); !strings.Contains(out, "VERSION") || strings.Count(out, "\n") != 3 {
		t.Errorf("versions list: want a header and two rows:\n%s", out)
	}
	v1 := decode[struct {
		Version int
		Config  struct{ Instructions string }
	}](t, u.ok("versions", "get", created.ID, "1", "-o", "json"))
	if v1.Version != 1 || v1.Config.Instructions != "Answer calls politely." {
		t.Errorf("versions get -o json: %+v", v1)
	}
	if out := u.ok("versions", "get", created.ID, "latest"); !strings.Contains(out, "politely and briefly") {
		t.Errorf("versions get latest:\n%s", out)
	}
	if out := u.ok("versions", "diff", created.ID, "1", "2"); !strings.Contains(out, `~ replace /instructions "Answer calls politely and briefly."`) {
		t.Errorf("versions diff:\n%s", out)
	}
	ops := decode[[]struct{ Op, Path string }](t, u.ok("versions", "diff", created.ID, "1", "2", "-o", "json"))
	if len(ops) != 1 || ops[0].Op != "replace" || ops[0].Path != "/instructions" {
		t.Errorf("versions diff -o json: %+v", ops)
	}
	u.fails(2, "version numbers", "versions", "diff", created.ID, "one", "two")
	if out := u.ok("versions", "compare", created.ID, "1", "2"); !strings.Contains(out, "Instructions changed") {
		t.Errorf("versions compare:\n%s", out)
	}

	// numbers add / list, publish onto a number.
	if out := u.ok("numbers", "add", "+14155550100", "--label", "Main line"); !strings.Contains(out, "+14155550100") || !strings.Contains(out, "Main line") {
		t.Errorf("numbers add:\n%s", out)
	}
	u.fails(1, "422", "numbers", "add", "555-0100")
	if out := u.ok("versions", "publish", "Front desk", "1", "--description", "first", "--number", "+14155550100"); !strings.Contains(out, "published version 1") || !strings.Contains(out, "+14155550100") {
		t.Errorf("versions publish:\n%s", out)
	}
	nums := decode[[]struct {
		PhoneNumber    string `json:"phone_number"`
		InboundVersion *int   `json:"inbound_version"`
	}](t, u.ok("numbers", "list", "-o", "json"))
	if len(nums) != 1 || nums[0].InboundVersion == nil || *nums[0].InboundVersion != 1 {
		t.Errorf("numbers list -o json after publish: %+v", nums)
	}
	u.ok("versions", "publish", "Front desk", "2")

	// rollback, then a rollout: start, status, promote; start, abort.
	if out := u.ok("rollback", "Front desk"); !strings.Contains(out, "live version 1 (was 2)") {
		t.Errorf("rollback:\n%s", out)
	}
	if out := u.ok("rollout", "start", "Front desk", "--version", "2", "--percent", "10"); !strings.Contains(out, "canary") || !strings.Contains(out, "10%") {
		t.Errorf("rollout start:\n%s", out)
	}
	st := decode[struct{ Version, Percent int }](t, u.ok("rollout", "status", "Front desk", "-o", "json"))
	if st.Version != 2 || st.Percent != 10 {
		t.Errorf("rollout status -o json: %+v", st)
	}
	if out := u.ok("rollout", "promote", "Front desk"); !strings.Contains(out, "live version 2 (was 1)") {
		t.Errorf("rollout promote:\n%s", out)
	}
	u.ok("rollout", "start", "Front desk", "--version", "1", "--percent", "5")
	if out := u.ok("rollout", "abort", "Front desk"); !strings.Contains(out, "rollout ended") {
		t.Errorf("rollout abort:\n%s", out)
	}
	u.fails(1, "404", "rollout", "status", "Front desk")
	u.fails(2, "--version and --percent are required", "rollout", "start", "Front desk")
	if a, err := s.API.GetAgent(ctx, id); err != nil || a.LiveVersion == nil || *a.LiveVersion != 2 {
		t.Errorf("after the rollout commands the live version is %v (%v), want 2", a.LiveVersion, err)
	}

	// audit: the publishes above, filtered by action and agent.
	entries := decode[[]struct {
		Action string `json:"action"`
		Via    string `json:"via"`
	}](t, u.ok("audit", "--action", "version.published", "--agent", "Front desk", "-o", "json"))
	if len(entries) != 2 || entries[0].Action != "version.published" || entries[0].Via != "api" {
		t.Errorf("audit -o json: %+v, want the two publishes", entries)
	}
	if out := u.ok("audit", "--limit", "3"); strings.Count(out, "\n") != 4 || !strings.Contains(out, "ACTION") {
		t.Errorf("audit --limit 3: want a header and 3 rows:\n%s", out)
	}

	// webhooks create (the secret shown once) / list / delete.
	hook := decode[struct{ ID, Secret string }](t, u.ok("webhooks", "create", "--url", "https://hooks.example.com/agentplane", "--event", "version.*", "--event", "agent.deleted", "-o", "json"))
	if !strings.HasPrefix(hook.Secret, "whsec_") {
		t.Errorf("webhooks create: secret %q", hook.Secret)
	}
	if out := u.ok("webhooks", "list"); !strings.Contains(out, hook.ID) || !strings.Contains(out, "version.* agent.deleted") || strings.Contains(out, "whsec_") {
		t.Errorf("webhooks list (never the secret):\n%s", out)
	}
	u.fails(2, "--url and at least one --event", "webhooks", "create", "--url", "https://hooks.example.com/x")
	u.ok("webhooks", "delete", hook.ID)
	if out := u.ok("webhooks", "list", "-o", "json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("webhooks list after delete: %s", out)
	}

	// workflows get --wait: instruction generation on a draft with inputs,
	// followed to the end with its steps shown on the terminal.
	draft, err := s.API.CreateVersion(ctx, id, client.VersionCreate{BaseVersion: new(2)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.UpdateVersion(ctx, id, draft.Version, client.VersionUpdate{InstructionBuilderInputs: &client.InstructionBuilderInputs{
		CompanyName: new("Acme Plumbing"), Purpose: new("book repairs")}}); err != nil {
		t.Fatal(err)
	}
	gen, err := s.API.GenerateInstructionsWithResponse(ctx, id, "3", nil)
	if err := client.Check(gen, err); err != nil {
		t.Fatal(err)
	}
	wf := gen.JSON202.WorkflowId.String()
	u.terminal = true
	r := u.run("", "workflows", "get", wf, "--wait", "--interval", "50ms")
	u.terminal = false
	if r.Code != 0 || !strings.Contains(r.Stdout, "succeeded") || !strings.Contains(r.Stdout, "STEP") ||
		!strings.Contains(r.Stderr, "✓") || !strings.Contains(r.Stderr, "succeeded in") {
		t.Errorf("workflows get --wait: exit %d\nstdout:\n%s\nstderr:\n%q", r.Code, r.Stdout, r.Stderr)
	}
	if v, err := s.API.GetVersion(ctx, id, 3); err != nil || v.Config.Instructions == nil || !strings.Contains(*v.Config.Instructions, "Acme Plumbing") {
		t.Errorf("the waited-for workflow did not write the instructions: %v", err)
	}
	w := decode[struct{ Status string }](t, u.ok("workflows", "get", wf, "-o", "json"))
	if w.Status != "succeeded" {
		t.Errorf("workflows get -o json: %+v", w)
	}

	// agents delete, then it is gone.
	if out := u.ok("agents", "delete", "Front desk"); !strings.Contains(out, created.ID) {
		t.Errorf("agents delete:\n%s", out)
	}
	u.fails(1, "404 not_found", "agents", "get", created.ID)

	// Usage errors exit 2: a missing argument, a stray one, a bad -o, an
	// unknown flag, an unknown command.
	u.fails(2, "want 1 argument(s) (AGENT)", "agents", "get")
	u.fails(2, "want 0 argument(s)", "agents", "list", "extra")
	u.fails(2, "-o must be table or json", "agents", "list", "-o", "yaml")
	u.fails(2, "flag provided but not defined", "agents", "list", "--nope")
	u.fails(2, `unknown command "agents rename"`, "agents", "rename")
}
