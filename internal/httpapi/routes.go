package httpapi

import ap "github.com/agentplane/agentplane"

// table is the route → scope table of SPEC §2, in one place. The matrix
// test walks it, and the OpenAPI test checks that openapi.yaml lists every
// row.
func (s *Server) table() []route {
	return []route{
		{"GET /healthz", public, nil, s.healthz, buffered},
		{"GET /readyz", public, nil, s.readyz, buffered},
		{"GET /openapi.json", public, nil, s.openapi, buffered},
		{"GET /metrics", public, nil, s.serveMetrics, buffered},
		{"GET /docs", public, nil, s.docs, buffered},
		{"GET /docs/init.js", public, nil, s.docsScript, buffered},
		{"GET /docs/scalar-api-reference.js", public, nil, s.docsBundleScript, buffered},

		// Agents (SPEC §4).
		{"GET /core/agents", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.listAgents, buffered},
		{"POST /core/agents", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.createAgent, buffered},
		{"GET /core/agents/{id}", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.getAgent, buffered},
		{"PUT /core/agents/{id}", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.updateAgent, buffered},
		{"DELETE /core/agents/{id}", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.deleteAgent, buffered},

		// Versions, the config contract, diff and publish (SPEC §5–§8).
		{"GET /core/agent-config-schema", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.configSchema, buffered},
		{"POST /core/agent-config-schema/validate", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.validateConfig, buffered},
		{"GET /core/agents/{id}/versions", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.listVersions, buffered},
		{"POST /core/agents/{id}/versions", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.createVersion, buffered},
		{"GET /core/agents/{id}/versions/diff", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.diffVersions, buffered},
		{"POST /core/agents/{id}/versions/compare", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.compareVersions, streamed},
		{"GET /core/agents/{id}/versions/{version}", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.getVersion, buffered},
		{"PUT /core/agents/{id}/versions/{version}", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.updateVersion, buffered},
		{"PATCH /core/agents/{id}/versions/{version}", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.patchVersion, buffered},
		{"POST /core/agents/{id}/versions/{version}/publish", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.publishVersion, buffered},

		// Live version, rollback and canary rollout (SPEC §15).
		{"POST /core/agents/{id}/rollback", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.rollback, buffered},
		{"GET /core/agents/{id}/deployments", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.listDeployments, buffered},
		{"PUT /core/agents/{id}/rollout", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.startRollout, buffered},
		{"GET /core/agents/{id}/rollout", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.getRollout, buffered},
		{"DELETE /core/agents/{id}/rollout", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.endRollout, buffered},
		{"POST /core/agents/{id}/rollout/promote", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.promoteRollout, buffered},

		// Workflows (SPEC §13).
		{"POST /core/agents/{id}/versions/{version}/generate-instructions", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.generateInstructions, buffered},
		{"POST /core/agents/create-from-website", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.createFromWebsite, buffered},
		{"POST /core/agents/create-demo", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.createDemo, buffered},
		{"GET /core/workflows", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.listWorkflows, buffered},
		{"GET /core/workflows/{workflow_id}", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.getWorkflow, buffered},

		// Phone numbers, SIP, web widgets and conversations (SPEC §9–§12).
		{"GET /core/phone-numbers", inOrg, []ap.Scope{ap.ScopePhoneNumbersRead}, s.listPhoneNumbers, buffered},
		{"POST /core/phone-numbers", inOrg, []ap.Scope{ap.ScopePhoneNumbersManage}, s.createPhoneNumber, buffered},
		{"GET /core/phone-numbers/{phone_number}", inOrg, []ap.Scope{ap.ScopePhoneNumbersRead}, s.getPhoneNumber, buffered},
		{"PATCH /core/phone-numbers/{phone_number}", inOrg, []ap.Scope{ap.ScopePhoneNumbersManage}, s.updatePhoneNumber, buffered},
		{"DELETE /core/phone-numbers/{phone_number}", inOrg, []ap.Scope{ap.ScopePhoneNumbersManage}, s.deletePhoneNumber, buffered},
		{"POST /core/agents/{id}/deploy-as-sip", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.deploySIP, buffered},
		{"DELETE /core/agents/{id}/deploy-as-sip", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.undeploySIP, buffered},
		{"GET /core/web-widgets", inOrg, []ap.Scope{ap.ScopeWebWidgetsRead}, s.listWidgets, buffered},
		{"POST /core/web-widgets", inOrg, []ap.Scope{ap.ScopeWebWidgetsManage}, s.createWidget, buffered},
		{"GET /core/web-widgets/{id}", inOrg, []ap.Scope{ap.ScopeWebWidgetsRead}, s.getWidget, buffered},
		{"PUT /core/web-widgets/{id}", inOrg, []ap.Scope{ap.ScopeWebWidgetsManage}, s.updateWidget, buffered},
		{"DELETE /core/web-widgets/{id}", inOrg, []ap.Scope{ap.ScopeWebWidgetsManage}, s.deleteWidget, buffered},
		{"GET /core/public/web-widgets/{id}", public, nil, s.publicWidget, buffered},
		{"OPTIONS /core/public/web-widgets/{id}", public, nil, s.preflightPublicWidget, buffered},
		{"GET /core/conversations", inOrg, []ap.Scope{ap.ScopeConversationsRead, ap.ScopeConversationsReadSensitive}, s.listConversations, buffered},
		{"POST /core/conversations", inOrg, []ap.Scope{ap.ScopeConversationsManage}, s.createConversation, buffered},
		{"GET /core/conversations/{id}", inOrg, []ap.Scope{ap.ScopeConversationsRead, ap.ScopeConversationsReadSensitive}, s.getConversation, buffered},
		{"PATCH /core/conversations/{id}", inOrg, []ap.Scope{ap.ScopeConversationsManage}, s.updateConversation, buffered},

		// The console's session (SPEC §19): public in this table because
		// the handlers read the session cookie themselves.
		{"POST /console/api/session", public, nil, s.signIn, buffered},
		{"GET /console/api/session", public, nil, s.getSession, buffered},
		{"PUT /console/api/session", public, nil, s.switchSession, buffered},
		{"DELETE /console/api/session", public, nil, s.signOut, buffered},
		{"GET /console/api/invitations/{token}", public, nil, s.getInvitation, buffered},
		{"POST /console/api/invitations/{token}", public, nil, s.acceptInvitation, buffered},

		// Organizations, members and credentials (SPEC §3).
		{"POST /admin/organizations", userOnly, nil, s.createOrganization, buffered},
		{"GET /admin/organizations", userOnly, nil, s.listOrganizations, buffered},
		{"GET /admin/members/me/scopes", inOrg, nil, s.myScopes, buffered},
		{"GET /admin/members", inOrg, []ap.Scope{ap.ScopeMembersRead}, s.listMembers, buffered},
		{"POST /admin/members", inOrg, []ap.Scope{ap.ScopeMembersManage}, s.addMember, buffered},
		{"PUT /admin/members/{user_id}", inOrg, []ap.Scope{ap.ScopeMembersManage}, s.updateMember, buffered},
		{"DELETE /admin/members/{user_id}", inOrg, []ap.Scope{ap.ScopeMembersManage}, s.removeMember, buffered},
		{"POST /admin/organization-pats", inOrg, []ap.Scope{ap.ScopeOrganizationsManage}, s.createOrgKey, buffered},
		{"GET /admin/organization-pats", inOrg, []ap.Scope{ap.ScopeOrganizationsManage}, s.listOrgKeys, buffered},
		{"DELETE /admin/organization-pats/{key_id}", inOrg, []ap.Scope{ap.ScopeOrganizationsManage}, s.revokeOrgKey, buffered},

		// The audit log and webhooks (SPEC §17–§18).
		{"GET /admin/audit-log", inOrg, []ap.Scope{ap.ScopeAuditLogRead}, s.listAuditLog, buffered},
		{"GET /admin/webhooks", inOrg, []ap.Scope{ap.ScopeWebhooksRead}, s.listWebhooks, buffered},
		{"POST /admin/webhooks", inOrg, []ap.Scope{ap.ScopeWebhooksManage}, s.createWebhook, buffered},
		{"GET /admin/webhooks/{id}", inOrg, []ap.Scope{ap.ScopeWebhooksRead}, s.getWebhook, buffered},
		{"PATCH /admin/webhooks/{id}", inOrg, []ap.Scope{ap.ScopeWebhooksManage}, s.updateWebhook, buffered},
		{"DELETE /admin/webhooks/{id}", inOrg, []ap.Scope{ap.ScopeWebhooksManage}, s.deleteWebhook, buffered},
		{"POST /admin/webhooks/{id}/rotate-secret", inOrg, []ap.Scope{ap.ScopeWebhooksManage}, s.rotateWebhookSecret, buffered},
		{"POST /admin/webhooks/{id}/test", inOrg, []ap.Scope{ap.ScopeWebhooksManage}, s.testWebhook, buffered},
		{"GET /admin/webhooks/{id}/deliveries", inOrg, []ap.Scope{ap.ScopeWebhooksRead}, s.listDeliveries, buffered},
		{"POST /admin/webhooks/{id}/deliveries/{delivery_id}/redeliver", inOrg, []ap.Scope{ap.ScopeWebhooksManage}, s.redeliver, buffered},

		{"POST /admin/user-pats", userOnly, nil, s.createUserPAT, buffered},
		{"GET /admin/user-pats", userOnly, nil, s.listUserPATs, buffered},
		{"DELETE /admin/user-pats/{key_id}", userOnly, nil, s.revokeUserPAT, buffered},
	}
}
