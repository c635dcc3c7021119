package agentplane

import "encoding/json"

// MaxInstructions is the schema's bound on config.instructions, in
// characters (the maxLength below): model output is capped to it.
const MaxInstructions = 100000

// AgentConfig is the full behaviour of one agent version (SPEC §6). Its JSON
// Schema is generated from these types (struct tags carry defaults, enums
// and bounds), served at GET /core/agent-config-schema and enforced on every
// write, so code and contract can't drift. Every field is optional.
type AgentConfig struct {
	Instructions             *string                     `json:"instructions,omitempty" jsonschema:"maxLength=100000,description=The system prompt."`
	StartingMessage          *StartingMessage            `json:"starting_message,omitempty" jsonschema:"nullable,description=What the agent says first; null for nothing."`
	Language                 *string                     `json:"language,omitempty" jsonschema:"default=en-US,pattern=^[A-Za-z]{2\\,3}(-[A-Za-z0-9]{1\\,8})*$,description=BCP 47 language tag."`
	Voice                    *Voice                      `json:"voice,omitempty"`
	LLM                      *LLMSettings                `json:"llm,omitempty"`
	STT                      *STT                        `json:"stt,omitempty"`
	TurnDetection            *TurnDetection              `json:"turn_detection,omitempty"`
	Interruption             *Interruption               `json:"interruption,omitempty"`
	Endpointing              *Endpointing                `json:"endpointing,omitempty"`
	MaxToolSteps             *int                        `json:"max_tool_steps,omitempty" jsonschema:"minimum=1,maximum=100,default=5"`
	Tools                    []Tool                      `json:"tools,omitempty" jsonschema:"maxItems=128,description=Tools the agent may call; names are unique."`
	KnowledgeBaseIDs         []string                    `json:"knowledge_base_ids,omitempty" jsonschema:"uniqueItems=true,format=uuid"`
	ChannelOverrides         map[Channel]ChannelOverride `json:"channel_overrides,omitempty"`
	PreConversationWorkflow  *ConversationWorkflow       `json:"pre_conversation_workflow,omitempty" jsonschema:"nullable"`
	PostConversationWorkflow *ConversationWorkflow       `json:"post_conversation_workflow,omitempty" jsonschema:"nullable"`
	Recording                *Recording                  `json:"recording,omitempty"`
	NoiseCancellation        *string                     `json:"noise_cancellation,omitempty" jsonschema:"enum=off,enum=auto,enum=max,default=auto"`
}

// StartingMessage is the agent's opening line.
type StartingMessage struct {
	Text          string `json:"text" jsonschema:"required,maxLength=2000"`
	Interruptible *bool  `json:"interruptible,omitempty" jsonschema:"default=true"`
	DelayMS       *int   `json:"delay_ms,omitempty" jsonschema:"minimum=0,maximum=60000"`
}

// Voice is the text-to-speech voice.
type Voice struct {
	Provider string   `json:"provider" jsonschema:"required,minLength=1,maxLength=100"`
	VoiceID  string   `json:"voice_id" jsonschema:"required,minLength=1,maxLength=200"`
	Speed    *float64 `json:"speed,omitempty" jsonschema:"minimum=0.5,maximum=2,default=1"`
	Emotion  *string  `json:"emotion,omitempty" jsonschema:"maxLength=100"`
}

// LLMSettings is the language model that drives the conversation.
type LLMSettings struct {
	Provider        string   `json:"provider" jsonschema:"required,minLength=1,maxLength=100"`
	Model           string   `json:"model" jsonschema:"required,minLength=1,maxLength=200"`
	Temperature     *float64 `json:"temperature,omitempty" jsonschema:"minimum=0,maximum=2"`
	MaxOutputTokens *int     `json:"max_output_tokens,omitempty" jsonschema:"minimum=1,maximum=1000000"`
}

// STT is the speech-to-text engine.
type STT struct {
	Provider string   `json:"provider" jsonschema:"required,minLength=1,maxLength=100"`
	Model    *string  `json:"model,omitempty" jsonschema:"maxLength=200"`
	Keyterms []string `json:"keyterms,omitempty" jsonschema:"maxItems=500"`
}

