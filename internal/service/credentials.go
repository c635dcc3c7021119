package service

import (
	"context"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// grantable narrows a requested scope list to what the creator holds, so a
// credential can never do more than the caller who made it. It returns nil
// (the default: every scope of the holder) when nothing was requested and
// the creator holds every scope, and a 422 when none of the requested
// scopes is held — a key that can do nothing is a mistake, not a request.
func grantable(creator agentplane.Scopes, requested *agentplane.Scopes) (agentplane.Scopes, error) {
	want := agentplane.Scopes(agentplane.AllScopes)
	if requested != nil {
		want = *requested
	}
	out := creator.Intersect(want)
	if requested == nil && len(out) == len(agentplane.AllScopes) {
		return nil, nil
	}
	if len(out) == 0 {
		var v agentplane.Violations
		v.Add("none of the requested scopes is held by the caller", "scope_not_held", "body", "scopes")
		return nil, v.Err()
	}
	return out, nil
}

// newCredential builds (but does not store) a credential and its token.
func (s *Service) newCredential(kind agentplane.CredentialKind, in agentplane.CredentialInput, scopes agentplane.Scopes) agentplane.NewCredential {
	id := agentplane.NewID()
	token, hash := newSecret(kind, id)
	return agentplane.NewCredential{
		Credential: agentplane.Credential{
			ID: id, Kind: kind, Name: in.Name, Scopes: scopes,
			ExpiresAt: in.ExpiresAt, CreatedAt: s.stamp(), SecretHash: hash,
		},
		Token: token,
	}
}

// CreateOrgKey creates an organization API key in the caller's organization
// with at most the caller's scopes.
func (s *Service) CreateOrgKey(ctx context.Context, c *agentplane.Caller, in agentplane.CredentialInput) (agentplane.NewCredential, error) {
	return s.createCredential(ctx, c, agentplane.KindOrgKey, in, store.CredentialOwner{OrganizationID: c.OrganizationID})
}

// createCredential validates in, narrows its scopes to the creator's and
// stores a new credential of kind for owner.
func (s *Service) createCredential(ctx context.Context, c *agentplane.Caller, kind agentplane.CredentialKind, in agentplane.CredentialInput, owner store.CredentialOwner) (agentplane.NewCredential, error) {
	if err := in.Validate(s.now()); err != nil {
		return agentplane.NewCredential{}, err
	}
	scopes, err := grantable(c.Scopes, in.Scopes)
	if err != nil {
		return agentplane.NewCredential{}, err
	}
	nc := s.newCredential(kind, in, scopes)
	nc.OrganizationID, nc.UserID = owner.OrganizationID, owner.UserID
	if owner.OrganizationID == "" {
		// A user's token belongs to no organization: its creation goes
		// to the server log, not to an audit log (SPEC §17).
		s.log.Info("personal token created", "user_id", owner.UserID, "key_id", nc.ID)
		return nc, s.store.CreateCredential(ctx, nc.Credential)
	}
	return nc, s.store.WithTx(ctx, func(q *store.Queries) error {
		if err := q.CreateCredential(ctx, nc.Credential); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionCredentialCreated, resourceID: nc.ID, after: credentialView(nc.Credential)})
	})
}

// credentialView is a credential as audit entries and events show it:
// never its secret or hash.
func credentialView(cr agentplane.Credential) map[string]any {
	return map[string]any{"key_id": cr.ID, "kind": cr.Kind, "name": cr.Name, "scopes": cr.Scopes,
		"expires_at": cr.ExpiresAt, "created_at": cr.CreatedAt, "revoked_at": cr.RevokedAt}
}

// ListOrgKeys pages through the organization's live keys.
func (s *Service) ListOrgKeys(ctx context.Context, c *agentplane.Caller, p agentplane.Page) (agentplane.List[agentplane.Credential], error) {
	return s.store.ListCredentials(ctx, store.CredentialOwner{OrganizationID: c.OrganizationID}, p)
}

// RevokeOrgKey revokes one of the organization's keys; it fails with 401
// from then on.
func (s *Service) RevokeOrgKey(ctx context.Context, c *agentplane.Caller, keyID string) error {
	return s.revokeCredential(ctx, c, store.CredentialOwner{OrganizationID: c.OrganizationID}, keyID)
}

// CreateUserPAT creates a personal access token for the calling user. Its
// scopes narrow the user's role in whichever organization it is used.
func (s *Service) CreateUserPAT(ctx context.Context, c *agentplane.Caller, in agentplane.CredentialInput) (agentplane.NewCredential, error) {
	return s.createCredential(ctx, c, agentplane.KindPAT, in, store.CredentialOwner{UserID: c.UserID})
}

// ListUserPATs pages through the calling user's live tokens.
func (s *Service) ListUserPATs(ctx context.Context, c *agentplane.Caller, p agentplane.Page) (agentplane.List[agentplane.Credential], error) {
	return s.store.ListCredentials(ctx, store.CredentialOwner{UserID: c.UserID}, p)
}

// RevokeUserPAT revokes one of the calling user's tokens.
func (s *Service) RevokeUserPAT(ctx context.Context, c *agentplane.Caller, keyID string) error {
	return s.revokeCredential(ctx, c, store.CredentialOwner{UserID: c.UserID}, keyID)
}

// revokeCredential revokes owner's credential keyID and forgets it on this
// node at once; another owner's key is a 404.
func (s *Service) revokeCredential(ctx context.Context, c *agentplane.Caller, owner store.CredentialOwner, keyID string) error {
	if !agentplane.ValidID(keyID) {
		return agentplane.Errorf(agentplane.ENotFound, "key not found")
	}
	now := s.stamp()
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		if err := q.RevokeCredential(ctx, owner, keyID, now); err != nil {
			return err
		}
		if owner.OrganizationID == "" {
			s.log.Info("personal token revoked", "user_id", owner.UserID, "key_id", keyID)
			return nil
		}
		cr, err := q.GetCredential(ctx, keyID)
		if err != nil {
			return err
		}
		before := cr
		before.RevokedAt = nil
		return s.record(ctx, q, c, change{action: agentplane.ActionCredentialRevoked, resourceID: keyID,
			before: credentialView(before), after: credentialView(cr)})
	})
	if err != nil {
		return err
	}
	s.creds.forget(keyID)
	return nil
}
