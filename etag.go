package agentplane

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
)

// Tagged is an object that carries an entity tag (SPEC §1).
type Tagged interface {
	// ETag is a strong tag that changes whenever anything a client sees of
	// the object changes, even two changes in one millisecond.
	ETag() string
}

// tagger builds an entity tag from an object's fields: a hash of their
// values, each length-prefixed so no two objects collide by shifting bytes
// between fields. It replaced a hash of the object's JSON, which marshalled
// every tagged response a second time; a test checks that every change to
// an object's JSON changes its tag.
type tagger struct {
	arr [512]byte
	b   []byte
}

func newTagger(kind byte) *tagger {
	t := &tagger{}
	t.b = append(t.arr[:0], kind)
	return t
}

func (t *tagger) str(s string) *tagger {
	t.b = binary.AppendUvarint(t.b, uint64(len(s)))
	t.b = append(t.b, s...)
	return t
}

func (t *tagger) bytes(b []byte) *tagger {
	t.b = binary.AppendUvarint(t.b, uint64(len(b)))
	t.b = append(t.b, b...)
	return t
}

func (t *tagger) int(v int64) *tagger {
	t.b = binary.AppendVarint(t.b, v)
	return t
}

func (t *tagger) bool(v bool) *tagger {
	if v {
		return t.int(1)
	}
	return t.int(0)
}

func (t *tagger) time(v Time) *tagger { return t.int(v.Millis()) }

func (t *tagger) optStr(p *string) *tagger {
	if p == nil {
		return t.int(0)
	}
	return t.int(1).str(*p)
}

func (t *tagger) optInt(p *int) *tagger {
	if p == nil {
		return t.int(0)
	}
	return t.int(1).int(int64(*p))
}

func (t *tagger) optTime(p *Time) *tagger {
	if p == nil {
		return t.int(0)
	}
	return t.int(1).time(*p)
}

func (t *tagger) actor(a *Actor) *tagger {
	if a == nil {
		return t.int(0)
	}
	return t.int(1).str(a.Type).str(a.ID).str(a.Name)
}

func (t *tagger) strs(ss []string) *tagger {
	if ss == nil {
		t.int(-1) // null and [] render differently
	} else {
		t.int(int64(len(ss)))
	}
	for _, s := range ss {
		t.str(s)
	}
	return t
}

// String is the quoted tag.
func (t *tagger) String() string {
	sum := sha256.Sum256(t.b)
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
