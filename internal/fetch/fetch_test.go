package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestGetOK(t *testing.T) {
	t.Parallel()
	var gotUA string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA = r.UserAgent()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<title>hi</title>")
	}))
	defer srv.Close()
	f := exemptFetcher(t, srv, Options{UserAgent: "agentplane-test/1"})
	page, err := f.Get(t.Context(), srv.URL+"/x")
	if err != nil {
		t.Fatal(err)
	}
	if page.URL != srv.URL+"/x" || page.ContentType != "text/html; charset=utf-8" || string(page.Body) != "<title>hi</title>" {
		t.Errorf("page = %+v", page)
	}
	if gotUA != "agentplane-test/1" {
		t.Errorf("User-Agent = %q", gotUA)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	f := New(Options{})
	if f.maxBytes != 2<<20 || f.timeout != 10*time.Second || f.maxRedirects != 5 || f.userAgent == "" {
		t.Errorf("defaults: maxBytes=%d timeout=%v redirects=%d ua=%q", f.maxBytes, f.timeout, f.maxRedirects, f.userAgent)
	}
	if !f.ports[80] || !f.ports[443] || len(f.ports) != 2 {
		t.Errorf("ports = %v", f.ports)
	}
	if tr := f.client.Transport.(*http.Transport); tr.Proxy != nil {
		t.Error("transport has a proxy: a proxy dials outside the address check")
	}
	if f.client.Jar != nil {
		t.Error("client has a cookie jar")
	}
	if got := New(Options{MaxRedirects: -1}).maxRedirects; got != 0 {
		t.Errorf("MaxRedirects -1 → %d, want 0", got)
	}
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	const limit = 1024
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		for i := range n {
			w.Write([]byte{'a' + byte(i%26)})
			if i%100 == 0 {
				w.(http.Flusher).Flush() // no Content-Length when chunked
			}
		}
	}))
	defer srv.Close()
	f := exemptFetcher(t, srv, Options{MaxBytes: limit})
	for _, tc := range []struct {
		query string
		want  error
	}{
		{"n=1024", nil},
		{"n=1024&chunked=1", nil},
		{"n=1025", ErrTooLarge},
		{"n=1025&chunked=1", ErrTooLarge},
		{"n=100000&chunked=1", ErrTooLarge},
	} {
		page, err := f.Get(t.Context(), srv.URL+"/?"+tc.query)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.query, err, tc.want)
		}
		if tc.want == nil && err == nil && len(page.Body) != limit {
			t.Errorf("%s: body %d bytes", tc.query, len(page.Body))
		}
	}
}

func TestContentType(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct := r.URL.Query().Get("ct")
		body := "<!doctype html><title>x</title>"
		if ct == "none-binary" {
			body = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
		}
		if strings.HasPrefix(ct, "none") {
			w.Header()["Content-Type"] = nil // suppress net/http's own sniffing
		} else {
			w.Header().Set("Content-Type", ct)
		}
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	f := exemptFetcher(t, srv, Options{})
	for ct, want := range map[string]error{
		"text/html":                 nil,
		"TEXT/HTML; charset=latin1": nil,
		"application/xhtml+xml":     nil,
		"text/plain":                nil,
		"none-html":                 nil, // sniffed as text/html
		"none-binary":               ErrContentType,
		"image/png":                 ErrContentType,
		"application/json":          ErrContentType,
		"application/pdf":           ErrContentType,
		"text/javascript":           ErrContentType,
		"garbage;;;":                ErrContentType,
	} {
		_, err := f.Get(t.Context(), srv.URL+"/?ct="+url.QueryEscape(ct))
		if !errors.Is(err, want) {
			t.Errorf("%s: err = %v, want %v", ct, err, want)
		}
	}
}

func TestRedirectLimit(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
		if n > 0 {
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<title>landed</title>")
	}))
	defer srv.Close()
	f := exemptFetcher(t, srv, Options{})
	page, err := f.Get(t.Context(), srv.URL+"/hop/5")
	if err != nil {
		t.Fatalf("5 redirects: %v", err)
	}
	if page.URL != srv.URL+"/hop/0" {
		t.Errorf("final URL = %q", page.URL)
	}
	if _, err := f.Get(t.Context(), srv.URL+"/hop/6"); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("6 redirects: err = %v", err)
	}
	none := exemptFetcher(t, srv, Options{MaxRedirects: -1})
	if _, err := none.Get(t.Context(), srv.URL+"/hop/1"); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("MaxRedirects -1, 1 redirect: err = %v", err)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/trickle" {
			w.WriteHeader(http.StatusOK)
			fmt.Fprint(w, "<p>")
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release) // before srv.Close, which waits for handlers
	f := exemptFetcher(t, srv, Options{Timeout: 200 * time.Millisecond})
	for _, path := range []string{"/slow-headers", "/trickle"} {
		start := time.Now()
		_, err := f.Get(t.Context(), srv.URL+path)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: err = %v, want deadline exceeded", path, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", path, d)
		}
	}
}

