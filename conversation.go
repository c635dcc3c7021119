package agentplane

import (
	"encoding/json"
	"math"
	"slices"
)

// Conversation is one call or chat as the voice runtime reports it: which
// version answered and how it went (SPEC §12).
type Conversation struct {
	ID             string          `json:"id"`
	OrganizationID string          `json:"organization_id"`
	AgentID        *string         `json:"agent_id"`
	AgentVersionID *string         `json:"agent_version_id"`
	Version        *int            `json:"version"`
	WebWidgetID    *string         `json:"web_widget_id"`
	Channel        string          `json:"channel"`
	Direction      string          `json:"direction"`
	Status         string          `json:"status"`
	UserID         string          `json:"user_id"`
	AgentNumber    *string         `json:"agent_number"`
	Duration       *float64        `json:"duration"`
	UserTurnCount  *int            `json:"user_turn_count"`
	InitialContext json.RawMessage `json:"initial_context"`
	// Sensitive fields: shown only to callers with
	// conversations:read_sensitive (or conversations:manage).
	Summary        *string         `json:"summary"`
	Transcript     json.RawMessage `json:"transcript"`
	CustomMetadata json.RawMessage `json:"custom_metadata"`
	// Rollout is true exactly when a canary rollout's version answered in
	// place of the live one (SPEC §15).
	Rollout   bool `json:"rollout"`
	CreatedAt Time `json:"created_at"`
	UpdatedAt Time `json:"updated_at"`

	// RolloutID is the rollout whose statistics count the conversation:
	// its version was the rollout's live or canary version when it began.
	RolloutID *string `json:"-"`

	redacted bool
}

// Redacted returns c without its sensitive fields; they are then absent
// from its JSON, not null.
func (c Conversation) Redacted() Conversation {
	c.Summary, c.Transcript, c.CustomMetadata = nil, nil, nil
	c.redacted = true
	return c
}

// MarshalJSON writes every field, the sensitive ones as null when unset,
// and leaves those out entirely when c was redacted.
func (c Conversation) MarshalJSON() ([]byte, error) {
	type plain Conversation // no methods: no recursion
	if !c.redacted {
		if c.Transcript == nil {
			c.Transcript = json.RawMessage("null")
		}
		if c.CustomMetadata == nil {
			c.CustomMetadata = json.RawMessage("null")
		}
		if c.InitialContext == nil {
			c.InitialContext = json.RawMessage("null")
		}
		return json.Marshal(plain(c))
	}
	if c.InitialContext == nil {
		c.InitialContext = json.RawMessage("null")
	}
	return json.Marshal(struct {
		plain
		Summary        *string         `json:"summary,omitempty"`
		Transcript     json.RawMessage `json:"transcript,omitempty"`
		CustomMetadata json.RawMessage `json:"custom_metadata,omitempty"`
	}{plain: plain(c)})
}

// Conversation channels, directions and statuses of SPEC §12.
var (
	ConversationChannels   = []string{"telephone", "webrtc", "email", "text"}
	ConversationDirections = []string{"inbound", "outbound"}
	OpenStatuses           = []string{"token_created", "triggered", "ringing", "in_progress"}
	TerminalStatuses       = []string{"completed", "failed", "cancelled", "transferred", "unanswered"}
)

// Terminal reports whether status ends a conversation for good.
func Terminal(status string) bool { return slices.Contains(TerminalStatuses, status) }

// ValidStatus reports whether status is known.
func ValidStatus(status string) bool {
	return slices.Contains(OpenStatuses, status) || Terminal(status)
}

// ConversationInput is the body of POST /core/conversations.
type ConversationInput struct {
	Channel        string          `json:"channel"`
	Direction      string          `json:"direction"`
	UserID         string          `json:"user_id"`
	AgentNumber    *string         `json:"agent_number"`
	AgentID        *string         `json:"agent_id"`
	Version        json.RawMessage `json:"version"` // int or "latest"
	AgentVersionID *string         `json:"agent_version_id"`
	WebWidgetID    *string         `json:"web_widget_id"`
	InitialContext json.RawMessage `json:"initial_context"`
	CustomMetadata json.RawMessage `json:"custom_metadata"`
}

