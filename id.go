package agentplane

import "github.com/google/uuid"

// NewID returns a new UUIDv7: time-ordered, so rows created together sit
// together in indexes, and unguessable enough to be used in URLs.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// ValidID reports whether s is a UUID in canonical form. Handlers check ids
// before they reach the store so a malformed id is a plain 404 on every
// engine rather than a type error from PostgreSQL.
func ValidID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}
