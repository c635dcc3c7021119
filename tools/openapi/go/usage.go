package apiclient

// Compiled and vetted (never run) by `make openapi-lint` together with
// what oapi-codegen generates from /openapi.json into this package: the
// calls a real program makes must build without touching the output.

import (
	"context"
	"fmt"
	"net/http"
)

// createPublishRead creates an agent with metadata, a draft with a typed
// config (a tool whose actions are a union), publishes it and reads it.
func createPublishRead(ctx context.Context, server, key string) (string, error) {
	auth := func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+key)
		return nil
	}
	c, err := NewClientWithResponses(server, WithRequestEditorFn(auth))
	if err != nil {
		return "", err
	}
	metadata := map[string]interface{}{"team": "support", "tier": 2}
	created, err := c.CreateAgentWithResponse(ctx, &CreateAgentParams{}, CreateAgentJSONRequestBody{
		Name:     "Support line",
		Metadata: &metadata,
	})
	if err != nil {
		return "", err
	}
	if created.JSON201 == nil {
		return "", fmt.Errorf("create agent: %s", created.Status())
	}
	agent := created.JSON201

	var say, transfer Action
	if err := say.FromPlayMessageAction(PlayMessageAction{Type: PlayMessage, Text: "Transferring you now."}); err != nil {
		return "", err
	}
	if err := transfer.FromColdTransferAction(ColdTransferAction{Type: ColdTransfer, TransferNumber: "+14155550100"}); err != nil {
		return "", err
	}
	instructions := "You are the help desk of Example Co."
	actions := []Action{say, transfer}
	tools := []Tool{{Name: "transfer_to_human", Actions: &actions}}
	config := AgentConfig{
		Instructions:    &instructions,
		StartingMessage: &StartingMessage{Text: "Hello, how can I help?"},
		Tools:           &tools,
	}
	draft, err := c.CreateVersionWithResponse(ctx, agent.Id, &CreateVersionParams{}, CreateVersionJSONRequestBody{Config: &config})
	if err != nil {
		return "", err
	}
	if draft.JSON201 == nil {
		return "", fmt.Errorf("create version: %s", draft.Status())
	}
	both := PublishDirectionBoth
	if _, err := c.PublishVersionWithResponse(ctx, agent.Id, fmt.Sprint(draft.JSON201.Version), &PublishVersionParams{},
		PublishVersionJSONRequestBody{Direction: &both}); err != nil {
		return "", err
	}
	got, err := c.GetVersionWithResponse(ctx, agent.Id, fmt.Sprint(draft.JSON201.Version), &GetVersionParams{})
	if err != nil {
		return "", err
	}
	if got.JSON200 == nil {
		return "", fmt.Errorf("get version: %s", got.Status())
	}
	first := (*got.JSON200.Config.Tools)[0]
	kind, err := (*first.Actions)[0].Discriminator()
	if err != nil {
		return "", err
	}
	return kind, nil
}

var _ = createPublishRead
