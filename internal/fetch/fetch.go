// Package fetch retrieves public web pages on behalf of untrusted callers
// (create-from-website) and turns them into structured text.
//
// Every URL comes from a user, so the fetcher is an SSRF boundary: the
// destination address is checked after DNS resolution, at each dial, on every
// redirect hop (see [Fetcher]). Checking the URL's host name instead would be
// defeated by DNS names pointing at private addresses, DNS rebinding and odd
// IP spellings; checking the socket address cannot be.
package fetch

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// Defaults applied by [New] to zero-valued [Options] fields (SPEC §13).
const (
	DefaultMaxBytes     = 2 << 20
	DefaultTimeout      = 10 * time.Second
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "agentplane-fetch/1.0"
)

// Errors returned (wrapped) by [Fetcher.Get]; test them with errors.Is.
var (
	// ErrForbiddenAddress means a dial was refused because the resolved
	// address is loopback, private, link-local, multicast, unspecified,
	// shared (CGNAT), reserved or a cloud metadata endpoint.
	ErrForbiddenAddress = errors.New("fetch: forbidden address")
	// ErrScheme means the URL (or a redirect target) is not http or https.
	ErrScheme = errors.New("fetch: scheme not allowed")
	// ErrPort means the URL (or a redirect target) names a port other than
	// 80, 443 or one of Options.AllowPorts.
	ErrPort = errors.New("fetch: port not allowed")
	// ErrUserinfo means the URL carries credentials ("user:pass@host"). They
	// are refused rather than stripped because "https://bank.com@evil/" is a
	// classic way to disguise the real host.
	ErrUserinfo = errors.New("fetch: credentials in URL not allowed")
	// ErrInvalidURL means the URL has no host, is opaque, or has a numeric
	// host that is not a valid IPv4 address.
	ErrInvalidURL = errors.New("fetch: invalid URL")
	// ErrTooLarge means the body exceeded Options.MaxBytes. The page is
	// rejected, not truncated, so callers never mistake a cut-off page for
	// a complete one.
	ErrTooLarge = errors.New("fetch: page too large")
	// ErrContentType means the response is not text/html,
	// application/xhtml+xml or text/plain.
	ErrContentType = errors.New("fetch: content type not allowed")
	// ErrTooManyRedirects means the chain exceeded Options.MaxRedirects.
	ErrTooManyRedirects = errors.New("fetch: too many redirects")
	// ErrStatus means the final response was not 2xx.
	ErrStatus = errors.New("fetch: unexpected HTTP status")
	// ErrHostNotFound means the host name did not resolve (no such host,
	// or the DNS lookup failed).
	ErrHostNotFound = errors.New("fetch: host not found")
	// ErrConnection means the connection could not be made or broke off:
	// refused, reset, a failed TLS handshake, a response that is not HTTP.
	ErrConnection = errors.New("fetch: connection failed")
)

// extraDeniedV4 lists addresses the ssrf package's IANA table considers
// public but that are cloud control-plane endpoints reachable from VMs.
var extraDeniedV4 = []netip.Prefix{
	netip.MustParsePrefix("168.63.129.16/32"), // Azure WireServer / host DNS
}

// Options configures a [Fetcher]. The zero value is the production policy of
// SPEC §13; AllowCIDRs and AllowPorts are the operator exemptions of §14.
type Options struct {
	// AllowCIDRs exempts these prefixes from the address rules, e.g. a
	// private deployment's intranet or a test server on 127.0.0.1. The dial
	// check sees IPv4-mapped IPv6 destinations as IPv4, so 127.0.0.1/32 also
	// covers [::ffff:127.0.0.1] (the same socket destination), and a
	// ::ffff:0:0/96-style prefix is treated as the IPv4 prefix it maps.
	AllowCIDRs []netip.Prefix
	// AllowPorts adds ports to 80 and 443; invalid ports are ignored.
	AllowPorts []int
	// MaxBytes caps each page body after content decoding (so a gzip bomb
	// is caught too). Zero means DefaultMaxBytes.
	MaxBytes int64
	// Timeout bounds one Get end to end: DNS, dials, redirects and reading
	// the body. Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxRedirects is how many redirects one Get follows. Zero means
	// DefaultMaxRedirects; a negative value follows none.
	MaxRedirects int
	// UserAgent is sent with every request; empty means DefaultUserAgent.
	UserAgent string
	// Resolver, when set, is used for DNS lookups instead of the system
	// resolver (tests use it to make names resolve to private addresses).
	// It cannot weaken the policy: the check runs on the resolved address.
	Resolver *net.Resolver
}

