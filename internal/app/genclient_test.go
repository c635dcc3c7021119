package app_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/agentplane/agentplane/client"
	"github.com/agentplane/agentplane/internal/dbtest"
)

// TestGeneratedClientEndToEnd runs a program written against the
// generated client alone — client.NewClientWithResponses, its options and
// XxxWithResponse methods, none of the hand-written helpers — on a real
// server, SQLite and PostgreSQL: it creates an agent, creates a draft with
// a typed config, edits it under If-Match, registers a number, publishes
// the version on it and reads the agent back (SPEC §23).
func TestGeneratedClientEndToEnd(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		n := serve(t, t.TempDir())
		generatedClientProgram(t, n.URL, defaultKey(t, n.Stdout.String()))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := dbtest.NewPostgresDB(t) // skips without PostgreSQL, fails under AGENTPLANE_REQUIRE_POSTGRES=1
		n := serve(t, t.TempDir(), "--database-url", url)
		generatedClientProgram(t, n.URL, defaultKey(t, n.Stdout.String()))
	})
}

// generatedClientProgram is what a user of the generated client writes;
// every exchange is checked against openapi.yaml on the way.
func generatedClientProgram(t *testing.T, server, key string) {
	ctx := t.Context()
	auth := func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+key)
		return nil
	}
	c, err := client.NewClientWithResponses(server, client.WithHTTPClient(httpClient(t, nil)), client.WithRequestEditorFn(auth))
	if err != nil {
		t.Fatal(err)
	}

	// An agent.
	metadata := map[string]interface{}{"team": "support", "tier": 2}
	created, err := c.CreateAgentWithResponse(ctx, &client.CreateAgentParams{IdempotencyKey: new("generated-client-agent")},
		client.CreateAgentJSONRequestBody{Name: "Support line", Metadata: &metadata})
	if err != nil || created.JSON201 == nil {
		t.Fatalf("create agent: %v, %s", err, describe(created))
	}
	agent := created.JSON201

	// A draft with a typed config: a tool whose actions are a union.
	var say, transfer client.Action
	if err := say.FromPlayMessageAction(client.PlayMessageAction{Type: client.PlayMessage, Text: "Transferring you now."}); err != nil {
		t.Fatal(err)
	}
	if err := transfer.FromColdTransferAction(client.ColdTransferAction{Type: client.ColdTransfer, TransferNumber: "+14155550100"}); err != nil {
		t.Fatal(err)
	}
	tools := []client.Tool{{Name: "transfer_to_human", Actions: &[]client.Action{say, transfer}}}
	config := client.AgentConfig{
		Instructions:    new("You are the help desk of Example Co."),
		StartingMessage: &client.StartingMessage{Text: "Hello, how can I help?"},
		Tools:           &tools,
	}
	draft, err := c.CreateVersionWithResponse(ctx, agent.Id, nil, client.CreateVersionJSONRequestBody{Config: &config})
	if err != nil || draft.JSON201 == nil {
		t.Fatalf("create version: %v, %s", err, describe(draft))
	}
	v := draft.JSON201.Version
	ref := strconv.Itoa(v)
	if v != 1 || draft.JSON201.Published || draft.Headers201 == nil || draft.Headers201.ETag == nil {
		t.Fatalf("draft = %+v, headers %+v; want unpublished version 1 with an ETag", draft.JSON201, draft.Headers201)
	}
	stale := *draft.Headers201.ETag

	// Edit it under If-Match: the draft's ETag is current, so the PUT
	// passes; the same ETag afterwards is stale.
	config.Instructions = new("You are the help desk of Example Co. Be brief.")
	config.Voice = &client.Voice{Provider: "eleven", VoiceId: "v1", Speed: new(float32(1.2))}
	edited, err := c.UpdateVersionWithResponse(ctx, agent.Id, ref, &client.UpdateVersionParams{IfMatch: &stale},
		client.UpdateVersionJSONRequestBody{Config: &config})
	if err != nil || edited.JSON200 == nil {
		t.Fatalf("edit version: %v, %s", err, describe(edited))
	}
	if got := edited.JSON200; *got.Config.Instructions != *config.Instructions || got.Config.Voice == nil ||
		*got.Config.Voice.Speed != 1.2 || !got.InstructionsManuallyEdited {
		t.Errorf("edited version = %+v", got)
	}
	again, err := c.UpdateVersionWithResponse(ctx, agent.Id, ref, &client.UpdateVersionParams{IfMatch: &stale},
		client.UpdateVersionJSONRequestBody{Config: &config})
	if err != nil || again.StatusCode() != http.StatusPreconditionFailed || again.JSON412 == nil {
		t.Errorf("a PUT with a stale If-Match: %v, %s, want 412", err, describe(again))
	}

	// A merge patch of the draft "latest" names: one voice field and the
	// change note, the rest of the config kept.
	note := "Brief answers, faster voice."
	patched, err := c.PatchVersionWithApplicationMergePatchPlusJSONBodyWithResponse(ctx, agent.Id, "latest",
		&client.PatchVersionParams{IfMatch: edited.Headers200.ETag},
		client.PatchVersionApplicationMergePatchPlusJSONRequestBody{Config: &map[string]any{"voice": map[string]any{"speed": 1.4}}, Description: &note})
	if err != nil || patched.JSON200 == nil {
		t.Fatalf("patch version: %v, %s", err, describe(patched))
	}
	if got := patched.JSON200; got.Version != v || got.Description != note || got.Config.Voice == nil || *got.Config.Voice.Speed != 1.4 ||
		got.Config.Voice.VoiceId != "v1" || *got.Config.Instructions != *config.Instructions || got.Config.Language == nil || *got.Config.Language != "en-US" {
		t.Errorf("patched version = %+v, want version %d with the speed and note changed, the rest kept, defaults filled in", got, v)
	}
	config.Voice.Speed = new(float32(1.4))

	// A number to publish on.
	number, err := c.RegisterPhoneNumberWithResponse(ctx, nil, client.RegisterPhoneNumberJSONRequestBody{PhoneNumber: "+14155550142"})
	if err != nil || number.JSON201 == nil {
		t.Fatalf("register number: %v, %s", err, describe(number))
	}

	// Publish the version on it, both directions.
	both := client.PublishDirectionBoth
	published, err := c.PublishVersionWithResponse(ctx, agent.Id, "latest", nil,
		client.PublishVersionJSONRequestBody{Direction: &both, PhoneNumbers: &[]string{"+14155550142"}})
	if err != nil || published.JSON200 == nil {
		t.Fatalf("publish: %v, %s", err, describe(published))
	}
	if changed := *published.JSON200; len(changed) != 1 || changed[0].PhoneNumber != "+14155550142" ||
		changed[0].InboundVersion == nil || *changed[0].InboundVersion != v || changed[0].OutboundVersion == nil || *changed[0].OutboundVersion != v {
		t.Errorf("publish changed %+v, want the number pinned to version %d both ways", changed, v)
	}

	// Read the agent back.
	got, err := c.GetAgentWithResponse(ctx, agent.Id, nil)
	if err != nil || got.JSON200 == nil {
		t.Fatalf("get agent: %v, %s", err, describe(got))
	}
	d := got.JSON200
	if d.Id != agent.Id || d.Name != "Support line" || d.Metadata["team"] != "support" ||
		d.LatestPublishedVersion == nil || *d.LatestPublishedVersion != v ||
		len(d.Versions) != 1 || !d.Versions[0].Published || d.Versions[0].PublishedAt == nil ||
		len(d.PhoneNumbers) != 1 || d.PhoneNumbers[0].PhoneNumber != "+14155550142" {
		t.Errorf("agent read back = %+v", d)
	}
	read, err := c.GetVersionWithResponse(ctx, agent.Id, "1", nil)
	if err != nil || read.JSON200 == nil {
		t.Fatalf("get version: %v, %s", err, describe(read))
	}
	if !read.JSON200.Published || read.JSON200.Config.Tools == nil || len(*read.JSON200.Config.Tools) != 1 {
		t.Fatalf("version read back = %+v", read.JSON200)
	}
	actions := (*read.JSON200.Config.Tools)[0].Actions
	if actions == nil || len(*actions) != 2 {
		t.Fatalf("tool actions read back = %v", actions)
	}
	kind, err := (*actions)[1].Discriminator()
	if err != nil || kind != "cold_transfer" {
		t.Fatalf("second action is %q (%v), want cold_transfer", kind, err)
	}
	if cold, err := (*actions)[1].AsColdTransferAction(); err != nil || cold.TransferNumber != "+14155550100" {
		t.Errorf("cold transfer read back = %+v (%v)", cold, err)
	}

	// A published version is read-only.
	frozen, err := c.UpdateVersionWithResponse(ctx, agent.Id, ref, nil, client.UpdateVersionJSONRequestBody{Config: &config})
	if err != nil || frozen.JSON400 == nil {
		t.Errorf("editing a published version: %v, %s, want 400", err, describe(frozen))
	}
}

// describe shows a generated response, which is nil when the call
// failed, for a failure message.
func describe[R any, P interface {
	*R
	Status() string
	Bytes() []byte
}](r P) string {
	if r == nil {
		return "no response"
	}
	return r.Status() + " " + string(r.Bytes())
}
