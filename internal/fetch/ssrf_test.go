package fetch

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

// attack is one URL the fetcher must refuse, and the reason it must give.
type attack struct {
	url  string
	want error
}

// TestSSRFAttackList runs the attack list against a fetcher with production
// address rules (only the test ports are allowed), with real listeners
// behind the loopback targets, and then proves that none of the refused
// requests reached a listener.
func TestSSRFAttackList(t *testing.T) {
	t.Parallel()
	v4, err := listenCounting(t, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listeners := []*countingListener{v4}
	P := v4.port()
	// [::1] on the same port when possible, so every loopback spelling,
	// v4 or v6, points at a live listener.
	v6, err := listenCounting(t, fmt.Sprintf("[::1]:%d", P))
	if err != nil {
		t.Logf("no [::1] listener (%v); IPv6 loopback URLs are still checked for refusal", err)
	} else {
		listeners = append(listeners, v6)
	}
	// 127.0.0.2 is loopback too but outside the 127.0.0.1/32 exemption used
	// by the redirecting site below.
	alt, err := listenCounting(t, fmt.Sprintf("127.0.0.2:%d", P))
	if err != nil {
		t.Logf("no 127.0.0.2 listener: %v", err)
	} else {
		listeners = append(listeners, alt)
	}

	dns := startFakeDNS(t, map[string][]string{
		"loopback.attacker.test":   {"127.0.0.1"},
		"loopback6.attacker.test":  {"::1"},
		"private.attacker.test":    {"10.0.0.1"},
		"private6.attacker.test":   {"fd00::1"},
		"meta.attacker.test":       {"169.254.169.254"},
		"metadata.google.internal": {"169.254.169.254"},
		"mixed.attacker.test":      {"127.0.0.1", "10.0.0.1", "::1"},
		"localhost":                {"127.0.0.1"},
	})

	// The site an attacker controls but the operator allowed: 127.0.0.1
	// exempted, as AGENTPLANE_FETCH_ALLOW_CIDRS=127.0.0.1/32 would do.
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if to := r.URL.Query().Get("to"); to != "" {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<title>allowed site</title>")
	}))
	defer site.Close()
	sitePort := serverPort(t, site.URL)

	// Positive controls, before any attack: each listener is reachable
	// directly, and a fetcher whose rules exempt loopback does reach it.
	// So a request that slipped past the guard would be counted.
	open := New(Options{
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
		AllowPorts: []int{P},
		Timeout:    5 * time.Second,
	})
	for _, l := range listeners {
		l.dialDirect(t)
		if _, err := open.Get(t.Context(), "http://"+l.Addr().String()+"/"); err != nil {
			t.Fatalf("positive control via exempting fetcher to %s: %v", l.Addr(), err)
		}
	}
	baseline := map[*countingListener]int64{}
	for _, l := range listeners {
		baseline[l] = l.n.Load()
		if baseline[l] != 2 {
			t.Fatalf("%s: %d connections after the positive controls, want 2", l.Addr(), baseline[l])
		}
	}

	guarded := New(Options{AllowPorts: []int{P}, Timeout: 3 * time.Second, Resolver: dns.resolver()})
	viaSite := New(Options{
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		AllowPorts: []int{P, sitePort},
		Timeout:    3 * time.Second,
		Resolver:   dns.resolver(),
	})
	p := fmt.Sprint(P)
	direct := []attack{
		// Loopback, in every spelling.
		{"http://127.0.0.1:" + p + "/", ErrForbiddenAddress},
		{"http://127.1:" + p + "/", ErrForbiddenAddress},
		{"http://127.0.1:" + p + "/", ErrForbiddenAddress},
		{"http://2130706433:" + p + "/", ErrForbiddenAddress},
		{"http://0x7f000001:" + p + "/", ErrForbiddenAddress},
		{"http://0x7F.0.0.1:" + p + "/", ErrForbiddenAddress},
		{"http://017700000001:" + p + "/", ErrForbiddenAddress},
		{"http://0177.0.0.1:" + p + "/", ErrForbiddenAddress},
		{"http://127.000.000.001:" + p + "/", ErrForbiddenAddress},
		{"http://127.0.0.1.:" + p + "/", ErrForbiddenAddress},
		{"http://127.0.0.2:" + p + "/", ErrForbiddenAddress},
		{"http://[::1]:" + p + "/", ErrForbiddenAddress},
		{"http://[0:0:0:0:0:0:0:1]:" + p + "/", ErrForbiddenAddress},
		{"http://[::ffff:127.0.0.1]:" + p + "/", ErrForbiddenAddress},
		{"http://[0:0:0:0:0:ffff:7f00:1]:" + p + "/", ErrForbiddenAddress},
		{"http://[::ffff:7f00:1]:" + p + "/", ErrForbiddenAddress},
		{"http://localhost:" + p + "/", ErrForbiddenAddress},
		{"http://LOCALHOST:" + p + "/", ErrForbiddenAddress},
		{"HTTP://127.0.0.1:" + p + "/", ErrForbiddenAddress},
		{"http://loopback.attacker.test:" + p + "/", ErrForbiddenAddress},
		{"http://loopback6.attacker.test:" + p + "/", ErrForbiddenAddress},
		{"http://mixed.attacker.test:" + p + "/", ErrForbiddenAddress},
		// Unspecified: connecting to 0.0.0.0 reaches the local host.
		{"http://0.0.0.0:" + p + "/", ErrForbiddenAddress},
		{"http://0:" + p + "/", ErrForbiddenAddress},
		{"http://[::]:" + p + "/", ErrForbiddenAddress},
		// RFC 1918 private ranges.
		{"http://10.0.0.1/", ErrForbiddenAddress},
		{"http://10.255.255.254/", ErrForbiddenAddress},
		{"http://167772161/", ErrForbiddenAddress},
		{"http://172.16.0.1/", ErrForbiddenAddress},
		{"http://172.31.255.255/", ErrForbiddenAddress},
		{"http://192.168.0.1/", ErrForbiddenAddress},
		{"http://192.168.1.1:" + p + "/", ErrForbiddenAddress},
		{"http://[::ffff:10.0.0.1]/", ErrForbiddenAddress},
		{"http://private.attacker.test/", ErrForbiddenAddress},
		// Link-local and cloud metadata.
		{"http://169.254.0.1/", ErrForbiddenAddress},
		{"http://169.254.169.254/latest/meta-data/", ErrForbiddenAddress},
		{"http://2852039166/latest/meta-data/", ErrForbiddenAddress},
		{"http://[::ffff:169.254.169.254]/", ErrForbiddenAddress},
		{"http://[fd00:ec2::254]/latest/meta-data/", ErrForbiddenAddress},
		{"http://[fd20:ce::254]/", ErrForbiddenAddress},
		{"http://meta.attacker.test/", ErrForbiddenAddress},
		{"http://metadata.google.internal/computeMetadata/v1/", ErrForbiddenAddress},
		{"http://100.100.100.200/latest/meta-data/", ErrForbiddenAddress},
		{"http://192.0.0.192/", ErrForbiddenAddress},
		{"http://168.63.129.16/", ErrForbiddenAddress},
		{"http://[64:ff9b::a9fe:a9fe]/", ErrForbiddenAddress},
		// CGNAT / shared address space.
		{"http://100.64.0.1/", ErrForbiddenAddress},
		{"http://100.127.255.254/", ErrForbiddenAddress},
		// Multicast and broadcast.
		{"http://224.0.0.1/", ErrForbiddenAddress},
		{"http://239.255.255.250/", ErrForbiddenAddress},
		{"http://255.255.255.255/", ErrForbiddenAddress},
		{"http://[ff02::1]/", ErrForbiddenAddress},
		// IPv6 unique-local and link-local.
		{"http://[fc00::1]/", ErrForbiddenAddress},
		{"http://[fd12:3456:789a::1]/", ErrForbiddenAddress},
		{"http://private6.attacker.test/", ErrForbiddenAddress},
		{"http://[fe80::1]/", ErrForbiddenAddress},
		{"http://[fe80::1%25lo]/", ErrForbiddenAddress},
		// Reserved and documentation ranges.
		{"http://198.18.0.1/", ErrForbiddenAddress},
		{"http://240.0.0.1/", ErrForbiddenAddress},
		{"http://[2001:db8::1]/", ErrForbiddenAddress},
		// Not http(s).
		{"file:///etc/passwd", ErrScheme},
		{"FILE:///etc/passwd", ErrScheme},
		{"ftp://example.com/", ErrScheme},
		{"gopher://127.0.0.1:70/_GET", ErrScheme},
		{"data:text/html,<h1>hi</h1>", ErrScheme},
		{"javascript:alert(1)", ErrScheme},
		{"dict://127.0.0.1:11211/stats", ErrScheme},
		{"ws://example.com/", ErrScheme},
		{"//example.com/", ErrScheme},
		{"example.com", ErrScheme},
		// Ports outside 80/443/AllowPorts, refused before any DNS or dial.
		{"http://example.com:22/", ErrPort},
		{"https://example.com:8443/", ErrPort},
		{"http://example.com:0/", ErrPort},
		{"http://example.com:65536/", ErrPort},
		{"http://127.0.0.1:25/", ErrPort},
		{"http://[::1]:6379/", ErrPort},
		{fmt.Sprintf("http://127.0.0.1:%d/", sitePort), ErrPort}, // the allowed site's port is not allowed here
		// Credentials in the URL.
		{"http://user:pass@example.com/", ErrUserinfo},
		{"http://user@127.0.0.1:" + p + "/", ErrUserinfo},
		{"http://example.com@127.0.0.1:" + p + "/", ErrUserinfo},
		// Malformed hosts.
		{"http://1.2.3.256/", ErrInvalidURL},
		{"http:///nohost", ErrInvalidURL},
		{"http:opaque", ErrInvalidURL},
	}
	// Redirects from the allowed site to forbidden places: each hop is
	// checked again.
	redirect := func(to string) string { return site.URL + "/?to=" + url.QueryEscape(to) }
	redirects := []attack{
		{redirect("http://10.0.0.1/"), ErrForbiddenAddress},
		{redirect("http://[::1]:" + p + "/"), ErrForbiddenAddress},
		{redirect("http://169.254.169.254/latest/meta-data/"), ErrForbiddenAddress},
		{redirect("http://[fd00:ec2::254]/latest/meta-data/"), ErrForbiddenAddress},
		{redirect("http://127.0.0.2:" + p + "/"), ErrForbiddenAddress},
		{redirect("http://0x7f000002:" + p + "/"), ErrForbiddenAddress},
		{redirect("http://private.attacker.test/"), ErrForbiddenAddress},
		{redirect(redirect("http://10.0.0.1/")), ErrForbiddenAddress}, // second hop
		{redirect("file:///etc/passwd"), ErrScheme},
		{redirect("gopher://127.0.0.1:" + p + "/"), ErrScheme},
		{redirect("http://127.0.0.1:22/"), ErrPort},
		{redirect("http://user:pw@127.0.0.1:" + fmt.Sprint(sitePort) + "/"), ErrUserinfo},
	}
	if n := len(direct) + len(redirects); n < 30 {
		t.Fatalf("attack list has %d entries, want ≥ 30", n)
	}

	// Sanity: the redirecting site itself is reachable, so the redirect
	// refusals below are about the targets.
	if _, err := viaSite.Get(t.Context(), site.URL+"/"); err != nil {
		t.Fatalf("allowed site: %v", err)
	}

	t.Run("refused", func(t *testing.T) {
		for _, tc := range direct {
			t.Run(tc.url, func(t *testing.T) {
				t.Parallel()
				checkRefused(t, guarded, tc)
			})
		}
		for _, tc := range redirects {
			t.Run("redirect "+tc.url, func(t *testing.T) {
				t.Parallel()
				checkRefused(t, viaSite, tc)
			})
		}
	})

	t.Run("no connection reached a listener", func(t *testing.T) {
		for _, l := range listeners {
			l.dialDirect(t) // sentinel: FIFO accept flushes anything earlier
			if got, want := l.n.Load(), baseline[l]+1; got != want {
				t.Errorf("%s accepted %d connections, want %d (baseline %d + sentinel): a refused request got through",
					l.Addr(), got, want, baseline[l])
			}
		}
	})

	t.Run("no DNS for URLs refused up front", func(t *testing.T) {
		for name := range dns.queried() {
			if !strings.HasSuffix(name, ".attacker.test") && name != "metadata.google.internal" && name != "localhost" {
				t.Errorf("DNS query for %q: the URL checks should have refused it before resolution", name)
			}
		}
	})
}

