package httpapi_test

import (
	"testing"
)

// TestETagIfMatch: single objects carry an ETag; a write with a current
// If-Match succeeds and changes the tag; a stale one is 412 and changes
// nothing; without If-Match the write proceeds.
func TestETagIfMatch(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		created := e.admin(req{method: "POST", path: "/core/agents", body: `{"name": "Tagged", "metadata": {"b": 1, "a": 2}}`}).want(t, 201)
		var a struct{ ID string }
		created.decodeInto(t, &a)
		path := "/core/agents/" + a.ID
		tag := e.admin(req{method: "GET", path: path}).want(t, 200).header.Get("ETag")
		if tag == "" || tag != created.header.Get("ETag") {
			t.Fatalf("GET ETag %q, POST ETag %q", tag, created.header.Get("ETag"))
		}
		upd := e.admin(req{method: "PUT", path: path, body: `{"name": "Renamed"}`, header: map[string]string{"If-Match": tag}}).want(t, 200)
		newTag := upd.header.Get("ETag")
		if newTag == "" || newTag == tag {
			t.Fatalf("tag after update %q (was %q)", newTag, tag)
		}
		eb := e.admin(req{method: "PUT", path: path, body: `{"name": "Lost update"}`, header: map[string]string{"If-Match": tag}}).want(t, 412).err(t)
		if eb.Code != "precondition_failed" {
			t.Errorf("%+v", eb)
		}
		e.admin(req{method: "DELETE", path: path, header: map[string]string{"If-Match": tag}}).want(t, 412)
		var got struct{ Name string }
		e.admin(req{method: "GET", path: path}).want(t, 200).decodeInto(t, &got)
		if got.Name != "Renamed" {
			t.Errorf("a stale write changed the agent: %q", got.Name)
		}
		if e.admin(req{method: "GET", path: path}).header.Get("ETag") != newTag {
			t.Error("PUT's ETag differs from the next GET's")
		}
		e.admin(req{method: "PUT", path: path, body: `{"active": false}`, header: map[string]string{"If-Match": "*"}}).want(t, 200)
		e.admin(req{method: "PUT", path: path, body: `{"active": true}`}).want(t, 200)

		// Versions: the PUT's tag is the next GET's, on both engines.
		v := e.admin(req{method: "POST", path: path + "/versions", body: `{"config": {"voice": {"voice_id": "v", "provider": "p"}, "language": "en-US"}}`}).want(t, 201)
		vtag := v.header.Get("ETag")
		if g := e.admin(req{method: "GET", path: path + "/versions/1"}).header.Get("ETag"); g != vtag {
			t.Errorf("version ETag POST %q GET %q", vtag, g)
		}
		put := e.admin(req{method: "PUT", path: path + "/versions/1", body: `{"config": {"language": "fr-FR"}}`, header: map[string]string{"If-Match": vtag}}).want(t, 200)
		e.admin(req{method: "PUT", path: path + "/versions/1", body: `{"config": {"language": "de-DE"}}`, header: map[string]string{"If-Match": vtag}}).want(t, 412)
		if g := e.admin(req{method: "GET", path: path + "/versions/1"}).header.Get("ETag"); g != put.header.Get("ETag") {
			t.Errorf("version ETag after PUT %q, GET %q", put.header.Get("ETag"), g)
		}
	})
}
