package agentplane

// ConsoleSession is a signed-in console's view of itself (GET
// /console/api/session, SPEC §19): whose credential acts, where, with
// which scopes, until when. The session's token is never part of it.
type ConsoleSession struct {
	Kind             CredentialKind `json:"kind"`
	OrganizationID   string         `json:"organization_id"`
	OrganizationSlug string         `json:"organization_slug"`
	OrganizationName string         `json:"organization_name"`
	Actor            Actor          `json:"actor"`
	Scopes           Scopes         `json:"scopes"`
	CreatedAt        Time           `json:"created_at"`
	ExpiresAt        Time           `json:"expires_at"`
}

// SignInInput is the body of POST /console/api/session: an org key, or a
// personal access token and the organization (id or slug) to act in.
type SignInInput struct {
	Credential   string `json:"credential"`
	Organization string `json:"organization"`
}

// SessionOrganizationInput is the body of PUT /console/api/session: the
// organization a personal token's session moves to.
type SessionOrganizationInput struct {
	Organization string `json:"organization"`
}
