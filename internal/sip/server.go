// Package sip is agentplane's SIP front door (SPEC §22): a stateful proxy
// that resolves each INVITE to the agent version that answers it (through
// the same service code as POST /core/conversations), records the call in
// the conversation ledger from ringing to hang-up, and relays it to the
// media runtime (--sip-backend) with the version in X-Agentplane-*
// headers.
//
// Signalling only: media flows between the caller and the runtime. The
// proxy Record-Routes, so every in-dialog request (ACK, BYE, re-INVITE…)
// of a call comes back to the node that took its INVITE; docs/sip.md says
// how to deploy several nodes.
//
// Layers: app → sip → service. The package reaches the service only
// through Ledger, and never the store, HTTP or job code.
package sip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"
	"github.com/prometheus/client_golang/prometheus"
)

// Config is the front door's settings (the --sip-* flags).
type Config struct {
	// Listen is where SIP is served; port 0 picks a free port (Addrs
	// tells which).
	Listen []Listen
	// Backend is the media runtime's SIP URI (sip:host[:port][;transport=tcp]);
	// empty, every INVITE is answered 503.
	Backend string
	// RatePerSecond is the INVITEs one source address may send per
	// second (a burst of as many); 0 disables the limit.
	RatePerSecond float64
	// AllowCIDRs are the source addresses INVITEs are taken from; empty:
	// any.
	AllowCIDRs []netip.Prefix
	// Advertise, when set, is the host (name or IP) put in our Via and
	// Record-Route headers in place of the listener's address: the
	// address callers and the runtime reach this node at when that is not
	// an address of its own (1:1 NAT, a cloud VM's public IP).
	Advertise string
	// RingTimeout is how long the backend may leave a call unanswered
	// before it is cancelled (480 to the caller); default 60 s.
	RingTimeout time.Duration
	// Logger receives the front door's log; sipgo's own, from Warn up.
	Logger *slog.Logger
	// Registry receives the agentplane_sip_* metrics; nil keeps them
	// private.
	Registry prometheus.Registerer
}

// Listen is one listener: "udp" or "tcp" and a host:port.
type Listen struct {
	Network string
	Addr    string
}

// Ledger is what the front door needs of the service (*service.Service
// satisfies it): resolve a call into a new conversation, and record how
// the call goes.
type Ledger interface {
	StartSIPCall(ctx context.Context, requestURI, fromUser string) (agentplane.ConversationStart, error)
	UpdateConversation(ctx context.Context, c *agentplane.Caller, id string, in agentplane.ConversationUpdate) (agentplane.Conversation, error)
}

// udpLimit raises, once per process, sipgo's cap on a message sent over
// UDP (gosip.UDPMTUSize less 200: 1,300 bytes), which would make the
// proxy refuse a carrier's INVITE with a large SDP once it has added its
// headers. RFC 3261 would move such a message to TCP, which the other end
// may not take; common SIP stacks send it over UDP (fragmented) instead,
// and so do we, up to what sipgo itself reads from a datagram. It is the
// package's one variable: the setting it guards is sipgo's, for the whole
// process, and must be written once before any server sends.
var udpLimit sync.Once

// ledgerTimeout bounds one ledger call: a call's signalling never waits
// longer on the database.
const ledgerTimeout = 10 * time.Second

// Server is the SIP front door of one node.
type Server struct {
	cfg       Config
	log       *slog.Logger
	ledger    Ledger
	backend   *gosip.Uri // nil: no backend configured
	listeners []*listener
	ua        *sipgo.UserAgent
	srv       *sipgo.Server
	client    *sipgo.Client
	guard     *guard
	metrics   *metrics
	calls     *callTable

	draining atomic.Bool
	busy     atomic.Int64  // handlers shutdown waits for: new calls' INVITEs, in-dialog relays
	stop     chan struct{} // closed when shutdown gives up on INVITEs still ringing
	stopOnce sync.Once
	work     sync.WaitGroup // ledger writes finishing in the background
	serving  sync.WaitGroup // the listeners' serve loops
	closed   atomic.Bool

	// hook, when set (tests, via export_test.go), runs first in every
	// handler: a way to make a handler panic.
	hook atomic.Pointer[func(*gosip.Request)]
}

