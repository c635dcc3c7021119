package agentplane

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Credential is an organization API key or a personal access token as
// stored: the secret itself is never kept, only its SHA-256.
type Credential struct {
	ID             string         `json:"key_id"`
	Kind           CredentialKind `json:"-"`
	OrganizationID string         `json:"-"` // org keys only
	UserID         string         `json:"-"` // PATs only
	Name           string         `json:"name"`
	// Scopes is the list the credential was created with; nil means the
	// default (every scope the holder has).
	Scopes     Scopes `json:"-"`
	ExpiresAt  *int64 `json:"expires_at"` // epoch milliseconds, as in the source API
	CreatedAt  Time   `json:"created_at"`
	LastUsedAt *Time  `json:"last_used_at"`
	RevokedAt  *Time  `json:"-"`
	SecretHash []byte `json:"-"`
}

// Expired reports whether the credential's expiry is at or before now.
func (c Credential) Expired(now time.Time) bool {
	return c.ExpiresAt != nil && *c.ExpiresAt <= now.UnixMilli()
}

// CredentialInput is the body that creates an org key or a user PAT.
type CredentialInput struct {
	Name      string  `json:"name"`
	ExpiresAt *int64  `json:"expires_at"`
	Scopes    *Scopes `json:"scopes"`
}

// Validate checks the name, that an expiry lies in the future and that every
// scope is known.
func (in *CredentialInput) Validate(now time.Time) error {
	in.Name = strings.TrimSpace(in.Name)
	var v Violations
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > 200 {
		v.Add("name must be 1 to 200 characters", "string_length", "body", "name")
	}
	if in.ExpiresAt != nil && *in.ExpiresAt <= now.UnixMilli() {
		v.Add("expires_at must be in the future (epoch milliseconds)", "greater_than", "body", "expires_at")
	}
	if in.Scopes != nil {
		if len(*in.Scopes) == 0 {
			v.Add("scopes must not be empty; omit it for the default", "min_items", "body", "scopes")
		}
		for i, s := range *in.Scopes {
			if !s.Valid() {
				v.Add("unknown scope "+string(s), "enum", "body", "scopes", i)
			}
		}
	}
	return v.Err()
}

// NewCredential is a credential just created: the only moment its full
// token exists outside the caller's hands.
type NewCredential struct {
	Credential
	Token string
}

// GrantedScopes is the list the credential was created with, or every
// scope when it was created without narrowing, expanded and never nil.
// A PAT may act with fewer: its holder's role also narrows it.
func (c Credential) GrantedScopes() Scopes {
	s := c.Scopes
	if s == nil {
		s = AllScopes
	}
	if s = s.Expand(); s == nil {
		return Scopes{}
	}
	return s
}

// CredentialView is a credential as the API lists it: never the secret,
// and its scopes as the granted list.
type CredentialView struct {
	KeyID      string `json:"key_id"`
	Name       string `json:"name"`
	Scopes     Scopes `json:"scopes"`
	ExpiresAt  *int64 `json:"expires_at"`
	CreatedAt  Time   `json:"created_at"`
	LastUsedAt *Time  `json:"last_used_at"`
}

// View is the credential as the API lists it.
func (c Credential) View() CredentialView {
	return CredentialView{KeyID: c.ID, Name: c.Name, Scopes: c.GrantedScopes(), ExpiresAt: c.ExpiresAt, CreatedAt: c.CreatedAt, LastUsedAt: c.LastUsedAt}
}

// CreatedCredential is the one answer that carries a credential's full
// key.
type CreatedCredential struct {
	PATKey    string `json:"pat_key"`
	KeyID     string `json:"key_id"`
	Name      string `json:"name"`
	Scopes    Scopes `json:"scopes"`
	ExpiresAt *int64 `json:"expires_at"`
	CreatedAt Time   `json:"created_at"`
}

// Created is the answer that shows nc, its key this once.
func (nc NewCredential) Created() CreatedCredential {
	return CreatedCredential{PATKey: nc.Token, KeyID: nc.ID, Name: nc.Name, Scopes: nc.GrantedScopes(), ExpiresAt: nc.ExpiresAt, CreatedAt: nc.CreatedAt}
}
