package fetch

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// fakeDNS is a minimal authoritative DNS server on 127.0.0.1 (UDP) that
// answers A and AAAA queries from a fixed table, so tests can make names
// resolve to private addresses without touching the real network.
type fakeDNS struct {
	addr    string
	records map[string][]netip.Addr // lower-case name without trailing dot
	mu      sync.Mutex
	queries []string
}

func startFakeDNS(t *testing.T, records map[string][]string) *fakeDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fake DNS: %v", err)
	}
	d := &fakeDNS{addr: pc.LocalAddr().String(), records: map[string][]netip.Addr{}}
	for name, ips := range records {
		for _, ip := range ips {
			d.records[name] = append(d.records[name], netip.MustParseAddr(ip))
		}
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := d.answer(buf[:n]); resp != nil {
				_, _ = pc.WriteTo(resp, from)
			}
		}
	}()
	return d
}

// resolver returns a pure-Go resolver that sends every query to d.
func (d *fakeDNS) resolver() *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var dialer net.Dialer
			return dialer.DialContext(ctx, "udp4", d.addr)
		},
	}
}

// queried returns the distinct names asked for so far.
func (d *fakeDNS) queried() map[string]bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]bool{}
	for _, q := range d.queries {
		out[q] = true
	}
	return out
}

// answer builds the response to one query message (RFC 1035 §4.1), or nil
// for anything it does not understand (the client then times out, which a
// test would notice).
func (d *fakeDNS) answer(q []byte) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:6]) != 1 {
		return nil
	}
	i := 12
	var labels []string
	for {
		if i >= len(q) {
			return nil
		}
		l := int(q[i])
		i++
		if l == 0 {
			break
		}
		if l&0xC0 != 0 || i+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i:i+l]))
		i += l
	}
	if i+4 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i : i+2])
	question := q[12 : i+4]
	name := strings.ToLower(strings.Join(labels, "."))
	d.mu.Lock()
	d.queries = append(d.queries, name)
	d.mu.Unlock()

	ips, known := d.records[name]
	var answers [][]byte
	for _, ip := range ips {
		switch {
		case qtype == 1 && ip.Is4():
			b := ip.As4()
			answers = append(answers, b[:])
		case qtype == 28 && ip.Is6():
			b := ip.As16()
			answers = append(answers, b[:])
		}
	}
	rcode := byte(0)
	if !known {
		rcode = 3 // NXDOMAIN
	}
	resp := make([]byte, 0, 512)
	resp = append(resp, q[0], q[1])                   // ID
	resp = append(resp, 0x84|(q[2]&0x79), 0x80|rcode) // QR, AA, opcode+RD copied; RA
	resp = binary.BigEndian.AppendUint16(resp, 1)
	resp = binary.BigEndian.AppendUint16(resp, uint16(len(answers)))
	resp = append(resp, 0, 0, 0, 0) // NSCOUNT, ARCOUNT
	resp = append(resp, question...)
	for _, rdata := range answers {
		resp = append(resp, 0xC0, 12) // name: pointer to the question
		resp = binary.BigEndian.AppendUint16(resp, qtype)
		resp = binary.BigEndian.AppendUint16(resp, 1) // IN
		resp = binary.BigEndian.AppendUint32(resp, 60)
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(rdata)))
		resp = append(resp, rdata...)
	}
	return resp
}

// countingListener counts accepted connections and remembers their remote
// addresses, so a test can prove that nothing reached it.
type countingListener struct {
	net.Listener
	n      atomic.Int64
	mu     sync.Mutex
	remote map[string]bool
	notify chan struct{}
}

// listenCounting serves "target reached" on addr (e.g. "127.0.0.1:0") and
// counts every TCP connection that arrives, HTTP or not.
func listenCounting(t *testing.T, addr string) (*countingListener, error) {
	return listenOn(t, addr, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<title>target reached</title>")
	}))
}

// listenOn serves h on addr through a countingListener.
func listenOn(t *testing.T, addr string, h http.Handler) (*countingListener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	cl := &countingListener{Listener: l, remote: map[string]bool{}, notify: make(chan struct{}, 1)}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(cl) }()
	t.Cleanup(func() { _ = srv.Close() })
	return cl, nil
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.remote[c.RemoteAddr().String()] = true
		l.mu.Unlock()
		l.n.Add(1)
		select {
		case l.notify <- struct{}{}:
		default:
		}
	}
	return c, err
}

func (l *countingListener) port() int { return l.Addr().(*net.TCPAddr).Port }

// waitFor blocks until cond holds, re-checking on every accept, or fails
// the test after a deadline.
func (l *countingListener) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-l.notify:
		case <-deadline.C:
			t.Fatalf("%s: timed out waiting for %s (accepted %d)", l.Addr(), what, l.n.Load())
		}
	}
}

// dialDirect connects without any guard and waits until the listener has
// accepted that very connection. It is both the positive control (the
// listener is reachable, so a leaked fetch would have been counted) and the
// sentinel: accept order is FIFO, so once the sentinel is accepted any
// connection attempted before it has been counted too.
func (l *countingListener) dialDirect(t *testing.T) {
	t.Helper()
	// A freshly added IPv6 address can briefly be unroutable (gVisor
	// answers ENETUNREACH right after `ip addr add`, as listenRetry's
	// EADDRNOTAVAIL): poll with a deadline.
	deadline := time.Now().Add(5 * time.Second)
	c, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
	for err != nil && errors.Is(err, syscall.ENETUNREACH) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		c, err = net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
	}
	if err != nil {
		t.Fatalf("direct dial %s: %v", l.Addr(), err)
	}
	defer c.Close()
	local := c.LocalAddr().String()
	l.waitFor(t, "the direct connection", func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.remote[local]
	})
}

// exemptFetcher returns a Fetcher allowed to reach srv (an httptest server
// on 127.0.0.1), the way AGENTPLANE_FETCH_ALLOW_CIDRS/PORTS would be set
// for a private deployment.
func exemptFetcher(t *testing.T, srv *httptest.Server, opts Options) *Fetcher {
	t.Helper()
	opts.AllowCIDRs = append(opts.AllowCIDRs, netip.MustParsePrefix("127.0.0.1/32"))
	opts.AllowPorts = append(opts.AllowPorts, serverPort(t, srv.URL))
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	return New(opts)
}

func serverPort(t *testing.T, raw string) int {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	return p
}
