package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

// Console sessions (SPEC §19). A browser signs in with a credential once;
// the server answers with a random token for an HttpOnly cookie and keeps
// only the token's SHA-256, so a copy of the database opens no session.
// Every request through the session is checked against its credential as
// a bearer request is: revoking or expiring the credential ends it.
const (
	sessionIdle = 12 * time.Hour     // unused this long, it ends
	sessionMax  = 7 * 24 * time.Hour // and it never lasts longer
	// sessionTouchEvery spares a write per request: last use is recorded
	// at most this often, which the idle limit can afford.
	sessionTouchEvery = time.Minute
	// maxSessionToken bounds what a cookie may hand the lookup.
	maxSessionToken = 128
)

func sessionHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func notSignedIn(msg string) error {
	return agentplane.Errorf(agentplane.EUnauthenticated, "%s", msg)
}

// SignIn verifies a credential exactly as the bearer path does (a PAT acts
// in in.Organization) and opens a console session for it. It returns the
// session's token, for the cookie and never stored, and the session.
func (s *Service) SignIn(ctx context.Context, in agentplane.SignInInput) (string, agentplane.ConsoleSession, error) {
	c, err := s.Authenticate(ctx, in.Credential, in.Organization, InOrg)
	if err != nil {
		return "", agentplane.ConsoleSession{}, err
	}
	entry, err := s.credential(ctx, c.CredentialID)
	if err != nil {
		return "", agentplane.ConsoleSession{}, err
	}
	now := s.now()
	expires := now.Add(sessionMax)
	if at := entry.cred.ExpiresAt; at != nil && *at < expires.UnixMilli() {
		expires = time.UnixMilli(*at)
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	token := base64.RawURLEncoding.EncodeToString(b)
	sess := store.ConsoleSession{TokenHash: sessionHash(token), CredentialID: c.CredentialID, OrganizationID: c.OrganizationID,
		CreatedAt: agentplane.TimeOf(now), LastSeenAt: agentplane.TimeOf(now), ExpiresAt: agentplane.TimeOf(expires)}
	// Sessions that ended are swept here, where new ones are made, so the
	// table holds about the sessions that are alive.
	if _, err := s.store.DeleteStaleSessions(ctx, agentplane.TimeOf(now), agentplane.TimeOf(now.Add(-sessionIdle))); err != nil {
		return "", agentplane.ConsoleSession{}, err
	}
	err = s.store.WithTx(ctx, func(q *store.Queries) error {
		if err := q.CreateSession(ctx, sess); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionConsoleLogin, resourceID: c.CredentialID,
			after: map[string]any{"credential_id": c.CredentialID, "expires_at": sess.ExpiresAt}})
	})
	if err != nil {
		return "", agentplane.ConsoleSession{}, err
	}
	view, err := s.sessionView(ctx, c, sess)
	return token, view, err
}

// openSession finds the live session of token, or EUnauthenticated (an
// ended one is removed).
func (s *Service) openSession(ctx context.Context, token string) (store.ConsoleSession, error) {
	if token == "" || len(token) > maxSessionToken {
		return store.ConsoleSession{}, notSignedIn("not signed in to the console")
	}
	sess, err := s.store.GetSession(ctx, sessionHash(token))
	if agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
		return sess, notSignedIn("the console session has ended; sign in again")
	} else if err != nil {
		return sess, err
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt.Time) || now.Sub(sess.LastSeenAt.Time) >= sessionIdle {
		if err := s.store.DeleteSession(ctx, sess.TokenHash); err != nil {
			return sess, err
		}
		return sess, notSignedIn("the console session has expired; sign in again")
	}
	return sess, nil
}

