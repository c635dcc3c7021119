package agentplane

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Organization is a tenant: every agent, number and credential belongs to one.
type Organization struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Slug      string `json:"slug"`
	CreatedAt Time   `json:"created_at"`
	UpdatedAt Time   `json:"updated_at"`
}

// OrganizationInput is the body of POST /admin/organizations.
type OrganizationInput struct {
	Name string `json:"name"`
	Slug string `json:"slug"`
}

// slugPattern keeps slugs usable in headers and URLs and distinct from ids
// (a UUID has dashes at fixed places but a slug can't be 36 chars long).
var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,33}[a-z0-9])?$`)

// Normalize trims the input.
func (in *OrganizationInput) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Slug = strings.TrimSpace(in.Slug)
}

// Validate checks the name (1–200 characters) and the slug (lowercase
// letters, digits and inner dashes, at most 35 characters).
func (in OrganizationInput) Validate() error {
	var v Violations
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > 200 {
		v.Add("name must be 1 to 200 characters", "string_length", "body", "name")
	}
	if !slugPattern.MatchString(in.Slug) {
		v.Add("slug must be 1 to 35 lowercase letters, digits or inner dashes", "pattern", "body", "slug")
	}
	return v.Err()
}
