package mcp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/store"
)

// requireInspector turns the skip without node or the installed Inspector
// into a failure (CI sets it).
const requireInspector = "AGENTPLANE_REQUIRE_MCP_INSPECTOR"

// inspectorCLI is the MCP Inspector's launcher, installed by `npm ci` in
// tools/mcp-inspector, from this package's directory.
var inspectorCLI = filepath.Join("..", "..", "tools", "mcp-inspector", "node_modules", "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js")

// skipInspector skips the test loudly, or fails it under
// AGENTPLANE_REQUIRE_MCP_INSPECTOR=1.
func skipInspector(t *testing.T, why string) {
	t.Helper()
	msg := "the MCP Inspector test is NOT RUN: " + why
	if os.Getenv(requireInspector) == "1" {
		t.Fatalf("%s (%s=1)", msg, requireInspector)
	}
	fmt.Fprintf(os.Stderr, "\n*** %s: %s. Set %s=1 to make this a failure. ***\n", t.Name(), msg, requireInspector)
	t.Skip(msg)
}

// TestInspector: a third-party client, the MCP Inspector's command line,
// lists the tools (checking their schemas for portability) and calls
// core_create_agent then core_list_agents against a real server.
func TestInspector(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		skipInspector(t, "node is not installed")
	}
	if _, err := os.Stat(inspectorCLI); err != nil {
		skipInspector(t, "tools/mcp-inspector/node_modules is missing: (cd tools/mcp-inspector && npm ci --ignore-scripts --engine-strict=false --no-audit --no-fund)")
	}
	s := start(t, store.SQLite, nil)
	home := t.TempDir() // the Inspector keeps a catalog and storage under $HOME
	inspect := func(args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), patience)
		defer cancel()
		args = append([]string{inspectorCLI, "--cli", s.URL + "/mcp", "--transport", "http", "--header", "Authorization: Bearer " + s.OrgKey}, args...)
		cmd := exec.CommandContext(ctx, node, args...)
		cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("inspector %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args[2:], " "), err, stdout.Bytes(), stderr.Bytes())
		}
		return stdout.Bytes()
	}

	// --strict fails (exit 6) on a tool schema a client could reject.
	var list struct {
		Tools []struct {
			Name        string         `json:"name"`
			InputSchema map[string]any `json:"inputSchema"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(inspect("--method", "tools/list", "--strict"), &list); err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	found := map[string]bool{}
	for _, tool := range list.Tools {
		found[tool.Name] = tool.InputSchema["type"] == "object"
	}
	for _, name := range []string{"core_list_agents", "core_publish_version", "core_create_agent"} {
		if !found[name] {
			t.Errorf("the Inspector lists no tool %s with an object schema (%d tools)", name, len(list.Tools))
		}
	}

	type result struct {
		IsError           bool `json:"isError"`
		Content           []struct{ Text string }
		StructuredContent json.RawMessage `json:"structuredContent"`
	}
	var created result
	if err := json.Unmarshal(inspect("--method", "tools/call", "--tool-name", "core_create_agent", "--tool-arg", "name=Inspected", `metadata={"by":"inspector"}`), &created); err != nil {
		t.Fatal(err)
	}
	var agent struct {
		ID       string            `json:"id"`
		Name     string            `json:"name"`
		Metadata map[string]string `json:"metadata"`
	}
	if err := json.Unmarshal(created.StructuredContent, &agent); err != nil || created.IsError || agent.Name != "Inspected" || agent.Metadata["by"] != "inspector" {
		t.Fatalf("core_create_agent through the Inspector: %+v (%v)", created, err)
	}
	var listed result
	if err := json.Unmarshal(inspect("--method", "tools/call", "--tool-name", "core_list_agents", "--tool-arg", "name=inspected", "limit=5"), &listed); err != nil {
		t.Fatal(err)
	}
	var page struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(listed.StructuredContent, &page); err != nil || listed.IsError || len(page.Data) != 1 || page.Data[0].ID != agent.ID {
		t.Errorf("core_list_agents through the Inspector: %+v (%v), want the agent %s", listed, err, agent.ID)
	}
}