// SessionCaller authenticates a request by its console session token: the
// caller its credential makes in the session's organization, or on a
// route outside organizations (mode UserOnly) the caller a personal token
// makes there (an org key's session is refused, as the key is).
func (s *Service) SessionCaller(ctx context.Context, token string, mode OrgMode) (*agentplane.Caller, error) {
	sess, err := s.openSession(ctx, token)
	if err != nil {
		return nil, err
	}
	c, err := s.sessionCallerIn(ctx, sess, sess.OrganizationID, mode)
	if err != nil {
		return nil, err
	}
	if now := s.now(); now.Sub(sess.LastSeenAt.Time) >= sessionTouchEvery {
		if err := s.store.TouchSession(ctx, sess.TokenHash, agentplane.TimeOf(now)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// sessionCaller checks the session's credential as the bearer path would,
// acting in orgRef; a credential that no longer authenticates ends the
// session.
func (s *Service) sessionCaller(ctx context.Context, sess store.ConsoleSession, orgRef string) (*agentplane.Caller, error) {
	return s.sessionCallerIn(ctx, sess, orgRef, InOrg)
}

// sessionCallerIn is sessionCaller for a route of mode.
func (s *Service) sessionCallerIn(ctx context.Context, sess store.ConsoleSession, orgRef string, mode OrgMode) (*agentplane.Caller, error) {
	entry, err := s.credential(ctx, sess.CredentialID)
	if err == nil {
		var c *agentplane.Caller
		if mode == UserOnly {
			orgRef = ""
		}
		if c, err = s.callerOf(ctx, entry, orgRef, mode); err == nil {
			return c, nil
		}
	}
	if code := agentplane.ErrorCodeOf(err); code == agentplane.ENotFound || code == agentplane.EUnauthenticated {
		if derr := s.store.DeleteSession(ctx, sess.TokenHash); derr != nil {
			return nil, derr
		}
		return nil, notSignedIn("the console session's credential no longer signs in; sign in again")
	}
	return nil, err
}

// Session shows the session of token.
func (s *Service) Session(ctx context.Context, token string) (agentplane.ConsoleSession, error) {
	sess, err := s.openSession(ctx, token)
	if err != nil {
		return agentplane.ConsoleSession{}, err
	}
	c, err := s.sessionCaller(ctx, sess, sess.OrganizationID)
	if err != nil {
		return agentplane.ConsoleSession{}, err
	}
	return s.sessionView(ctx, c, sess)
}

// SwitchSessionOrganization moves a personal token's session to another
// of its user's organizations; an org key's session stays in its own
// (403).
func (s *Service) SwitchSessionOrganization(ctx context.Context, token string, in agentplane.SessionOrganizationInput) (agentplane.ConsoleSession, error) {
	sess, err := s.openSession(ctx, token)
	if err != nil {
		return agentplane.ConsoleSession{}, err
	}
	current, err := s.sessionCaller(ctx, sess, sess.OrganizationID)
	if err != nil {
		return agentplane.ConsoleSession{}, err
	}
	if current.Kind != agentplane.KindPAT {
		return agentplane.ConsoleSession{}, agentplane.Errorf(agentplane.EForbidden, "an organization key's session acts in its own organization only")
	}
	if in.Organization == "" {
		var v agentplane.Violations
		v.Add("organization is required", "missing", "body", "organization")
		return agentplane.ConsoleSession{}, v.Err()
	}
	c, err := s.sessionCaller(ctx, sess, in.Organization)
	if err != nil {
		return agentplane.ConsoleSession{}, err
	}
	if err := s.store.SetSessionOrganization(ctx, sess.TokenHash, c.OrganizationID); err != nil {
		return agentplane.ConsoleSession{}, err
	}
	sess.OrganizationID = c.OrganizationID
	return s.sessionView(ctx, c, sess)
}

// SignOut ends the session of token; one already gone is no error. A
// session that was alive leaves console.logout in its organization's
// audit log.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if token == "" || len(token) > maxSessionToken {
		return nil
	}
	sess, err := s.openSession(ctx, token)
	if err != nil {
		return nil // gone or ended: nothing left to sign out of
	}
	c, err := s.sessionCaller(ctx, sess, sess.OrganizationID)
	if err != nil {
		return nil // its credential no longer signs in: the session went with it
	}
	return s.store.WithTx(ctx, func(q *store.Queries) error {
		if err := q.DeleteSession(ctx, sess.TokenHash); err != nil {
			return err
		}
		return s.record(ctx, q, c, change{action: agentplane.ActionConsoleLogout, resourceID: c.CredentialID,
			before: map[string]any{"credential_id": c.CredentialID, "expires_at": sess.ExpiresAt}})
	})
}

func (s *Service) sessionView(ctx context.Context, c *agentplane.Caller, sess store.ConsoleSession) (agentplane.ConsoleSession, error) {
	org, err := s.store.FindOrganization(ctx, c.OrganizationID)
	if err != nil {
		return agentplane.ConsoleSession{}, err
	}
	return agentplane.ConsoleSession{Kind: c.Kind, OrganizationID: org.ID, OrganizationSlug: org.Slug, OrganizationName: org.Name,
		Actor: c.Actor(), Scopes: c.Scopes.Expand(), CreatedAt: sess.CreatedAt, ExpiresAt: sess.ExpiresAt}, nil
}
