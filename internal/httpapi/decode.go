package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/agentplane/agentplane"
)

// decode reads a JSON object body into dst, a pointer to a struct. It
// answers 415 for a content type that is neither JSON nor absent (curl's
// default form type for -d is read as JSON too, so the README's one-line
// examples work), 413 past the body limit, 400 for
// malformed JSON (with the byte offset) and 422 naming every unknown field
// and every value of the wrong type. Server-owned fields are unknown fields:
// input structs simply don't have them.
func decode(r *http.Request, dst any) error {
	body, err := readJSONBody(r)
	if err != nil {
		return err
	}
	return decodeBytes(body, dst)
}

// decodeOptional is decode for routes whose body may be empty: an empty
// body leaves dst unchanged.
func decodeOptional(r *http.Request, dst any) error {
	body, err := readBody(r)
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return err
	}
	if err := checkSyntax(body); err != nil {
		return err
	}
	return decodeBytes(body, dst)
}

// readBody checks the content type and reads the body under the size limit.
func readBody(r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json") && mt != "application/x-www-form-urlencoded") {
			return nil, agentplane.Errorf(errUnsupportedMedia, "Content-Type must be application/json")
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, agentplane.Errorf(agentplane.EPayloadTooLarge, "request body is larger than the limit")
		}
		return nil, agentplane.Errorf(agentplane.EBadRequest, "could not read the request body")
	}
	return body, nil
}

// readJSONBody reads a required body and checks that it is well-formed JSON.
func readJSONBody(r *http.Request) ([]byte, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, agentplane.Errorf(agentplane.EBadRequest, "request body is empty; send a JSON object")
	}
	return body, checkSyntax(body)
}

// checkSyntax reports malformed JSON as 400 with the byte offset, and a
// document that parses but is not acceptable (nested too deeply, duplicate
// keys, invalid Unicode; SPEC §24) as 422. Depth is checked first, by a
// scan that needs no parse, so a hostile document costs one pass.
func checkSyntax(body []byte) error {
	if nestingDepth(body) > MaxJSONDepth {
		return &agentplane.Error{Code: agentplane.EInvalid, Message: "JSON nests deeper than 64 levels",
			Fields: []agentplane.FieldError{{Loc: []any{"body"}, Msg: "nests deeper than 64 levels", Type: "json_depth"}}}
	}
	if !json.Valid(body) {
		var top any
		err := json.Unmarshal(body, &top)
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			return agentplane.Errorf(agentplane.EBadRequest, "malformed JSON at byte offset %d: %s", se.Offset, se.Error())
		}
		return agentplane.Errorf(agentplane.EBadRequest, "malformed JSON")
	}
	return inspectJSON(body, "body")
}

// decodeBytes decodes a well-formed JSON body into the struct dst points
// to, refusing unknown fields and wrong types with one 422 naming them all.
func decodeBytes(body []byte, dst any) error {
	var top any
	_ = json.Unmarshal(body, &top)
	obj, ok := top.(map[string]any)
	if !ok {
		return &agentplane.Error{Code: agentplane.EInvalid, Message: "body must be a JSON object",
			Fields: []agentplane.FieldError{{Loc: []any{"body"}, Msg: "must be a JSON object", Type: "object_type"}}}
	}
	var v agentplane.Violations
	// PostgreSQL text can't hold NUL, and no field has a use for it:
	// refuse it everywhere with its path instead of failing at storage.
	findNUL(&v, top, []any{"body"})
	if err := v.Err(); err != nil {
		return err
	}
	known := fieldTypes(reflect.TypeOf(dst).Elem())
	var unknown []string
	for k := range obj {
		if _, ok := known[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		v.Add("unknown or read-only field "+k, "extra_forbidden", "body", k)
	}
	if err := v.Err(); err != nil {
		return err
	}
	// Decode field by field first, so one response names every value of
	// the wrong type, not just the first.
	fields := fieldTypes(reflect.TypeOf(dst).Elem())
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	raw := map[string]json.RawMessage{}
	_ = json.Unmarshal(body, &raw)
	for _, k := range keys {
		if err := json.Unmarshal(raw[k], reflect.New(fields[k]).Interface()); err != nil {
			loc := []any{"body", k}
			name := k
			if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
				for _, p := range strings.Split(te.Field, ".") {
					if p != "" {
						loc = append(loc, p)
					}
				}
				if te.Field != "" {
					name = k + "." + te.Field
				}
				v.Add(name+" must be "+jsonKind(te.Type), "type_error", loc...)
			} else {
				v.Add(k+": "+err.Error(), "value_error", loc...)
			}
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return &agentplane.Error{Code: agentplane.EInvalid, Message: err.Error()}
	}
	return nil
}

// jsonKind names a Go type the way a JSON user would.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "of another type"
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// fieldTypes maps the JSON names of a struct's fields, including those of
// embedded structs, to their types; cached per type.
func fieldTypes(t reflect.Type) map[string]reflect.Type {
	if v, ok := fieldCache.Load(t); ok {
		return v.(map[string]reflect.Type)
	}
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, ft := range fieldTypes(f.Type) {
				out[k] = ft
			}
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	fieldCache.Store(t, out)
	return out
}

// findNUL reports every string (key or value) holding a NUL character.
func findNUL(v *agentplane.Violations, x any, loc []any) {
	at := func(k any) []any { return append(append([]any{}, loc...), k) }
	switch t := x.(type) {
	case string:
		if strings.ContainsRune(t, 0) {
			v.Add("strings must not contain NUL characters", "string_nul", loc...)
		}
	case map[string]any:
		for k, e := range t {
			if strings.ContainsRune(k, 0) {
				v.Add("keys must not contain NUL characters", "string_nul", loc...)
				continue
			}
			findNUL(v, e, at(k))
		}
	case []any:
		for i, e := range t {
			findNUL(v, e, at(i))
		}
	}
}
