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
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json") && mt != "application/x-www-form-urlencoded") {
			return agentplane.Errorf(errUnsupportedMedia, "Content-Type must be application/json")
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return agentplane.Errorf(agentplane.EPayloadTooLarge, "request body is larger than the limit")
		}
		return agentplane.Errorf(agentplane.EBadRequest, "could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return agentplane.Errorf(agentplane.EBadRequest, "request body is empty; send a JSON object")
	}
	var top any
	if err := json.Unmarshal(body, &top); err != nil {
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			return agentplane.Errorf(agentplane.EBadRequest, "malformed JSON at byte offset %d: %s", se.Offset, se.Error())
		}
		return agentplane.Errorf(agentplane.EBadRequest, "malformed JSON: %s", err.Error())
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return &agentplane.Error{Code: agentplane.EInvalid, Message: "body must be a JSON object",
			Fields: []agentplane.FieldError{{Loc: []any{"body"}, Msg: "must be a JSON object", Type: "object_type"}}}
	}
	var v agentplane.Violations
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
