package sip

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"
)

// listener is one bound socket.
type listener struct {
	network string // "udp" or "tcp"
	addr    netip.AddrPort
	pc      net.PacketConn // udp
	ln      net.Listener   // tcp
}

func listen(l Listen) (*listener, error) {
	out := &listener{network: strings.ToLower(l.Network)}
	var a net.Addr
	switch out.network {
	case "udp":
		pc, err := net.ListenPacket("udp", l.Addr)
		if err != nil {
			return nil, fmt.Errorf("sip: listen on udp:%s: %w", l.Addr, err)
		}
		out.pc, a = pc, pc.LocalAddr()
	case "tcp":
		ln, err := net.Listen("tcp", l.Addr)
		if err != nil {
			return nil, fmt.Errorf("sip: listen on tcp:%s: %w", l.Addr, err)
		}
		out.ln, a = ln, ln.Addr()
	default:
		return nil, fmt.Errorf("sip: unknown transport %q (udp or tcp)", l.Network)
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		out.close()
		return nil, fmt.Errorf("sip: listener address %s: %w", a, err)
	}
	out.addr = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	return out, nil
}

func (l *listener) netAddr() net.Addr {
	if l.pc != nil {
		return l.pc.LocalAddr()
	}
	return l.ln.Addr()
}

func (l *listener) close() {
	if l.pc != nil {
		_ = l.pc.Close()
	}
	if l.ln != nil {
		_ = l.ln.Close()
	}
}

// hostToward is the address this listener is reached at by peer (a host
// or IP): its own when bound to one; on a wildcard listener, the local
// address the kernel picks to reach peer, so a node on 0.0.0.0 still
// advertises an address the other side can route to.
func (l *listener) hostToward(peer string) string {
	if l != nil && !l.addr.Addr().IsUnspecified() {
		return uriHost(l.addr.Addr())
	}
	return uriHost(localAddrToward(peer))
}

// localAddrToward asks the kernel which local address routes to peer: a
// connected UDP socket sends nothing.
func localAddrToward(peer string) netip.Addr {
	if c, err := net.Dial("udp", net.JoinHostPort(strings.Trim(peer, "[]"), "9")); err == nil {
		defer c.Close()
		if ap, err := netip.ParseAddrPort(c.LocalAddr().String()); err == nil {
			return ap.Addr().Unmap()
		}
	}
	return netip.IPv4Unspecified()
}

// uriHost writes an IP as a SIP URI's host (IPv6 in brackets).
func uriHost(a netip.Addr) string {
	if a.Is6() {
		return "[" + a.String() + "]"
	}
	return a.String()
}

// advertised is the host we put in Via and Record-Route on a hop from l
// toward peer: Config.Advertise when set, else l's address (see
// hostToward).
func (s *Server) advertised(l *listener, peer string) string {
	if s.cfg.Advertise != "" {
		return s.cfg.Advertise
	}
	return l.hostToward(peer)
}

// listenerFor is the first listener of network ("udp"/"tcp"), or nil.
func (s *Server) listenerFor(network string) *listener {
	network = strings.ToLower(network)
	for _, l := range s.listeners {
		if l.network == network {
			return l
		}
	}
	return nil
}

// transportOf is the transport a URI asks for: its transport parameter,
// else UDP (RFC 3263 for a sip: URI with a port or an IP).
func transportOf(u gosip.Uri) string {
	if t, ok := u.UriParams.Get("transport"); ok && t != "" {
		return strings.ToUpper(t)
	}
	return "UDP"
}

// hop is how a request leaves for its next hop: the transport, the
// listener it is sent from (nil: an ephemeral socket) and the address we
// advertise there.
type hop struct {
	transport string
	l         *listener
	host      string
}

func (h hop) port() int {
	if h.l == nil {
		return 0 // sipgo puts in the ephemeral socket's port
	}
	return int(h.l.addr.Port())
}

// nextHop readies fwd (a clone) for its next hop, its top Route or else
// its Request-URI: the transport that URI asks for, and over UDP our
// listening socket as the source, so that replies and in-dialog requests
// come to the address we advertise. It returns the options that send it:
// Max-Forwards decreased and our Via on top.
func (s *Server) nextHop(fwd *gosip.Request) (hop, []sipgo.ClientRequestOption) {
	next := fwd.Recipient
	if rt := fwd.Route(); rt != nil {
		next = rt.Address
	}
	h := hop{transport: transportOf(next)}
	fwd.SetTransport(h.transport)
	fwd.SetDestination("") // Clone froze the old destination
	h.l = s.listenerFor(h.transport)
	h.host = s.advertised(h.l, next.Host)
	fwd.Laddr = gosip.Addr{}
	if h.l != nil && h.l.pc != nil {
		ua := h.l.pc.LocalAddr().(*net.UDPAddr)
		fwd.Laddr = gosip.Addr{IP: ua.IP, Port: ua.Port}
	}
	via := func(_ *sipgo.Client, r *gosip.Request) error {
		r.PrependHeader(&gosip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: h.transport,
			Host: h.host, Port: h.port(), Params: gosip.HeaderParams{{K: "branch", V: branchPrefix + gosip.GenerateTagN(16)}}})
		return nil
	}
	return h, []sipgo.ClientRequestOption{sipgo.ClientRequestDecreaseMaxForward, via}
}

// branchPrefix starts every branch we put in a Via, so a response can be
// told ours (RFC 3261's magic cookie, then our mark).
const branchPrefix = gosip.RFC3261BranchMagicCookie + ".ap"

// recordRoute is our Record-Route for one side of a call: our address on
// that side and the call's token, so in-dialog requests come back here
// and name their call.
func recordRoute(h hop, token string) *gosip.RecordRouteHeader {
	return &gosip.RecordRouteHeader{Address: gosip.Uri{Scheme: "sip", Host: h.host, Port: h.port(),
		UriParams: gosip.HeaderParams{{K: "transport", V: strings.ToLower(h.transport)}, {K: "lr", V: ""}, {K: tokenParam, V: token}}}}
}

// tokenParam is the Record-Route parameter that names the call.
const tokenParam = "apc"
