package summary

import "strings"

// field describes how to talk about one place in a document.
type field struct {
	pattern []string // keys; "$" any key (its name fills %s), "*" a named element, "#" an array index
	label   string   // mid-sentence form; `"%s"` takes the raw key, %s its words
	elem    string   // for arrays: one element, e.g. "tool"
	plural  bool     // label takes "were"
	code    bool     // strings are identifiers: print them unquoted
	decimal bool     // whole numbers still print one decimal (1.0)
	unit    string   // appended to numbers, e.g. " seconds"
	tag     string   // for arrays of objects: the member that tells elements apart ("type" when unset)
	keys    bool     // an object whose keys are worth listing when it is added (tool arguments)
}

// root is one of the two documents a comparison covers.
type root struct {
	prefix string  // put before the first phrase of every subject
	whole  string  // the document itself, for a change at its root
	plural bool    // whole takes "were"
	fields []field // known places
}

func f(pattern, label string, opts ...func(*field)) field {
	fl := field{pattern: strings.Split(pattern, "."), label: label}
	for _, o := range opts {
		o(&fl)
	}
	return fl
}

func plural(fl *field)  { fl.plural = true }
func code(fl *field)    { fl.code = true }
func decimal(fl *field) { fl.decimal = true }
func seconds(fl *field) { fl.unit = " seconds" }
func millis(fl *field)  { fl.unit = " ms" }
func keys(fl *field)    { fl.keys = true }
func elem(e string) func(*field) {
	return func(fl *field) { fl.elem = e }
}
func tag(key string) func(*field) {
	return func(fl *field) { fl.tag = key }
}

// configRoot names the AgentConfig fields of SPEC §6.
var configRoot = root{whole: "configuration", fields: []field{
	f("instructions", "instructions", plural),
	f("starting_message", "starting message"),
	f("starting_message.text", "starting message text"),
	f("starting_message.interruptible", "interruptible starting message"),
	f("starting_message.delay_ms", "starting message delay", millis),
	f("language", "language", code),
	f("voice", "voice settings", plural),
	f("voice.provider", "voice provider", code),
	f("voice.voice_id", "voice", code),
	f("voice.speed", "voice speed", decimal),
	f("voice.emotion", "voice emotion", code),
	f("llm", "LLM settings", plural),
	f("llm.provider", "LLM provider", code),
	f("llm.model", "LLM model", code),
	f("llm.temperature", "LLM temperature", decimal),
	f("llm.max_output_tokens", "LLM max output tokens", plural),
	f("stt", "speech recognition settings", plural),
	f("stt.provider", "speech recognition provider", code),
	f("stt.model", "speech recognition model", code),
	f("stt.keyterms", "speech recognition keyterms", plural, elem("speech recognition keyterm")),
	f("turn_detection", "turn detection"),
	f("turn_detection.models", "turn detection models", plural, elem("turn detection model"), tag("provider")),
	f("turn_detection.models.#.provider", "provider", code),
	f("turn_detection.models.#.model", "model settings", plural),
	f("interruption", "interruption settings", plural),
	f("interruption.enabled", "interruptions", plural),
	f("interruption.min_words", "minimum words to interrupt", plural),
	f("endpointing", "end-of-turn settings", plural),
	f("endpointing.min_delay", "minimum end-of-turn delay", decimal, seconds),
	f("endpointing.max_delay", "maximum end-of-turn delay", decimal, seconds),
	f("max_tool_steps", "max tool steps", plural),
	f("tools", "tools", plural, elem("tool")),
	f("tools.*.description", "description"),
	f("tools.*.properties", "arguments", plural, keys),
	f("tools.*.properties.$", `argument "%s"`),
	f("tools.*.required", "required arguments", plural, elem("required argument")),
	f("tools.*.actions", "actions", plural, elem("action")),
	f("tools.*.actions.#.type", "type", code),
	f("tools.*.actions_on_error", "actions on error", plural, elem("error action")),
	f("tools.*.actions_on_error.#.type", "type", code),
	f("tools.*.output", "output"),
	f("knowledge_base_ids", "knowledge bases", plural, code, elem("knowledge base")),
	f("channel_overrides", "channel overrides", plural),
	f("channel_overrides.$", "%s channel override"),
	f("channel_overrides.$.instructions", "instructions for the %s channel", plural),
	f("channel_overrides.$.instructions_mode", "instructions mode for the %s channel", code),
	f("channel_overrides.$.starting_message", "starting message for the %s channel"),
	f("channel_overrides.$.starting_message.text", "starting message text for the %s channel"),
	f("channel_overrides.$.starting_message.interruptible", "interruptible starting message for the %s channel"),
	f("channel_overrides.$.starting_message.delay_ms", "starting message delay for the %s channel", millis),
	f("channel_overrides.$.max_tool_steps", "max tool steps for the %s channel", plural),
	f("pre_conversation_workflow", "pre-conversation workflow"),
	f("pre_conversation_workflow.workflow_id", "pre-conversation workflow", code),
	f("pre_conversation_workflow.workflow_version", "pre-conversation workflow version"),
	f("pre_conversation_workflow.definition", "pre-conversation workflow definition"),
	f("pre_conversation_workflow.reject_on_error", "rejecting calls when the pre-conversation workflow fails"),
	f("post_conversation_workflow", "post-conversation workflow"),
	f("post_conversation_workflow.workflow_id", "post-conversation workflow", code),
	f("post_conversation_workflow.workflow_version", "post-conversation workflow version"),
	f("post_conversation_workflow.definition", "post-conversation workflow definition"),
	f("post_conversation_workflow.reject_on_error", "rejecting calls when the post-conversation workflow fails"),
	f("recording", "recording settings", plural),
	f("recording.enabled", "recording"),
	f("recording.redact_pii", "PII redaction in recordings"),
	f("noise_cancellation", "noise cancellation", code),
}}

// inputsRoot names the instruction_builder_inputs fields of SPEC §6.
var inputsRoot = root{prefix: "builder input ", whole: "builder inputs", plural: true, fields: []field{
	f("company_name", "company name"),
	f("industry", "industry"),
	f("purpose", "purpose"),
	f("personality", "personality"),
	f("language", "language", code),
	f("opening_line", "opening line"),
	f("conversation_flow", "conversation flow"),
	f("closing", "closing"),
	f("guardrails", "guardrails", plural, elem("guardrail")),
	f("faqs", "FAQs", plural, elem("FAQ"), tag("question")),
	f("faqs.#.question", "question"),
	f("faqs.#.answer", "answer"),
	f("knowledge", "knowledge"),
	f("escalation", "escalation"),
	f("advanced_instructions", "advanced instructions", plural),
}}
