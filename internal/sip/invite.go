package sip

import (
	"context"
	"errors"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"
)

// onInvite takes a new call: admission, resolution into a conversation,
// then the proxied INVITE. It returns only once the caller has a final
// answer: sipgo ends the server transaction when its handler returns.
func (s *Server) onInvite(req *gosip.Request, tx gosip.ServerTransaction) {
	// First of all: a CANCEL may already be on its way, and sipgo
	// answers it (200, then 487 to the INVITE) without us.
	cancelled := make(chan struct{})
	var once sync.Once
	if !tx.OnCancel(func(*gosip.Request) { once.Do(func() { close(cancelled) }) }) {
		return
	}
	if to := req.To(); to != nil && to.Params.Has("tag") {
		s.relayInDialog(req, tx) // a re-INVITE
		return
	}
	s.busy.Add(1)
	defer s.busy.Add(-1)
	invited := time.Now()
	if code, text, reason, hdrs := s.admit(req, invited); code != 0 {
		s.metrics.rejected.WithLabelValues(reason).Inc()
		s.log.Debug("sip: INVITE refused", "code", code, "reason", reason, "source", req.Source())
		reply(tx, req, code, text, hdrs...)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), ledgerTimeout)
	start, err := s.ledger.StartSIPCall(ctx, req.Recipient.String(), callerOf(req))
	cancel()
	if err != nil {
		code, text, reason := refusal(err)
		if reason == "error" || reason == "unavailable" {
			s.log.Error("sip: start a call", "err", err)
		}
		s.metrics.rejected.WithLabelValues(reason).Inc()
		s.log.Debug("sip: INVITE refused", "code", code, "reason", reason, "source", req.Source(), "err", err)
		reply(tx, req, code, text)
		return
	}
	conv := start.Conversation
	c := &call{conv: conv.ID, org: conv.OrganizationID, callID: req.CallID().Value(), invited: invited}
	select {
	case <-cancelled:
		s.finish(c, "cancelled", 0)
		return
	default:
	}
	s.proxy(req, tx, c, conv, cancelled)
}

// admit runs the checks that need no database, in the order of SPEC §22:
// a source outside --sip-allow-cidrs (403), shutting down (503), a
// source over its rate (503 with Retry-After), malformed or looping
// requests, no backend (503). It returns code 0 to go on.
func (s *Server) admit(req *gosip.Request, now time.Time) (code int, text, reason string, hdrs []gosip.Header) {
	src, err := netip.ParseAddrPort(req.Source())
	switch {
	case err != nil:
		return 400, "Bad Request", "bad_request", nil
	case !s.guard.allowed(src.Addr()):
		return 403, "Forbidden", "forbidden", nil
	case s.draining.Load():
		return 503, "Service Unavailable", "draining", nil
	}
	if ok, after := s.guard.take(src.Addr(), now); !ok {
		return 503, "Service Unavailable", "rate_limited", []gosip.Header{gosip.NewHeader("Retry-After", strconv.Itoa(after))}
	}
	switch mf := req.MaxForwards(); {
	case len(req.Headers()) > maxHeaders:
		return 400, "Too Many Headers", "too_many_headers", nil
	case req.CallID() == nil || req.From() == nil || req.To() == nil:
		return 400, "Bad Request", "bad_request", nil
	case mf != nil && mf.Val() <= 1:
		return 483, "Too Many Hops", "too_many_hops", nil
	case s.backend == nil:
		return 503, "Service Unavailable", "no_backend", nil
	}
	return 0, "", "", nil
}

