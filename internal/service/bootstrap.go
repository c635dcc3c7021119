package service

import (
	"context"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// BootstrapInput names the organization and first admin of a new install.
type BootstrapInput struct {
	OrgName, OrgSlug, Email string
}

// BootstrapResult is what `agentplane admin bootstrap` prints, the only time
// its secrets are shown.
type BootstrapResult struct {
	OrganizationID string `json:"organization_id"`
	UserID         string `json:"user_id"`
	OrgKey         string `json:"org_key"`
	PAT            string `json:"pat"`
}

// Bootstrap creates an organization, its admin user, one org key and one
// PAT for that user, in one transaction.
func (s *Service) Bootstrap(ctx context.Context, in BootstrapInput) (BootstrapResult, error) {
	org := agentplane.OrganizationInput{Name: in.OrgName, Slug: in.OrgSlug}
	org.Normalize()
	member := agentplane.MemberInput{Email: in.Email, Role: agentplane.RoleAdmin}
	member.Normalize()
	if err := org.Validate(); err != nil {
		return BootstrapResult{}, err
	}
	if err := member.Validate(); err != nil {
		return BootstrapResult{}, err
	}
	now := s.stamp()
	o := agentplane.Organization{ID: agentplane.NewID(), Name: org.Name, Slug: org.Slug, CreatedAt: now, UpdatedAt: now}
	key := s.newCredential(agentplane.KindOrgKey, agentplane.CredentialInput{Name: "bootstrap org key"}, nil)
	key.OrganizationID = o.ID
	pat := s.newCredential(agentplane.KindPAT, agentplane.CredentialInput{Name: "bootstrap token"}, nil)
	var res BootstrapResult
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		if err := q.CreateOrganization(ctx, o); err != nil {
			return err
		}
		u, err := q.UpsertUser(ctx, agentplane.User{ID: agentplane.NewID(), Email: member.Email, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return err
		}
		if err := q.AddMember(ctx, agentplane.Member{OrganizationID: o.ID, UserID: u.ID, Email: u.Email, Role: agentplane.RoleAdmin, CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		pat.UserID = u.ID
		if err := q.CreateCredential(ctx, key.Credential); err != nil {
			return err
		}
		if err := q.CreateCredential(ctx, pat.Credential); err != nil {
			return err
		}
		res = BootstrapResult{OrganizationID: o.ID, UserID: u.ID, OrgKey: key.Token, PAT: pat.Token}
		return s.record(ctx, q, agentplane.SystemCaller(o.ID), change{action: agentplane.ActionOrganizationCreated, resourceID: o.ID, after: o})
	})
	return res, err
}

// EnsureDefault creates organization "default" and one admin org key when
// the database has no organization at all, and reports whether it did.
// The key's token goes to show inside the transaction that creates it, so
// the key is committed only once show has returned nil (the key was shown):
// a first start that ends before showing its key leaves nothing behind, and
// the next start creates and shows a new one (SPEC §24). Two nodes racing
// on an empty database both try; the slug's unique index makes the second
// wait for the first's transaction and then see a conflict and show
// nothing — or, if the first rolled back, commit and show its own.
func (s *Service) EnsureDefault(ctx context.Context, show func(token string) error) (bool, error) {
	now := s.stamp()
	o := agentplane.Organization{ID: agentplane.NewID(), Name: "Default", Slug: "default", CreatedAt: now, UpdatedAt: now}
	key := s.newCredential(agentplane.KindOrgKey, agentplane.CredentialInput{Name: "default admin key"}, nil)
	key.OrganizationID = o.ID
	created := false
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		if n, err := q.CountOrganizations(ctx); err != nil || n > 0 {
			return err
		}
		if err := q.CreateOrganization(ctx, o); err != nil {
			return err
		}
		if err := q.CreateCredential(ctx, key.Credential); err != nil {
			return err
		}
		if err := s.record(ctx, q, agentplane.SystemCaller(o.ID), change{action: agentplane.ActionOrganizationCreated, resourceID: o.ID, after: o}); err != nil {
			return err
		}
		if err := show(key.Token); err != nil {
			return err
		}
		created = true
		return nil
	})
	if agentplane.ErrorCodeOf(err) == agentplane.EConflict {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return created, nil
}
