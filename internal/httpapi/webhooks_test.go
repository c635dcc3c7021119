package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ap "github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/fetch"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/store"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// receiver is a webhook endpoint on loopback that checks every signature
// with the reference Standard Webhooks verifier and keeps what arrived.
type receiver struct {
	srv   *httptest.Server
	mu    sync.Mutex
	got   []delivered // every attempt, in arrival order
	reply func(n int, id string) int
	delay time.Duration
	keys  []*standardwebhooks.Webhook // every one must verify
}

type delivered struct {
	id, typ string
	status  int
	verr    error
	sigs    int
	data    map[string]any
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{reply: func(int, string) int { return http.StatusOK }}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev struct {
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		}
		_ = json.Unmarshal(body, &ev)
		time.Sleep(rc.delay)
		rc.mu.Lock()
		d := delivered{id: r.Header.Get("webhook-id"), typ: ev.Type, data: ev.Data,
			sigs: len(strings.Fields(r.Header.Get("webhook-signature")))}
		for _, k := range rc.keys {
			if err := k.Verify(body, r.Header); err != nil && d.verr == nil {
				d.verr = err
			}
		}
		d.status = rc.reply(len(rc.got), d.id)
		rc.got = append(rc.got, d)
		rc.mu.Unlock()
		w.WriteHeader(d.status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) trust(t *testing.T, secret string) {
	t.Helper()
	k, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	rc.keys = append(rc.keys, k)
	rc.mu.Unlock()
}

func (rc *receiver) snapshot() []delivered {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivered(nil), rc.got...)
}

// waitFor polls until cond holds or 20 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// webhookEnv is an env whose queue delivers through the guarded fetcher,
// allowed to reach rc on loopback, with retries 200 ms apart.
func webhookEnv(t *testing.T, engine store.Engine, rc *receiver) *env {
	u, _ := url.Parse(rc.srv.URL)
	port, _ := strconv.Atoi(u.Port())
	f := fetch.New(fetch.Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, AllowPorts: []int{port}})
	for _, eng := range dbtest.Engines(t) {
		if eng == engine {
			e := newEnv(t, eng, withJobs, withPost(f.Post), withService(func(o *service.Options) {
				o.WebhookRetryDelays = []time.Duration{200 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond}
			}))
			e.startJobs()
			return e
		}
	}
	return nil
}

func createWebhook(t *testing.T, e *env, rc *receiver, events ...string) ap.NewWebhook {
	t.Helper()
	var nw ap.NewWebhook
	r := e.do(req{method: http.MethodPost, path: "/admin/webhooks", token: e.boot.OrgKey,
		body: map[string]any{"url": rc.srv.URL + "/hook", "events": events}})
	if r.status != http.StatusCreated {
		t.Log(e.logs.String())
	}
	r.want(t, http.StatusCreated).decodeInto(t, &nw)
	if !strings.HasPrefix(nw.Secret, "whsec_") {
		t.Fatalf("secret %q is not whsec_…", nw.Secret)
	}
	rc.trust(t, nw.Secret)
	return nw
}

