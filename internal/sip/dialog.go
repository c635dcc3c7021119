package sip

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// maxDuration is the longest call the ledger records (SPEC §12).
const maxDuration = 7 * 24 * time.Hour

// call is one proxied call, from its INVITE's forwarding to its end.
type call struct {
	conv, org string // the conversation and its organization
	callID    string // the Call-ID its in-dialog requests must carry
	invited   time.Time
	answered  time.Time // zero until the 200 is relayed
	byeEarly  bool      // a BYE came before the 200 was handled
}

// callTable holds this node's calls by token (the conversation id, which
// our Record-Route carries). In-dialog requests are relayed only for a
// call in it with the same Call-ID: the proxy is not an open relay, and
// a token seen in one call's Record-Route ends no other call.
type callTable struct {
	mu sync.Mutex
	m  map[string]*call
}

func newCallTable() *callTable { return &callTable{m: map[string]*call{}} }

func (t *callTable) add(c *call) {
	t.mu.Lock()
	t.m[c.conv] = c
	t.mu.Unlock()
}

func (t *callTable) remove(c *call) {
	t.mu.Lock()
	if t.m[c.conv] == c {
		delete(t.m, c.conv)
	}
	t.mu.Unlock()
}

func (t *callTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}

// find is the call token names, if callID is its Call-ID.
func (t *callTable) find(token, callID string) *call {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c := t.m[token]; c != nil && c.callID == callID {
		return c
	}
	return nil
}

// answer notes the 200's time; it reports false when a BYE came first.
func (t *callTable) answer(c *call, at time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	c.answered = at
	return !c.byeEarly
}

// bye ends c: an answered call leaves the table and its answer time is
// returned; a call not answered yet is marked, and the INVITE's handler
// ends it when the 200 comes.
func (t *callTable) bye(c *call) (answered time.Time, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m[c.conv] != c {
		return time.Time{}, false // a retransmitted or crossing BYE
	}
	if c.answered.IsZero() {
		c.byeEarly = true
		return time.Time{}, false
	}
	delete(t.m, c.conv)
	return c.answered, true
}

// prune drops calls answered before cutoff; it returns how many.
func (t *callTable) prune(cutoff time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for k, c := range t.m {
		if !c.answered.IsZero() && c.answered.Before(cutoff) {
			delete(t.m, k)
			n++
		}
	}
	return n
}

// ourCall pops our Route entries off fwd (two when the call was
// double-record-routed across transports) and returns the call they
// name, or nil when the request is not for a call of ours.
func (s *Server) ourCall(fwd *gosip.Request) *call {
	rt := fwd.Route()
	if rt == nil {
		return nil
	}
	token, ok := rt.Address.UriParams.Get(tokenParam)
	cid := fwd.CallID()
	if !ok || cid == nil {
		return nil
	}
	c := s.calls.find(token, cid.Value())
	if c == nil {
		return nil
	}
	fwd.RemoveHeader("Route")
	if rt := fwd.Route(); rt != nil {
		if t, ok := rt.Address.UriParams.Get(tokenParam); ok && t == token {
			fwd.RemoveHeader("Route")
		}
	}
	return c
}

// onAck forwards the ACK of a 200 end to end (a non-2xx ACK never gets
// here: its INVITE transaction takes it). A stray ACK is dropped, as an
// ACK has no answer.
func (s *Server) onAck(req *gosip.Request, _ gosip.ServerTransaction) {
	fwd := req.Clone()
	if s.ourCall(fwd) == nil {
		return
	}
	_, opts := s.nextHop(fwd)
	if err := s.client.WriteRequest(fwd, opts...); err != nil {
		s.log.Warn("sip: forward ACK", "err", err)
	}
}

