package httpapi

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/agentplane/agentplane"
)

// MaxJSONDepth is how deeply a JSON request body or JSON query parameter
// may nest (SPEC §24). Real configs nest a handful of levels; the cap keeps
// recursive work (decoding, canonicalizing, the database's own JSON
// functions) bounded whatever a client sends.
const MaxJSONDepth = 64

// maxJSONViolations bounds how many problems one answer lists.
const maxJSONViolations = 20

// inspectJSON checks a well-formed JSON document for what encoding/json
// would accept silently: nesting deeper than MaxJSONDepth, duplicate keys
// in an object (the last would win), and invalid UTF-8 or lone UTF-16
// surrogate escapes (both would become U+FFFD). Each is a violation at its
// location under root, so the body is invalid (422) rather than quietly
// changed. doc must already be well-formed.
func inspectJSON(doc []byte, root ...any) error {
	w := jsonWalker{doc: doc, path: root}
	w.value(1)
	return w.v.Err()
}

// jsonWalker is a recursive-descent pass over a well-formed document.
type jsonWalker struct {
	doc  []byte
	i    int
	path []any
	v    agentplane.Violations
	stop bool // too deep: the rest of the document is not examined
}

func (w *jsonWalker) add(msg, typ string, loc []any) {
	if len(w.v) < maxJSONViolations {
		w.v.Add(msg, typ, loc...)
	}
}

func (w *jsonWalker) at(k any) []any { return append(append([]any{}, w.path...), k) }

func (w *jsonWalker) skipSpace() {
	for w.i < len(w.doc) {
		switch w.doc[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

// value walks the value at w.i, which sits at nesting level depth.
func (w *jsonWalker) value(depth int) {
	w.skipSpace()
	if w.stop || w.i >= len(w.doc) {
		return
	}
	switch w.doc[w.i] {
	case '{', '[':
		if depth > MaxJSONDepth {
			w.add("JSON nests deeper than 64 levels", "json_depth", w.path)
			w.stop = true
			return
		}
		if w.doc[w.i] == '{' {
			w.object(depth)
		} else {
			w.array(depth)
		}
	case '"':
		if _, ok := w.str(false); !ok {
			w.add("strings must be valid UTF-8 (no invalid bytes or lone surrogate escapes)", "string_unicode", w.path)
		}
	default: // number, true, false, null
		for w.i < len(w.doc) {
			switch w.doc[w.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			w.i++
		}
	}
}

func (w *jsonWalker) object(depth int) {
	w.i++ // {
	seen := map[string]bool{}
	for !w.stop {
		w.skipSpace()
		if w.doc[w.i] == '}' {
			w.i++
			return
		}
		if w.doc[w.i] == ',' {
			w.i++
			w.skipSpace()
		}
		key, ok := w.str(true)
		if !ok {
			w.add("keys must be valid UTF-8 (no invalid bytes or lone surrogate escapes)", "string_unicode", w.path)
		} else if seen[key] {
			w.add("duplicate key "+key, "duplicate_key", w.at(key))
		}
		seen[key] = true
		w.skipSpace()
		w.i++ // :
		w.path = append(w.path, key)
		w.value(depth + 1)
		w.path = w.path[:len(w.path)-1]
	}
}

func (w *jsonWalker) array(depth int) {
	w.i++ // [
	for n := 0; !w.stop; n++ {
		w.skipSpace()
		if w.doc[w.i] == ']' {
			w.i++
			return
		}
		if w.doc[w.i] == ',' {
			w.i++
		}
		w.path = append(w.path, n)
		w.value(depth + 1)
		w.path = w.path[:len(w.path)-1]
	}
}

// str reads the string at w.i and reports whether it is valid Unicode;
// with decode it also returns its value (for keys).
func (w *jsonWalker) str(decode bool) (string, bool) {
	start := w.i
	w.i++ // opening quote
	ok := true
	for w.i < len(w.doc) {
		c := w.doc[w.i]
		switch {
		case c == '"':
			w.i++
			if !decode || !ok {
				return "", ok
			}
			var s string
			_ = json.Unmarshal(w.doc[start:w.i], &s)
			return s, true
		case c == '\\':
			if w.doc[w.i+1] != 'u' {
				w.i += 2
				continue
			}
			r := hex4(w.doc[w.i+2 : w.i+6])
			w.i += 6
			switch {
			case r >= 0xDC00 && r <= 0xDFFF:
				ok = false // a low surrogate with no high one before it
			case r >= 0xD800 && r <= 0xDBFF:
				if w.i+6 <= len(w.doc) && w.doc[w.i] == '\\' && w.doc[w.i+1] == 'u' {
					if lo := hex4(w.doc[w.i+2 : w.i+6]); lo >= 0xDC00 && lo <= 0xDFFF {
						w.i += 6
						continue
					}
				}
				ok = false
			}
		case c < utf8.RuneSelf:
			w.i++
		default:
			r, size := utf8.DecodeRune(w.doc[w.i:])
			if r == utf8.RuneError && size == 1 {
				ok = false
			}
			w.i += size
		}
	}
	return "", false
}

// hex4 reads four hex digits (well-formed input guarantees them).
func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		}
	}
	return r
}

// nestingDepth is the deepest nesting of objects and arrays in doc,
// counting brackets outside strings; it works on malformed input too.
func nestingDepth(doc []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}
