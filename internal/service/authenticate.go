package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agentplane/agentplane"
)

// OrgMode says how a route relates to organizations.
type OrgMode int

// Route modes.
const (
	// InOrg routes act in one organization: an org key's own, or the one a
	// PAT names in X-Anyreach-Org.
	InOrg OrgMode = iota
	// UserOnly routes act for the PAT's user, outside any organization; org
	// keys are refused.
	UserOnly
)

// secretBytes is the entropy of a credential secret.
const secretBytes = 32

// newSecret returns a token for a new credential and the hash to store.
func newSecret(kind agentplane.CredentialKind, id string) (token string, hash []byte) {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	secret := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(secret))
	return kind.Prefix() + id + "." + secret, sum[:]
}

// parseToken splits "ak_<id>.<secret>" or "pat_<id>.<secret>".
func parseToken(token string) (kind agentplane.CredentialKind, id, secret string, ok bool) {
	switch {
	case strings.HasPrefix(token, "ak_"):
		kind, token = agentplane.KindOrgKey, token[3:]
	case strings.HasPrefix(token, "pat_"):
		kind, token = agentplane.KindPAT, token[4:]
	default:
		return "", "", "", false
	}
	id, secret, ok = strings.Cut(token, ".")
	if !ok || !agentplane.ValidID(id) || secret == "" {
		return "", "", "", false
	}
	return kind, id, secret, true
}

func unauthenticated(msg string) error {
	return agentplane.Errorf(agentplane.EUnauthenticated, "%s", msg)
}

// Authenticate resolves a bearer token and the X-Anyreach-Org header into a
// Caller for a route of the given mode. Bad credentials are EUnauthenticated;
// a valid credential that may not act in the named organization is
// EForbidden (SPEC §2).
func (s *Service) Authenticate(ctx context.Context, token, orgRef string, mode OrgMode) (*agentplane.Caller, error) {
	if token == "" {
		return nil, unauthenticated("missing credential: send Authorization: Bearer <key>")
	}
	kind, id, secret, ok := parseToken(token)
	if !ok {
		return nil, unauthenticated("invalid credential")
	}
	entry, err := s.credential(ctx, id)
	cred := entry.cred
	if agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
		return nil, unauthenticated("invalid credential")
	} else if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(secret))
	if cred.Kind != kind || subtle.ConstantTimeCompare(sum[:], cred.SecretHash) != 1 {
		return nil, unauthenticated("invalid credential")
	}
	return s.callerOf(ctx, entry, orgRef, mode)
}

// callerOf is the caller a verified credential makes on a route of mode,
// acting in the organization orgRef names (for a PAT; an org key acts in
// its own): EUnauthenticated when the credential was revoked or expired,
// EForbidden when it may not act there (SPEC §2). The bearer path and
// console sessions share it.
func (s *Service) callerOf(ctx context.Context, entry cachedCredential, orgRef string, mode OrgMode) (*agentplane.Caller, error) {
	cred := entry.cred
	now := s.now()
	if cred.RevokedAt != nil {
		return nil, unauthenticated("credential has been revoked")
	}
	if cred.Expired(now) {
		return nil, unauthenticated("credential has expired")
	}
	s.used.record(cred.ID, now.UnixMilli())

	c := &agentplane.Caller{CredentialID: cred.ID, Kind: cred.Kind, UserID: cred.UserID}
	if cred.Kind == agentplane.KindOrgKey {
		if mode == UserOnly {
			return nil, agentplane.Errorf(agentplane.EForbidden, "this route requires a personal access token")
		}
		if orgRef != "" && orgRef != cred.OrganizationID {
			o, err := s.store.FindOrganization(ctx, orgRef)
			if err != nil || o.ID != cred.OrganizationID {
				return nil, agentplane.Errorf(agentplane.EForbidden, "this key belongs to another organization than X-Anyreach-Org names")
			}
		}
		c.OrganizationID, c.Name = cred.OrganizationID, cred.Name
		c.Scopes = entry.scopes
		return c, nil
	}

	if mode == UserOnly {
		// A PAT narrowed to some scopes must not manage its user's other
		// credentials or organizations: only an unrestricted one may.
		if cred.Scopes != nil {
			return nil, agentplane.Errorf(agentplane.EForbidden, "this route requires a personal access token created without a scope list")
		}
		c.Scopes = effective(agentplane.AllScopes, nil)
		return c, nil
	}
	if orgRef == "" {
		return nil, unauthenticated("Token is missing organization claim")
	}
	if !utf8.ValidString(orgRef) || strings.ContainsRune(orgRef, 0) {
		// No organization is named so; PostgreSQL would refuse the text.
		return nil, agentplane.Errorf(agentplane.EForbidden, "not a member of organization %q", orgRef)
	}
	org, err := s.store.FindOrganization(ctx, orgRef)
	if agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
		return nil, agentplane.Errorf(agentplane.EForbidden, "not a member of organization %q", orgRef)
	} else if err != nil {
		return nil, err
	}
	m, err := s.store.GetMember(ctx, org.ID, cred.UserID)
	if agentplane.ErrorCodeOf(err) == agentplane.ENotFound {
		return nil, agentplane.Errorf(agentplane.EForbidden, "not a member of organization %q", orgRef)
	} else if err != nil {
		return nil, err
	}
	c.OrganizationID, c.Name = org.ID, m.Email
	c.Scopes = effective(m.Role.Scopes(), cred.Scopes)
	return c, nil
}

// credential reads a credential row, from the node's cache when it was
// read within credentialTTL. Callers share the cached scopes: read-only.
func (s *Service) credential(ctx context.Context, id string) (cachedCredential, error) {
	if e, ok := s.creds.get(id); ok {
		return e, nil
	}
	e := cachedCredential{at: time.Now()}
	gen := s.creds.gen.Load()
	var err error
	if e.cred, err = s.store.GetCredential(ctx, id); err != nil {
		return e, err
	}
	if e.cred.Kind == agentplane.KindOrgKey {
		e.scopes = effective(agentplane.AllScopes, e.cred.Scopes)
	}
	s.creds.put(e, gen)
	return e, nil
}

// effective is what a holder with scopes may do through a credential
// created with narrow (nil: no narrowing).
func effective(holder agentplane.Scopes, narrow agentplane.Scopes) agentplane.Scopes {
	if narrow == nil {
		return holder.Expand()
	}
	return holder.Intersect(narrow)
}