// TurnDetection lists the models that decide when the caller has finished.
type TurnDetection struct {
	Models []TurnDetectionModel `json:"models" jsonschema:"required,minItems=1"`
}

// TurnDetectionModel is one end-of-turn model.
type TurnDetectionModel struct {
	Provider string                     `json:"provider" jsonschema:"required,enum=livekit,enum=anyreach"`
	Model    map[string]json.RawMessage `json:"model,omitempty"`
}

// Interruption says whether and when the caller may talk over the agent.
type Interruption struct {
	Enabled  *bool `json:"enabled,omitempty" jsonschema:"default=true"`
	MinWords *int  `json:"min_words,omitempty" jsonschema:"minimum=0,maximum=100"`
}

// Endpointing bounds the silence, in seconds, that ends a caller's turn.
type Endpointing struct {
	MinDelay *float64 `json:"min_delay,omitempty" jsonschema:"minimum=0,maximum=30"`
	MaxDelay *float64 `json:"max_delay,omitempty" jsonschema:"minimum=0,maximum=60"`
}

// Tool is a function the agent may call.
type Tool struct {
	Name           string                     `json:"name" jsonschema:"required,pattern=^[A-Za-z_][A-Za-z0-9_]{0\\,63}$,description=Identifier\\, unique within the config."`
	Description    *string                    `json:"description,omitempty" jsonschema:"maxLength=4000"`
	Properties     map[string]json.RawMessage `json:"properties,omitempty" jsonschema:"description=JSON Schema of each argument."`
	Required       []string                   `json:"required,omitempty"`
	Actions        []Action                   `json:"actions,omitempty" jsonschema:"maxItems=50"`
	ActionsOnError []Action                   `json:"actions_on_error,omitempty" jsonschema:"maxItems=50"`
	Output         *string                    `json:"output,omitempty" jsonschema:"maxLength=4000"`
}

// Action is one step a tool performs: a union on "type" whose variants are
// ActionVariants. It stays raw JSON in Go; the schema checks its shape.
type Action json.RawMessage

// MarshalJSON writes the action as it was received.
func (a Action) MarshalJSON() ([]byte, error) {
	if a == nil {
		return []byte("null"), nil
	}
	return a, nil
}

// UnmarshalJSON keeps the action's raw JSON.
func (a *Action) UnmarshalJSON(b []byte) error {
	*a = append((*a)[:0], b...)
	return nil
}

// Channel is a conversation channel a config can override.
type Channel string

// ChannelOverride replaces or extends parts of the config on one channel.
type ChannelOverride struct {
	Instructions     *string          `json:"instructions,omitempty" jsonschema:"maxLength=100000"`
	InstructionsMode *string          `json:"instructions_mode,omitempty" jsonschema:"enum=append,enum=replace,default=append"`
	StartingMessage  *StartingMessage `json:"starting_message,omitempty" jsonschema:"nullable"`
	MaxToolSteps     *int             `json:"max_tool_steps,omitempty" jsonschema:"minimum=1,maximum=100"`
}

// ConversationWorkflow runs before or after a conversation: either a stored
// workflow by id and version, or an inline definition.
type ConversationWorkflow struct {
	WorkflowID      *string                    `json:"workflow_id,omitempty" jsonschema:"format=uuid"`
	WorkflowVersion *int                       `json:"workflow_version,omitempty" jsonschema:"minimum=1"`
	Definition      map[string]json.RawMessage `json:"definition,omitempty"`
	RejectOnError   *bool                      `json:"reject_on_error,omitempty" jsonschema:"default=false"`
}

// Recording controls call recording.
type Recording struct {
	Enabled   *bool `json:"enabled,omitempty" jsonschema:"default=false"`
	RedactPII *bool `json:"redact_pii,omitempty" jsonschema:"default=false"`
}

// ConfigCheck is the answer of POST /core/agent-config-schema/validate for
// a valid config: the config as it would be stored, every schema default
// filled in (SPEC §16).
type ConfigCheck struct {
	Valid  bool            `json:"valid"`
	Config json.RawMessage `json:"config"`
}
