package jobs

import "sync"

// senders are the endpoints this node is sending to right now. A wake-up
// for one of them needs no job: it asks the sender to look once more
// before it ends. Without this every committed change inserted a job
// whose only work was to find the lease held (under P4 with SIP calls on
// PostgreSQL: 3,171 job inserts and 1,444 lease attempts for 56 leases
// taken in 20 s). A sender on another node is not known here; a wake-up
// for its endpoint still makes a job, which finds the lease held as
// before.
type senders struct {
	mu sync.Mutex
	m  map[WebhookArgs]*sender
}

// sender is one endpoint's. Its wake channel holds at most one token:
// a wake-up puts it there (unless one is), and the look it asks for
// takes it, either while the sender lingers with nothing due or when it
// is about to end.
type sender struct{ wake chan struct{} }

// begin registers a sender for a and returns its wake channel; nil when
// this node already has one, which is then asked to look again.
func (s *senders) begin(a WebhookArgs) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sn, ok := s.m[a]; ok {
		sn.poke()
		return nil
	}
	if s.m == nil {
		s.m = map[WebhookArgs]*sender{}
	}
	sn := &sender{wake: make(chan struct{}, 1)}
	s.m[a] = sn
	return sn.wake
}

// poke asks the sender to look again.
func (sn *sender) poke() {
	select {
	case sn.wake <- struct{}{}:
	default: // it will see the one already there
	}
}

// woken takes the token, if there is one.
func (sn *sender) woken() bool {
	select {
	case <-sn.wake:
		return true
	default:
		return false
	}
}

// woken reports whether a local sender has a and will look again; wake
// calls it after the change committed, so that look sees the change.
func (s *senders) woken(a WebhookArgs) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn, ok := s.m[a]
	if ok {
		sn.poke()
	}
	return ok
}

// end is the sender's last word: true means it was woken since it last
// looked and must look again (it stays registered); false unregisters it.
// A wake-up after end found nothing is not coalesced: it makes a job.
func (s *senders) end(a WebhookArgs) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sn, ok := s.m[a]; ok && sn.woken() {
		return true
	}
	delete(s.m, a)
	return false
}

// drop unregisters a's sender and reports whether it was woken since it
// last looked.
func (s *senders) drop(a WebhookArgs) (woken bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sn, ok := s.m[a]; ok {
		woken = sn.woken()
	}
	delete(s.m, a)
	return woken
}