// TestWebhookDelivery: a receiver failing twice then succeeding gets the
// event with one webhook-id, every attempt signed as the reference
// verifier expects, and the deliveries log shows the three attempts;
// events outside the subscription don't come; a 410 disables the
// endpoint.
func TestWebhookDelivery(t *testing.T) {
	t.Parallel()
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t)
			rc.reply = func(n int, _ string) int {
				if n < 2 {
					return http.StatusInternalServerError
				}
				return http.StatusOK
			}
			e := webhookEnv(t, engine, rc)
			nw := createWebhook(t, e, rc, "agent.*")
			e.do(req{method: http.MethodPost, path: "/core/phone-numbers", token: e.boot.OrgKey, body: map[string]any{"phone_number": "+14155550111"}}).want(t, http.StatusCreated)
			var a ap.Agent
			e.do(req{method: http.MethodPost, path: "/core/agents", token: e.boot.OrgKey, body: map[string]any{"name": "Hooked"}}).want(t, http.StatusCreated).decodeInto(t, &a)
			waitFor(t, "three attempts", func() bool { return len(rc.snapshot()) >= 3 })
			got := rc.snapshot()
			for i, d := range got {
				if d.verr != nil {
					t.Errorf("attempt %d: the reference verifier refused it: %v", i, d.verr)
				}
				if d.id != got[0].id || d.typ != "agent.created" {
					t.Errorf("attempt %d: webhook-id %s type %s, want %s agent.created", i, d.id, d.typ, got[0].id)
				}
			}
			if got[0].data["id"] != a.ID || got[0].data["changes"] == nil {
				t.Errorf("payload data %v lacks the agent and its changes", got[0].data)
			}
			var l struct {
				Data []ap.WebhookDelivery `json:"data"`
			}
			waitFor(t, "delivered status", func() bool {
				e.do(req{method: http.MethodGet, path: "/admin/webhooks/" + nw.ID + "/deliveries", token: e.boot.OrgKey}).want(t, http.StatusOK).decodeInto(t, &l)
				return len(l.Data) == 1 && l.Data[0].Status == ap.DeliveryDelivered
			})
			if d := l.Data[0]; d.Attempts != 3 || len(d.AttemptLog) != 3 || d.EventID != got[0].id || *d.AttemptLog[0].StatusCode != 500 || *d.LastStatus != 200 {
				t.Errorf("delivery log %+v: want 3 attempts (500, 500, 200) of event %s", d, got[0].id)
			}

			// Redeliver: the same webhook-id again.
			e.do(req{method: http.MethodPost, path: "/admin/webhooks/" + nw.ID + "/deliveries/" + l.Data[0].ID + "/redeliver", token: e.boot.OrgKey}).want(t, http.StatusAccepted)
			waitFor(t, "the redelivery", func() bool { return len(rc.snapshot()) == 4 })
			if d := rc.snapshot()[3]; d.id != got[0].id || d.verr != nil {
				t.Errorf("redelivery: id %s (want %s), verify %v", d.id, got[0].id, d.verr)
			}

			// Rotation: both secrets sign for a day; each verifies alone.
			var rot ap.NewWebhook
			e.do(req{method: http.MethodPost, path: "/admin/webhooks/" + nw.ID + "/rotate-secret", token: e.boot.OrgKey}).want(t, http.StatusOK).decodeInto(t, &rot)
			if rot.Secret == nw.Secret || !strings.HasPrefix(rot.Secret, "whsec_") {
				t.Fatalf("rotated secret %q", rot.Secret)
			}
			rc.trust(t, rot.Secret)
			e.do(req{method: http.MethodPost, path: "/admin/webhooks/" + nw.ID + "/test", token: e.boot.OrgKey}).want(t, http.StatusAccepted)
			waitFor(t, "the test event", func() bool { return len(rc.snapshot()) == 5 })
			if d := rc.snapshot()[4]; d.typ != "webhook.test" || d.sigs != 2 || d.verr != nil {
				t.Errorf("after rotation: type %s, %d signatures, verify %v; want webhook.test signed twice", d.typ, d.sigs, d.verr)
			}

			// 410 Gone turns the endpoint off.
			rc.mu.Lock()
			rc.reply = func(int, string) int { return http.StatusGone }
			rc.mu.Unlock()
			e.do(req{method: http.MethodPut, path: "/core/agents/" + a.ID, token: e.boot.OrgKey, body: map[string]any{"name": "Gone"}}).want(t, http.StatusOK)
			var h ap.Webhook
			waitFor(t, "the endpoint disabled", func() bool {
				e.do(req{method: http.MethodGet, path: "/admin/webhooks/" + nw.ID, token: e.boot.OrgKey}).want(t, http.StatusOK).decodeInto(t, &h)
				return !h.Enabled
			})
			if h.DisabledReason != "gone" {
				t.Errorf("disabled_reason %q, want gone", h.DisabledReason)
			}
			n := len(rc.snapshot())
			e.do(req{method: http.MethodPut, path: "/core/agents/" + a.ID, token: e.boot.OrgKey, body: map[string]any{"name": "Still gone"}}).want(t, http.StatusOK)
			time.Sleep(500 * time.Millisecond)
			if len(rc.snapshot()) != n {
				t.Errorf("a disabled endpoint still received events")
			}
			for _, d := range rc.snapshot() {
				if strings.HasPrefix(d.typ, "phone_number.") {
					t.Errorf("received %s outside the subscription agent.*", d.typ)
				}
			}
		})
	}
}

