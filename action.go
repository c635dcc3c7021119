package agentplane

// The variants of Action, one struct per "type" (SPEC §6). The schema
// generator reflects each into the union; Go code rarely needs them, since
// actions are carried as raw JSON.

// PlayMessageAction says a sentence.
type PlayMessageAction struct {
	Type          string `json:"type" jsonschema:"required,enum=play_message"`
	Text          string `json:"text" jsonschema:"required,minLength=1,maxLength=2000"`
	Interruptible *bool  `json:"interruptible,omitempty"`
}

// PlayAudioAction plays an audio file.
type PlayAudioAction struct {
	Type string `json:"type" jsonschema:"required,enum=play_audio"`
	URL  string `json:"url" jsonschema:"required,format=uri,maxLength=2000"`
	Loop *bool  `json:"loop,omitempty"`
}

// StopAudioAction stops audio started by play_audio.
type StopAudioAction struct {
	Type string `json:"type" jsonschema:"required,enum=stop_audio"`
}

// ColdTransferAction hands the call to a number without introduction.
type ColdTransferAction struct {
	Type           string `json:"type" jsonschema:"required,enum=cold_transfer"`
	TransferNumber string `json:"transfer_number" jsonschema:"required,pattern=^(\\+[1-9][0-9]{1\\,14}|\\{\\{ ?[A-Za-z_][A-Za-z0-9_.]* ?\\}\\})$"`
}

// WarmTransferAction introduces the caller before handing over.
type WarmTransferAction struct {
	Type                string  `json:"type" jsonschema:"required,enum=warm_transfer"`
	TransferNumber      string  `json:"transfer_number" jsonschema:"required,pattern=^(\\+[1-9][0-9]{1\\,14}|\\{\\{ ?[A-Za-z_][A-Za-z0-9_.]* ?\\}\\})$"`
	SummaryInstructions *string `json:"summary_instructions,omitempty" jsonschema:"maxLength=4000"`
	HoldMusicURL        *string `json:"hold_music_url,omitempty" jsonschema:"format=uri"`
}

// ConferenceAction adds participants to the call.
type ConferenceAction struct {
	Type         string   `json:"type" jsonschema:"required,enum=conference"`
	Participants []string `json:"participants" jsonschema:"required,minItems=1,maxItems=10"`
}

// DTMFAction sends touch tones.
type DTMFAction struct {
	Type   string `json:"type" jsonschema:"required,enum=dtmf"`
	Digits string `json:"digits" jsonschema:"required,pattern=^[0-9*#A-Dw]{1\\,64}$"`
}

// WaitAction pauses.
type WaitAction struct {
	Type    string  `json:"type" jsonschema:"required,enum=wait"`
	Seconds float64 `json:"seconds" jsonschema:"required,minimum=0,maximum=300"`
}

// HangupAction ends the call.
type HangupAction struct {
	Type    string  `json:"type" jsonschema:"required,enum=hangup"`
	Message *string `json:"message,omitempty" jsonschema:"maxLength=2000"`
}

// LeaveRoomAction makes the agent leave a WebRTC room.
type LeaveRoomAction struct {
	Type string `json:"type" jsonschema:"required,enum=leave_room"`
}

// UpdateEndpointingAction changes endpointing for the rest of the call.
type UpdateEndpointingAction struct {
	Type     string   `json:"type" jsonschema:"required,enum=update_endpointing"`
	MinDelay *float64 `json:"min_delay,omitempty" jsonschema:"minimum=0,maximum=30"`
	MaxDelay *float64 `json:"max_delay,omitempty" jsonschema:"minimum=0,maximum=60"`
}

// WorkflowAction runs a stored workflow.
type WorkflowAction struct {
	Type            string `json:"type" jsonschema:"required,enum=workflow"`
	WorkflowID      string `json:"workflow_id" jsonschema:"required,format=uuid"`
	WorkflowVersion *int   `json:"workflow_version,omitempty" jsonschema:"minimum=1"`
	WaitForResult   *bool  `json:"wait_for_result,omitempty"`
}

// KnowledgeBaseAction searches knowledge bases.
type KnowledgeBaseAction struct {
	Type             string   `json:"type" jsonschema:"required,enum=knowledge_base"`
	KnowledgeBaseIDs []string `json:"knowledge_base_ids" jsonschema:"required,minItems=1,format=uuid"`
	Query            *string  `json:"query,omitempty" jsonschema:"maxLength=2000"`
}

// HTTPAction calls a web endpoint.
type HTTPAction struct {
	Type      string            `json:"type" jsonschema:"required,enum=http"`
	Method    string            `json:"method" jsonschema:"required,enum=GET,enum=POST,enum=PUT,enum=PATCH,enum=DELETE"`
	URL       string            `json:"url" jsonschema:"required,minLength=1,maxLength=2000"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      *string           `json:"body,omitempty" jsonschema:"maxLength=100000"`
	TimeoutMS *int              `json:"timeout_ms,omitempty" jsonschema:"minimum=1,maximum=60000"`
}

// ActionVariants maps each action type to a zero value of its struct, in
// the order the schema lists them.
var ActionVariants = []struct {
	Type  string
	Value any
}{
	{"play_message", PlayMessageAction{}},
	{"play_audio", PlayAudioAction{}},
	{"stop_audio", StopAudioAction{}},
	{"cold_transfer", ColdTransferAction{}},
	{"warm_transfer", WarmTransferAction{}},
	{"conference", ConferenceAction{}},
	{"dtmf", DTMFAction{}},
	{"wait", WaitAction{}},
	{"hangup", HangupAction{}},
	{"leave_room", LeaveRoomAction{}},
	{"update_endpointing", UpdateEndpointingAction{}},
	{"workflow", WorkflowAction{}},
	{"knowledge_base", KnowledgeBaseAction{}},
	{"http", HTTPAction{}},
}

// Channels are the keys channel_overrides accepts.
var Channels = []Channel{"telephone", "webrtc", "sms", "email", "text"}
