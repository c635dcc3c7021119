package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// vdDefaults are the schema's top-level defaults, written out here rather
// than taken from the code under test.
const vdDefaults = `"interruption":{"enabled":true},"language":"en-US","max_tool_steps":5,"noise_cancellation":"auto",` +
	`"recording":{"enabled":false,"redact_pii":false}`

// vdPatchOps reads a diff.
func vdDiff(t *testing.T, e *env, agent string, from, to int) []map[string]any {
	t.Helper()
	var ops []map[string]any
	e.admin(req{method: "GET", path: fmt.Sprintf("/core/agents/%s/versions/diff?from=%d&to=%d", agent, from, to)}).want(t, 200).decodeInto(t, &ops)
	return ops
}

// TestVersionDefaultsStored: every write stores the config with the
// schema's defaults filled in (SPEC §16), so a config written with only
// instructions reads back complete, and a diff from the defaults-only
// first draft to it only adds the instructions: no default reads as
// removed.
func TestVersionDefaultsStored(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := vrAgent(t, e)
		base := "/core/agents/" + agent + "/versions"
		v1 := vrGet(t, e, agent, "latest")
		vrSame(t, "defaults-only draft", v1.Config, json.RawMessage(`{`+vdDefaults+`}`))

		only := `{"instructions":"Only this."}`
		want := json.RawMessage(`{"instructions":"Only this.",` + vdDefaults + `}`)
		var v2 vrVersion
		r := e.admin(req{method: "POST", path: base, body: `{"config":` + only + `}`}).want(t, 201)
		r.decodeInto(t, &v2)
		vrSame(t, "POST config", v2.Config, want)
		got := e.admin(req{method: "GET", path: base + "/2"}).want(t, 200)
		if got.header.Get("ETag") != r.header.Get("ETag") {
			t.Errorf("the POST's ETag %s differs from a read's %s", r.header.Get("ETag"), got.header.Get("ETag"))
		}
		if !strings.Contains(string(got.body), `"config":{"instructions":"Only this.","interruption":{"enabled":true},"language":"en-US",`) {
			t.Errorf("stored config is not canonical with its defaults: %s", got.body)
		}

		ops := vdDiff(t, e, agent, 1, 2)
		if b, _ := json.Marshal(ops); string(b) != `[{"op":"add","path":"/instructions","value":"Only this."}]` {
			t.Errorf("diff from the defaults-only v1 = %s, want only the instructions added", b)
		}
		for _, op := range vdDiff(t, e, agent, 2, 1) {
			if op["op"] != "remove" || op["path"] != "/instructions" {
				t.Errorf("diff back to v1 has %v; only the instructions differ", op)
			}
		}
		text := string(e.admin(req{method: "POST", path: base + "/compare", body: map[string]any{"from_version": 1, "to_version": 2}}).want(t, 200).body)
		if strings.Contains(text, "removed") || !strings.Contains(text, "Instructions") {
			t.Errorf("compare v1 → v2 says %q", text)
		}

		// PUT and PATCH store defaults too, in nested objects that are present.
		var put vrVersion
		e.admin(req{method: "PUT", path: base + "/2", body: `{"config":{"voice":{"provider":"p","voice_id":"v"},"starting_message":{"text":"Hi"}}}`}).
			want(t, 200).decodeInto(t, &put)
		vrSame(t, "PUT config", put.Config, json.RawMessage(`{"voice":{"provider":"p","voice_id":"v","speed":1},`+
			`"starting_message":{"text":"Hi","interruptible":true},`+vdDefaults+`}`))
		var patched vrVersion
		e.admin(req{method: "PATCH", path: base + "/2", header: vpMerge, body: `{"config":{"max_tool_steps":null,"channel_overrides":{"sms":{"instructions":"Short."}}}}`}).
			want(t, 200).decodeInto(t, &patched)
		vrSame(t, "PATCH config (a removed default comes back)", patched.Config, json.RawMessage(`{"voice":{"provider":"p","voice_id":"v","speed":1},`+
			`"starting_message":{"text":"Hi","interruptible":true},"channel_overrides":{"sms":{"instructions":"Short.","instructions_mode":"append"}},`+vdDefaults+`}`))
	})
}

