package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/agentplane/agentplane"
)

// request builds the API request a call of t makes from its arguments (a
// JSON object, or nothing): path parameters escaped into the path, query
// parameters into the query, header arguments into headers and the body
// fields (or argBody) into a JSON body. An argument the tool doesn't take
// is refused, like an unknown body field is by the API (SPEC §1): a typo
// must not silently drop a filter or a change. The arguments' other
// checks are the API's, so their errors read as any client's would. The
// error is an *agentplane.Error (invalid) naming each bad argument.
func (t *tool) request(ctx context.Context, raw json.RawMessage) (*http.Request, error) {
	args, err := parseArgs(raw)
	if err != nil {
		return nil, err
	}
	var (
		v      agentplane.Violations
		path   = t.Path
		query  = url.Values{}
		header = http.Header{}
		fields = map[string]json.RawMessage{}
		whole  json.RawMessage
	)
	for _, a := range args {
		spec, ok := t.args[a.name]
		if !ok {
			v.Add("this tool takes no argument "+quote(a.name)+"; it takes "+t.argList(), "unknown_field", "arguments", a.name)
			continue
		}
		if spec.kind == inBody {
			fields[spec.name] = a.value // null included: a merge patch's way to remove
			continue
		}
		if spec.kind == asBody {
			whole = a.value
			continue
		}
		if isNull(a.value) {
			continue // as if absent
		}
		if spec.kind == inQuery && spec.array && a.value[0] == '[' {
			var items []json.RawMessage
			if err := json.Unmarshal(a.value, &items); err != nil {
				v.Add("must be an array of strings, numbers or booleans", "type", "arguments", a.name)
				continue
			}
			for _, item := range items {
				s, ok := scalar(item)
				if !ok {
					v.Add("must be an array of strings, numbers or booleans", "type", "arguments", a.name)
					break
				}
				query.Add(spec.name, s)
			}
			continue
		}
		s, ok := scalar(a.value)
		if !ok {
			v.Add("must be a string, a number or a boolean", "type", "arguments", a.name)
			continue
		}
		switch spec.kind {
		case inPath:
			// "." and ".." would be cleaned out of the path by the router
			// (a redirect to another route), and an empty segment would
			// change the route too: refused, and everything else escaped
			// ("/" included) so a value is always one whole segment.
			if s == "" || s == "." || s == ".." {
				v.Add("must not be empty, \".\" or \"..\"", "value", "arguments", a.name)
				continue
			}
			path = strings.ReplaceAll(path, "{"+spec.name+"}", url.PathEscape(s))
		case inQuery:
			query.Set(spec.name, s)
		case inHeader, asOrg:
			if !validHeaderValue(s) {
				v.Add("must not contain control characters", "value", "arguments", a.name)
				continue
			}
			name := spec.name
			if spec.kind == asOrg {
				name = orgHeader
			}
			header.Set(name, s)
		}
	}
	for _, name := range t.required {
		if spec := t.args[name]; spec.kind == inPath && strings.Contains(path, "{"+spec.name+"}") && !slices.ContainsFunc(v, func(f agentplane.FieldError) bool { return len(f.Loc) > 1 && f.Loc[1] == name }) {
			// The path can't be made without it; the API checks the rest.
			v.Add("is required", "missing", "arguments", name)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}

	var body io.Reader
	switch {
	case whole != nil:
		body = bytes.NewReader(whole)
	case t.hasBody && (len(fields) > 0 || t.bodyRequired):
		b, err := json.Marshal(fields)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	target := path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	r, err := http.NewRequestWithContext(ctx, t.Method, target, body)
	if err != nil {
		return nil, fmt.Errorf("build the request: %w", err)
	}
	// As a server's request: a body that is never nil, the request URI.
	if r.Body == nil {
		r.Body = http.NoBody
	}
	r.RequestURI = r.URL.RequestURI()
	r.Header = header
	r.Header.Set("Accept", "application/json")
	if body != nil {
		r.Header.Set("Content-Type", t.contentType)
	}
	return r, nil
}

// argList names the tool's arguments, for the error about an unknown one.
func (t *tool) argList() string {
	names := make([]string, 0, len(t.args))
	for name := range t.args {
		names = append(names, name)
	}
	if len(names) == 0 {
		return "none"
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// argument is one member of the call's arguments object, in order.
type argument struct {
	name  string
	value json.RawMessage
}

// parseArgs reads the arguments object member by member: a name given
// twice is refused (which one was meant is a guess, as the API's body
// decoder says too), and nothing but an object (or nothing) is taken.
func parseArgs(raw json.RawMessage) ([]argument, error) {
	if len(bytes.TrimSpace(raw)) == 0 || isNull(raw) {
		return nil, nil
	}
	bad := func(msg string) error {
		var v agentplane.Violations
		v.Add(msg, "type", "arguments")
		return v.Err()
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, bad("the arguments must be a JSON object")
	}
	var out []argument
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, bad("the arguments are not valid JSON")
		}
		name, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, bad("the arguments are not valid JSON")
		}
		if seen[name] {
			var v agentplane.Violations
			v.Add("the argument "+quote(name)+" is given more than once", "duplicate", "arguments", name)
			return nil, v.Err()
		}
		seen[name] = true
		out = append(out, argument{name: name, value: value})
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, bad("the arguments are not valid JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, bad("the arguments must be one JSON object")
	}
	return out, nil
}

// scalar returns a string, number or boolean JSON value as the text a
// path, query or header carries.
func scalar(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "", false
	}
	switch v[0] {
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", false
		}
		return s, true
	case 't', 'f':
		return string(v), string(v) == "true" || string(v) == "false"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if !json.Valid(v) {
			return "", false
		}
		return string(v), true
	}
	return "", false
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// validHeaderValue refuses what a header on the wire couldn't carry: the
// in-process request never crosses a wire that would check it.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// quote shows a caller's name in a message, cut short.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return fmt.Sprintf("%q", s)
}
