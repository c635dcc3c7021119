package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
)

// Error is a failed exchange with a website, with a text that is safe to
// show to whoever asked for the page.
//
// Go's network errors describe our side of the network: "lookup x on
// 10.0.0.2:53" names the resolver, "dial tcp 10.1.2.3:80" the address a
// name resolved to (which, for a refused private address, is exactly what
// an SSRF probe wants to learn), "read tcp 10.0.0.7:41234->…" this
// machine's own address. Error's text names only what the user or the
// site gave us (the host of the URL being fetched) and a fixed phrase; the
// original error stays reachable through Cause, errors.Is and errors.As.
type Error struct {
	// Kind is the Err* sentinel this failure is an instance of, or nil for
	// a timeout or a cancellation (Cause then matches the context's error).
	Kind error
	// Cause is the underlying failure. Its text may name resolvers and
	// internal addresses: for server logs only, never for users.
	Cause error
	msg   string
}

// Error returns the user-safe text.
func (e *Error) Error() string { return e.msg }

// Unwrap exposes both Kind and Cause, so errors.Is(err, ErrHostNotFound)
// and errors.Is(err, context.DeadlineExceeded) keep working.
func (e *Error) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Cause}
	}
	return []error{e.Kind, e.Cause}
}

// urlRules are the refusals made from a URL's text alone (checkURL and
// checkRedirect); their messages are built from URL parts only.
var urlRules = []error{ErrScheme, ErrPort, ErrUserinfo, ErrInvalidURL, ErrTooManyRedirects}

// userError wraps a failure of the HTTP exchange with host (the host of the
// hop that failed) in an *Error. reading says whether the response had
// already begun, i.e. the body broke off.
func (f *Fetcher) userError(host string, err error, reading bool) error {
	if _, ok := errors.AsType[*Error](err); ok {
		return err
	}
	e := &Error{Cause: err}
	_, dialed := errors.AsType[*net.OpError](err)
	rule := firstMatch(err, urlRules)
	dnsErr, lookedUp := errors.AsType[*net.DNSError](err)
	switch {
	case errors.Is(err, ErrForbiddenAddress):
		// The address itself is the secret: say only that it is refused.
		e.Kind = ErrForbiddenAddress
		e.msg = fmt.Sprintf("%v: %s is not a public address", ErrForbiddenAddress, host)
	case rule != nil && !dialed:
		// Inside Do only checkRedirect applies these rules (Get checked
		// the first URL before), and its texts hold URL parts only.
		e.Kind = rule
		inner := err
		if ue, ok := errors.AsType[*url.Error](err); ok {
			inner = ue.Err
		}
		e.msg = "fetch: redirect refused: " + strings.TrimPrefix(inner.Error(), "fetch: ")
	case rule != nil:
		e.Kind = rule
		e.msg = fmt.Sprintf("%v: %s", rule, host)
	case errors.Is(err, context.Canceled):
		e.msg = fmt.Sprintf("fetch: fetching from %s was cancelled", host)
	case lookedUp:
		e.Kind = ErrHostNotFound
		why := "the DNS lookup failed"
		switch {
		case dnsErr.IsNotFound:
			why = "no such host"
		case dnsErr.IsTimeout:
			why = "the DNS lookup timed out"
		}
		e.msg = fmt.Sprintf("%v: %s (%s)", ErrHostNotFound, host, why)
	case isTimeout(err) && reading:
		e.msg = fmt.Sprintf("fetch: %s did not send the page within %s", host, f.timeout)
	case isTimeout(err):
		e.msg = fmt.Sprintf("fetch: %s did not answer within %s", host, f.timeout)
	default:
		e.Kind = ErrConnection
		e.msg = fmt.Sprintf("%v: %s", ErrConnection, connectionTrouble(host, err, reading, dialed))
	}
	return e
}

// connectionTrouble describes a failed or broken connection in words that
// name no address.
func connectionTrouble(host string, err error, reading, dialed bool) string {
	_, badCert := errors.AsType[*tls.CertificateVerificationError](err)
	_, alert := errors.AsType[tls.AlertError](err)
	_, notTLS := errors.AsType[tls.RecordHeaderError](err)
	switch {
	case badCert:
		return "the TLS certificate of " + host + " is not valid"
	case alert || notTLS:
		return "the TLS handshake with " + host + " failed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return host + " refused the connection"
	case errors.Is(err, syscall.ECONNRESET):
		return host + " reset the connection"
	case reading:
		return "the page from " + host + " could not be read"
	case dialed:
		return "could not reach " + host
	}
	return host + " did not answer with a valid HTTP response"
}

// isTimeout reports a deadline: the context's, or a transport timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

func firstMatch(err error, targets []error) error {
	for _, t := range targets {
		if errors.Is(err, t) {
			return t
		}
	}
	return nil
}