// Fetcher performs guarded GET requests. It is safe for concurrent use.
//
// The address policy lives in net.Dialer.Control, which runs for every
// connection attempt after resolution and before connect(2), so it covers
// every A/AAAA record tried, every redirect hop and every new connection,
// and no request can reach a refused address. There is no proxy (a proxy
// would dial on our behalf, out of reach of the check) and no cookie jar.
type Fetcher struct {
	client       *http.Client
	maxBytes     int64
	timeout      time.Duration
	maxRedirects int
	userAgent    string
	ports        map[int]bool
	guard        *ssrf.Guardian
	poster       *http.Client // Post: the same transport, no redirects
}

// Page is one fetched document.
type Page struct {
	// URL is the final URL, after redirects.
	URL string
	// ContentType is the response's Content-Type header (or, when the
	// server sent none, the sniffed type).
	ContentType string
	// Body is the raw body, at most MaxBytes long, in the page's own charset.
	Body []byte
}

// New returns a Fetcher for opts, filling in defaults.
func New(opts Options) *Fetcher {
	f := &Fetcher{
		maxBytes:     opts.MaxBytes,
		timeout:      opts.Timeout,
		maxRedirects: opts.MaxRedirects,
		userAgent:    opts.UserAgent,
		ports:        map[int]bool{80: true, 443: true},
	}
	if f.maxBytes <= 0 {
		f.maxBytes = DefaultMaxBytes
	}
	if f.timeout <= 0 {
		f.timeout = DefaultTimeout
	}
	switch {
	case f.maxRedirects == 0:
		f.maxRedirects = DefaultMaxRedirects
	case f.maxRedirects < 0:
		f.maxRedirects = 0
	}
	if f.userAgent == "" {
		f.userAgent = DefaultUserAgent
	}

	ports := []uint16{80, 443}
	for _, p := range opts.AllowPorts {
		if p > 0 && p <= 65535 && !f.ports[p] {
			f.ports[p] = true
			ports = append(ports, uint16(p))
		}
	}
	var v4, v6 []netip.Prefix
	for _, p := range opts.AllowCIDRs {
		if !p.IsValid() {
			continue
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		if p.Addr().Is4() {
			v4 = append(v4, p.Masked())
		} else {
			v6 = append(v6, p.Masked())
		}
	}
	guard := ssrf.New(
		ssrf.WithPorts(ports...),
		ssrf.WithAllowedV4Prefixes(v4...),
		ssrf.WithAllowedV6Prefixes(v6...),
		ssrf.WithDeniedV4Prefixes(extraDeniedV4...),
	)
	dialer := &net.Dialer{
		Timeout:   f.timeout,
		KeepAlive: 30 * time.Second,
		Resolver:  opts.Resolver,
		Control: func(network, address string, _ syscall.RawConn) error {
			return classify(guard.Safe(network, address, nil))
		},
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            numericHostDialer(dialer),
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    f.timeout,
		ResponseHeaderTimeout:  f.timeout,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           16,
		IdleConnTimeout:        30 * time.Second,
	}
	f.client = &http.Client{
		Transport:     transport,
		CheckRedirect: f.checkRedirect,
	}
	f.poster = &http.Client{
		Transport: transport,
		// A webhook receiver that redirects is not followed: the answer
		// is its status, a failure.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	f.guard = guard
	return f
}

// classify maps the ssrf package's errors onto ours so callers need only
// one set of sentinels; both stay in the chain.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ssrf.ErrProhibitedPort):
		return fmt.Errorf("%w: %w", ErrPort, err)
	default:
		return fmt.Errorf("%w: %w", ErrForbiddenAddress, err)
	}
}