// proxy forwards the INVITE to the backend and relays its answers until
// the final one, following the call in the ledger.
func (s *Server) proxy(req *gosip.Request, tx gosip.ServerTransaction, c *call, conv agentplane.Conversation, cancelled chan struct{}) {
	fwd := req.Clone() // never req: the server transaction answers from it
	stripAgentplane(fwd)
	addAgentplane(fwd, conv)
	for fwd.Route() != nil { // a route preloaded to us: we pick the next hop
		fwd.RemoveHeader("Route")
	}
	fwd.Recipient = *s.backend.Clone()
	if fwd.Recipient.User == "" {
		// The runtime sees what was dialled: the agent id or the number.
		fwd.Recipient.User = req.Recipient.User
	}
	out, opts := s.nextHop(fwd)
	// Record-Route with our address on each side, so both ends send their
	// in-dialog requests here. Two entries when the sides differ in
	// transport or address (RFC 5658): the backend's first.
	srcHost, _, _ := gosip.ParseAddr(req.Source())
	in := hop{transport: req.Transport(), l: s.listenerFor(req.Transport())}
	in.host = s.advertised(in.l, srcHost)
	if out.l == nil {
		out = in // no listener of the backend's transport: it reaches us where the caller did
	}
	rrs := []gosip.Header{recordRoute(out, c.conv)}
	if out.transport != in.transport || out.host != in.host || out.port() != in.port() {
		rrs = append(rrs, recordRoute(in, c.conv))
	}
	opts = append(opts, func(_ *sipgo.Client, r *gosip.Request) error { r.PrependHeader(rrs...); return nil })

	s.calls.add(c)
	defer func() {
		if c.answered.IsZero() {
			s.calls.remove(c)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RingTimeout+time.Minute)
	defer cancel()
	clTx, err := s.client.TransactionRequest(ctx, fwd, opts...)
	if err != nil {
		s.log.Error("sip: forward INVITE", "backend", s.cfg.Backend, "err", err)
		reply(tx, req, 503, "Service Unavailable")
		s.finish(c, "failed", 0)
		return
	}
	defer clTx.Terminate()

	ring := time.NewTimer(s.cfg.RingTimeout)
	defer ring.Stop()
	stop := s.stop
	var (
		over  bool             // the caller has a final answer; waiting for the backend's
		after <-chan time.Time // how long to wait for it then
	)
	giveUp := func(status string, code int, text string) {
		if code != 0 {
			reply(tx, req, code, text)
		}
		s.finish(c, status, 0)
		over, after, cancelled, stop = true, time.After(5*time.Second), nil, nil
		go s.cancelBackend(fwd)
	}
	for {
		select {
		case res := <-clTx.Responses():
			switch {
			case res.StatusCode == 100:
			case res.IsProvisional():
				if !over {
					relayResponse(tx, req, res)
				}
			case res.IsSuccess() && over:
				// Answered as the caller gave up: the 200 still goes to the
				// caller, whose UA ends the call with ACK and BYE.
				res.RemoveHeader("Via")
				res.SetDestination(req.Source())
				_ = s.ua.TransportLayer().WriteMsg(res)
				return
			case res.IsSuccess():
				s.answered(req, tx, res, c)
				return
			default:
				if !over {
					relayResponse(tx, req, res)
					s.finish(c, outcome(res.StatusCode), 0)
				}
				return
			}
		case <-cancelled:
			giveUp("cancelled", 0, "") // sipgo has answered the caller 487
		case <-ring.C:
			giveUp("unanswered", 480, "Temporarily Unavailable")
		case <-stop:
			giveUp("failed", 503, "Service Unavailable")
		case <-after:
			return
		case <-clTx.Done():
			if !over {
				if errors.Is(clTx.Err(), gosip.ErrTransactionTimeout) {
					reply(tx, req, 408, "Request Timeout")
				} else {
					reply(tx, req, 503, "Service Unavailable")
				}
				s.log.Warn("sip: the backend did not answer", "backend", s.cfg.Backend, "err", clTx.Err())
				s.finish(c, "failed", 0)
			}
			return
		}
	}
}

// answered relays the backend's 200 and marks the call in progress. The
// call is answered in the table before the caller can see the 200, so
// the caller's ACK and BYE always find it.
func (s *Server) answered(req *gosip.Request, tx gosip.ServerTransaction, res *gosip.Response, c *call) {
	at := time.Now()
	byeFirst := !s.calls.answer(c, at)
	relayResponse(tx, req, res)
	s.metrics.setup.Observe(at.Sub(c.invited).Seconds())
	if byeFirst { // the backend hung up before we saw its 200
		s.calls.remove(c)
		s.finish(c, "completed", 0)
		return
	}
	s.metrics.active.Inc()
	s.setStatus(c, "in_progress")
}

// cancelBackend cancels the forwarded INVITE inv: a CANCEL with its
// Request-URI, top Via (our branch), From, To, Call-ID and CSeq number,
// sent the same way. The backend's 487 then reaches the INVITE's client
// transaction, which ACKs it.
func (s *Server) cancelBackend(inv *gosip.Request) {
	c := gosip.NewRequest(gosip.CANCEL, *inv.Recipient.Clone())
	c.AppendHeader(gosip.HeaderClone(inv.Via()))
	c.AppendHeader(gosip.HeaderClone(inv.From()))
	c.AppendHeader(gosip.HeaderClone(inv.To()))
	c.AppendHeader(gosip.HeaderClone(inv.CallID()))
	c.AppendHeader(&gosip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: gosip.CANCEL})
	mf := gosip.MaxForwardsHeader(70)
	c.AppendHeader(&mf)
	c.SetTransport(inv.Transport())
	c.SetDestination(inv.Destination())
	c.Laddr = inv.Laddr
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.client.Do(ctx, c); err != nil {
		s.log.Warn("sip: CANCEL to the backend", "err", err)
	}
}

// setStatus records an open status of the call (ringing, in_progress).
func (s *Server) setStatus(c *call, status string) {
	s.update(c, agentplane.ConversationUpdate{Status: &status})
}

// finish records how the call ended, with its duration when it was
// answered, and counts it.
func (s *Server) finish(c *call, status string, d time.Duration) {
	s.metrics.calls.WithLabelValues(status).Inc()
	in := agentplane.ConversationUpdate{Status: &status}
	if status == "completed" {
		secs := min(d, maxDuration).Seconds()
		in.Duration = &secs
	}
	// One line per call, as the HTTP API logs one per request.
	s.log.Info("sip call", "conversation", c.conv, "status", status, "duration", min(d, maxDuration).Seconds())
	s.update(c, in)
}

// update writes to the ledger as the system, on the call's organization.
// The runtime may have finished the conversation already (it reports to
// the ledger too): a 409 then is expected, not an error.
func (s *Server) update(c *call, in agentplane.ConversationUpdate) {
	ctx, cancel := context.WithTimeout(context.Background(), ledgerTimeout)
	defer cancel()
	_, err := s.ledger.UpdateConversation(ctx, agentplane.SystemCaller(c.org), c.conv, in)
	switch {
	case err == nil:
	case agentplane.ErrorCodeOf(err) == agentplane.EConflict:
		s.log.Debug("sip: conversation already finished", "conversation", c.conv, "status", *in.Status)
	default:
		s.log.Error("sip: record the call", "conversation", c.conv, "status", *in.Status, "err", err)
	}
}
