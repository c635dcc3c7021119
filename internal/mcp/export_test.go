package mcp

import "testing"

// OperationTools lists the tool each operation of the real document should
// be, counted from its YAML without the builder (for package mcp_test).
func OperationTools(t *testing.T) []string { return wantToolNames(t, docMap(t)) }
