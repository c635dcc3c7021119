package jsondiff

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// apply is an independent RFC 6902 applier for the four operations Diff
// emits, used to prove that every patch turns a into b.
func apply(doc any, ops []Op) (any, error) {
	for _, op := range ops {
		var err error
		switch op.Op {
		case "add":
			doc, err = set(doc, tokens(op.Path), clone(op.Value), true)
		case "replace":
			doc, err = set(doc, tokens(op.Path), clone(op.Value), false)
		case "remove":
			doc, _, err = take(doc, tokens(op.Path))
		case "move":
			var v any
			if doc, v, err = take(doc, tokens(op.From)); err == nil {
				doc, err = set(doc, tokens(op.Path), v, true)
			}
		default:
			err = fmt.Errorf("unknown op %s", op.Op)
		}
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", op.Op, op.Path, err)
		}
	}
	return doc, nil
}

func clone(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func tokens(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
	}
	return parts
}

func set(doc any, path []string, v any, insert bool) (any, error) {
	if len(path) == 0 {
		return v, nil
	}
	switch c := doc.(type) {
	case map[string]any:
		if len(path) == 1 {
			if _, ok := c[path[0]]; !ok && !insert {
				return nil, fmt.Errorf("replace of missing key %s", path[0])
			}
			c[path[0]] = v
			return c, nil
		}
		child, err := set(c[path[0]], path[1:], v, insert)
		c[path[0]] = child
		return c, err
	case []any:
		i, err := strconv.Atoi(path[0])
		if err != nil || i < 0 || i > len(c) || (i == len(c) && !(insert && len(path) == 1)) {
			return nil, fmt.Errorf("bad index %s of %d", path[0], len(c))
		}
		if len(path) == 1 {
			if insert {
				return append(c[:i], append([]any{v}, c[i:]...)...), nil
			}
			c[i] = v
			return c, nil
		}
		child, err := set(c[i], path[1:], v, insert)
		c[i] = child
		return c, err
	}
	return nil, fmt.Errorf("no container at %v", path)
}

func take(doc any, path []string) (any, any, error) {
	switch c := doc.(type) {
	case map[string]any:
		if len(path) == 1 {
			v, ok := c[path[0]]
			if !ok {
				return nil, nil, fmt.Errorf("remove of missing key %s", path[0])
			}
			delete(c, path[0])
			return c, v, nil
		}
		child, v, err := take(c[path[0]], path[1:])
		c[path[0]] = child
		return c, v, err
	case []any:
		i, err := strconv.Atoi(path[0])
		if err != nil || i < 0 || i >= len(c) {
			return nil, nil, fmt.Errorf("bad index %s of %d", path[0], len(c))
		}
		if len(path) == 1 {
			v := c[i]
			return append(c[:i], c[i+1:]...), v, nil
		}
		child, v, err := take(c[i], path[1:])
		c[i] = child
		return c, v, err
	}
	return nil, nil, fmt.Errorf("no container at %v", path)
}

func decode(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func roundTrip(t testing.TB, a, b string) []Op {
	t.Helper()
	ops, _ := Diff(decode(t, a), decode(t, b))
	got, err := apply(decode(t, a), ops)
	if err != nil {
		t.Fatalf("applying %v: %v", ops, err)
	}
	if !reflect.DeepEqual(got, decode(t, b)) {
		t.Fatalf("patch %v turns %s into %v, want %s", ops, a, got, b)
	}
	return ops
}

func opsJSON(ops []Op) string {
	b, _ := json.Marshal(ops)
	return string(b)
}

func TestDiff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, a, b, want string }{
		{"equal", `{"a":1}`, `{"a":1.0}`, `null`},
		{"scalar change", `{"voice":{"speed":1}}`, `{"voice":{"speed":1.2}}`, `[{"op":"replace","path":"/voice/speed","value":1.2}]`},
		{"add and remove keys", `{"a":1,"b":2}`, `{"b":2,"c":null}`, `[{"op":"remove","path":"/a"},{"op":"add","path":"/c","value":null}]`},
		{"escaped key", `{"a/b":1,"m~n":1}`, `{"a/b":2,"m~n":1}`, `[{"op":"replace","path":"/a~1b","value":2}]`},
		{"array tail", `{"k":[1,2,3]}`, `{"k":[1]}`, `[{"op":"remove","path":"/k/2"},{"op":"remove","path":"/k/1"}]`},
		{"type change", `{"k":[1]}`, `{"k":{"x":1}}`, `[{"op":"replace","path":"/k","value":{"x":1}}]`},
		{"tool inserted first is one add", `{"tools":[{"name":"a"},{"name":"b"}]}`, `{"tools":[{"name":"z"},{"name":"a"},{"name":"b"}]}`,
			`[{"op":"add","path":"/tools/0","value":{"name":"z"}}]`},
		{"tool changed by name", `{"tools":[{"name":"a","d":"x"},{"name":"b"}]}`, `{"tools":[{"name":"a","d":"y"},{"name":"b"}]}`,
			`[{"op":"replace","path":"/tools/0/d","value":"y"}]`},
		{"tools swapped is a move", `{"tools":[{"name":"a"},{"name":"b"}]}`, `{"tools":[{"name":"b"},{"name":"a"}]}`,
			`[{"from":"/tools/1","op":"move","path":"/tools/0"}]`},
	} {
		ops := roundTrip(t, tc.a, tc.b)
		if got := opsJSON(ops); got != tc.want {
			t.Errorf("%s: patch %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestKeyedRoundTrips(t *testing.T) {
	t.Parallel()
	cases := [][2]string{
		{`{"tools":[{"name":"a"},{"name":"b"},{"name":"c"}]}`, `{"tools":[{"name":"c","x":1},{"name":"d"},{"name":"a"}]}`},
		{`{"tools":[]}`, `{"tools":[{"name":"a"}]}`},
		{`{"tools":[{"name":"a"},{"name":"b"}]}`, `{"tools":[]}`},
		{`{"tools":[{"name":"a"},{"name":"b"},{"name":"c"},{"name":"d"}]}`, `{"tools":[{"name":"d"},{"name":"c"},{"name":"b"},{"name":"a"}]}`},
		{`{"tools":[{"name":"a"},{"name":"a"}]}`, `{"tools":[{"name":"a"}]}`}, // duplicate names: by index
	}
	for _, c := range cases {
		roundTrip(t, c[0], c[1])
	}
}

func TestChangesNameTools(t *testing.T) {
	t.Parallel()
	_, changes := Diff(decode(t, `{"tools":[{"name":"lookup","description":"old"}]}`), decode(t, `{"tools":[{"name":"book"},{"name":"lookup","description":"new"}]}`))
	var got []string
	for _, c := range changes {
		var parts []string
		for _, s := range c.Path {
			parts = append(parts, s.Key)
		}
		got = append(got, c.Kind+":"+strings.Join(parts, "."))
	}
	want := []string{"added:tools.book", "changed:tools.lookup.description"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changes %v, want %v", got, want)
	}
}

// FuzzDiff: for any two JSON documents the patch applies cleanly and
// yields the second.
func FuzzDiff(f *testing.F) {
	f.Add(`{"a":[1,2]}`, `{"a":[2]}`)
	f.Add(`{"tools":[{"name":"a"},{"name":"b"}]}`, `{"tools":[{"name":"b","x":[1]},{"name":"c"}]}`)
	f.Add(`[1,{"name":"x"}]`, `{"k":null}`)
	f.Fuzz(func(t *testing.T, a, b string) {
		var x, y any
		if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
			return
		}
		roundTrip(t, a, b)
	})
}