// TestVersionOldRowsReadNormalized: a version stored before defaults were
// stored (written here straight through the store) reads back with them
// on every path — the version, the list, diff, compare, If-Match, a
// runtime's agent_config and starting message — while its row stays as
// it was.
func TestVersionOldRowsReadNormalized(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		agent := vrAgent(t, e)
		base := "/core/agents/" + agent + "/versions"
		partial := `{"instructions":"Old.","starting_message":{"text":"Hello"},"voice":{"provider":"p","voice_id":"v"}}`
		full := `{"instructions":"Old.","starting_message":{"interruptible":true,"text":"Hello"},"voice":{"provider":"p","speed":1,"voice_id":"v"},` + vdDefaults + `}`
		now := agentplane.TimeFromMillis(1_764_000_000_000)
		old := agentplane.Version{ID: agentplane.NewID(), OrganizationID: e.boot.OrganizationID, AgentID: agent, Version: 1,
			Config: json.RawMessage(partial), InstructionsStatus: agentplane.InstructionsIdle, CreatedAt: now, UpdatedAt: now}
		if err := e.store.WithTx(ctx, func(q *store.Queries) error { return q.CreateVersion(ctx, old) }); err != nil {
			t.Fatal(err)
		}

		got := e.admin(req{method: "GET", path: base + "/1"}).want(t, 200)
		var v1 vrVersion
		got.decodeInto(t, &v1)
		vrSame(t, "old row read", v1.Config, json.RawMessage(full))
		if v1.Description != "" {
			t.Errorf("old row's description %q", v1.Description)
		}
		var page struct{ Data []vrVersion }
		e.admin(req{method: "GET", path: base}).want(t, 200).decodeInto(t, &page)
		if len(page.Data) != 1 {
			t.Fatalf("list: %+v", page.Data)
		}
		vrSame(t, "old row listed", page.Data[0].Config, json.RawMessage(full))
		if latest := vrGet(t, e, agent, "latest"); latest.Version != 1 {
			t.Errorf("latest is version %d, want the old draft", latest.Version)
		} else {
			vrSame(t, "old row as latest", latest.Config, json.RawMessage(full))
		}

		// A copy carries the complete config; diff and compare between
		// the two see no change at all.
		e.admin(req{method: "POST", path: base, body: `{"base_version":1}`}).want(t, 201)
		if ops := vdDiff(t, e, agent, 1, 2); len(ops) != 0 {
			t.Errorf("diff between an old row and its copy: %v", ops)
		}
		if text := string(e.admin(req{method: "POST", path: base + "/compare", body: map[string]any{"from_version": 1, "to_version": 2}}).want(t, 200).body); strings.Contains(text, "removed") {
			t.Errorf("compare between an old row and its copy: %q", text)
		}

		// The ETag a client read is the one a write checks.
		e.admin(req{method: "PATCH", path: base + "/1", header: map[string]string{"Content-Type": "application/merge-patch+json", "If-Match": `"stale"`},
			body: `{"description":"x"}`}).want(t, 412)
		row, err := e.store.GetVersion(ctx, e.boot.OrganizationID, agent, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		vrSame(t, "old row after reads and a refused write", row.Config, json.RawMessage(partial))

		// A runtime gets the complete config and starting message.
		e.admin(req{method: "POST", path: base + "/1/publish"}).want(t, 200)
		start := dpStartConv(t, e, map[string]any{"channel": "telephone", "direction": "inbound", "user_id": "u", "agent_id": agent})
		vrSame(t, "agent_config", start.AgentConfig, json.RawMessage(full))
		vrSame(t, "starting_message", start.StartingMessage, json.RawMessage(`{"interruptible":true,"text":"Hello"}`))
		row, err = e.store.GetVersion(ctx, e.boot.OrganizationID, agent, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		vrSame(t, "old row after publishing it", row.Config, json.RawMessage(partial))

		// And so does a widget's page.
		w := dpCreateWidget(t, e, map[string]any{"name": "W", "agent_id": agent, "agent_version_id": v1.ID, "published": true})
		var pub struct {
			StartingMessage json.RawMessage `json:"starting_message"`
		}
		e.do(req{method: "GET", path: "/core/public/web-widgets/" + w.ID}).want(t, 200).decodeInto(t, &pub)
		vrSame(t, "widget starting_message", pub.StartingMessage, json.RawMessage(`{"interruptible":true,"text":"Hello"}`))

		// The first write through the API stores it complete.
		e.admin(req{method: "PATCH", path: base + "/2", header: vpMerge, body: `{"description":"copied"}`}).want(t, 200)
		row, err = e.store.GetVersion(ctx, e.boot.OrganizationID, agent, 2, false)
		if err != nil {
			t.Fatal(err)
		}
		vrSame(t, "copy's row", row.Config, json.RawMessage(full))
	})
}

