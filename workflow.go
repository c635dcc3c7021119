package agentplane

import (
	"encoding/json"
	"errors"
	"strings"
)

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

// StepStatus is where one step of a workflow stands (SPEC §13).
type StepStatus string

// A step is pending until an attempt starts it, running during one, and
// ends succeeded, failed or skipped; a retried step goes back to pending.
const (
	StepPending   StepStatus = "pending"
	StepRunning   StepStatus = "running"
	StepSucceeded StepStatus = "succeeded"
	StepFailed    StepStatus = "failed"
	StepSkipped   StepStatus = "skipped"
)

// WorkflowStep is one step's progress.
type WorkflowStep struct {
	Name       string     `json:"name"`
	Status     StepStatus `json:"status"`
	StartedAt  *Time      `json:"started_at"`
	FinishedAt *Time      `json:"finished_at"`
}

// NewSteps lists steps, all pending.
func NewSteps(names ...string) []WorkflowStep {
	out := make([]WorkflowStep, len(names))
	for i, n := range names {
		out[i] = WorkflowStep{Name: n, Status: StepPending}
	}
	return out
}

// Finished reports whether the workflow has ended, either way.
func (w *Workflow) Finished() bool {
	return w.Status == WorkflowSucceeded || w.Status == WorkflowFailed
}

// NextStep returns the index of the first step still to do (pending, or
// running when an attempt died in it); false when none is left.
func (w *Workflow) NextStep() (int, bool) {
	for i, st := range w.Steps {
		if st.Status != StepSucceeded && st.Status != StepSkipped && st.Status != StepFailed {
			return i, true
		}
	}
	return 0, false
}

// StartStep marks step i running; the workflow runs from now on.
func (w *Workflow) StartStep(i int, now Time) {
	w.Status = WorkflowRunning
	w.Steps[i].Status, w.Steps[i].StartedAt, w.Steps[i].FinishedAt = StepRunning, &now, nil
	w.UpdatedAt = now
}

// SkipStep marks step i skipped: a step that finds it has nothing to do
// (a publish with skip_deployment) says so instead of succeeding.
func (w *Workflow) SkipStep(i int) { w.Steps[i].Status = StepSkipped }

// FinishStep ends step i: succeeded, unless the step skipped itself.
func (w *Workflow) FinishStep(i int, now Time) {
	if w.Steps[i].Status == StepRunning {
		w.Steps[i].Status = StepSucceeded
	}
	w.Steps[i].FinishedAt, w.UpdatedAt = &now, now
}

// RetryStep hands step i back for the next attempt.
func (w *Workflow) RetryStep(i int, now Time) {
	w.Steps[i].Status, w.UpdatedAt = StepPending, now
}

// FailAt ends the workflow at step i with the message users see; the
// steps after it are skipped.
func (w *Workflow) FailAt(i int, now Time, msg string) {
	w.Steps[i].Status, w.Steps[i].FinishedAt = StepFailed, &now
	for j := i + 1; j < len(w.Steps); j++ {
		w.Steps[j].Status = StepSkipped
	}
	w.Status, w.Error, w.UpdatedAt = WorkflowFailed, &msg, now
}

// Succeed ends the workflow after its last step.
func (w *Workflow) Succeed(now Time) {
	w.Status, w.UpdatedAt = WorkflowSucceeded, now
}

// Permanent marks a step's failure as one no retry can change (bad input,
// a refused address, a model that rejects the request): the workflow ends
// at once instead of after every attempt. Nil stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// IsPermanent reports whether err, or an error it wraps, was marked by
// Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// WorkflowStarted is the 202 body of the routes that start workflows.
type WorkflowStarted struct {
	WorkflowID string `json:"workflow_id"`
	Status     string `json:"status"`
}

// WebsiteInput is the body of POST /core/agents/create-from-website.
// Every field has an effect: company_name and company_overview feed the
// builder inputs, voice_id and existing_collection_id the new version's
// config, and is_demo, avatar_url and demo_type the agent (the created one,
// or existing_agent_id's once the workflow succeeds).
type WebsiteInput struct {
	CompanyName          string  `json:"company_name"`
	CompanyWebsite       string  `json:"company_website"`
	CompanyOverview      *string `json:"company_overview"`
	IsDemo               *bool   `json:"is_demo"`
	SkipDeployment       *bool   `json:"skip_deployment"`
	VoiceID              *string `json:"voice_id"`
	AvatarURL            *string `json:"avatar_url"`
	ExistingAgentID      *string `json:"existing_agent_id"`
	ExistingCollectionID *string `json:"existing_collection_id"`
	DemoType             *string `json:"demo_type"`
}

// MaxDemoType bounds demo_type, in characters.
const MaxDemoType = 64

// AgentMetadata is what a scaffolding workflow writes into its agent's
// metadata: the website it was built from, and avatar_url and demo_type
// when the request gave them. A created agent starts with it; an existing
// agent gets it merged into its own when the workflow succeeds.
func (in WebsiteInput) AgentMetadata() map[string]string {
	m := map[string]string{"website": strings.TrimSpace(in.CompanyWebsite)}
	if in.AvatarURL != nil {
		m["avatar_url"] = *in.AvatarURL
	}
	if in.DemoType != nil {
		m["demo_type"] = *in.DemoType
	}
	return m
}

// DemoInput is the body of POST /core/agents/create-demo.
type DemoInput struct {
	CompanyWebsite     string  `json:"company_website"`
	Instructions       *string `json:"instructions"`
	IncludePhoneNumber *bool   `json:"include_phone_number"`
}

// ScaffoldInput is what the scaffolding workflows (create-from-website,
// create-demo) build an agent from, as stored in the workflow: the website
// body, plus what only create-demo sets.
type ScaffoldInput struct {
	WebsiteInput
	Instructions       *string `json:"instructions,omitempty"`
	IncludePhoneNumber bool    `json:"include_phone_number,omitempty"`
}

// WorkflowFilter is the filters of GET /core/workflows.
type WorkflowFilter struct {
	Kind, Status, AgentID string
}
