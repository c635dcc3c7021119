package jsondiff

import (
	"testing"
)

// TestMergeJSON runs the examples of RFC 7396 (Appendix A) and a few of
// our own.
func TestMergeJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ target, patch, want string }{
		{`{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{`{"a":"b"}`, `{"a":null}`, `{}`},
		{`{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{`{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{`{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{`["a","b"]`, `["c","d"]`, `["c","d"]`},
		{`{"a":"b"}`, `["c"]`, `["c"]`},
		{`{"a":"foo"}`, `null`, `null`},
		{`{"a":"foo"}`, `"bar"`, `"bar"`},
		{`{"e":null}`, `{"a":1}`, `{"a":1,"e":null}`},
		{`[1,2]`, `{"a":"b","c":null}`, `{"a":"b"}`},
		{`{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
		// Ours: an absent target, nested objects three deep, a key
		// removed that was never there, numbers kept as written.
		{``, `{"a":{"b":1}}`, `{"a":{"b":1}}`},
		{`{"voice":{"provider":"p","speed":1.5,"extra":{"x":1,"y":2}}}`, `{"voice":{"speed":1.1,"extra":{"x":null,"z":3}}}`,
			`{"voice":{"extra":{"y":2,"z":3},"provider":"p","speed":1.1}}`},
		{`{"a":1}`, `{"missing":null}`, `{"a":1}`},
		{`{"n":1}`, `{"big":123456789012345678901234567890,"f":1.50}`, `{"big":123456789012345678901234567890,"f":1.50,"n":1}`},
		{`{"html":"<b>"}`, `{}`, `{"html":"<b>"}`},
	} {
		got, err := MergeJSON([]byte(tc.target), []byte(tc.patch))
		if err != nil {
			t.Errorf("MergeJSON(%s, %s): %v", tc.target, tc.patch, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("MergeJSON(%s, %s) = %s, want %s", tc.target, tc.patch, got, tc.want)
		}
	}
}

func TestMergeJSONRefusesMalformed(t *testing.T) {
	t.Parallel()
	for _, tc := range [][2]string{{`{"a":`, `{}`}, {`{}`, `{"a":`}, {`{}`, ``}} {
		if _, err := MergeJSON([]byte(tc[0]), []byte(tc[1])); err == nil {
			t.Errorf("MergeJSON(%q, %q) succeeded", tc[0], tc[1])
		}
	}
}