// TestVersionDescription: the change note is set on POST and on PUT/PATCH
// of a draft, shown in versions and in the agent's version summaries,
// bounded, not copied from a base, and frozen once published.
func TestVersionDescription(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		agent := vrAgent(t, e)
		base := "/core/agents/" + agent + "/versions"
		var v1 vrVersion
		e.admin(req{method: "POST", path: base, body: `{"config":{},"description":"First cut."}`}).want(t, 201).decodeInto(t, &v1)
		if v1.Description != "First cut." {
			t.Errorf("POST description %q", v1.Description)
		}
		long := strings.Repeat("é", agentplane.MaxVersionDescription+1)
		dpWantErr(t, e.admin(req{method: "POST", path: base, body: map[string]any{"config": map[string]any{}, "description": long}}), 422, "invalid", "body", "description")
		dpWantErr(t, e.admin(req{method: "PUT", path: base + "/1", body: map[string]any{"description": long}}), 422, "invalid", "body", "description")
		dpWantErr(t, e.admin(req{method: "PATCH", path: base + "/1", header: vpMerge, body: map[string]any{"description": long}}), 422, "invalid", "body", "description")
		dpWantErr(t, e.admin(req{method: "PATCH", path: base + "/1", header: vpMerge, body: `{"description":{"text":"x"}}`}), 422, "invalid", "body", "description")
		dpWantErr(t, e.admin(req{method: "PUT", path: base + "/1", body: `{"description":7}`}), 422, "invalid", "body", "description")
		exact := strings.Repeat("é", agentplane.MaxVersionDescription)
		var put vrVersion
		e.admin(req{method: "PUT", path: base + "/1", body: map[string]any{"description": exact}}).want(t, 200).decodeInto(t, &put)
		if put.Description != exact {
			t.Errorf("a 2,000-character description was not kept")
		}
		// PUT: null and absent keep it; PATCH: null empties it.
		e.admin(req{method: "PUT", path: base + "/1", body: `{"description":null,"config":{"instructions":"x"}}`}).want(t, 200).decodeInto(t, &put)
		if put.Description != exact {
			t.Errorf("PUT with description null changed it to %q", put.Description)
		}
		e.admin(req{method: "PATCH", path: base + "/1", header: vpMerge, body: `{"description":"Greets."}`}).want(t, 200).decodeInto(t, &put)
		if put.Description != "Greets." {
			t.Errorf("PATCH description %q", put.Description)
		}

		var v2 vrVersion
		e.admin(req{method: "POST", path: base, body: `{"base_version":1}`}).want(t, 201).decodeInto(t, &v2)
		if v2.Description != "" {
			t.Errorf("a copy took its base's description %q", v2.Description)
		}
		e.admin(req{method: "PATCH", path: base + "/2", header: vpMerge, body: `{"description":"Second."}`}).want(t, 200)
		e.admin(req{method: "PATCH", path: base + "/2", header: vpMerge, body: `{"description":null}`}).want(t, 200).decodeInto(t, &v2)
		if v2.Description != "" {
			t.Errorf("PATCH description null left %q", v2.Description)
		}
		e.admin(req{method: "POST", path: base, body: `{"base_version":1,"description":"Third."}`}).want(t, 201)

		var detail struct {
			Versions []struct {
				Version     int    `json:"version"`
				Description string `json:"description"`
			} `json:"versions"`
		}
		e.admin(req{method: "GET", path: "/core/agents/" + agent}).want(t, 200).decodeInto(t, &detail)
		if got := fmt.Sprint(detail.Versions); got != "[{3 Third.} {2 } {1 Greets.}]" {
			t.Errorf("agent's version summaries %s", got)
		}

		e.admin(req{method: "POST", path: base + "/1/publish"}).want(t, 200)
		for _, r := range []req{
			{method: "PUT", path: base + "/1", body: `{"description":"Too late."}`},
			{method: "PATCH", path: base + "/1", header: vpMerge, body: `{"description":"Too late."}`},
		} {
			eb := dpWantErr(t, e.admin(r), 400, "invalid")
			if eb.Detail != "version 1 is published and cannot be changed" {
				t.Errorf("%s of a published description: %q", r.method, eb.Detail)
			}
		}
		if v := vrGet(t, e, agent, "1"); v.Description != "Greets." {
			t.Errorf("published version's description is %q", v.Description)
		}
	})
}
