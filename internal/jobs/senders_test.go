package jobs

import "testing"

// TestSenders: a wake-up for an endpoint with a local sender is taken by
// it (no job) and makes it look again once, either while it lingers or
// when it is about to end; other endpoints' wake-ups and those after it
// ended are not taken.
func TestSenders(t *testing.T) {
	var s senders
	a, b := WebhookArgs{"org", "a"}, WebhookArgs{"org", "b"}
	if s.woken(a) {
		t.Fatal("a wake-up was taken with no sender")
	}
	wake := s.begin(a)
	if wake == nil {
		t.Fatal("the first sender for a was refused")
	}
	if s.woken(b) {
		t.Fatal("a's sender took b's wake-up")
	}
	if s.end(a) {
		t.Fatal("a's sender was told to look again without a wake-up")
	}
	if s.woken(a) {
		t.Fatal("a wake-up was taken by a sender that had ended")
	}

	s.begin(a)
	for range 2 {
		if !s.woken(a) {
			t.Fatal("a's running sender didn't take a wake-up")
		}
	}
	if !s.end(a) {
		t.Fatal("a's sender was not told to look again after wake-ups")
	}
	if s.end(a) {
		t.Fatal("two wake-ups made two more looks; one covers both")
	}

	// A lingering sender hears the wake-up and looks then; it doesn't
	// look once more at its end for it.
	wake = s.begin(a)
	s.woken(a)
	select {
	case <-wake:
	default:
		t.Fatal("a lingering sender was not told of the wake-up")
	}
	if s.end(a) {
		t.Fatal("a wake-up already heard while lingering asked for another look")
	}

	s.begin(a)
	if s.begin(a) != nil {
		t.Fatal("a second sender for a on this node was let in")
	}
	if !s.drop(a) {
		t.Fatal("the refused second job's wake-up was lost on drop")
	}
	if s.drop(a) || s.woken(a) {
		t.Fatal("a was still registered after drop")
	}
}
