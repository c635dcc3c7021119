package agentplane

import "github.com/google/uuid"

// NewID returns a new UUIDv7: time-ordered, so rows created together sit
// together in indexes, and unguessable enough to be used in URLs.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// ValidID reports whether s is a UUID in canonical lowercase form. Handlers
// check ids before they reach the store so a malformed id is a plain 404 on
// every engine, rather than a type error from PostgreSQL or a case-folded
// match there that SQLite's text comparison would not make.
func ValidID(s string) bool {
	if len(s) != 36 {
		return false
	}
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}
