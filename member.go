package agentplane

import (
	"net/mail"
	"strings"
)

// User is a person who can hold personal access tokens and memberships.
type User struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	CreatedAt Time   `json:"created_at"`
	UpdatedAt Time   `json:"updated_at"`
}

// Member is a user's membership of an organization.
type Member struct {
	UserID         string `json:"user_id"`
	OrganizationID string `json:"organization_id"`
	Email          string `json:"email"`
	Role           Role   `json:"role"`
	CreatedAt      Time   `json:"created_at"`
	UpdatedAt      Time   `json:"updated_at"`
	// InviteURL is the one-time link to the console that adding the member
	// made (SPEC §19): only in the answer that adds them.
	InviteURL string `json:"invite_url,omitempty"`
}

// InvitePath is the console's path of an invitation token.
func InvitePath(token string) string { return "/console/invite/" + token }

// Invitation is what an invitation link shows before it is used: who is
// invited where, as what, until when.
type Invitation struct {
	OrganizationName string `json:"organization_name"`
	OrganizationSlug string `json:"organization_slug"`
	Email            string `json:"email"`
	Role             Role   `json:"role"`
	ExpiresAt        Time   `json:"expires_at"`
}

// InvitationAccept is the body that uses an invitation: the name of the
// new member's first personal access token.
type InvitationAccept struct {
	Name string `json:"name"`
}

// MemberInput is the body of POST /admin/members.
type MemberInput struct {
	Email string `json:"email"`
	Role  Role   `json:"role"`
}

// NormalizeEmail lowercases and trims an address so one person is one user.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateEmail reports a violation at loc when s is not a bare address.
func ValidateEmail(v *Violations, s string, loc ...any) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		v.Add("email must be a valid address", "email", loc...)
	}
}

// Normalize trims the email and lowercases it.
func (in *MemberInput) Normalize() { in.Email = NormalizeEmail(in.Email) }

// Validate checks the email and the role.
func (in MemberInput) Validate() error {
	var v Violations
	ValidateEmail(&v, in.Email, "body", "email")
	if !in.Role.Valid() {
		v.Add("role must be admin or viewer", "enum", "body", "role")
	}
	return v.Err()
}

// MemberUpdate is the body of PUT /admin/members/{user_id}.
type MemberUpdate struct {
	Role Role `json:"role"`
}

// Validate checks the role.
func (in MemberUpdate) Validate() error {
	var v Violations
	if !in.Role.Valid() {
		v.Add("role must be admin or viewer", "enum", "body", "role")
	}
	return v.Err()
}
