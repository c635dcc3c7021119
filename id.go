package agentplane

import "github.com/google/uuid"

// NewID returns a new UUIDv7: time-ordered, so rows created together sit
// together in indexes, and unguessable enough to be used in URLs.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// ValidID reports whether s is a UUID in canonical lowercase form. Handlers
// check ids before they reach the store so a malformed id is a plain 404 on
// every engine, rather than a type error from PostgreSQL or a case-folded
// match there that SQLite's text comparison would not make.
//
// It is what uuid.Parse accepting s and String giving s back means, checked
// without allocating: every request checks an id or two.
func ValidID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}
