package agentplane

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// mutations returns changed copies of the value v (a field of a tagged
// object): every kind of change a write can make to it.
func mutations(t *testing.T, v reflect.Value) []reflect.Value {
	t.Helper()
	with := func(f func(n reflect.Value)) reflect.Value {
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		f(n)
		return n
	}
	switch x := v.Interface().(type) {
	case Time:
		return []reflect.Value{reflect.ValueOf(Time{x.Add(time.Millisecond)})}
	case json.RawMessage:
		return []reflect.Value{
			reflect.ValueOf(json.RawMessage(`{"k":"other"}`)),
			reflect.ValueOf(json.RawMessage(`{}`)),
			reflect.ValueOf(json.RawMessage(nil)),
		}
	}
	switch v.Kind() {
	case reflect.String:
		return []reflect.Value{
			with(func(n reflect.Value) { n.SetString(v.String() + "x") }),
			with(func(n reflect.Value) { n.SetString("") }),
		}
	case reflect.Bool:
		return []reflect.Value{with(func(n reflect.Value) { n.SetBool(!v.Bool()) })}
	case reflect.Int, reflect.Int64:
		return []reflect.Value{with(func(n reflect.Value) { n.SetInt(v.Int() + 1) })}
	case reflect.Pointer:
		out := []reflect.Value{reflect.Zero(v.Type())}
		for _, m := range mutations(t, v.Elem()) {
			p := reflect.New(v.Type().Elem())
			p.Elem().Set(m)
			out = append(out, p)
		}
		return out
	case reflect.Struct:
		var out []reflect.Value
		for i := range v.NumField() {
			for _, m := range mutations(t, v.Field(i)) {
				out = append(out, with(func(n reflect.Value) { n.Field(i).Set(m) }))
			}
		}
		return out
	case reflect.Slice:
		return []reflect.Value{
			reflect.Zero(v.Type()),
			reflect.MakeSlice(v.Type(), 0, 0),
			reflect.Append(v, v.Index(0)),
			with(func(n reflect.Value) {
				n.Set(reflect.AppendSlice(reflect.MakeSlice(v.Type(), 0, v.Len()), v))
				n.Index(0).Set(mutations(t, v.Index(0))[0])
			}),
		}
	}
	t.Fatalf("no mutations for a %s: teach the test", v.Type())
	return nil
}

// TestETagFollowsEveryVisibleChange: an object's tag is built from its
// fields, not from its JSON, so a field missing from ETag would let a
// stale If-Match through. Every change to any field that changes the JSON
// a client sees must change the tag.
//
// Exempt are visible fields that are no part of what If-Match guards.
func TestETagFollowsEveryVisibleChange(t *testing.T) {
	exempt := map[string]bool{
		// Counts of conversations: a conversation is no edit of the version.
		"Version.ConversationStats": true,
	}
	at := TimeFromMillis(1_764_000_000_123)
	s, n := "text", 3
	actor := Actor{Type: ActorUser, ID: "u", Name: "ada@example.com"}
	objects := []Tagged{
		Agent{ID: "a", OrganizationID: "o", Name: "n", Description: "d", Active: true, Metadata: json.RawMessage(`{"k":"v"}`),
			LiveVersion: &n, CreatedAt: at, UpdatedAt: at},
		Version{ID: "v", AgentID: "a", OrganizationID: "o", Version: 2, Published: true, PublishedAt: &at, BaseVersion: &n,
			Description: "note", Config: json.RawMessage(`{"k":"v"}`), InstructionBuilderInputs: json.RawMessage(`{"k":"v"}`), InstructionsStatus: "ready",
			InstructionsError: &s, InstructionsDirty: true, CreatedBy: &actor, PublishedBy: &actor, CreatedAt: at, UpdatedAt: at},
		WebWidget{ID: "w", OrganizationID: "o", Name: "n", AgentID: "a", AgentVersionID: "v", Domains: []string{"example.com"},
			Published: true, Config: json.RawMessage(`{"k":"v"}`), CreatedAt: at, UpdatedAt: at},
		PhoneNumber{PhoneNumber: "+14155550100", OrganizationID: "o", Label: &s, TrunkID: &s, OutboundShareable: true,
			InboundAgentVersionID: &s, OutboundAgentVersionID: &s, InboundAgentID: &s, InboundVersion: &n,
			OutboundAgentID: &s, OutboundVersion: &n, CreatedAt: at, UpdatedAt: at},
	}
	for _, obj := range objects {
		orig := reflect.ValueOf(obj)
		typ := orig.Type()
		body := func(v reflect.Value) []byte {
			b, err := json.Marshal(v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		origJSON, origTag := body(orig), obj.ETag()
		if obj.ETag() != origTag {
			t.Fatalf("%s: the tag is not stable", typ.Name())
		}
		checked := 0
		for i := range typ.NumField() {
			if f := typ.Field(i); f.Tag.Get("json") == "-" || exempt[typ.Name()+"."+f.Name] {
				continue
			}
			for _, m := range mutations(t, orig.Field(i)) {
				changed := reflect.New(typ).Elem()
				changed.Set(orig)
				changed.Field(i).Set(m)
				if bytes.Equal(body(changed), origJSON) {
					continue // invisible to clients (json:"-"), or no change
				}
				checked++
				if changed.Interface().(Tagged).ETag() == origTag {
					t.Errorf("%s.%s changed to %v: the JSON changed but the ETag did not", typ.Name(), typ.Field(i).Name, m)
				}
			}
		}
		if checked < typ.NumField() {
			t.Errorf("%s: only %d visible changes tried for %d fields", typ.Name(), checked, typ.NumField())
		}
	}
}
