package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// maxAnswer is how much of a POST's answer is read (and thrown away), so
// the connection can be reused without letting a receiver pin memory.
const maxAnswer = 64 << 10

// Post sends body to rawURL with headers under the same policy as Get:
// the URL rules, then the address rules at every dial. Redirects are not
// followed (their status is the answer). It returns the status code, or
// an error when no answer came; the error's text names no address.
func (f *Fetcher) Post(ctx context.Context, rawURL string, headers map[string]string, body []byte) (int, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	if err := f.checkURL(u); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	req.Header.Set("User-Agent", f.userAgent)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := f.poster.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = u.Redacted()
		}
		return 0, f.userError(u.Hostname(), err, false)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	return resp.StatusCode, nil
}

// CheckURL applies the rules that need no network to rawURL: scheme,
// credentials, port, and, for an address written in the URL, the address
// rules. A host name is checked when it is dialled.
func (f *Fetcher) CheckURL(rawURL string) error {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	if err := f.checkURL(u); err != nil {
		return err
	}
	host := u.Hostname()
	addr, err := netip.ParseAddr(host)
	if ip, numeric, ok := numericIPv4(host); numeric && ok {
		addr, err = ip, nil
	}
	if err != nil {
		return nil // a name: checked at every dial
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	network := "tcp4" // as the dialer names it to the guard
	if addr.Is6() && !addr.Is4In6() {
		network = "tcp6"
	}
	return classify(f.guard.Safe(network, net.JoinHostPort(addr.Unmap().String(), port), nil))
}
