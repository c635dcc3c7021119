package fetch

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// addressPattern matches an IPv4 address or an IPv6 address (with or
// without brackets and port) anywhere in a text.
var addressPattern = regexp.MustCompile(`(?i)\b(?:\d{1,3}\.){3}\d{1,3}\b|\[?\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\]?`)

// wantNoAddress fails the test if the user-facing text of err shows an IP
// address, or one of the given strings.
func wantNoAddress(t *testing.T, err error, also ...string) {
	t.Helper()
	if m := addressPattern.FindString(err.Error()); m != "" {
		t.Errorf("error text shows the address %q: %v", m, err)
	}
	for _, s := range also {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error text shows %q: %v", s, err)
		}
	}
}

// TestErrorsNameNoInternalAddress: whatever fails (a lookup, a refused
// private address, a closed port, a connection reset mid-page), the error
// text names the host the user gave and never the resolver, the address
// the host resolved to or our own socket address; those stay in Cause
// for the server's log.
func TestErrorsNameNoInternalAddress(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: bind, then close.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	resetPort := serveThenReset(t)

	dns := startFakeDNS(t, map[string][]string{
		"private.attacker.test":  {"10.0.0.1"},
		"private6.attacker.test": {"fd00::1"},
		"closed.example.test":    {"127.0.0.1"},
		"reset.example.test":     {"127.0.0.1"},
	})
	guarded := New(Options{Timeout: 3 * time.Second, Resolver: dns.resolver()})
	// The operator's exemption makes loopback reachable, so the closed
	// port and the reset are real connection failures to a private
	// address the user never typed.
	exempt := New(Options{
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		AllowPorts: []int{closedPort, resetPort},
		Timeout:    3 * time.Second,
		Resolver:   dns.resolver(),
	})
	cases := []struct {
		name     string
		f        *Fetcher
		url      string
		kind     error
		names    string // the host the text must name
		internal string // what the cause shows and the text must not
	}{
		{"no such host", guarded, "http://nowhere.invalid/", ErrHostNotFound, "nowhere.invalid", "lookup nowhere.invalid on "},
		{"private address", guarded, "http://private.attacker.test/", ErrForbiddenAddress, "private.attacker.test", "10.0.0.1"},
		{"private IPv6 address", guarded, "http://private6.attacker.test/", ErrForbiddenAddress, "private6.attacker.test", "fd00::1"},
		{"connection refused", exempt, fmt.Sprintf("http://closed.example.test:%d/", closedPort), ErrConnection, "closed.example.test", "127.0.0.1"},
		{"connection reset", exempt, fmt.Sprintf("http://reset.example.test:%d/", resetPort), ErrConnection, "reset.example.test", "127.0.0.1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.f.Get(t.Context(), tc.url)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want %v", err, tc.kind)
			}
			wantNoAddress(t, err, tc.internal, dns.addr)
			if !strings.Contains(err.Error(), tc.names) {
				t.Errorf("error text %q does not name the host %s", err, tc.names)
			}
			t.Logf("%s: %v", tc.name, err)
			// The detail is kept for the server's log.
			fe, ok := errors.AsType[*Error](err)
			if !ok || !strings.Contains(fe.Cause.Error(), tc.internal) {
				t.Errorf("cause %v lost the detail %q", fe, tc.internal)
			}
		})
	}

	t.Run("refused connection is still ECONNREFUSED", func(t *testing.T) {
		t.Parallel()
		_, err := exempt.Get(t.Context(), fmt.Sprintf("http://closed.example.test:%d/", closedPort))
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("err = %v, want it to wrap ECONNREFUSED", err)
		}
	})
}

// serveThenReset listens on loopback and answers every request with the
// start of a page, then resets the connection (RST, not FIN), so the
// reader sees "connection reset by peer" with both socket addresses. It
// returns the port.
func serveThenReset(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
					return
				}
				fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<p>the start")
				// Linger 0 makes Close send RST.
				_ = c.(*net.TCPConn).SetLinger(0)
			}()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}
