package agentplane

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// InstructionsStatus is where instruction generation stands for a version.
type InstructionsStatus string

// The instruction states of SPEC §5.
const (
	InstructionsIdle       InstructionsStatus = "idle"
	InstructionsGenerating InstructionsStatus = "generating"
	InstructionsFailed     InstructionsStatus = "failed"
)

// Version is one immutable-once-published configuration of an agent.
type Version struct {
	ID                         string             `json:"id"`
	AgentID                    string             `json:"agent_id"`
	OrganizationID             string             `json:"-"`
	Version                    int                `json:"version"`
	Description                string             `json:"description"`
	Published                  bool               `json:"published"`
	PublishedAt                *Time              `json:"published_at"`
	BaseVersion                *int               `json:"base_version"`
	Config                     json.RawMessage    `json:"config"`
	InstructionBuilderInputs   json.RawMessage    `json:"instruction_builder_inputs"`
	InstructionsStatus         InstructionsStatus `json:"instructions_status"`
	InstructionsError          *string            `json:"instructions_error"`
	InstructionsDirty          bool               `json:"instructions_dirty"`
	InstructionsManuallyEdited bool               `json:"instructions_manually_edited"`
	// CreatedBy and PublishedBy say who made the version and who first
	// published it (SPEC §16); nil for versions made before they were
	// recorded, and PublishedBy until the first publish.
	CreatedBy   *Actor `json:"created_by"`
	PublishedBy *Actor `json:"published_by"`
	// ConversationStats counts the conversations the version answered
	// (SPEC §15). Only GET of one version fills it in. Not part of the
	// ETag: the tag guards edits of the version (If-Match), and a
	// conversation is no edit.
	ConversationStats *ConversationStats `json:"conversation_stats,omitempty"`
	CreatedAt         Time               `json:"created_at"`
	UpdatedAt         Time               `json:"updated_at"`
}

// VersionSummary is a version as embedded in GET /core/agents/{id}.
type VersionSummary struct {
	ID          string `json:"id"`
	Version     int    `json:"version"`
	Description string `json:"description"`
	Published   bool   `json:"published"`
	PublishedAt *Time  `json:"published_at"`
	CreatedAt   Time   `json:"created_at"`
	UpdatedAt   Time   `json:"updated_at"`
}

