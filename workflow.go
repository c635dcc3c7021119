package agentplane

import "encoding/json"

// Workflow statuses and step statuses (SPEC §13).
const (
	WorkflowQueued    = "queued"
	WorkflowRunning   = "running"
	WorkflowSucceeded = "succeeded"
	WorkflowFailed    = "failed"
)

// Workflow kinds.
const (
	KindGenerateInstructions = "generate_instructions"
	KindCreateFromWebsite    = "create_from_website"
	KindCreateDemo           = "create_demo"
)

// Workflow is the record of one piece of long work that runs as a durable
// background job; clients poll it.
type Workflow struct {
	ID             string          `json:"workflow_id"`
	OrganizationID string          `json:"-"`
	Kind           string          `json:"kind"`
	Status         string          `json:"status"`
	Steps          []WorkflowStep  `json:"steps"`
	AgentID        *string         `json:"agent_id"`
	Version        *int            `json:"version"`
	Error          *string         `json:"error"`
	Input          json.RawMessage `json:"-"` // the request that started it
	State          json.RawMessage `json:"-"` // what finished steps produced
	CreatedAt      Time            `json:"created_at"`
	UpdatedAt      Time            `json:"updated_at"`
}

// WorkflowStep is one step's progress.
type WorkflowStep struct {
	Name       string `json:"name"`
	Status     string `json:"status"` // pending, running, succeeded, failed, skipped
	StartedAt  *Time  `json:"started_at"`
	FinishedAt *Time  `json:"finished_at"`
}

// NewSteps lists steps, all pending.
func NewSteps(names ...string) []WorkflowStep {
	out := make([]WorkflowStep, len(names))
	for i, n := range names {
		out[i] = WorkflowStep{Name: n, Status: "pending"}
	}
	return out
}

// WorkflowFilter is the filters of GET /core/workflows.
type WorkflowFilter struct {
	Kind, Status, AgentID string
}
