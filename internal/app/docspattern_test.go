package app_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The answers of executable documentation (docsparse_test.go) show JSON
// with "…" wildcards; this file reads and matches them.

// glob matches s against a pattern in which "…" stands for any text.
func glob(pat, s string) bool {
	parts := strings.Split(pat, ellipsis)
	if len(parts) == 1 {
		return pat == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// pattern is a JSON value in an answer, with "…" wildcards.
type pattern struct {
	kind    byte // '*' any, '{' object, '[' array, '"' string, '0' number, 'l' true/false/null
	members []member
	open    bool // an object with "…": other members allowed
	items   []*pattern
	text    string // a string's glob, a number's or literal's text
}

// member is one key of an object pattern.
type member struct {
	key string
	val *pattern
}

// parsePattern reads one pattern from the start of s and returns the rest.
func parsePattern(s string) (*pattern, string, error) {
	p := &patternParser{s: s}
	v, err := p.value()
	if err != nil {
		return nil, "", fmt.Errorf("at offset %d: %v", p.i, err)
	}
	return v, p.s[p.i:], nil
}

type patternParser struct {
	s string
	i int
}

func (p *patternParser) ws() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *patternParser) ellipsis() bool {
	p.ws()
	if strings.HasPrefix(p.s[p.i:], ellipsis) {
		p.i += len(ellipsis)
		return true
	}
	return false
}

func (p *patternParser) value() (*pattern, error) {
	if p.ellipsis() {
		return &pattern{kind: '*'}, nil
	}
	if p.i == len(p.s) {
		return nil, fmt.Errorf("the value is cut short")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		return &pattern{kind: '"', text: s}, err
	case c == '-' || c >= '0' && c <= '9':
		j := p.i
		for p.i < len(p.s) && strings.IndexByte("+-.eE0123456789", p.s[p.i]) >= 0 {
			p.i++
		}
		if _, err := strconv.ParseFloat(p.s[j:p.i], 64); err != nil {
			return nil, err
		}
		return &pattern{kind: '0', text: p.s[j:p.i]}, nil
	}
	for _, lit := range []string{"true", "false", "null"} {
		if strings.HasPrefix(p.s[p.i:], lit) {
			p.i += len(lit)
			return &pattern{kind: 'l', text: lit}, nil
		}
	}
	return nil, fmt.Errorf("unexpected %q", p.s[p.i:min(len(p.s), p.i+10)])
}

func (p *patternParser) str() (string, error) {
	j := p.i
	for p.i++; p.i < len(p.s) && p.s[p.i] != '"'; p.i++ {
		if p.s[p.i] == '\\' {
			p.i++
		}
	}
	if p.i >= len(p.s) {
		return "", fmt.Errorf("unterminated string")
	}
	p.i++
	var s string
	err := json.Unmarshal([]byte(p.s[j:p.i]), &s)
	return s, err
}

// expect consumes c after optional spaces.
func (p *patternParser) expect(c byte) bool {
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *patternParser) object() (*pattern, error) {
	p.i++
	o := &pattern{kind: '{'}
	if p.expect('}') {
		return o, nil
	}
	for {
		switch {
		case p.ellipsis():
			o.open = true
		case p.expect('"'):
			p.i--
			key, err := p.str()
			if err != nil {
				return nil, err
			}
			if !p.expect(':') {
				return nil, fmt.Errorf("want ':' after %q", key)
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			o.members = append(o.members, member{key, v})
		default:
			return nil, fmt.Errorf("want a key or %s in an object", ellipsis)
		}
		if p.expect('}') {
			return o, nil
		}
		if !p.expect(',') {
			return nil, fmt.Errorf("want ',' or '}' in an object")
		}
	}
}

func (p *patternParser) array() (*pattern, error) {
	p.i++
	a := &pattern{kind: '['}
	if p.expect(']') {
		return a, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		a.items = append(a.items, v)
		if p.expect(']') {
			return a, nil
		}
		if !p.expect(',') {
			return nil, fmt.Errorf("want ',' or ']' in an array")
		}
	}
}

// match reports how v (decoded with UseNumber) differs from the pattern;
// path locates v in the answer.
func (p *pattern) match(path string, v any) error {
	show := func() string { b, _ := json.Marshal(v); return clip(string(b)) }
	switch p.kind {
	case '*':
		return nil
	case '{':
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("at %s: want an object, got %s", orRoot(path), show())
		}
		for _, m := range p.members {
			got, ok := obj[m.key]
			if !ok {
				return fmt.Errorf("at %s: no member %q in %s", orRoot(path), m.key, show())
			}
			if err := m.val.match(path+"."+m.key, got); err != nil {
				return err
			}
		}
		if !p.open && len(obj) != len(p.members) {
			return fmt.Errorf("at %s: the object has members the answer doesn't show (end it with …): %s", orRoot(path), show())
		}
		return nil
	case '[':
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("at %s: want an array, got %s", orRoot(path), show())
		}
		if !slices.ContainsFunc(p.items, func(q *pattern) bool { return q.kind == '*' }) && len(p.items) == len(arr) {
			for i, q := range p.items {
				if err := q.match(fmt.Sprintf("%s[%d]", path, i), arr[i]); err != nil {
					return err
				}
			}
			return nil
		}
		if !matchItems(path, p.items, arr) {
			return fmt.Errorf("at %s: the array differs: %s", orRoot(path), show())
		}
		return nil
	case '"':
		if s, ok := v.(string); !ok || !glob(p.text, s) {
			return fmt.Errorf("at %s: want %q, got %s", orRoot(path), p.text, show())
		}
		return nil
	case '0':
		n, ok := v.(json.Number)
		want, _ := strconv.ParseFloat(p.text, 64)
		if got, err := n.Float64(); !ok || err != nil || got != want {
			return fmt.Errorf("at %s: want %s, got %s", orRoot(path), p.text, show())
		}
		return nil
	default:
		b, _ := json.Marshal(v)
		if string(b) != p.text {
			return fmt.Errorf("at %s: want %s, got %s", orRoot(path), p.text, show())
		}
		return nil
	}
}

// matchItems matches array elements in order; a "…" item stands for any
// number of elements.
func matchItems(path string, pats []*pattern, vals []any) bool {
	if len(pats) == 0 {
		return len(vals) == 0
	}
	if pats[0].kind == '*' {
		for skip := 0; skip <= len(vals); skip++ {
			if matchItems(path, pats[1:], vals[skip:]) {
				return true
			}
		}
		return false
	}
	return len(vals) > 0 && pats[0].match(path, vals[0]) == nil && matchItems(path, pats[1:], vals[1:])
}

func orRoot(path string) string {
	if path == "" {
		return "the top"
	}
	return path
}
