package client

import (
	"context"
	"iter"
)

// CreateOrganization creates an organization whose admin is the calling
// user. It needs a personal access token and no organization (WithOrg("")).
func (c *Client) CreateOrganization(ctx context.Context, in OrganizationInput) (*Organization, error) {
	r, err := c.CreateOrganizationWithResponse(ctx, nil, in)
	return ok(r, err, func() *Organization { return r.JSON201 })
}

// ListOrganizations returns one page of the organizations the calling
// user belongs to (personal access tokens only).
func (c *Client) ListOrganizations(ctx context.Context, p *ListOrganizationsParams) (*Page[Organization], error) {
	r, err := c.ListOrganizationsWithResponse(ctx, p)
	l, err := ok(r, err, func() *OrganizationList { return r.JSON200 })
	if err != nil {
		return nil, err
	}
	return newPage(l.Data, l.Pagination), nil
}

// Organizations iterates over every organization the calling user belongs
// to.
func (c *Client) Organizations(ctx context.Context, p *ListOrganizationsParams) iter.Seq2[Organization, error] {
	return each(params(p).Cursor, func(cursor *string) (*Page[Organization], error) {
		q := params(p)
		q.Cursor = cursor
		return c.ListOrganizations(ctx, q)
	})
}

// MyScopes returns the caller's effective scopes in the organization.
func (c *Client) MyScopes(ctx context.Context) ([]Scope, error) {
	r, err := c.GetMyScopesWithResponse(ctx, nil)
	s, err := ok(r, err, func() *[]Scope { return r.JSON200 })
	if err != nil {
		return nil, err
	}
	return *s, nil
}

// ListMembers returns one page of the organization's members.
func (c *Client) ListMembers(ctx context.Context, p *ListMembersParams) (*Page[Member], error) {
	r, err := c.ListMembersWithResponse(ctx, p)
	l, err := ok(r, err, func() *MemberList { return r.JSON200 })
	if err != nil {
		return nil, err
	}
	return newPage(l.Data, l.Pagination), nil
}

// Members iterates over every member of the organization.
func (c *Client) Members(ctx context.Context, p *ListMembersParams) iter.Seq2[Member, error] {
	return each(params(p).Cursor, func(cursor *string) (*Page[Member], error) {
		q := params(p)
		q.Cursor = cursor
		return c.ListMembers(ctx, q)
	})
}

// AddMember adds a user, created if the email is new, with a role.
func (c *Client) AddMember(ctx context.Context, in MemberInput) (*Member, error) {
	r, err := c.AddMemberWithResponse(ctx, nil, in)
	return ok(r, err, func() *Member { return r.JSON201 })
}

// UpdateMember changes a member's role. Demoting the last admin is a 409.
func (c *Client) UpdateMember(ctx context.Context, userID UserID, role Role) (*Member, error) {
	r, err := c.UpdateMemberWithResponse(ctx, userID, nil, MemberUpdate{Role: role})
	return ok(r, err, func() *Member { return r.JSON200 })
}

// RemoveMember removes a user from the organization. Removing the last
// admin is a 409.
func (c *Client) RemoveMember(ctx context.Context, userID UserID) error {
	r, err := c.RemoveMemberWithResponse(ctx, userID, nil)
	return Check(r, err)
}

// CreateOrgKey creates an organization API key with at most the caller's
// scopes. Its PatKey is shown this once.
func (c *Client) CreateOrgKey(ctx context.Context, in CredentialInput) (*CreatedCredential, error) {
	r, err := c.CreateOrganizationKeyWithResponse(ctx, nil, in)
	return ok(r, err, func() *CreatedCredential { return r.JSON201 })
}

// ListOrgKeys returns one page of the organization's live API keys.
func (c *Client) ListOrgKeys(ctx context.Context, p *ListOrganizationKeysParams) (*Page[Credential], error) {
	r, err := c.ListOrganizationKeysWithResponse(ctx, p)
	l, err := ok(r, err, func() *CredentialList { return r.JSON200 })
	if err != nil {
		return nil, err
	}
	return newPage(l.Data, l.Pagination), nil
}

// OrgKeys iterates over every live API key of the organization.
func (c *Client) OrgKeys(ctx context.Context, p *ListOrganizationKeysParams) iter.Seq2[Credential, error] {
	return each(params(p).Cursor, func(cursor *string) (*Page[Credential], error) {
		q := params(p)
		q.Cursor = cursor
		return c.ListOrgKeys(ctx, q)
	})
}

// RevokeOrgKey revokes an organization API key; it fails with 401 from
// then on.
func (c *Client) RevokeOrgKey(ctx context.Context, keyID KeyID) error {
	r, err := c.RevokeOrganizationKeyWithResponse(ctx, keyID, nil)
	return Check(r, err)
}

// CreateUserPAT creates a personal access token for the calling user
// (personal access tokens only). Its PatKey is shown this once.
func (c *Client) CreateUserPAT(ctx context.Context, in CredentialInput) (*CreatedCredential, error) {
	r, err := c.CreateUserPatWithResponse(ctx, nil, in)
	return ok(r, err, func() *CreatedCredential { return r.JSON201 })
}

// ListUserPATs returns one page of the calling user's live tokens.
func (c *Client) ListUserPATs(ctx context.Context, p *ListUserPatsParams) (*Page[Credential], error) {
	r, err := c.ListUserPatsWithResponse(ctx, p)
	l, err := ok(r, err, func() *CredentialList { return r.JSON200 })
	if err != nil {
		return nil, err
	}
	return newPage(l.Data, l.Pagination), nil
}

// UserPATs iterates over every live token of the calling user.
func (c *Client) UserPATs(ctx context.Context, p *ListUserPatsParams) iter.Seq2[Credential, error] {
	return each(params(p).Cursor, func(cursor *string) (*Page[Credential], error) {
		q := params(p)
		q.Cursor = cursor
		return c.ListUserPATs(ctx, q)
	})
}

// RevokeUserPAT revokes one of the calling user's tokens.
func (c *Client) RevokeUserPAT(ctx context.Context, keyID KeyID) error {
	r, err := c.RevokeUserPatWithResponse(ctx, keyID)
	return Check(r, err)
}
