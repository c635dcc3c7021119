package service

import (
	"context"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// CreateOrganization creates an organization with the calling user as its
// admin, in one transaction.
func (s *Service) CreateOrganization(ctx context.Context, c *agentplane.Caller, in agentplane.OrganizationInput) (agentplane.Organization, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return agentplane.Organization{}, err
	}
	now := s.stamp()
	o := agentplane.Organization{ID: agentplane.NewID(), Name: in.Name, Slug: in.Slug, CreatedAt: now, UpdatedAt: now}
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		if err := q.CreateOrganization(ctx, o); err != nil {
			return err
		}
		if err := q.AddMember(ctx, agentplane.Member{OrganizationID: o.ID, UserID: c.UserID, Role: agentplane.RoleAdmin, CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		in := *c
		in.OrganizationID = o.ID
		return s.record(ctx, q, &in, change{action: agentplane.ActionOrganizationCreated, resourceID: o.ID, after: o})
	})
	return o, err
}

// ListOrganizations pages through the calling user's organizations.
func (s *Service) ListOrganizations(ctx context.Context, c *agentplane.Caller, p agentplane.Page) (agentplane.List[agentplane.Organization], error) {
	return s.store.ListUserOrganizations(ctx, c.UserID, p)
}

// FindOrganization resolves an id or slug (admin CLI).
func (s *Service) FindOrganization(ctx context.Context, ref string) (agentplane.Organization, error) {
	return s.store.FindOrganization(ctx, ref)
}