// onBye ends the call in the ledger with its measured duration, whoever
// hangs up, as soon as the BYE arrives (the duration is the caller's
// talk time, not the BYE's round trip), and relays the BYE.
func (s *Server) onBye(req *gosip.Request, tx gosip.ServerTransaction) {
	// Counted from before the call leaves the table until the BYE's
	// answer is relayed: shutdown, which waits for an empty table, must
	// not close the node between the two.
	s.busy.Add(1)
	defer s.busy.Add(-1)
	fwd := req.Clone()
	c := s.ourCall(fwd)
	if c == nil {
		reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	now := time.Now()
	if answered, ok := s.calls.bye(c); ok {
		d := now.Sub(answered)
		s.metrics.active.Dec()
		s.metrics.duration.Observe(d.Seconds())
		s.background(func() { s.finish(c, "completed", d) })
	}
	s.relay(req, tx, fwd)
}

// relayInDialog relays any other in-dialog request (re-INVITE, INFO,
// UPDATE, PRACK…) of one of our calls.
func (s *Server) relayInDialog(req *gosip.Request, tx gosip.ServerTransaction) {
	s.busy.Add(1)
	defer s.busy.Add(-1)
	fwd := req.Clone()
	if s.ourCall(fwd) == nil {
		reply(tx, req, 481, "Call/Transaction Does Not Exist")
		return
	}
	s.relay(req, tx, fwd)
}

// relay sends fwd to its next hop and relays the answers to req's
// sender until the final one.
func (s *Server) relay(req *gosip.Request, tx gosip.ServerTransaction, fwd *gosip.Request) {
	_, opts := s.nextHop(fwd)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clTx, err := s.client.TransactionRequest(ctx, fwd, opts...)
	if err != nil {
		s.log.Warn("sip: relay in-dialog request", "method", req.Method.String(), "err", err)
		reply(tx, req, 503, "Service Unavailable")
		return
	}
	defer clTx.Terminate()
	for {
		select {
		case res := <-clTx.Responses():
			if res.StatusCode == 100 {
				continue // hop by hop
			}
			relayResponse(tx, req, res)
			if !res.IsProvisional() {
				return
			}
		case <-clTx.Done():
			if errors.Is(clTx.Err(), gosip.ErrTransactionTimeout) {
				reply(tx, req, 408, "Request Timeout")
			} else {
				reply(tx, req, 503, "Service Unavailable")
			}
			return
		}
	}
}

// relayResponse passes res upstream: our Via off, sent where the request
// came from. A 503 becomes a 500 (RFC 3261 §16.7): the backend's
// overload is not this proxy's, and a caller would stop trying us.
func relayResponse(tx gosip.ServerTransaction, req *gosip.Request, res *gosip.Response) {
	res.RemoveHeader("Via")
	res.SetDestination(req.Source())
	if res.StatusCode == 503 {
		res.StatusCode, res.Reason = 500, "Server Internal Error"
	}
	_ = tx.Respond(res)
}

// onStrayResponse takes responses that match no client transaction: a
// 200 to an INVITE retransmitted after its transaction ended (our caller's
// ACK was late or lost), or one that came after the caller cancelled. A
// proxy forwards every 2xx to an INVITE (RFC 3261 §16.7), statelessly,
// to the next Via.
func (s *Server) onStrayResponse(res *gosip.Response) {
	via := res.Via()
	cseq := res.CSeq()
	if via == nil || cseq == nil || cseq.MethodName != gosip.INVITE || !res.IsSuccess() {
		return
	}
	if b, _ := via.Params.Get("branch"); !strings.HasPrefix(b, branchPrefix) {
		return
	}
	res.RemoveHeader("Via")
	if res.Via() == nil {
		return
	}
	if err := s.ua.TransportLayer().WriteMsg(res); err != nil {
		s.log.Debug("sip: forward a stray 200", "err", err)
	}
}

// background runs f (a ledger write) so that Close waits for it.
func (s *Server) background(f func()) {
	s.work.Add(1)
	go func() {
		defer s.work.Done()
		f()
	}()
}
