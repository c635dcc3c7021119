package agentplane

import (
	"slices"
	"strings"
)

// Scope names one permission of SPEC §2.
type Scope string

// The scopes of SPEC §2. Every ":manage" scope also grants its ":read".
const (
	ScopeAgentsRead                 Scope = "agents:read"
	ScopeAgentsManage               Scope = "agents:manage"
	ScopePhoneNumbersRead           Scope = "phone_numbers:read"
	ScopePhoneNumbersManage         Scope = "phone_numbers:manage"
	ScopeWebWidgetsRead             Scope = "web_widgets:read"
	ScopeWebWidgetsManage           Scope = "web_widgets:manage"
	ScopeConversationsRead          Scope = "conversations:read"
	ScopeConversationsReadSensitive Scope = "conversations:read_sensitive"
	ScopeConversationsManage        Scope = "conversations:manage"
	ScopeMembersRead                Scope = "members:read"
	ScopeMembersManage              Scope = "members:manage"
	ScopeOrganizationsManage        Scope = "organizations:manage"
	// The admin-only scopes of SPEC §17–§18: not the viewer's, although
	// two end in ":read".
	ScopeAuditLogRead   Scope = "audit_log:read"
	ScopeWebhooksRead   Scope = "webhooks:read"
	ScopeWebhooksManage Scope = "webhooks:manage"
)

// adminOnly are the scopes the viewer role never holds.
var adminOnly = []Scope{ScopeConversationsReadSensitive, ScopeAuditLogRead, ScopeWebhooksRead}

// AllScopes lists every scope in a stable order; it is the admin role.
var AllScopes = []Scope{
	ScopeAgentsRead, ScopeAgentsManage,
	ScopePhoneNumbersRead, ScopePhoneNumbersManage,
	ScopeWebWidgetsRead, ScopeWebWidgetsManage,
	ScopeConversationsRead, ScopeConversationsReadSensitive, ScopeConversationsManage,
	ScopeMembersRead, ScopeMembersManage,
	ScopeOrganizationsManage,
	ScopeAuditLogRead,
	ScopeWebhooksRead, ScopeWebhooksManage,
}

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return slices.Contains(AllScopes, s) }

// implies reports whether holding s grants want: a scope grants itself, and
// "x:manage" grants "x:read".
func (s Scope) implies(want Scope) bool {
	if s == want {
		return true
	}
	res, action, ok := strings.Cut(string(s), ":")
	return ok && action == "manage" && string(want) == res+":read"
}

// Role is a member's role in an organization.
type Role string

// The two roles of SPEC §2.
const (
	RoleAdmin  Role = "admin"
	RoleViewer Role = "viewer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleViewer }

// Scopes returns the scopes a role grants: admin every scope, viewer every
// ":read" scope except conversations:read_sensitive, audit_log:read and
// webhooks:read.
func (r Role) Scopes() Scopes {
	switch r {
	case RoleAdmin:
		return slices.Clone(AllScopes)
	case RoleViewer:
		var out Scopes
		for _, s := range AllScopes {
			if strings.HasSuffix(string(s), ":read") && !slices.Contains(adminOnly, s) {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// Scopes is a set of scopes as held by a caller or a credential.
type Scopes []Scope

// Allows reports whether the set grants want, directly or through a
// ":manage" scope.
func (ss Scopes) Allows(want Scope) bool {
	for _, s := range ss {
		if s.implies(want) {
			return true
		}
	}
	return false
}

// AllowsAny reports whether the set grants any of wants; an empty wants is
// always allowed.
func (ss Scopes) AllowsAny(wants ...Scope) bool {
	if len(wants) == 0 {
		return true
	}
	for _, w := range wants {
		if ss.Allows(w) {
			return true
		}
	}
	return false
}

// Covers reports whether the set grants every scope of other: a caller
// may hand out (as a role or a credential) only what it holds itself.
func (ss Scopes) Covers(other Scopes) bool {
	for _, s := range other {
		if !ss.Allows(s) {
			return false
		}
	}
	return true
}

// Intersect returns the scopes of ss that other grants, expanded so that a
// ":manage" held on one side but only ":read" on the other yields ":read".
// The result is in AllScopes order.
func (ss Scopes) Intersect(other Scopes) Scopes {
	var out Scopes
	for _, s := range AllScopes {
		if ss.Allows(s) && other.Allows(s) {
			out = append(out, s)
		}
	}
	return out
}

// Expand returns every scope the set grants, in AllScopes order.
func (ss Scopes) Expand() Scopes { return ss.Intersect(AllScopes) }

// CredentialKind tells an organization API key from a personal access token.
type CredentialKind string

// The two credential kinds of SPEC §2.
const (
	KindOrgKey CredentialKind = "org_key" // "ak_…": bound to one organization
	KindPAT    CredentialKind = "pat"     // "pat_…": a user's, valid in each of their orgs
	// KindSystem is no credential: the server acting on its own (see
	// SystemCaller).
	KindSystem CredentialKind = "system"
)

// Prefix is the token prefix of the kind.
func (k CredentialKind) Prefix() string {
	if k == KindOrgKey {
		return "ak_"
	}
	return "pat_"
}

// SystemCaller is the server acting in an organization on its own
// account: a workflow step, or the operator's admin command line. It holds
// every scope and no credential; nothing a client sends can produce one.
func SystemCaller(orgID string) *Caller {
	return &Caller{Kind: KindSystem, OrganizationID: orgID, Scopes: AllScopes}
}

// Caller is an authenticated request's identity: the credential used, the
// user behind it (PATs only), the organization it acts in (empty on routes
// that are not organization-scoped) and its effective scopes there.
type Caller struct {
	CredentialID string
	Kind         CredentialKind
	// Name names the caller as the author of changes (Actor): a PAT's
	// user's email, an org key's name.
	Name           string
	UserID         string
	OrganizationID string
	Scopes         Scopes
}
