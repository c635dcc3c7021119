package client

import (
	"context"
	"net/http"

	"github.com/agentplane/agentplane"
)

// CreateOrganization creates an organization whose admin is the calling
// user. It needs a personal access token and no organization (WithOrg("")).
func (c *Client) CreateOrganization(ctx context.Context, in agentplane.OrganizationInput) (*agentplane.Organization, error) {
	var o agentplane.Organization
	if err := c.do(ctx, http.MethodPost, "/admin/organizations", nil, in, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// ListOrganizations returns one page of the organizations the calling
// user belongs to (personal access tokens only).
func (c *Client) ListOrganizations(ctx context.Context, p ListParams) (*Page[agentplane.Organization], error) {
	return list[agentplane.Organization](ctx, c, "/admin/organizations", p.values())
}

// MyScopes returns the caller's effective scopes in the organization.
func (c *Client) MyScopes(ctx context.Context) (agentplane.Scopes, error) {
	var s agentplane.Scopes
	if err := c.do(ctx, http.MethodGet, "/admin/members/me/scopes", nil, nil, &s); err != nil {
		return nil, err
	}
	return s, nil
}

// ListMembers returns one page of the organization's members.
func (c *Client) ListMembers(ctx context.Context, p ListParams) (*Page[agentplane.Member], error) {
	return list[agentplane.Member](ctx, c, "/admin/members", p.values())
}

// AddMember adds a user, created if the email is new, with a role.
func (c *Client) AddMember(ctx context.Context, in agentplane.MemberInput) (*agentplane.Member, error) {
	var m agentplane.Member
	if err := c.do(ctx, http.MethodPost, "/admin/members", nil, in, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// UpdateMember changes a member's role. Demoting the last admin is a 409.
func (c *Client) UpdateMember(ctx context.Context, userID string, role agentplane.Role) (*agentplane.Member, error) {
	var m agentplane.Member
	if err := c.do(ctx, http.MethodPut, "/admin/members/"+escape(userID), nil, agentplane.MemberUpdate{Role: role}, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// RemoveMember removes a user from the organization. Removing the last
// admin is a 409.
func (c *Client) RemoveMember(ctx context.Context, userID string) error {
	return c.do(ctx, http.MethodDelete, "/admin/members/"+escape(userID), nil, nil, nil)
}

// Credential is an organization API key or a personal access token as
// listed: never its secret.
type Credential struct {
	KeyID      string            `json:"key_id"`
	Name       string            `json:"name"`
	Scopes     agentplane.Scopes `json:"scopes"`     // the effective list
	ExpiresAt  *int64            `json:"expires_at"` // epoch milliseconds; nil for never
	CreatedAt  agentplane.Time   `json:"created_at"`
	LastUsedAt *agentplane.Time  `json:"last_used_at"`
}

// CreatedCredential is a credential just created. PATKey is the full
// token, shown this once (for organization keys too, as in the source API).
type CreatedCredential struct {
	PATKey    string            `json:"pat_key"`
	KeyID     string            `json:"key_id"`
	Name      string            `json:"name"`
	Scopes    agentplane.Scopes `json:"scopes"`
	ExpiresAt *int64            `json:"expires_at"`
	CreatedAt agentplane.Time   `json:"created_at"`
}

// credentialBody is the JSON of a CredentialInput; scopes are left out
// when nil (the default: every scope of the creator).
func credentialBody(in agentplane.CredentialInput) map[string]any {
	b := map[string]any{"name": in.Name, "expires_at": in.ExpiresAt}
	if in.Scopes != nil {
		b["scopes"] = *in.Scopes
	}
	return b
}

func (c *Client) createCredential(ctx context.Context, path string, in agentplane.CredentialInput) (*CreatedCredential, error) {
	var cc CreatedCredential
	if err := c.do(ctx, http.MethodPost, path, nil, credentialBody(in), &cc); err != nil {
		return nil, err
	}
	return &cc, nil
}

// CreateOrgKey creates an organization API key with at most the caller's
// scopes.
func (c *Client) CreateOrgKey(ctx context.Context, in agentplane.CredentialInput) (*CreatedCredential, error) {
	return c.createCredential(ctx, "/admin/organization-pats", in)
}

// ListOrgKeys returns one page of the organization's live API keys.
func (c *Client) ListOrgKeys(ctx context.Context, p ListParams) (*Page[Credential], error) {
	return list[Credential](ctx, c, "/admin/organization-pats", p.values())
}

// RevokeOrgKey revokes an organization API key; it fails with 401 from
// then on.
func (c *Client) RevokeOrgKey(ctx context.Context, keyID string) error {
	return c.do(ctx, http.MethodDelete, "/admin/organization-pats/"+escape(keyID), nil, nil, nil)
}

// CreateUserPAT creates a personal access token for the calling user
// (personal access tokens only).
func (c *Client) CreateUserPAT(ctx context.Context, in agentplane.CredentialInput) (*CreatedCredential, error) {
	return c.createCredential(ctx, "/admin/user-pats", in)
}

// ListUserPATs returns one page of the calling user's live tokens.
func (c *Client) ListUserPATs(ctx context.Context, p ListParams) (*Page[Credential], error) {
	return list[Credential](ctx, c, "/admin/user-pats", p.values())
}

// RevokeUserPAT revokes one of the calling user's tokens.
func (c *Client) RevokeUserPAT(ctx context.Context, keyID string) error {
	return c.do(ctx, http.MethodDelete, "/admin/user-pats/"+escape(keyID), nil, nil, nil)
}
