package storetest

import (
	"fmt"
	"testing"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/store"
)

var deliveryTests = []test{
	{"Deliveries/Due", testDueDeliveries},
}

// testDueDeliveries: a sender's read returns first attempts in seq order
// with the retries that came due, never a retry scheduled for later, nor
// the seqs it asks to skip (sent, not yet recorded), nor another
// organization's; outcomes recorded in a batch move each row where it
// belongs.
func testDueDeliveries(t *testing.T, s *store.Store) {
	o, other := newOrg(t, s, "a"), newOrg(t, s, "b")
	w := agentplane.Webhook{ID: agentplane.NewID(), OrganizationID: o.ID, URL: "https://hooks.example.com/in",
		Events: []string{"*"}, Enabled: true, CreatedAt: base, UpdatedAt: base}
	must(t, "create webhook", inTx(s, func(q *store.Queries) error { return q.CreateWebhook(ctx(), w, []byte("secret")) }))
	var evs []store.Event
	for i := range 5 {
		evs = append(evs, store.Event{ID: agentplane.NewID(), Type: "agent.updated", Payload: fmt.Sprintf(`{"n":%d}`, i)})
	}
	must(t, "enqueue", inTx(s, func(q *store.Queries) error { return q.EnqueueEvents(ctx(), o.ID, at(0).Millis(), evs) }))

	due := func(now int64, limit int, skip ...int64) []string {
		t.Helper()
		ds, err := s.DueDeliveries(ctx(), o.ID, w.ID, now, limit, skip...)
		must(t, "due deliveries", err)
		var out []string
		for _, d := range ds {
			out = append(out, fmt.Sprintf("%s/%d", d.Payload, d.Attempts))
		}
		return out
	}
	first, err := s.DueDeliveries(ctx(), o.ID, w.ID, at(1).Millis(), 50)
	must(t, "due deliveries", err)
	diff(t, "first read", due(at(1).Millis(), 50), []string{`{"n":0}/0`, `{"n":1}/0`, `{"n":2}/0`, `{"n":3}/0`, `{"n":4}/0`})

	// n0 fails and is retried in 10 s, n1 fails and is due at once, n2 is
	// delivered; n3 and n4 are not tried yet.
	code := 503
	failed := agentplane.WebhookAttempt{At: at(1), StatusCode: &code, Error: ptr("the receiver answered 503")}
	outcomes := []store.Outcome{
		{Delivery: first[0], Status: agentplane.DeliveryPending, Attempt: failed, NextAttemptAt: ptr(at(10_000).Millis()), At: at(1).Millis()},
		{Delivery: first[1], Status: agentplane.DeliveryPending, Attempt: failed, NextAttemptAt: ptr(at(1).Millis()), At: at(1).Millis()},
		{Delivery: first[2], Status: agentplane.DeliveryDelivered, Attempt: agentplane.WebhookAttempt{At: at(1), StatusCode: ptr(200)}, At: at(1).Millis()},
	}
	must(t, "record attempts", s.RecordAttempts(ctx(), o.ID, outcomes))

	diff(t, "read with a retry scheduled for later", due(at(2).Millis(), 50), []string{`{"n":1}/1`, `{"n":3}/0`, `{"n":4}/0`})
	diff(t, "read skipping a sent row", due(at(2).Millis(), 50, first[3].Seq), []string{`{"n":1}/1`, `{"n":4}/0`})
	diff(t, "read once the retry is due", due(at(20_000).Millis(), 50), []string{`{"n":0}/1`, `{"n":1}/1`, `{"n":3}/0`, `{"n":4}/0`})
	diff(t, "read of two", due(at(20_000).Millis(), 2), []string{`{"n":0}/1`, `{"n":1}/1`})

	theirs, err := s.DueDeliveries(ctx(), other.ID, w.ID, at(20_000).Millis(), 50)
	must(t, "another organization's read", err)
	if len(theirs) != 0 {
		t.Fatalf("another organization read %d of this one's deliveries", len(theirs))
	}
}
