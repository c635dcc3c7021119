package jsondiff

import (
	"bytes"
	"encoding/json"
)

// Merge applies an RFC 7396 JSON merge patch to target and returns the
// result: a patch that is an object changes target member by member (null
// removes a member, an object merges into it, anything else replaces it;
// a target that is not an object starts empty), and any other patch
// replaces target whole. Values are as decoded by encoding/json (objects
// as map[string]any); target's maps may be changed in place.
func Merge(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = Merge(t[k], v)
		}
	}
	return t
}

// MergeJSON is Merge on JSON texts; an empty target is absent (as if
// null). Numbers keep their digits.
func MergeJSON(target, patch []byte) ([]byte, error) {
	var t any
	if len(bytes.TrimSpace(target)) > 0 {
		var err error
		if t, err = decodeNumbers(target); err != nil {
			return nil, err
		}
	}
	p, err := decodeNumbers(patch)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Merge(t, p)); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// decodeNumbers decodes one JSON value, numbers as json.Number.
func decodeNumbers(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}
