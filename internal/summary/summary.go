// Package summary is the builtin, deterministic plain-language summary of
// a version diff: one sentence per structural change, used when no
// language model is configured, or as the instant part of a compare.
package summary

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agentplane/agentplane/internal/jsondiff"
)

// Summarize is the builtin comparison summary (SPEC §7) used when no model
// is configured: one plain sentence per structural change, config changes
// first, then instruction-builder-input changes, in the diff's order. It
// is deterministic so the same two versions always read the same.
func Summarize(configChanges, inputChanges []jsondiff.Change) []string {
	if len(configChanges) == 0 && len(inputChanges) == 0 {
		return []string{"No differences between the two versions."}
	}
	out := make([]string, 0, len(configChanges)+len(inputChanges))
	for _, c := range configChanges {
		out = append(out, sentence(c, describe(c.Path, configRoot)))
	}
	for _, c := range inputChanges {
		out = append(out, sentence(c, describe(c.Path, inputsRoot)))
	}
	return out
}

// subject is what a sentence is about.
type subject struct {
	text     string // full mid-sentence phrase, e.g. `tool "lookup": description`
	prefix   string // text before the last phrase, e.g. `tool "lookup": `
	base     string // for an array element: the element word, e.g. "guardrail"
	indexed  bool   // the path ends at an element of an unkeyed array
	plural   bool
	info     field
	document bool // the change is to the whole document
}

// describe turns a change path into its subject. Elements of arrays open
// a context ("tool \"lookup\": …") so nested changes stay readable.
func describe(path []jsondiff.Step, r root) subject {
	if len(path) == 0 {
		return subject{text: r.whole, plural: r.plural, document: true}
	}
	prefix := r.prefix
	var pat []string
	start := 0 // where the keys after the last element begin in pat
	for i, st := range path {
		if !st.Keyed && !st.Array {
			pat = append(pat, st.Key)
			continue
		}
		fl := r.lookup(pat, start)
		base := fl.elem
		if base == "" {
			base = singular(fl.label)
		}
		var phrase string
		if st.Keyed {
			phrase = base + " " + strconv.Quote(st.Key)
			pat = append(pat, "*")
		} else {
			phrase = base + " " + strconv.Itoa(st.Index+1)
			pat = append(pat, "#")
		}
		if i == len(path)-1 {
			info := fl
			info.label, info.plural = base, false
			return subject{text: prefix + phrase, prefix: prefix, base: base, indexed: st.Array, info: info}
		}
		prefix += phrase + ": "
		start = len(pat)
	}
	fl := r.lookup(pat, start)
	return subject{text: prefix + fl.label, prefix: prefix, plural: fl.plural, info: fl}
}

// lookup finds how to name pat, whose part from start on is what the
// label must cover: an exact entry, else the longest known prefix plus
// the remaining keys as words, else just the words.
func (r root) lookup(pat []string, start int) field {
	for k := len(pat); k > start; k-- {
		for _, fl := range r.fields {
			if name, ok := match(fl.pattern, pat[:k]); ok {
				fl.label = fill(fl.label, name)
				if k < len(pat) {
					fl = field{label: fl.label + " " + words(pat[k:]...)}
					fl.plural = pluralWord(pat[len(pat)-1])
				}
				return fl
			}
		}
	}
	return field{label: words(pat[start:]...), plural: pluralWord(pat[len(pat)-1])}
}

// match reports whether pat fits pattern, and the key "$" stood for.
func match(pattern, pat []string) (string, bool) {
	if len(pattern) != len(pat) {
		return "", false
	}
	name := ""
	for i, p := range pattern {
		switch {
		case p == "$" && pat[i] != "*" && pat[i] != "#":
			name = pat[i]
		case p != pat[i]:
			return "", false
		}
	}
	return name, true
}

func fill(label, name string) string {
	switch {
	case strings.Contains(label, `"%s"`):
		return strings.Replace(label, `"%s"`, strconv.Quote(name), 1)
	case strings.Contains(label, "%s"):
		return strings.Replace(label, "%s", words(name), 1)
	}
	return label
}

// acronyms keep their capitals when keys become words.
var acronyms = map[string]string{
	"id": "ID", "ids": "IDs", "llm": "LLM", "stt": "STT", "tts": "TTS", "pii": "PII",
	"url": "URL", "urls": "URLs", "sms": "SMS", "sip": "SIP", "dtmf": "DTMF",
	"faq": "FAQ", "faqs": "FAQs", "webrtc": "WebRTC", "api": "API", "http": "HTTP",
	"json": "JSON", "ms": "ms",
}

// words turns keys such as "max_tool_steps" or "voiceId" into "max tool
// steps" and "voice ID", for fields the tables do not know.
func words(keys ...string) string {
	var out []string
	for _, k := range keys {
		var cur []rune
		flush := func() {
			if len(cur) > 0 {
				w := strings.ToLower(string(cur))
				if a, ok := acronyms[w]; ok {
					w = a
				}
				out = append(out, w)
				cur = cur[:0]
			}
		}
		prev := rune(0)
		for _, c := range k {
			switch {
			case c == '_' || c == '-' || c == ' ' || c == '.':
				flush()
			case unicode.IsUpper(c) && prev != 0 && unicode.IsLower(prev):
				flush()
				cur = append(cur, c)
			default:
				cur = append(cur, c)
			}
			prev = c
		}
		flush()
	}
	return strings.Join(out, " ")
}

func pluralWord(key string) bool {
	w := strings.ToLower(key)
	return strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is")
}