// Validate checks the fields that need no lookup. It returns the requested
// version: 0 when absent, -1 for "latest".
func (in *ConversationInput) Validate() (int, error) {
	var v Violations
	if !slices.Contains(ConversationChannels, in.Channel) {
		v.Add("channel must be one of telephone, webrtc, email, text", "enum", "body", "channel")
	}
	if !slices.Contains(ConversationDirections, in.Direction) {
		v.Add("direction must be inbound or outbound", "enum", "body", "direction")
	}
	if in.UserID == "" || len(in.UserID) > 200 {
		v.Add("user_id must be 1 to 200 characters", "string_length", "body", "user_id")
	}
	for field, id := range map[string]*string{"agent_id": in.AgentID, "agent_version_id": in.AgentVersionID, "web_widget_id": in.WebWidgetID} {
		if id != nil && !ValidID(*id) {
			v.Add(field+" must be a UUID", "uuid", "body", field)
		}
	}
	version := 0
	if !IsNull(in.Version) {
		var n int
		var s string
		switch {
		case json.Unmarshal(in.Version, &n) == nil && n >= 1:
			version = n
		case json.Unmarshal(in.Version, &s) == nil && s == "latest":
			version = -1
		default:
			v.Add(`version must be a positive integer or "latest"`, "version", "body", "version")
		}
		if in.AgentID == nil {
			v.Add("version needs agent_id", "dependency", "body", "version")
		}
	}
	for field, raw := range map[string]json.RawMessage{"initial_context": in.InitialContext, "custom_metadata": in.CustomMetadata} {
		if !IsNull(raw) {
			if c, err := CompactObject(raw); err != nil || len(c) > 64<<10 {
				v.Add(field+" must be a JSON object of at most 64 KiB", "object_type", "body", field)
			}
		}
	}
	return version, v.Err()
}

// ConversationUpdate is the body of PATCH /core/conversations/{id}.
type ConversationUpdate struct {
	Status        *string         `json:"status"`
	Duration      *float64        `json:"duration"`
	UserTurnCount *int            `json:"user_turn_count"`
	Summary       *string         `json:"summary"`
	Transcript    json.RawMessage `json:"transcript"`
}

// Validate checks the update.
func (in ConversationUpdate) Validate() error {
	var v Violations
	if in.Status != nil && !ValidStatus(*in.Status) {
		v.Add("unknown status "+*in.Status, "enum", "body", "status")
	}
	if in.Duration != nil && (*in.Duration < 0 || *in.Duration > 7*24*3600) {
		v.Add("duration must be 0 to 604800 seconds", "range", "body", "duration")
	}
	if in.UserTurnCount != nil && (*in.UserTurnCount < 0 || *in.UserTurnCount > math.MaxInt32) {
		v.Add("user_turn_count must be 0 to 2147483647", "range", "body", "user_turn_count")
	}
	if in.Transcript != nil && len(in.Transcript) > 512<<10 {
		v.Add("transcript must be at most 512 KiB", "max_size", "body", "transcript")
	}
	if in.Summary != nil && len(*in.Summary) > 64<<10 {
		v.Add("summary must be at most 64 KiB", "max_size", "body", "summary")
	}
	return v.Err()
}

// ConversationFilter is the filters of GET /core/conversations.
type ConversationFilter struct {
	Direction, Channel, Status   string
	AgentID, AgentVersionID      string
	AgentNumber                  string
	DurationAbove, DurationBelow *float64
}

// ConversationStart is POST /core/conversations' answer: the new record and
// what the runtime should run.
type ConversationStart struct {
	Conversation    Conversation    `json:"conversation"`
	AgentConfig     json.RawMessage `json:"agent_config"`
	StartingMessage json.RawMessage `json:"starting_message"`
}