func checkRefused(t *testing.T, f *Fetcher, tc attack) {
	t.Helper()
	page, err := f.Get(t.Context(), tc.url)
	if err == nil {
		t.Fatalf("fetched %s (final %s): want %v", tc.url, page.URL, tc.want)
	}
	if !errors.Is(err, tc.want) {
		t.Fatalf("err = %v\nwant %v", err, tc.want)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("refusal by timeout, not by policy: %v", err)
	}
	// A name's refusal must not tell the attacker what it resolved to.
	if u, perr := url.Parse(tc.url); perr == nil && u.Hostname() != "" && !strings.Contains(tc.url, "?to=") {
		_, notIP := netip.ParseAddr(u.Hostname())
		if _, numeric, _ := numericIPv4(u.Hostname()); notIP != nil && !numeric {
			wantNoAddress(t, err)
		}
	}
	t.Logf("refused: %v", err)
}

// TestCheckURL: the URL check a webhook gets at create applies the
// address rules to addresses written in the URL, with the operator's
// exemptions, and leaves names to the dial.
func TestCheckURL(t *testing.T) {
	f := New(Options{})
	allowed := New(Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, AllowPorts: []int{8080}})
	for _, c := range []struct {
		f    *Fetcher
		url  string
		want error
	}{
		{f, "https://hooks.example.com/in", nil},
		{f, "https://93.184.216.34/in", nil},
		{f, "http://127.0.0.1/in", ErrForbiddenAddress},
		{f, "http://[::1]/in", ErrForbiddenAddress},
		{f, "http://169.254.169.254/latest", ErrForbiddenAddress},
		{f, "http://2130706433/in", ErrForbiddenAddress},
		{f, "http://10.0.0.1:8080/in", ErrPort},
		{f, "ftp://example.com/", ErrScheme},
		{f, "https://user:pw@example.com/", ErrUserinfo},
		{allowed, "http://127.0.0.1:8080/in", nil},
		{allowed, "http://127.0.0.2:8080/in", ErrForbiddenAddress},
	} {
		if err := c.f.CheckURL(c.url); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("CheckURL(%q) = %v, want %v", c.url, err, c.want)
		}
	}
}
