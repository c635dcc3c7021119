package agentplane

import (
	"context"
	"encoding/json"
	"strings"
)

// AuditEntry is one change in an organization's audit log (SPEC §17):
// appended in the transaction that made the change, never changed after.
type AuditEntry struct {
	ID             string          `json:"id"`
	OrganizationID string          `json:"organization_id"`
	OccurredAt     Time            `json:"occurred_at"`
	Actor          Actor           `json:"actor"`
	CredentialID   *string         `json:"credential_id"`
	Action         string          `json:"action"`
	ResourceType   string          `json:"resource_type"`
	ResourceID     string          `json:"resource_id"`
	AgentID        *string         `json:"agent_id"`
	RequestID      *string         `json:"request_id"`
	IP             *string         `json:"ip"`
	Via            string          `json:"via"`
	Changes        json.RawMessage `json:"changes"`
}

// The audit actions of SPEC §17. The resource type is the part before the
// dot.
const (
	ActionAgentCreated         = "agent.created"
	ActionAgentUpdated         = "agent.updated"
	ActionAgentDeleted         = "agent.deleted"
	ActionAgentRolledBack      = "agent.rolled_back"
	ActionVersionCreated       = "version.created"
	ActionVersionUpdated       = "version.updated"
	ActionVersionPublished     = "version.published"
	ActionRolloutStarted       = "rollout.started"
	ActionRolloutPromoted      = "rollout.promoted"
	ActionRolloutAborted       = "rollout.aborted"
	ActionPhoneNumberCreated   = "phone_number.created"
	ActionPhoneNumberUpdated   = "phone_number.updated"
	ActionPhoneNumberDeleted   = "phone_number.deleted"
	ActionSIPDeployed          = "sip.deployed"
	ActionSIPUndeployed        = "sip.undeployed"
	ActionWebWidgetCreated     = "web_widget.created"
	ActionWebWidgetUpdated     = "web_widget.updated"
	ActionWebWidgetDeleted     = "web_widget.deleted"
	ActionCredentialCreated    = "credential.created"
	ActionCredentialRevoked    = "credential.revoked"
	ActionMemberAdded          = "member.added"
	ActionMemberUpdated        = "member.updated"
	ActionMemberRemoved        = "member.removed"
	ActionWebhookCreated       = "webhook.created"
	ActionWebhookUpdated       = "webhook.updated"
	ActionWebhookDeleted       = "webhook.deleted"
	ActionWebhookSecretRotated = "webhook.secret_rotated"
	ActionConversationCreated  = "conversation.created"
	ActionConversationUpdated  = "conversation.updated"
	ActionOrganizationCreated  = "organization.created"
	ActionConsoleLogin         = "console.login"
	ActionConsoleLogout        = "console.logout"
	ActionWorkflowStarted      = "workflow.started"
	EventWorkflowSucceeded     = "workflow.succeeded"
	EventWorkflowFailed        = "workflow.failed"
	EventConversationStarted   = "conversation.started"
	EventConversationCompleted = "conversation.completed"
	EventPhoneNumberPinned     = "phone_number.pinned"
	EventWebhookTest           = "webhook.test"
)

const (
	maxAuditFilterLen            = 256
	auditActionWildcardSeparator = ".*"
)

// AuditActions lists every audit action, in SPEC §17's order.
var AuditActions = []string{
	ActionAgentCreated, ActionAgentUpdated, ActionAgentDeleted,
	ActionVersionCreated, ActionVersionUpdated, ActionVersionPublished,
	ActionAgentRolledBack, ActionRolloutStarted, ActionRolloutPromoted, ActionRolloutAborted,
	ActionPhoneNumberCreated, ActionPhoneNumberUpdated, ActionPhoneNumberDeleted,
	ActionSIPDeployed, ActionSIPUndeployed,
	ActionWebWidgetCreated, ActionWebWidgetUpdated, ActionWebWidgetDeleted,
	ActionCredentialCreated, ActionCredentialRevoked,
	ActionMemberAdded, ActionMemberUpdated, ActionMemberRemoved,
	ActionWebhookCreated, ActionWebhookUpdated, ActionWebhookDeleted, ActionWebhookSecretRotated,
	ActionConversationCreated, ActionConversationUpdated,
	ActionOrganizationCreated, ActionConsoleLogin, ActionConsoleLogout,
	ActionWorkflowStarted,
}

// EventTypes lists every webhook event type (SPEC §18): the audit actions
// except console.*, and the events that are not changes.
var EventTypes = func() []string {
	var out []string
	for _, a := range AuditActions {
		if !strings.HasPrefix(a, "console.") {
			out = append(out, a)
		}
	}
	return append(out, EventWorkflowSucceeded, EventWorkflowFailed,
		EventConversationStarted, EventConversationCompleted, EventPhoneNumberPinned)
}()

// ResourceTypeOf is the resource part of an action ("agent" for
// "agent.rolled_back").
func ResourceTypeOf(action string) string {
	r, _, _ := strings.Cut(action, ".")
	return r
}

// AuditFilter narrows GET /admin/audit-log. Action is an exact action or
// "<resource>.*".
type AuditFilter struct {
	Action       string
	ResourceType string
	ResourceID   string
	AgentID      string
	ActorID      string
}

// Validate checks the filter's lengths and the action's form.
func (f AuditFilter) Validate() error {
	var v Violations
	for name, val := range map[string]string{"action": f.Action, "resource_type": f.ResourceType,
		"resource_id": f.ResourceID, "agent_id": f.AgentID, "actor_id": f.ActorID} {
		if len(val) > maxAuditFilterLen {
			v.Add(name+" must be at most 256 characters", "string_too_long", "query", name)
		}
	}
	if f.AgentID != "" && !ValidID(f.AgentID) {
		v.Add("agent_id must be a UUID", "uuid", "query", "agent_id")
	}
	return v.Err()
}

// ActionPrefix returns the prefix a wildcard action filter ("agent.*")
// matches, and whether the filter is one.
func (f AuditFilter) ActionPrefix() (string, bool) {
	p, ok := strings.CutSuffix(f.Action, auditActionWildcardSeparator)
	if !ok {
		return "", false
	}
	return p + ".", true
}

// Origin is where a change came from, for its audit entry: the request
// that made it (id and client address) and the door it came through.
type Origin struct {
	RequestID string
	IP        string
	// Via is "api" (the HTTP API, the console included), "mcp" (a tool
	// call at /mcp), "cli" (an agentplane admin command) or "system" (a
	// background job).
	Via string
}

type originKey struct{}

// WithOrigin returns ctx carrying o; the service reads it when it records
// a change.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginOf returns the origin ctx carries, "system" when none.
func OriginOf(ctx context.Context) Origin {
	if o, ok := ctx.Value(originKey{}).(Origin); ok {
		return o
	}
	return Origin{Via: "system"}
}