// TestWebhookOrder: 300 changes made one after another reach a receiver
// that takes 50 ms per answer, every one, in the order they were made, and
// the node sends them with a handful of jobs, not one each.
func TestWebhookOrder(t *testing.T) {
	t.Parallel()
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t)
			rc.delay = 50 * time.Millisecond
			e := webhookEnv(t, engine, rc)
			createWebhook(t, e, rc, "agent.updated")
			var a ap.Agent
			e.do(req{method: http.MethodPost, path: "/core/agents", token: e.boot.OrgKey, body: map[string]any{"name": "n0"}}).want(t, http.StatusCreated).decodeInto(t, &a)
			const changes = 300
			for i := 1; i <= changes; i++ {
				e.do(req{method: http.MethodPut, path: "/core/agents/" + a.ID, token: e.boot.OrgKey, body: map[string]any{"name": "n" + strconv.Itoa(i)}}).want(t, http.StatusOK)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			for len(rc.snapshot()) < changes && ctx.Err() == nil {
				time.Sleep(50 * time.Millisecond)
			}
			got := rc.snapshot()
			if len(got) != changes {
				t.Fatalf("%d of %d events arrived", len(got), changes)
			}
			for i, d := range got {
				if name := d.data["name"]; name != "n"+strconv.Itoa(i+1) || d.verr != nil {
					t.Fatalf("event %d is the change to %v (verify %v); want n%d: out of order", i, name, d.verr, i+1)
				}
			}
			// The changes came while the node was sending: their wake-ups
			// went to its sender, not to a job each.
			if jobs := deliveryJobs(t, e); jobs < 1 || jobs > 10 {
				t.Fatalf("%d delivery jobs for %d changes; want 1–10", jobs, changes)
			}
		})
	}
}

// TestWebhookSenderLingers: changes that come one at a time, 100 ms
// apart, to a receiver that answers at once, each arrive, and they take a
// handful of delivery jobs: the sender waits for the next change instead
// of ending after each (a job, a lease and three reads per event).
func TestWebhookSenderLingers(t *testing.T) {
	t.Parallel()
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t)
			e := webhookEnv(t, engine, rc)
			createWebhook(t, e, rc, "agent.updated")
			var a ap.Agent
			e.do(req{method: http.MethodPost, path: "/core/agents", token: e.boot.OrgKey, body: map[string]any{"name": "n0"}}).want(t, http.StatusCreated).decodeInto(t, &a)
			const changes = 20
			tick := time.NewTicker(100 * time.Millisecond) // the pace of the changes, not a wait
			defer tick.Stop()
			for i := 1; i <= changes; i++ {
				<-tick.C
				e.do(req{method: http.MethodPut, path: "/core/agents/" + a.ID, token: e.boot.OrgKey, body: map[string]any{"name": "n" + strconv.Itoa(i)}}).want(t, http.StatusOK)
			}
			waitFor(t, "every change to arrive", func() bool { return len(rc.snapshot()) >= changes })
			for i, d := range rc.snapshot() {
				if name := d.data["name"]; name != "n"+strconv.Itoa(i+1) || d.verr != nil {
					t.Fatalf("event %d is the change to %v (verify %v); want n%d", i, name, d.verr, i+1)
				}
			}
			if jobs := deliveryJobs(t, e); jobs < 1 || jobs > 4 {
				t.Fatalf("%d delivery jobs for %d changes 100 ms apart; want 1–4", jobs, changes)
			}
		})
	}
}

// deliveryJobs counts the webhook delivery jobs the queue has held.
func deliveryJobs(t *testing.T, e *env) int64 {
	t.Helper()
	counts, err := e.store.JobCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var jobs int64
	for _, c := range counts {
		if c.Kind == "webhook_delivery" {
			jobs += c.Count
		}
	}
	return jobs
}
