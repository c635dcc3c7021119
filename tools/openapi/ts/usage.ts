// Compiled (never run) by `make openapi-lint` against what openapi-typescript
// generates from /openapi.json: request bodies a real client would send must
// type-check under `strict`, and answers must be usable without casts.
import type { components, operations, paths } from "./api";

type Schemas = components["schemas"];

// POST /core/agents with free-form metadata.
const agent: Schemas["AgentInput"] = {
  name: "Support line",
  description: "Answers the phone for the help desk",
  metadata: { team: "support", tier: 2, tags: ["eu", "24/7"], nested: { on: true } },
};

// A config typed by the AgentConfig schema itself: only what is set is sent.
const config: Schemas["AgentConfig"] = {
  instructions: "You are the help desk of Example Co.",
  starting_message: { text: "Hello, how can I help?", interruptible: true },
  voice: { provider: "cartesia", voice_id: "voice-1" },
  tools: [
    {
      name: "transfer_to_human",
      description: "Hand the caller to a person",
      actions: [
        { type: "play_message", text: "Transferring you now." },
        { type: "cold_transfer", transfer_number: "+14155550100" },
      ],
    },
  ],
  channel_overrides: { webrtc: { starting_message: null } },
};

// POST /core/agents/{id}/versions, both shapes.
const fromConfig: operations["create_version"]["requestBody"]["content"]["application/json"] = {
  config,
  instruction_builder_inputs: { company_name: "Example Co", guardrails: ["Never promise refunds"] },
};
const fromBase: Schemas["VersionCreate"] = { base_version: 1 };

// PUT on a draft, and publishing it to a number.
const update: Schemas["VersionUpdate"] = { config: { ...config, language: "en-GB" } };
const publish: Schemas["PublishInput"] = { phone_numbers: ["+14155550100"], direction: "both" };

// A conversation's free-form context and metadata.
const start: Schemas["ConversationInput"] = {
  channel: "telephone",
  direction: "inbound",
  user_id: "+14155550199",
  version: "latest",
  initial_context: { caller_name: "Ada" },
  custom_metadata: { crm_id: 42 },
};

// Reading answers: an agent's metadata, a version's config, an error's loc.
function describe(a: Schemas["Agent"], v: Schemas["Version"], e: Schemas["Error"]): string {
  const tier = a.metadata["tier"];
  const firstAction = v.config.tools?.[0]?.actions?.[0];
  const kind = firstAction?.type === "play_message" ? firstAction.text : firstAction?.type;
  const where = (e.errors ?? []).map((f) => f.loc.join(".")).join(", ");
  return `${a.name} ${String(tier)} ${kind ?? ""} ${v.config.language ?? "default language"} ${where}`;
}

type ListAgents = paths["/core/agents"]["get"]["responses"]["200"]["content"]["application/json"];
const page: ListAgents = { data: [], pagination: { limit: 50, next_cursor: null } };

export { agent, fromConfig, fromBase, update, publish, start, describe, page };