// Summary returns the embedded form of v.
func (v Version) Summary() VersionSummary {
	return VersionSummary{ID: v.ID, Version: v.Version, Description: v.Description, Published: v.Published, PublishedAt: v.PublishedAt, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
}

// Editable reports whether the version may still change: published
// versions are immutable.
func (v Version) Editable() error {
	if v.Published {
		return Errorf(EBadRequest, "version %d is published and cannot be changed", v.Version)
	}
	return nil
}

// PublishGate refuses to publish while instructions are being generated or
// when they are stale: the builder inputs changed since the last generation
// and nobody edited the instructions by hand (SPEC §5, §8).
func (v Version) PublishGate() error {
	if v.InstructionsStatus == InstructionsGenerating {
		return Errorf(EConflict, "instructions of version %d are being generated; wait for the workflow to finish, then publish", v.Version)
	}
	if v.InstructionsDirty && !v.InstructionsManuallyEdited {
		return Errorf(EConflict, "instructions of version %d are stale: instruction_builder_inputs changed since they were generated; run generate-instructions or edit config.instructions, then publish", v.Version)
	}
	return nil
}

// NextFrom returns the fields a new draft copies from base: config, inputs
// and the three instruction flags (SPEC §5). A generation in flight on the
// base is not in flight on the copy.
func (v Version) NextFrom(base Version) Version {
	v.Config = base.Config
	v.InstructionBuilderInputs = base.InstructionBuilderInputs
	v.InstructionsStatus = base.InstructionsStatus
	if v.InstructionsStatus == InstructionsGenerating {
		v.InstructionsStatus = InstructionsIdle
	}
	v.InstructionsError = base.InstructionsError
	v.InstructionsDirty = base.InstructionsDirty
	v.InstructionsManuallyEdited = base.InstructionsManuallyEdited
	n := base.Version
	v.BaseVersion = &n
	return v
}

// Latest stands for the path segment "latest" where a version number is
// expected (SPEC §16): on reads and edits the draft GET latest returns
// (created when the newest version is published or there is none), on
// publish the newest version if it is a draft.
const Latest = 0

// NoDraftToPublish is the refusal (409) of publishing "latest" when the
// newest version, n, is published (n = 0: the agent has no version).
func NoDraftToPublish(n int) *Error {
	if n == 0 {
		return Errorf(EConflict, "the agent has no versions: there is no draft to publish; create one first")
	}
	return Errorf(EConflict, "the newest version (%d) is published: there is no draft to publish; create one first", n)
}

// MaxVersionDescription bounds a version's description (its change
// note), in characters.
const MaxVersionDescription = 2000

// VersionCreate is the body of POST /core/agents/{id}/versions: exactly one
// of Config and BaseVersion. A copy of a base version starts with its own
// Description ("" when omitted), not the base's.
type VersionCreate struct {
	Config                   json.RawMessage `json:"config"`
	BaseVersion              *int            `json:"base_version"`
	InstructionBuilderInputs json.RawMessage `json:"instruction_builder_inputs"`
	Description              *string         `json:"description"`
}

// VersionUpdate is the body of PUT /core/agents/{id}/versions/{version}:
// each field given replaces the stored one; a null or omitted description
// keeps it.
type VersionUpdate struct {
	Config                   json.RawMessage `json:"config"`
	InstructionBuilderInputs json.RawMessage `json:"instruction_builder_inputs"`
	Description              *string         `json:"description"`
}

// VersionPatch is the body of PATCH /core/agents/{id}/versions/{version}:
// a JSON merge patch (RFC 7396) over the draft's {config,
// instruction_builder_inputs, description}. Members stay raw so that null
// (remove) and absent (keep) differ.
type VersionPatch struct {
	Config                   json.RawMessage `json:"config"`
	InstructionBuilderInputs json.RawMessage `json:"instruction_builder_inputs"`
	Description              json.RawMessage `json:"description"`
}

// CheckVersionDescription adds a violation at body.description to v when d
// is longer than MaxVersionDescription characters.
func CheckVersionDescription(v *Violations, d *string) {
	if d != nil && utf8.RuneCountInString(*d) > MaxVersionDescription {
		v.Add("description must be at most 2000 characters", "string_length", "body", "description")
	}
}

// IsNull reports whether raw is absent or JSON null.
func IsNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

// InstructionsOf returns config.instructions, or "" when unset.
func InstructionsOf(config json.RawMessage) string {
	var c struct {
		Instructions string `json:"instructions"`
	}
	_ = json.Unmarshal(config, &c)
	return c.Instructions
}

// SameJSON reports whether two JSON texts hold equal values, whatever
// their key order or spacing.
func SameJSON(a, b json.RawMessage) bool {
	if IsNull(a) || IsNull(b) {
		return IsNull(a) == IsNull(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}

// DefaultConfig is the config of a first draft created by "latest": the
// schema's defaults for the fields that have one (configschema.Normalize
// of {}, as a test there checks).
var DefaultConfig = json.RawMessage(`{"language":"en-US","max_tool_steps":5,"noise_cancellation":"auto","interruption":{"enabled":true},"recording":{"enabled":false,"redact_pii":false}}`)

// VersionFilter is the filters of GET /core/agents/{id}/versions.
type VersionFilter struct {
	Version   *int
	Published *bool
}

// InstructionBuilderInputs are the answers instruction generation turns
// into a system prompt (SPEC §6). Unknown keys are refused.
type InstructionBuilderInputs struct {
	CompanyName          *string  `json:"company_name,omitempty" jsonschema:"maxLength=200"`
	Industry             *string  `json:"industry,omitempty" jsonschema:"maxLength=200"`
	Purpose              *string  `json:"purpose,omitempty" jsonschema:"maxLength=4000"`
	Personality          *string  `json:"personality,omitempty" jsonschema:"maxLength=4000"`
	Language             *string  `json:"language,omitempty" jsonschema:"maxLength=100"`
	OpeningLine          *string  `json:"opening_line,omitempty" jsonschema:"maxLength=2000"`
	ConversationFlow     *string  `json:"conversation_flow,omitempty" jsonschema:"maxLength=20000"`
	Closing              *string  `json:"closing,omitempty" jsonschema:"maxLength=2000"`
	Guardrails           []string `json:"guardrails,omitempty" jsonschema:"maxItems=100"`
	FAQs                 []FAQ    `json:"faqs,omitempty" jsonschema:"maxItems=200"`
	Knowledge            *string  `json:"knowledge,omitempty" jsonschema:"maxLength=50000"`
	Escalation           *string  `json:"escalation,omitempty" jsonschema:"maxLength=4000"`
	AdvancedInstructions *string  `json:"advanced_instructions,omitempty" jsonschema:"maxLength=20000"`
}

// FAQ is one question the agent should answer.
type FAQ struct {
	Question string `json:"question" jsonschema:"required,minLength=1,maxLength=1000"`
	Answer   string `json:"answer" jsonschema:"required,minLength=1,maxLength=4000"`
}

// ETag implements Tagged.
func (v Version) ETag() string {
	return newTagger('v').str(v.ID).str(v.AgentID).int(int64(v.Version)).str(v.Description).bool(v.Published).
		optTime(v.PublishedAt).optInt(v.BaseVersion).bytes(v.Config).bytes(v.InstructionBuilderInputs).
		str(string(v.InstructionsStatus)).optStr(v.InstructionsError).bool(v.InstructionsDirty).
		bool(v.InstructionsManuallyEdited).actor(v.CreatedBy).actor(v.PublishedBy).time(v.CreatedAt).time(v.UpdatedAt).String()
}
