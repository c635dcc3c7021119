package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/agentplane/agentplane"
)

// tuples reads the JSON that jsonRows and jsonRow render: arrays of rows,
// each row an array of column values in select order. Decoding the agent
// detail's embeds as objects (~9 KB) with encoding/json cost more CPU than
// the six statements it replaced (reflection, matching keys); as
// positional rows (~5 KB) read here it costs less than half. The input is
// built by the database, so the reader checks structure but leaves a
// value's own syntax (a string's escapes, a document's inside) to
// encoding/json and CanonicalJSON.
//
// The first malformed value stops the reader: later reads return zero
// values and err reports what went wrong.
type tuples struct {
	b   []byte
	i   int
	err error
}

// fail records the first error and stops the reader.
func (t *tuples) fail(format string, args ...any) {
	if t.err == nil {
		t.err = fmt.Errorf("at byte %d: "+format, append([]any{t.i}, args...)...)
	}
	t.i = len(t.b)
}

// ws skips the insignificant space PostgreSQL puts after commas.
func (t *tuples) ws() {
	for t.i < len(t.b) {
		switch t.b[t.i] {
		case ' ', '\t', '\n', '\r':
			t.i++
		default:
			return
		}
	}
}

// open enters an array.
func (t *tuples) open() {
	t.ws()
	if t.i >= len(t.b) || t.b[t.i] != '[' {
		t.fail("want [")
		return
	}
	t.i++
}

// more reports whether the current array has another element.
func (t *tuples) more() bool {
	t.ws()
	return t.err == nil && t.i < len(t.b) && t.b[t.i] != ']'
}

// close leaves the current array, and the comma after it.
func (t *tuples) close() {
	t.ws()
	if t.i >= len(t.b) || t.b[t.i] != ']' {
		t.fail("want ]")
		return
	}
	t.i++
	t.comma()
}

func (t *tuples) comma() {
	t.ws()
	if t.i < len(t.b) && t.b[t.i] == ',' {
		t.i++
	}
}

// value returns the next value's text and moves past it.
func (t *tuples) value() []byte {
	t.ws()
	start := t.i
	if t.i >= len(t.b) {
		t.fail("missing value")
		return nil
	}
	switch t.b[t.i] {
	case '"':
		t.skipString()
	case '[', '{':
		depth := 0
		for t.i < len(t.b) {
			switch t.b[t.i] {
			case '"':
				t.skipString()
				continue
			case '[', '{':
				depth++
			case ']', '}':
				depth--
			}
			t.i++
			if depth == 0 {
				break
			}
		}
		if depth != 0 {
			t.fail("unterminated document")
		}
	default: // number, true, false, null
		for t.i < len(t.b) && !delimiter(t.b[t.i]) {
			t.i++
		}
	}
	if t.err != nil {
		return nil
	}
	v := t.b[start:t.i]
	t.comma()
	return v
}

// delimiter reports whether c ends a number or literal.
func delimiter(c byte) bool {
	switch c {
	case ',', ']', '}', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// skipString moves past the string starting at t.i.
func (t *tuples) skipString() {
	for t.i++; t.i < len(t.b); t.i++ {
		switch t.b[t.i] {
		case '\\':
			t.i++
		case '"':
			t.i++
			return
		}
	}
	t.fail("unterminated string")
}

// end checks that the reader consumed its whole input without error.
func (t *tuples) end() error {
	t.ws()
	if t.err == nil && t.i != len(t.b) {
		t.fail("trailing data")
	}
	return t.err
}

func isNull(v []byte) bool { return string(v) == "null" }

// str reads a string; null reads as "".
func (t *tuples) str() string { return t.strOf(t.value()) }

// strPtr reads a nullable string.
func (t *tuples) strPtr() *string {
	v := t.value()
	if isNull(v) {
		return nil
	}
	s := t.strOf(v)
	return &s
}

func (t *tuples) strOf(v []byte) string {
	if len(v) < 2 || v[0] != '"' {
		if v != nil && !isNull(v) {
			t.fail("want a string, got %.20s", v)
		}
		return ""
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1])
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		t.fail("%v", err)
	}
	return s
}

// int64 reads an integer.
func (t *tuples) int64() int64 { return t.int64Of(t.value()) }

// int64Ptr reads a nullable integer.
func (t *tuples) int64Ptr() *int64 {
	v := t.value()
	if isNull(v) {
		return nil
	}
	n := t.int64Of(v)
	return &n
}

func (t *tuples) int64Of(v []byte) int64 {
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		t.fail("want an integer, got %.20s", v)
	}
	return n
}

// intPtr reads a nullable integer as an int.
func (t *tuples) intPtr() *int {
	n := t.int64Ptr()
	if n == nil {
		return nil
	}
	i := int(*n)
	return &i
}

// float reads a number; SQLite writes REAL columns as 3.0 or 1.0e+300,
// PostgreSQL as 3 or 1e+300, and both read back as the same float64.
func (t *tuples) float() float64 {
	v := t.value()
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil && t.err == nil {
		t.fail("want a number, got %.20s", v)
	}
	return f
}

// boolean reads a boolean: true/false from PostgreSQL, 1/0 from SQLite,
// which stores booleans as integers and so puts numbers into JSON.
func (t *tuples) boolean() bool {
	switch v := t.value(); string(v) {
	case "true", "1":
		return true
	case "false", "0":
		return false
	default:
		t.fail("want a boolean, got %.20s", v)
		return false
	}
}

// doc reads a JSON document (object or array) as its text. A string in
// its place is SQLite's wrapping of a stored text it could not parse
// (jsonDoc); its contents are returned as stored.
func (t *tuples) doc() []byte {
	v := t.value()
	if len(v) > 0 && v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			t.fail("%v", err)
		}
		return []byte(s)
	}
	return v
}

// millis reads epoch milliseconds, the stored form of a time.
func (t *tuples) millis() agentplane.Time { return agentplane.TimeFromMillis(t.int64()) }
