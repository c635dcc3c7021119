package httpapi_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/agentplane/agentplane/internal/service"
)

// TestIdempotencyConcurrent: 100 concurrent POSTs with one key create
// exactly one agent, and every response body is byte-identical.
func TestIdempotencyConcurrent(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		const n = 100
		bodies := make([][]byte, n)
		statuses := make([]int, n)
		replayed := make([]string, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				r := e.admin(req{method: "POST", path: "/core/agents", body: `{"name": "Once only"}`, header: map[string]string{"Idempotency-Key": "create-once"}})
				bodies[i], statuses[i], replayed[i] = r.body, r.status, r.header.Get("Idempotent-Replayed")
			})
		}
		close(start)
		wg.Wait()
		fresh := 0
		for i := range n {
			if statuses[i] != 201 || !bytes.Equal(bodies[i], bodies[0]) {
				t.Fatalf("response %d: %d %s, want 201 %s", i, statuses[i], bodies[i], bodies[0])
			}
			if replayed[i] != "true" {
				fresh++
			}
		}
		if fresh != 1 {
			t.Errorf("%d responses were not replays, want exactly 1", fresh)
		}
		var page struct{ Data []struct{ Name string } }
		e.admin(req{method: "GET", path: "/core/agents?name=Once%20only"}).want(t, 200).decodeInto(t, &page)
		if len(page.Data) != 1 {
			t.Errorf("%d agents created, want 1", len(page.Data))
		}
	})
}

func TestIdempotencyRules(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		key := map[string]string{"Idempotency-Key": "k1"}
		first := e.admin(req{method: "POST", path: "/core/agents", body: `{"name": "A"}`, header: key}).want(t, 201)
		again := e.admin(req{method: "POST", path: "/core/agents", body: `{"name": "A"}`, header: key}).want(t, 201)
		if !bytes.Equal(first.body, again.body) || again.header.Get("Idempotent-Replayed") != "true" || first.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("replay: %s vs %s (%q)", first.body, again.body, again.header.Get("Idempotent-Replayed"))
		}
		eb := e.admin(req{method: "POST", path: "/core/agents", body: `{"name": "B"}`, header: key}).want(t, 422).err(t)
		if fmt.Sprint(eb.Errors[0].Loc) != "[header Idempotency-Key]" {
			t.Errorf("different body: %+v", eb)
		}
		// A 4xx outcome is stored and replayed too.
		bad := map[string]string{"Idempotency-Key": "k2"}
		e.admin(req{method: "POST", path: "/core/agents", body: `{"name": ""}`, header: bad}).want(t, 422)
		if r := e.admin(req{method: "POST", path: "/core/agents", body: `{"name": ""}`, header: bad}); r.status != 422 || r.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replayed 422: %d %q", r.status, r.header.Get("Idempotent-Replayed"))
		}
		// Keys are per credential: the same key in another org is new.
		other, err := e.svc.Bootstrap(t.Context(), serviceBootstrapInput("Other", "other-org", "o@other.test"))
		if err != nil {
			t.Fatal(err)
		}
		r := e.do(req{method: "POST", path: "/core/agents", token: other.OrgKey, body: `{"name": "A"}`, header: key}).want(t, 201)
		if r.header.Get("Idempotent-Replayed") != "" || bytes.Equal(r.body, first.body) {
			t.Error("a key was shared across organizations")
		}
		long := map[string]string{"Idempotency-Key": strings.Repeat("x", 256)}
		e.admin(req{method: "POST", path: "/core/agents", body: `{"name": "A"}`, header: long}).want(t, 422)
		// Without a key, POSTs are not deduplicated.
		e.admin(req{method: "POST", path: "/core/agents", body: `{"name": "A"}`}).want(t, 201)
	})
}

// TestIdempotencySecretsNotReplayed is the attack of issue 9 item 1: key A
// mints a PAT under an Idempotency-Key; a second key holding only
// organizations:manage replays the key and must not get A's secret (its
// request is unrelated: it mints its own), A's own replay answers 409
// without the secret, and no row of idempotency_keys holds it.
func TestIdempotencySecretsNotReplayed(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		second := admCreateKey(t, e, "/admin/organization-pats", e.boot.OrgKey, "", map[string]any{"name": "org managers", "scopes": []string{"organizations:manage"}})
		key := map[string]string{"Idempotency-Key": "mint-once"}
		body := `{"name": "full power"}`
		var first mxKey
		e.admin(req{method: "POST", path: "/admin/organization-pats", body: body, header: key}).want(t, 201).decodeInto(t, &first)

		var theirs mxKey
		r := e.do(req{method: "POST", path: "/admin/organization-pats", token: second.PATKey, body: body, header: key}).want(t, 201)
		r.decodeInto(t, &theirs)
		if r.header.Get("Idempotent-Replayed") != "" || theirs.PATKey == first.PATKey || theirs.KeyID == first.KeyID {
			t.Fatalf("another credential's replay got %s (replayed %q), first was %s", r.body, r.header.Get("Idempotent-Replayed"), first.KeyID)
		}

		again := e.admin(req{method: "POST", path: "/admin/organization-pats", body: body, header: key}).want(t, 409)
		if again.header.Get("Idempotent-Replayed") != "true" || bytes.Contains(again.body, []byte("pat_")) || again.err(t).Code != "conflict" {
			t.Errorf("own replay: %q %s", again.header.Get("Idempotent-Replayed"), again.body)
		}
		// User PATs carry a secret too.
		upat := map[string]string{"Idempotency-Key": "user-pat"}
		e.do(req{method: "POST", path: "/admin/user-pats", token: e.boot.PAT, body: `{"name": "mine"}`, header: upat}).want(t, 201)
		e.do(req{method: "POST", path: "/admin/user-pats", token: e.boot.PAT, body: `{"name": "mine"}`, header: upat}).want(t, 409)

		rows, err := e.store.DB().QueryContext(t.Context(), `SELECT body FROM idempotency_keys`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				t.Fatal(err)
			}
			n++
			for _, secret := range []string{first.PATKey, theirs.PATKey, "pat_", "ak_"} {
				if bytes.Contains(b, []byte(secret)) {
					t.Errorf("idempotency_keys holds a secret: %s", b)
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("%d stored outcomes, want 3 (one per credential and key)", n)
		}
	})
}

// TestIdempotencyKeyBytes: a key of bytes a text column can't hold, or of
// control characters, is a 422 on both engines, never a 5xx.
func TestIdempotencyKeyBytes(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		for _, key := range []string{"\xff\xfe", "caf\u00e9", "tab\there"} {
			eb := e.admin(req{method: "POST", path: "/core/agents", body: `{"name": "A"}`, header: map[string]string{"Idempotency-Key": key}}).want(t, 422).err(t)
			if fmt.Sprint(eb.Errors[0].Loc) != "[header Idempotency-Key]" {
				t.Errorf("key %q: %+v", key, eb)
			}
		}
	})
}

func serviceBootstrapInput(name, slug, email string) service.BootstrapInput {
	return service.BootstrapInput{OrgName: name, OrgSlug: slug, Email: email}
}
