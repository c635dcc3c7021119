package sip

import (
	"testing"

	gosip "github.com/emiago/sipgo/sip"
)

// TestAdvertisedAddress: a request leaving a listener bound to a wildcard
// address carries, in its Via, the local address that routes to the next
// hop (loopback for a loopback peer), never 0.0.0.0; Config.Advertise
// replaces it; a TCP hop goes out with the transport its URI names.
func TestAdvertisedAddress(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		advertise, next, wantHost, wantTransport string
	}{
		{"", "sip:bob@127.0.0.1:5070", "127.0.0.1", "UDP"},
		{"sip.example.test", "sip:bob@127.0.0.1:5070", "sip.example.test", "UDP"},
		{"", "sip:bob@127.0.0.1:5070;transport=tcp", "127.0.0.1", "TCP"},
	} {
		l, err := listen(Listen{Network: "udp", Addr: "0.0.0.0:0"})
		if err != nil {
			t.Fatal(err)
		}
		defer l.close()
		s := &Server{cfg: Config{Advertise: c.advertise}, listeners: []*listener{l}}
		var ruri gosip.Uri
		if err := gosip.ParseUri(c.next, &ruri); err != nil {
			t.Fatal(err)
		}
		req := gosip.NewRequest(gosip.BYE, ruri)
		h, opts := s.nextHop(req)
		for _, o := range opts {
			if err := o(nil, req); err != nil {
				t.Fatal(err)
			}
		}
		via := req.Via()
		if via.Host != c.wantHost || via.Transport != c.wantTransport || h.transport != c.wantTransport {
			t.Errorf("%+v: Via %s, hop %+v", c, via.Value(), h)
		}
		if c.wantTransport == "UDP" && (via.Port != int(l.addr.Port()) || req.Laddr.Port != int(l.addr.Port())) {
			t.Errorf("%+v: a UDP hop leaves from port %d with Via port %d; the listener is on %d", c, req.Laddr.Port, via.Port, l.addr.Port())
		}
	}
}
