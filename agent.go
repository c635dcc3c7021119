package agentplane

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Agent is a voice agent: a name and the versions of its configuration.
type Agent struct {
	ID             string          `json:"id"`
	OrganizationID string          `json:"organization_id"`
	Name           string          `json:"name"`
	Description    string          `json:"description"`
	Active         bool            `json:"active"`
	IsDemo         bool            `json:"is_demo"`
	Metadata       json.RawMessage `json:"metadata"`
	// LiveVersion answers wherever the agent is reached without an
	// explicit version (SPEC §15); nil until a version is published.
	LiveVersion *int `json:"live_version"`
	CreatedAt   Time `json:"created_at"`
	UpdatedAt   Time `json:"updated_at"`

	// Rollout is the canary rollout running on the agent, if any: not part
	// of the agent object (GET /core/agents/{id}/rollout shows it), but
	// read with it, since resolving a conversation needs both.
	Rollout *AgentRollout `json:"-"`
}

// MaxMetadataBytes bounds an agent's metadata object (SPEC §4).
const MaxMetadataBytes = 16 << 10

// AgentInput is the body of POST /core/agents and PUT /core/agents/{id}.
// Pointer fields tell "omitted" from "set to the zero value", which makes
// PUT partial.
type AgentInput struct {
	Name        *string         `json:"name"`
	Description *string         `json:"description"`
	Active      *bool           `json:"active"`
	IsDemo      *bool           `json:"is_demo"`
	Metadata    json.RawMessage `json:"metadata"`
}

// Validate checks the input; create requires a name. It trims the name and
// compacts the metadata so what is stored is what was meant.
func (in *AgentInput) Validate(create bool) error {
	var v Violations
	switch {
	case in.Name != nil:
		name := strings.TrimSpace(*in.Name)
		in.Name = &name
		if n := utf8.RuneCountInString(name); n < 1 || n > 200 {
			v.Add("name must be 1 to 200 characters after trimming", "string_length", "body", "name")
		}
	case create:
		v.Add("name is required", "missing", "body", "name")
	}
	if in.Description != nil && utf8.RuneCountInString(*in.Description) > 10000 {
		v.Add("description must be at most 10000 characters", "string_length", "body", "description")
	}
	if in.Metadata != nil {
		m, err := CompactObject(in.Metadata)
		switch {
		case err != nil:
			v.Add("metadata must be a JSON object", "object_type", "body", "metadata")
		case len(m) > MaxMetadataBytes:
			v.Add("metadata must be at most 16 KiB", "max_size", "body", "metadata")
		default:
			in.Metadata = m
		}
	}
	return v.Err()
}

// CompactObject checks that raw is a JSON object and returns its canonical
// form (see CanonicalJSON). JSON null is not an object.
func CompactObject(raw json.RawMessage) (json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, Errorf(EInvalid, "not a JSON object")
	}
	return CanonicalJSON(raw)
}

// AgentFilter is the filters of GET /core/agents.
type AgentFilter struct {
	Name     string                     // case-insensitive substring; "" for any
	Active   *bool                      //
	IsDemo   *bool                      //
	Metadata map[string]json.RawMessage // each key must hold an equal JSON value
}

// SIPEndpoint is an agent's SIP deployment (SPEC §10).
type SIPEndpoint struct {
	Deployed   bool    `json:"deployed"`
	SIPURI     *string `json:"sip_uri"`
	DeployedAt *Time   `json:"deployed_at"`
}

// ConversationStats summarizes an agent's conversations (SPEC §12).
type ConversationStats struct {
	Total                  int64            `json:"total"`
	Inbound                int64            `json:"inbound"`
	Outbound               int64            `json:"outbound"`
	ByChannel              map[string]int64 `json:"by_channel"`
	ByStatus               map[string]int64 `json:"by_status"`
	TotalDurationSeconds   float64          `json:"total_duration_seconds"`
	AverageDurationSeconds float64          `json:"average_duration_seconds"`
	LastConversationAt     *Time            `json:"last_conversation_at"`
	// CompletionRate is completed over ended (terminal) conversations;
	// nil while none has ended.
	CompletionRate *float64 `json:"completion_rate"`
}

// Complete fills in what follows from the counts: the average duration
// over the conversations that reported one, and the completion rate.
func (st *ConversationStats) Complete(withDuration float64) {
	if withDuration > 0 {
		st.AverageDurationSeconds = st.TotalDurationSeconds / withDuration
	}
	var ended int64
	for _, s := range TerminalStatuses {
		ended += st.ByStatus[s]
	}
	if ended > 0 {
		r := float64(st.ByStatus["completed"]) / float64(ended)
		st.CompletionRate = &r
	}
}

// AgentDetail is GET /core/agents/{id}: the agent and what hangs off it.
type AgentDetail struct {
	Agent
	Versions               []VersionSummary  `json:"versions"`
	PhoneNumbers           []PhoneNumber     `json:"phone_numbers"`
	WebWidgets             []WebWidget       `json:"web_widgets"`
	SIPEndpoint            SIPEndpoint       `json:"sip_endpoint"`
	ConversationStats      ConversationStats `json:"conversation_stats"`
	LatestPublishedVersion *int              `json:"latest_published_version"`

	// Revision counts the changes to anything above since the agent was
	// created; it moves with each, on every node, in the transaction that
	// makes the change, so an unchanged revision means an unchanged detail.
	// Not part of the API: a node uses it to reuse what it encoded.
	Revision int64 `json:"-"`
}

// ETag implements Tagged.
func (a Agent) ETag() string {
	return newTagger('a').str(a.ID).str(a.OrganizationID).str(a.Name).str(a.Description).
		bool(a.Active).bool(a.IsDemo).bytes(a.Metadata).optInt(a.LiveVersion).time(a.CreatedAt).time(a.UpdatedAt).String()
}