func singular(label string) string {
	switch {
	case strings.HasSuffix(label, "ies"):
		return strings.TrimSuffix(label, "ies") + "y"
	case strings.HasSuffix(label, "s") && !strings.HasSuffix(label, "ss"):
		return strings.TrimSuffix(label, "s")
	}
	return label + " item"
}

// Limits on what a sentence quotes: longer text is described by its size.
const (
	shortText = 60
	shortList = 80
)

// sentence writes the sentence for one change.
func sentence(c jsondiff.Change, s subject) string {
	kind := c.Kind
	switch {
	case kind == "changed" && c.Old == nil && c.New != nil:
		kind = "added"
	case kind == "changed" && c.New == nil && c.Old != nil:
		kind = "removed"
	}
	was := "was"
	if s.plural {
		was = "were"
	}
	subj := capitalize(s.text)
	switch kind {
	case "moved":
		return fmt.Sprintf("%s moved to position %d.", subj, c.Index+1)
	case "added", "removed":
		v := c.New
		if kind == "removed" {
			v = c.Old
		}
		if b, ok := v.(bool); ok && kind == "added" {
			return fmt.Sprintf("%s %s turned %s.", subj, was, onOff(b))
		}
		if s.indexed {
			if short, ok := scalar(v, s.info); ok {
				return fmt.Sprintf("%s %s was %s.", capitalize(s.prefix+s.base), short, kind)
			}
		}
		if !s.indexed && !s.document {
			if short, ok := scalar(v, s.info); ok {
				if kind == "added" {
					return fmt.Sprintf("%s %s set to %s.", subj, was, short)
				}
				return fmt.Sprintf("%s %s removed (previously %s).", subj, was, short)
			}
		}
		if str, ok := v.(string); ok {
			return fmt.Sprintf("%s %s %s (%s characters).", subj, was, kind, count(str))
		}
		if list, ok := listOf(v, s.info.keys); ok && kind == "added" {
			return fmt.Sprintf("%s %s added: %s.", subj, was, list)
		}
		if t := tagOf(v, s.info.tag); t != "" {
			subj += " (" + t + ")"
		}
		return fmt.Sprintf("%s %s %s.", subj, was, kind)
	}
	// changed, both sides present
	if a, ok := c.Old.(bool); ok {
		if b, ok := c.New.(bool); ok && a != b {
			return fmt.Sprintf("%s %s turned %s.", subj, was, onOff(b))
		}
	}
	a, aok := scalar(c.Old, s.info)
	b, bok := scalar(c.New, s.info)
	if aok && bok {
		return fmt.Sprintf("%s changed from %s to %s.", subj, a, b)
	}
	as, aStr := c.Old.(string)
	bs, bStr := c.New.(string)
	if aStr && bStr {
		return fmt.Sprintf("%s changed (%s → %s characters).", subj, count(as), count(bs))
	}
	return fmt.Sprintf("%s changed.", subj)
}

// scalar formats a value short enough to print in a sentence.
func scalar(v any, info field) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "none", true
	case bool:
		return onOff(x), true
	case float64:
		return number(x, info), true
	case json.Number:
		if fl, err := x.Float64(); err == nil {
			return number(fl, info), true
		}
		return x.String() + info.unit, true
	case string:
		if utf8.RuneCountInString(x) > shortText || strings.ContainsAny(x, "\r\n") {
			return "", false
		}
		if info.code && x != "" && !strings.ContainsAny(x, " \t\"") {
			return x, true
		}
		return strconv.Quote(x), true
	}
	return "", false
}

// listOf formats a short array (strings quoted, named objects by name)
// or, with keys, the sorted keys of an object.
func listOf(v any, keys bool) (string, bool) {
	arr, ok := v.([]any)
	if m, isMap := v.(map[string]any); isMap && keys {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			arr = append(arr, k)
		}
		ok = true
	}
	if !ok || len(arr) == 0 {
		return "", false
	}
	parts := make([]string, 0, len(arr))
	n := 0
	for _, e := range arr {
		var s string
		switch x := e.(type) {
		case string:
			s = x
		case map[string]any:
			s, _ = x["name"].(string)
		}
		if s == "" || strings.ContainsAny(s, "\r\n") {
			return "", false
		}
		q := strconv.Quote(s)
		if n += utf8.RuneCountInString(q) + 2; n > shortList {
			return "", false
		}
		parts = append(parts, q)
	}
	return strings.Join(parts, ", "), true
}

// tagOf returns what tells an element apart from its siblings: the type
// of a tool action (printed as is), the question of an FAQ (quoted).
func tagOf(v any, key string) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if key == "" {
		key = "type"
	}
	t, _ := m[key].(string)
	s, ok := scalar(t, field{code: key == "type" || key == "provider"})
	if !ok || t == "" {
		return ""
	}
	return s
}

// number prints a JSON number the way people write it: no exponent for
// ordinary values, and one decimal for fields that are fractional by
// nature (a speed of 1.0, not 1).
func number(x float64, info field) string {
	var s string
	switch {
	case info.decimal && x == math.Trunc(x) && math.Abs(x) < 1e15:
		s = strconv.FormatFloat(x, 'f', 1, 64)
	case math.Abs(x) < 1e21:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return s + info.unit
}

// count is a character count with thousands separators (1,204).
func count(s string) string {
	n := strconv.Itoa(utf8.RuneCountInString(s))
	var b strings.Builder
	for i, c := range n {
		if i > 0 && (len(n)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
