package agentplane

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// ETag is a strong entity tag for a single object: a hash of its JSON, so
// any change to what a client sees changes the tag, even two changes in
// one millisecond.
func ETag(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:15]) + `"`
}

// MatchesIfMatch reports whether an If-Match header value admits an
// object whose tag is current: "*" or a listed tag. Weak tags never match
// (RFC 9110 uses strong comparison for If-Match).
func MatchesIfMatch(header, current string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || t == current {
			return true
		}
	}
	return false
}
