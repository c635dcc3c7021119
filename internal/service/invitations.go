package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// invitationTTL is how long an invitation link works (SPEC §19).
const invitationTTL = 7 * 24 * time.Hour

// newInviteToken returns a new invitation token and the hash to store.
func newInviteToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, sessionHash(token)
}

// openInvitation finds the usable invitation of token inside q's
// transaction (locked with lock): a used, expired or unknown one, or one
// whose membership is gone, is ENotFound, the same for all so a link
// tells nothing about why.
func (s *Service) openInvitation(ctx context.Context, q *store.Queries, token string, lock bool) (store.Invitation, agentplane.Member, agentplane.Organization, error) {
	gone := agentplane.Errorf(agentplane.ENotFound, "this invitation can't be used: it was used already, it expired, or it never existed; ask for a new one")
	if token == "" || len(token) > maxSessionToken {
		return store.Invitation{}, agentplane.Member{}, agentplane.Organization{}, gone
	}
	inv, m, o, err := q.GetInvitation(ctx, sessionHash(token), lock)
	if agentplane.ErrorCodeOf(err) == agentplane.ENotFound || (err == nil && (inv.UsedAt != nil || !s.now().Before(inv.ExpiresAt.Time))) {
		return inv, m, o, gone
	}
	return inv, m, o, err
}

// Invitation shows who an invitation link invites where.
func (s *Service) Invitation(ctx context.Context, token string) (agentplane.Invitation, error) {
	var out agentplane.Invitation
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		inv, m, o, err := s.openInvitation(ctx, q, token, false)
		if err == nil {
			out = agentplane.Invitation{OrganizationName: o.Name, OrganizationSlug: o.Slug, Email: m.Email, Role: m.Role, ExpiresAt: inv.ExpiresAt}
		}
		return err
	})
	return out, err
}

// AcceptInvitation uses an invitation once: it creates the member's first
// personal access token, named in.Name, with no narrowing (the member's
// role decides what it may do), and opens a console session with it in the
// invitation's organization. It returns the token (shown once) and the
// session's token (for the cookie). Two uses of one link at once: one
// wins, the other finds it used.
func (s *Service) AcceptInvitation(ctx context.Context, token string, in agentplane.InvitationAccept) (agentplane.NewCredential, string, error) {
	cin := agentplane.CredentialInput{Name: in.Name}
	if err := cin.Validate(s.now()); err != nil {
		return agentplane.NewCredential{}, "", err
	}
	var (
		nc  agentplane.NewCredential
		org string
	)
	err := s.store.WithTx(ctx, func(q *store.Queries) error {
		inv, _, _, err := s.openInvitation(ctx, q, token, true)
		if err != nil {
			return err
		}
		nc = s.newCredential(agentplane.KindPAT, cin, nil)
		nc.UserID, org = inv.UserID, inv.OrganizationID
		if err := q.CreateCredential(ctx, nc.Credential); err != nil {
			return err
		}
		return q.UseInvitation(ctx, inv.TokenHash, agentplane.TimeOf(s.now()))
	})
	if err != nil {
		return agentplane.NewCredential{}, "", err
	}
	session, _, err := s.SignIn(ctx, agentplane.SignInInput{Credential: nc.Token, Organization: org})
	return nc, session, err
}