// numericHostDialer rewrites inet_aton-style IPv4 spellings to the address
// they denote before dialing (see numericIPv4); the Control check then
// decides as for any other address.
func numericHostDialer(d *net.Dialer) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
		}
		if ip, numeric, ok := numericIPv4(host); numeric {
			if !ok {
				return nil, fmt.Errorf("%w: bad IPv4 host %q", ErrInvalidURL, host)
			}
			addr = net.JoinHostPort(ip.String(), port)
		}
		return d.DialContext(ctx, network, addr)
	}
}

// Get fetches rawURL within the configured policy and limits. Failures are
// wrapped around the Err* sentinels of this package (or the context's error
// when the timeout or ctx ends the request). Their texts may be shown to
// the user who gave the URL: network failures come as an *[Error], whose
// text names no resolver and no address the host resolved to.
func (f *Fetcher) Get(ctx context.Context, rawURL string) (*Page, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	if err := f.checkURL(u); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9")
	resp, err := f.client.Do(req)
	if err != nil {
		host := u.Hostname()
		var ue *url.Error
		if errors.As(err, &ue) {
			// The hop that failed may be a redirect target; name that
			// one. It may carry a password: keep it out of logs.
			if eu, perr := url.Parse(ue.URL); perr == nil {
				ue.URL = eu.Redacted()
				if eu.Hostname() != "" {
					host = eu.Hostname()
				}
			}
		}
		return nil, f.userError(host, err, false)
	}
	defer resp.Body.Close()
	final := resp.Request.URL.String()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("%w: %s from %s", ErrStatus, resp.Status, final)
	}
	if resp.ContentLength > f.maxBytes {
		return nil, fmt.Errorf("%w: %s declares %d bytes, limit %d", ErrTooLarge, final, resp.ContentLength, f.maxBytes)
	}
	body := bufio.NewReaderSize(io.LimitReader(resp.Body, f.maxBytes+1), 512)
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		// Sniff only when the server is silent, as browsers do; a declared
		// type is never second-guessed, so image/png stays refused.
		head, _ := body.Peek(512)
		ct = http.DetectContentType(head)
	}
	if !allowedType(ct) {
		return nil, fmt.Errorf("%w: %q from %s", ErrContentType, ct, final)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, f.userError(resp.Request.URL.Hostname(), err, true)
	}
	if int64(len(data)) > f.maxBytes {
		return nil, fmt.Errorf("%w: %s exceeds %d bytes", ErrTooLarge, final, f.maxBytes)
	}
	return &Page{URL: final, ContentType: ct, Body: data}, nil
}

// allowedType reports whether a Content-Type value is one we can extract
// text from; anything unparsable is refused.
func allowedType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "text/html", "application/xhtml+xml", "text/plain":
		return true
	}
	return false
}

// checkRedirect applies the URL rules to each hop; the address rules are
// applied by the dialer when the hop connects.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.maxRedirects {
		return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, f.maxRedirects)
	}
	return f.checkURL(req.URL)
}

// checkURL enforces the rules that need no network: they run before any DNS
// query so a refused URL leaks nothing, not even a lookup.
func (f *Fetcher) checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: %q", ErrScheme, u.Scheme)
	}
	if u.User != nil {
		return ErrUserinfo
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return fmt.Errorf("%w: missing host", ErrInvalidURL)
	}
	if _, numeric, ok := numericIPv4(u.Hostname()); numeric && !ok {
		return fmt.Errorf("%w: bad IPv4 host %q", ErrInvalidURL, u.Hostname())
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || !f.ports[n] {
			return fmt.Errorf("%w: %s", ErrPort, p)
		}
	}
	return nil
}