func TestNoCookies(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var cookies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		cookies = append(cookies, r.Header.Get("Cookie"))
		mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "secret", Path: "/"})
		if r.URL.Path == "/set" {
			http.Redirect(w, r, "/check", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	f := exemptFetcher(t, srv, Options{})
	for _, p := range []string{"/set", "/check"} {
		if _, err := f.Get(t.Context(), srv.URL+p); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(cookies) != 3 {
		t.Fatalf("requests = %d, want 3", len(cookies))
	}
	for i, c := range cookies {
		if c != "" {
			t.Errorf("request %d sent Cookie %q", i, c)
		}
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	f := exemptFetcher(t, srv, Options{})
	if _, err := f.Get(t.Context(), srv.URL+"/missing"); !errors.Is(err, ErrStatus) {
		t.Errorf("err = %v, want ErrStatus", err)
	}
}

func TestNumericIPv4(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		host        string
		want        string // "" when not numeric
		numeric, ok bool
	}{
		{"127.0.0.1", "127.0.0.1", true, true},
		{"127.1", "127.0.0.1", true, true},
		{"127.0.1", "127.0.0.1", true, true},
		{"2130706433", "127.0.0.1", true, true},
		{"0x7f000001", "127.0.0.1", true, true},
		{"0X7F.1", "127.0.0.1", true, true},
		{"017700000001", "127.0.0.1", true, true},
		{"0177.0.0.1", "127.0.0.1", true, true},
		{"127.000.000.001", "127.0.0.1", true, true},
		{"127.0.0.1.", "127.0.0.1", true, true},
		{"0", "0.0.0.0", true, true},
		{"0x", "0.0.0.0", true, true},
		{"4294967295", "255.255.255.255", true, true},
		{"4294967296", "", true, false},
		{"1.2.3.256", "", true, false},
		{"256.1.1.1", "", true, false},
		{"1.2.3.4.5", "", true, false},
		{"08.0.0.1", "", true, false},
		{"1.2.3.0x", "1.2.3.0", true, true},
		{"example.com", "", false, false},
		{"1.2.3.com", "", false, false},
		{"0xfoo", "", false, false},
		{"::1", "", false, false},
		{"", "", false, false},
		{".", "", false, false},
	} {
		addr, numeric, ok := numericIPv4(tc.host)
		got := ""
		if ok {
			got = addr.String()
		}
		if got != tc.want || numeric != tc.numeric || ok != tc.ok {
			t.Errorf("%q → %q numeric=%v ok=%v; want %q %v %v", tc.host, got, numeric, ok, tc.want, tc.numeric, tc.ok)
		}
	}
}

// TestAllowCIDRs checks the operator exemption: only the listed prefix is
// opened, and an IPv4-mapped prefix means the IPv4 one (the dial check sees
// mapped destinations as IPv4).
func TestAllowCIDRs(t *testing.T) {
	t.Parallel()
	l, err := listenCounting(t, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := fmt.Sprintf("http://127.0.0.1:%d/", l.port())
	for _, tc := range []struct {
		cidr string
		want error
	}{
		{"127.0.0.1/32", nil},
		{"127.0.0.0/8", nil},
		{"::ffff:127.0.0.1/128", nil},
		{"127.0.0.2/32", ErrForbiddenAddress},
		{"::1/128", ErrForbiddenAddress},
		{"10.0.0.0/8", ErrForbiddenAddress},
	} {
		f := New(Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix(tc.cidr)}, AllowPorts: []int{l.port()}, Timeout: 5 * time.Second})
		if _, err := f.Get(t.Context(), target); !errors.Is(err, tc.want) {
			t.Errorf("AllowCIDRs %s: err = %v, want %v", tc.cidr, err, tc.want)
		}
	}
	// A CIDR exemption does not open ports.
	f := New(Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	if _, err := f.Get(t.Context(), target); !errors.Is(err, ErrPort) {
		t.Errorf("exempt address, port not allowed: err = %v", err)
	}
}