// New binds the listeners (so Addrs is known before Start) and builds
// the proxy; nothing is served until Start.
func New(cfg Config, ledger Ledger) (*Server, error) {
	if cfg.RingTimeout <= 0 {
		cfg.RingTimeout = 60 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Listen) == 0 {
		return nil, errors.New("sip: no listener")
	}
	udpLimit.Do(func() { gosip.UDPMTUSize = max(gosip.UDPMTUSize, int(gosip.TransportBufferReadSize)+200) })
	s := &Server{cfg: cfg, log: cfg.Logger.With("component", "sip"), ledger: ledger, stop: make(chan struct{}),
		guard: newGuard(cfg.AllowCIDRs, cfg.RatePerSecond), calls: newCallTable()}
	if cfg.Backend != "" {
		var u gosip.Uri
		if err := gosip.ParseUri(cfg.Backend, &u); err != nil || u.Host == "" {
			return nil, fmt.Errorf("sip: the backend %q is not a SIP URI", cfg.Backend)
		}
		if t := transportOf(u); u.Scheme != "sip" || (t != "UDP" && t != "TCP") {
			return nil, fmt.Errorf("sip: the backend %q must be a sip: URI over UDP or TCP", cfg.Backend)
		}
		s.backend = &u
	}
	var err error
	if s.metrics, err = newMetrics(cfg.Registry); err != nil {
		return nil, err
	}
	for _, l := range cfg.Listen {
		bound, err := listen(l)
		if err != nil {
			s.closeListeners()
			return nil, err
		}
		s.listeners = append(s.listeners, bound)
	}
	// sipgo logs a lot at Info and below (every unmatched response, DNS
	// fallbacks): only its warnings and errors reach the node's log.
	sipgoLog := slog.New(atLeast{s.log.Handler(), slog.LevelWarn})
	s.ua, err = sipgo.NewUA(sipgo.WithUserAgent("agentplane"),
		sipgo.WithUserAgentTransactionLayerOptions(gosip.WithTransactionLayerLogger(sipgoLog),
			gosip.WithTransactionLayerUnhandledResponseHandler(s.onStrayResponse)),
		sipgo.WithUserAgentTransportLayerOptions(gosip.WithTransportLayerLogger(sipgoLog)))
	if err == nil {
		s.srv, err = sipgo.NewServer(s.ua, sipgo.WithServerLogger(sipgoLog))
	}
	if err == nil {
		// Our own Via and Record-Route carry the advertised address, so
		// the client needs no hostname.
		s.client, err = sipgo.NewClient(s.ua, sipgo.WithClientLogger(sipgoLog))
	}
	if err != nil {
		s.closeListeners()
		return nil, fmt.Errorf("sip: %w", err)
	}
	s.srv.OnInvite(s.safe(s.onInvite))
	s.srv.OnAck(s.safe(s.onAck))
	s.srv.OnBye(s.safe(s.onBye))
	s.srv.OnCancel(s.safe(s.onCancel))
	s.srv.OnOptions(s.safe(s.onOptions))
	s.srv.OnNoRoute(s.safe(s.onOther))
	return s, nil
}

// Addrs are the bound listeners' addresses (*net.UDPAddr or
// *net.TCPAddr), in the order of Config.Listen.
func (s *Server) Addrs() []net.Addr {
	out := make([]net.Addr, len(s.listeners))
	for i, l := range s.listeners {
		out[i] = l.netAddr()
	}
	return out
}

// Start serves every listener in the background until Shutdown.
func (s *Server) Start() {
	for _, l := range s.listeners {
		s.serving.Add(1)
		go func() {
			defer s.serving.Done()
			var err error
			if l.pc != nil {
				err = s.srv.ServeUDP(l.pc)
			} else {
				err = s.srv.ServeTCP(l.ln)
			}
			if err != nil && !errors.Is(err, net.ErrClosed) && !s.closed.Load() {
				s.log.Error("sip listener stopped", "addr", l.netAddr().String(), "err", err)
			}
		}()
	}
	s.log.Info("sip front door serving", "listen", s.listenString(), "backend", s.cfg.Backend)
	go s.pruneLoop()
}

