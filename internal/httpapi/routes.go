package httpapi

import ap "github.com/agentplane/agentplane"

// table is the route → scope table of SPEC §2, in one place. The matrix
// test walks it, and the OpenAPI test checks that openapi.yaml lists every
// row.
func (s *Server) table() []route {
	return []route{
		{"GET /healthz", public, nil, s.healthz},
		{"GET /readyz", public, nil, s.readyz},
		{"GET /openapi.json", public, nil, s.openapi},
		{"GET /metrics", public, nil, s.serveMetrics},
		{"GET /docs", public, nil, s.docs},
		{"GET /docs/init.js", public, nil, s.docsScript},
		{"GET /docs/scalar-api-reference.js", public, nil, s.docsBundleScript},

		// Agents (SPEC §4).
		{"GET /core/agents", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.listAgents},
		{"POST /core/agents", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.createAgent},
		{"GET /core/agents/{id}", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.getAgent},
		{"PUT /core/agents/{id}", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.updateAgent},
		{"DELETE /core/agents/{id}", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.deleteAgent},

		// Versions, the config contract, diff and publish (SPEC §5–§8).
		{"GET /core/agent-config-schema", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.configSchema},
		{"POST /core/agent-config-schema/validate", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.validateConfig},
		{"GET /core/agents/{id}/versions", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.listVersions},
		{"POST /core/agents/{id}/versions", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.createVersion},
		{"GET /core/agents/{id}/versions/diff", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.diffVersions},
		{"POST /core/agents/{id}/versions/compare", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.compareVersions},
		{"GET /core/agents/{id}/versions/{version}", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.getVersion},
		{"PUT /core/agents/{id}/versions/{version}", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.updateVersion},
		{"POST /core/agents/{id}/versions/{version}/publish", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.publishVersion},

		// Workflows (SPEC §13).
		{"POST /core/agents/{id}/versions/{version}/generate-instructions", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.generateInstructions},
		{"POST /core/agents/create-from-website", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.createFromWebsite},
		{"POST /core/agents/create-demo", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.createDemo},
		{"GET /core/workflows", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.listWorkflows},
		{"GET /core/workflows/{workflow_id}", inOrg, []ap.Scope{ap.ScopeAgentsRead}, s.getWorkflow},

		// Phone numbers, SIP, web widgets and conversations (SPEC §9–§12).
		{"GET /core/phone-numbers", inOrg, []ap.Scope{ap.ScopePhoneNumbersRead}, s.listPhoneNumbers},
		{"POST /core/phone-numbers", inOrg, []ap.Scope{ap.ScopePhoneNumbersManage}, s.createPhoneNumber},
		{"GET /core/phone-numbers/{phone_number}", inOrg, []ap.Scope{ap.ScopePhoneNumbersRead}, s.getPhoneNumber},
		{"PATCH /core/phone-numbers/{phone_number}", inOrg, []ap.Scope{ap.ScopePhoneNumbersManage}, s.updatePhoneNumber},
		{"DELETE /core/phone-numbers/{phone_number}", inOrg, []ap.Scope{ap.ScopePhoneNumbersManage}, s.deletePhoneNumber},
		{"POST /core/agents/{id}/deploy-as-sip", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.deploySIP},
		{"DELETE /core/agents/{id}/deploy-as-sip", inOrg, []ap.Scope{ap.ScopeAgentsManage}, s.undeploySIP},
		{"GET /core/web-widgets", inOrg, []ap.Scope{ap.ScopeWebWidgetsRead}, s.listWidgets},
		{"POST /core/web-widgets", inOrg, []ap.Scope{ap.ScopeWebWidgetsManage}, s.createWidget},
		{"GET /core/web-widgets/{id}", inOrg, []ap.Scope{ap.ScopeWebWidgetsRead}, s.getWidget},
		{"PUT /core/web-widgets/{id}", inOrg, []ap.Scope{ap.ScopeWebWidgetsManage}, s.updateWidget},
		{"DELETE /core/web-widgets/{id}", inOrg, []ap.Scope{ap.ScopeWebWidgetsManage}, s.deleteWidget},
		{"GET /core/public/web-widgets/{id}", public, nil, s.publicWidget},
		{"OPTIONS /core/public/web-widgets/{id}", public, nil, s.preflightPublicWidget},
		{"GET /core/conversations", inOrg, []ap.Scope{ap.ScopeConversationsRead, ap.ScopeConversationsReadSensitive}, s.listConversations},
		{"POST /core/conversations", inOrg, []ap.Scope{ap.ScopeConversationsManage}, s.createConversation},
		{"GET /core/conversations/{id}", inOrg, []ap.Scope{ap.ScopeConversationsRead, ap.ScopeConversationsReadSensitive}, s.getConversation},
		{"PATCH /core/conversations/{id}", inOrg, []ap.Scope{ap.ScopeConversationsManage}, s.updateConversation},

		// Organizations, members and credentials (SPEC §3).
		{"POST /admin/organizations", userOnly, nil, s.createOrganization},
		{"GET /admin/organizations", userOnly, nil, s.listOrganizations},
		{"GET /admin/members/me/scopes", inOrg, nil, s.myScopes},
		{"GET /admin/members", inOrg, []ap.Scope{ap.ScopeMembersRead}, s.listMembers},
		{"POST /admin/members", inOrg, []ap.Scope{ap.ScopeMembersManage}, s.addMember},
		{"PUT /admin/members/{user_id}", inOrg, []ap.Scope{ap.ScopeMembersManage}, s.updateMember},
		{"DELETE /admin/members/{user_id}", inOrg, []ap.Scope{ap.ScopeMembersManage}, s.removeMember},
		{"POST /admin/organization-pats", inOrg, []ap.Scope{ap.ScopeOrganizationsManage}, s.createOrgKey},
		{"GET /admin/organization-pats", inOrg, []ap.Scope{ap.ScopeOrganizationsManage}, s.listOrgKeys},
		{"DELETE /admin/organization-pats/{key_id}", inOrg, []ap.Scope{ap.ScopeOrganizationsManage}, s.revokeOrgKey},
		{"POST /admin/user-pats", userOnly, nil, s.createUserPAT},
		{"GET /admin/user-pats", userOnly, nil, s.listUserPATs},
		{"DELETE /admin/user-pats/{key_id}", userOnly, nil, s.revokeUserPAT},
	}
}
