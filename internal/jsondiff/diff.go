// Package jsondiff computes the structural difference between two JSON
// documents as an RFC 6902 JSON Patch, plus a list of changes labelled for
// people. Arrays whose elements are all objects with a unique string "name"
// (tools, for instance) are matched by name, so renaming, reordering or
// inserting one tool is a move or an add, not a cascade of replaces. It
// also applies RFC 7396 JSON merge patches (merge.go), the other way of
// writing a change to a document.
package jsondiff

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Op is one JSON Patch operation.
type Op struct {
	Op    string // add, remove, replace, move
	Path  string
	From  string // move only
	Value any    // add and replace only
}

// MarshalJSON writes the operation with exactly the members RFC 6902 gives
// its kind (a null value is still written for add and replace).
func (o Op) MarshalJSON() ([]byte, error) {
	m := map[string]any{"op": o.Op, "path": o.Path}
	switch o.Op {
	case "add", "replace":
		m["value"] = o.Value
	case "move":
		m["from"] = o.From
	}
	return json.Marshal(m)
}

// Change is one difference as a person would name it. Path holds object
// keys, and for name-matched arrays the element's name (Keyed marks those
// steps); Old is nil for additions and New for removals.
type Change struct {
	Kind  string // added, removed, changed, moved
	Path  []Step
	Old   any
	New   any
	Index int // for moved: the new position
}

// Step is one step of a Change path.
type Step struct {
	Key   string // object key, or the element's name when Keyed
	Index int    // array index for unkeyed arrays
	Array bool   // an index into an unkeyed array
	Keyed bool   // an element of a name-matched array
}

// Diff returns the patch that turns a into b and the changes it makes.
// Both are decoded JSON values (map[string]any, []any, string, float64,
// bool, nil).
func Diff(a, b any) ([]Op, []Change) {
	d := &differ{}
	d.diff("", nil, a, b)
	return d.ops, d.changes
}

// DiffJSON decodes two documents and diffs them.
func DiffJSON(a, b []byte) ([]Op, []Change, error) {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return nil, nil, err
	}
	ops, changes := Diff(x, y)
	return ops, changes, nil
}

type differ struct {
	ops     []Op
	changes []Change
}

func escape(tok string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(tok)
}

func with(path []Step, s Step) []Step {
	return append(append(make([]Step, 0, len(path)+1), path...), s)
}

func (d *differ) diff(ptr string, path []Step, a, b any) {
	switch x := a.(type) {
	case map[string]any:
		if y, ok := b.(map[string]any); ok {
			d.object(ptr, path, x, y)
			return
		}
	case []any:
		if y, ok := b.([]any); ok {
			if keyed(x) && keyed(y) {
				d.keyedArray(ptr, path, x, y)
			} else {
				d.array(ptr, path, x, y)
			}
			return
		}
	}
	if !reflect.DeepEqual(a, b) {
		d.ops = append(d.ops, Op{Op: "replace", Path: ptr, Value: b})
		d.changes = append(d.changes, Change{Kind: "changed", Path: path, Old: a, New: b})
	}
}

func (d *differ) object(ptr string, path []Step, a, b map[string]any) {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		p, sp := ptr+"/"+escape(k), with(path, Step{Key: k})
		av, inA := a[k]
		bv, inB := b[k]
		switch {
		case inA && !inB:
			d.ops = append(d.ops, Op{Op: "remove", Path: p})
			d.changes = append(d.changes, Change{Kind: "removed", Path: sp, Old: av})
		case !inA && inB:
			d.ops = append(d.ops, Op{Op: "add", Path: p, Value: bv})
			d.changes = append(d.changes, Change{Kind: "added", Path: sp, New: bv})
		default:
			d.diff(p, sp, av, bv)
		}
	}
}

// array diffs by position: common indexes recurse, the tail is removed
// (from the end, so indexes stay valid) or appended.
func (d *differ) array(ptr string, path []Step, a, b []any) {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		d.diff(ptr+"/"+strconv.Itoa(i), with(path, Step{Index: i, Array: true}), a[i], b[i])
	}
	for i := len(a) - 1; i >= n; i-- {
		d.ops = append(d.ops, Op{Op: "remove", Path: ptr + "/" + strconv.Itoa(i)})
		d.changes = append(d.changes, Change{Kind: "removed", Path: with(path, Step{Index: i, Array: true}), Old: a[i]})
	}
	for i := n; i < len(b); i++ {
		d.ops = append(d.ops, Op{Op: "add", Path: ptr + "/" + strconv.Itoa(i), Value: b[i]})
		d.changes = append(d.changes, Change{Kind: "added", Path: with(path, Step{Index: i, Array: true}), New: b[i]})
	}
}

// keyed reports whether every element is an object with a unique string
// "name".
func keyed(arr []any) bool {
	if len(arr) == 0 {
		return true
	}
	seen := map[string]bool{}
	for _, e := range arr {
		o, ok := e.(map[string]any)
		if !ok {
			return false
		}
		n, ok := o["name"].(string)
		if !ok || seen[n] {
			return false
		}
		seen[n] = true
	}
	return true
}

func nameOf(e any) string { return e.(map[string]any)["name"].(string) }

// keyedArray matches elements by name. It simulates the patch on a copy of
// a so every emitted index is valid at the moment its operation applies:
// first removals (from the end), then, position by position, keep and
// recurse, move an element up from later, or insert a new one.
func (d *differ) keyedArray(ptr string, path []Step, a, b []any) {
	inB := map[string]bool{}
	for _, e := range b {
		inB[nameOf(e)] = true
	}
	cur := append([]any(nil), a...)
	for i := len(cur) - 1; i >= 0; i-- {
		if n := nameOf(cur[i]); !inB[n] {
			d.ops = append(d.ops, Op{Op: "remove", Path: ptr + "/" + strconv.Itoa(i)})
			d.changes = append(d.changes, Change{Kind: "removed", Path: with(path, Step{Key: n, Keyed: true}), Old: cur[i]})
			cur = append(cur[:i], cur[i+1:]...)
		}
	}
	for j, be := range b {
		n := nameOf(be)
		step := with(path, Step{Key: n, Keyed: true})
		k := -1
		for i := j; i < len(cur); i++ {
			if nameOf(cur[i]) == n {
				k = i
				break
			}
		}
		p := ptr + "/" + strconv.Itoa(j)
		switch {
		case k == j:
		case k > j:
			d.ops = append(d.ops, Op{Op: "move", From: ptr + "/" + strconv.Itoa(k), Path: p})
			d.changes = append(d.changes, Change{Kind: "moved", Path: step, Index: j})
			e := cur[k]
			cur = append(cur[:k], cur[k+1:]...)
			cur = append(cur[:j], append([]any{e}, cur[j:]...)...)
		default:
			d.ops = append(d.ops, Op{Op: "add", Path: p, Value: be})
			d.changes = append(d.changes, Change{Kind: "added", Path: step, New: be})
			cur = append(cur[:j], append([]any{be}, cur[j:]...)...)
			continue
		}
		d.diff(p, step, cur[j], be)
	}
}
