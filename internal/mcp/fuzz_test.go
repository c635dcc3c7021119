package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/agentplane/agentplane"
)

// FuzzRequest: whatever a client sends as a tool's arguments, building the
// request never panics, and either refuses with an invalid error or makes
// a request that the tool's own route pattern matches, with each path
// parameter exactly the value given (so no value can change the route:
// no extra segment, no "..", no query or fragment smuggled in), query
// parameters and headers only of the tool's arguments, and a JSON body.
func FuzzRequest(f *testing.F) {
	ts, err := gadgetTools()
	if err != nil {
		f.Fatal(err)
	}
	for i, seed := range []string{
		`{"id": "a/b", "version": "latest"}`,
		`{"id": "..", "version": "."}`,
		`{"id": "%2e%2e", "version": "1?x=y#z"}`,
		`{"phone_number": "+1 (415) 555-0100", "organization_id": "acme"}`,
		`{"limit": 5, "name": "x&y", "active": true, "cursor": null}`,
		`{"tag": ["a", "b", 3, true]}`,
		`{"gadget_id": "\u0000", "name": "n", "body": {"name": "h"}}`,
		`{"name": "a", "name": "b"}`,
		`{"if_match": "\"e\"\r\n", "idempotency_key": "k"}`,
		`{"id": {"$ref": "#"}, "config": {"voice": null}}`,
		`[]`, `null`, ``, `{`, `{"a":1}{}`, `"x"`,
	} {
		f.Add(uint16(i*7), []byte(seed))
	}
	muxes := make([]*http.ServeMux, len(ts))
	for i, x := range ts {
		muxes[i] = http.NewServeMux()
		muxes[i].HandleFunc(x.Method+" "+x.Path, func(http.ResponseWriter, *http.Request) {})
	}
	f.Fuzz(func(t *testing.T, pick uint16, args []byte) {
		x := ts[int(pick)%len(ts)]
		r, err := x.request(context.Background(), json.RawMessage(args))
		if err != nil {
			if e, ok := errors.AsType[*agentplane.Error](err); !ok || e.Code != agentplane.EInvalid || len(e.Fields) == 0 {
				t.Fatalf("%s %q: error %v, want an invalid error naming the argument", x.Name, args, err)
			}
			return
		}
		if _, pattern := muxes[int(pick)%len(ts)].Handler(r); pattern != x.Method+" "+x.Path {
			t.Fatalf("%s %q: %s %s matches %q, not the tool's route", x.Name, args, r.Method, r.URL.EscapedPath(), pattern)
		}
		var given map[string]json.RawMessage
		if err := json.Unmarshal(args, &given); err != nil && len(bytes.TrimSpace(args)) > 0 {
			t.Fatalf("%s %q: accepted arguments that aren't an object: %v", x.Name, args, err)
		}
		// The mux's matching sets PathValue only when it serves; match
		// again by serving.
		values := map[string]string{}
		m := http.NewServeMux()
		m.HandleFunc(x.Method+" "+x.Path, func(_ http.ResponseWriter, r *http.Request) {
			for name, a := range x.args {
				if a.kind == inPath {
					values[name] = r.PathValue(name)
				}
			}
		})
		m.ServeHTTP(nopWriter{}, r)
		for name, a := range x.args {
			raw, ok := given[name]
			switch a.kind {
			case inPath:
				want, _ := scalar(raw)
				if values[name] != want {
					t.Fatalf("%s %q: path parameter %s arrived as %q, want %q", x.Name, args, name, values[name], want)
				}
			case inQuery:
				if !ok && r.URL.Query().Has(a.name) {
					t.Fatalf("%s %q: query %s sent without the argument", x.Name, args, a.name)
				}
			}
		}
		for q := range r.URL.Query() {
			if a, ok := x.args[q]; !ok || a.kind != inQuery {
				t.Fatalf("%s %q: query parameter %q is no argument of the tool", x.Name, args, q)
			}
		}
		for h := range r.Header {
			switch h {
			case "Accept", "Content-Type", orgHeader:
				continue
			}
			found := false
			for _, a := range x.args {
				found = found || a.kind == inHeader && a.name == h
			}
			if !found {
				t.Fatalf("%s %q: header %q is no argument of the tool", x.Name, args, h)
			}
		}
		if r.ContentLength > 0 {
			var body json.RawMessage
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				t.Fatalf("%s %q: the body is not JSON: %v", x.Name, args, err)
			}
		}
	})
}

type nopWriter struct{}

func (nopWriter) Header() http.Header         { return http.Header{} }
func (nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (nopWriter) WriteHeader(int)             {}