// Shutdown stops taking INVITEs (503 from now on) and lets the calls in
// progress finish: it waits until no call is ringing or established, or
// until ctx is done. INVITEs still ringing then are cancelled; calls
// still established stay in_progress in the ledger (the runtime can
// finish them). Then the listeners and transactions close.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
wait:
	for s.busy.Load() > 0 || s.calls.len() > 0 {
		select {
		case <-ctx.Done():
			break wait
		case <-t.C:
		}
	}
	if n := s.calls.len(); n > 0 {
		s.log.Warn("sip shutdown: calls still up at the deadline; their conversations stay in_progress", "calls", n)
	}
	s.stopOnce.Do(func() { close(s.stop) })
	// Ringing INVITEs give up at once (503 upstream, CANCEL to the
	// backend) and wait briefly for the backend's answer.
	deadline := time.Now().Add(3 * time.Second)
	for s.busy.Load() > 0 && time.Now().Before(deadline) {
		<-t.C
	}
	s.Close()
	return ctx.Err()
}

// Close stops serving at once: listeners, connections and transactions.
func (s *Server) Close() {
	if s.closed.Swap(true) {
		return
	}
	s.stopOnce.Do(func() { close(s.stop) })
	s.closeListeners()
	s.serving.Wait()
	if s.ua != nil {
		_ = s.ua.Close()
	}
	s.work.Wait()
}

func (s *Server) closeListeners() {
	for _, l := range s.listeners {
		l.close()
	}
}

func (s *Server) listenString() string {
	parts := make([]string, len(s.listeners))
	for i, l := range s.listeners {
		parts[i] = l.network + ":" + l.netAddr().String()
	}
	return strings.Join(parts, ",")
}

// pruneLoop forgets established calls older than the longest duration the
// ledger takes, whose BYE never came (a caller gone without a word).
func (s *Server) pruneLoop() {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			if n := s.calls.prune(now.Add(-maxDuration)); n > 0 {
				s.metrics.active.Sub(float64(n))
				s.log.Warn("sip: forgot calls that never hung up", "calls", n)
			}
		}
	}
}

// safe runs a handler with its panic recovered: sipgo runs each request
// in its own goroutine without a recover, so one panic would end the
// process. The request gets a 500 (an ACK gets nothing).
func (s *Server) safe(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *gosip.Request, tx gosip.ServerTransaction) {
		defer func() {
			if r := recover(); r != nil {
				s.metrics.panics.Inc()
				s.log.Error("sip handler panic", "method", req.Method.String(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				if tx != nil && !req.IsAck() {
					_ = tx.Respond(gosip.NewResponseFromRequest(req, 500, "Server Internal Error", nil))
				}
			}
		}()
		if h := s.hook.Load(); h != nil {
			(*h)(req)
		}
		h(req, tx)
	}
}

// onOptions answers keep-alive probes: 200 while taking calls, 503 while
// shutting down, so a trunk that probes moves its calls elsewhere.
func (s *Server) onOptions(req *gosip.Request, tx gosip.ServerTransaction) {
	if s.draining.Load() {
		reply(tx, req, 503, "Service Unavailable")
		return
	}
	res := gosip.NewResponseFromRequest(req, 200, "OK", nil)
	res.AppendHeader(gosip.NewHeader("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS"))
	_ = tx.Respond(res)
}

// onCancel sees only CANCELs that match no INVITE: sipgo answers the
// others itself and tells the INVITE's handler (tx.OnCancel).
func (s *Server) onCancel(req *gosip.Request, tx gosip.ServerTransaction) {
	reply(tx, req, 481, "Call/Transaction Does Not Exist")
}

// onOther relays in-dialog requests of other methods (INFO, UPDATE,
// PRACK, NOTIFY, REFER…); anything else is not for a proxy of calls.
func (s *Server) onOther(req *gosip.Request, tx gosip.ServerTransaction) {
	if req.Route() != nil {
		s.relayInDialog(req, tx)
		return
	}
	reply(tx, req, 405, "Method Not Allowed", gosip.NewHeader("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS"))
}

func reply(tx gosip.ServerTransaction, req *gosip.Request, code int, reason string, hdrs ...gosip.Header) {
	res := gosip.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	_ = tx.Respond(res)
}

// atLeast passes on only records of min or above.
type atLeast struct {
	slog.Handler
	min slog.Level
}

func (h atLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
func (h atLeast) WithAttrs(a []slog.Attr) slog.Handler { return atLeast{h.Handler.WithAttrs(a), h.min} }
func (h atLeast) WithGroup(n string) slog.Handler      { return atLeast{h.Handler.WithGroup(n), h.min} }
