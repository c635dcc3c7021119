package service

import (
	"context"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// ListMembers pages through the organization's members.
func (s *Service) ListMembers(ctx context.Context, c *agentplane.Caller, p agentplane.Page) (agentplane.List[agentplane.Member], error) {
	return s.store.ListMembers(ctx, c.OrganizationID, p)
}

// mayGrant refuses a role that holds a scope the caller doesn't (SPEC
// §24): members:manage alone must not make anyone an admin, who could
// then mint a full key.
func mayGrant(c *agentplane.Caller, role agentplane.Role, verb string) error {
	if !c.Scopes.Covers(role.Scopes()) {
		return agentplane.Errorf(agentplane.EForbidden, "%s a member with role %s requires every scope of that role; this credential lacks some", verb, role)
	}
	return nil
}

// AddMember adds a user by email to the caller's organization, creating
// the user if new. The role must be within the caller's own scopes.
//
// The answer carries a one-time invite_url (SPEC §19): the console page
// where the new member names a first personal token and is signed in.
func (s *Service) AddMember(ctx context.Context, c *agentplane.Caller, in agentplane.MemberInput) (agentplane.Member, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return agentplane.Member{}, err
	}
	if err := mayGrant(c, in.Role, "adding"); err != nil {
		return agentplane.Member{}, err
	}
	orgID := c.OrganizationID
	now := s.stamp()
	m := agentplane.Member{OrganizationID: orgID, Email: in.Email, Role: in.Role, CreatedAt: now, UpdatedAt: now}
	token, hash := newInviteToken()
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		u, err := q.UpsertUser(ctx, agentplane.User{ID: agentplane.NewID(), Email: in.Email, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return err
		}
		m.UserID = u.ID
		if err := q.AddMember(ctx, m); err != nil {
			return err
		}
		if err := q.CreateInvitation(ctx, store.Invitation{TokenHash: hash, OrganizationID: orgID, UserID: u.ID,
			CreatedAt: now, ExpiresAt: agentplane.TimeOf(now.Add(invitationTTL))}); err != nil {
			return err
		}
		// m has no invite_url yet: the link is a secret.
		return s.record(ctx, q, c, change{action: agentplane.ActionMemberAdded, resourceID: u.ID, after: m})
	})
	if err == nil {
		m.InviteURL = agentplane.InvitePath(token)
	}
	return m, err
}

// UpdateMember changes a member's role; demoting the last admin is a
// conflict, so an organization always keeps someone who can manage it.
// The caller must hold every scope of both the old and the new role: no
// one changes a member more powerful than themselves.
func (s *Service) UpdateMember(ctx context.Context, c *agentplane.Caller, userID string, in agentplane.MemberUpdate) (agentplane.Member, error) {
	if err := in.Validate(); err != nil {
		return agentplane.Member{}, err
	}
	if err := mayGrant(c, in.Role, "giving"); err != nil {
		return agentplane.Member{}, err
	}
	orgID := c.OrganizationID
	if !agentplane.ValidID(userID) {
		return agentplane.Member{}, agentplane.Errorf(agentplane.ENotFound, "member not found")
	}
	var m agentplane.Member
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		if err := q.LockOrganization(ctx, orgID); err != nil {
			return err
		}
		var err error
		if m, err = q.GetMember(ctx, orgID, userID); err != nil {
			return err
		}
		if err := mayGrant(c, m.Role, "changing"); err != nil {
			return err
		}
		if m.Role == agentplane.RoleAdmin && in.Role != agentplane.RoleAdmin {
			if err := lastAdminGuard(ctx, q, orgID, "demoted"); err != nil {
				return err
			}
		}
		before := m
		m.Role, m.UpdatedAt = in.Role, s.stamp()
		if err := q.SetMemberRole(ctx, orgID, userID, in.Role, m.UpdatedAt); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionMemberUpdated, resourceID: userID, before: before, after: m})
	})
	return m, err
}

// RemoveMember removes a membership; removing the last admin is a
// conflict, and removing a member whose role holds scopes the caller
// lacks is forbidden.
func (s *Service) RemoveMember(ctx context.Context, c *agentplane.Caller, userID string) error {
	orgID := c.OrganizationID
	if !agentplane.ValidID(userID) {
		return agentplane.Errorf(agentplane.ENotFound, "member not found")
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		if err := q.LockOrganization(ctx, orgID); err != nil {
			return err
		}
		m, err := q.GetMember(ctx, orgID, userID)
		if err != nil {
			return err
		}
		if err := mayGrant(c, m.Role, "removing"); err != nil {
			return err
		}
		if m.Role == agentplane.RoleAdmin {
			if err := lastAdminGuard(ctx, q, orgID, "removed"); err != nil {
				return err
			}
		}
		if err := q.RemoveMember(ctx, orgID, userID); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionMemberRemoved, resourceID: userID, before: m})
	})
}

func lastAdminGuard(ctx context.Context, q *store.Queries, orgID, verb string) error {
	n, err := q.CountAdmins(ctx, orgID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return agentplane.Errorf(agentplane.EConflict, "the last admin of an organization can't be %s", verb)
	}
	return nil
}
