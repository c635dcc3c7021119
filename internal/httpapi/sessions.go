package httpapi

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/agentplane/agentplane"
)

// Console sessions (SPEC §19): the cookie, its sign-in and sign-out, and
// the rules a cookie-authenticated request must pass.

const (
	// sessionCookie is the cookie's name over HTTPS: __Host- makes the
	// browser refuse it unless Secure, Path=/ and no Domain.
	sessionCookie = "__Host-agentplane_session"
	// sessionCookiePlain is its name on plain http to a loopback address,
	// where a Secure cookie would never be sent back.
	sessionCookiePlain = "agentplane_session"
	// consoleHeader must be on every state-changing request a session
	// makes: a cross-site form can't set it.
	consoleHeader = "X-Agentplane-Console"
	// sessionMaxAge is the cookie's own lifetime; the server ends the
	// session sooner when it idles or its credential goes.
	sessionMaxAge = 7 * 24 * time.Hour
)

// sessionToken is the request's console session token, "" for none.
func sessionToken(r *http.Request) string {
	for _, name := range []string{sessionCookie, sessionCookiePlain} {
		if c, err := r.Cookie(name); err == nil && c.Value != "" {
			return c.Value
		}
	}
	return ""
}

// safeMethod reports whether a request changes nothing (RFC 9110 §9.2.1).
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sessionRequestAllowed applies the rules of a cookie-authenticated
// request that changes state: it must come from the console's own origin
// (http.CrossOriginProtection: Sec-Fetch-Site, or Origin against Host or
// the public URL) and carry X-Agentplane-Console: 1. Bearer requests never
// come here.
func (s *Server) sessionRequestAllowed(r *http.Request) error {
	if safeMethod(r.Method) {
		return nil
	}
	if err := s.csrf.Check(r); err != nil {
		return agentplane.Errorf(agentplane.EForbidden, "cross-origin request refused: the console's session acts only for the console's own pages")
	}
	if r.Header.Get(consoleHeader) != "1" {
		return agentplane.Errorf(agentplane.EForbidden, "a console request that changes something must carry %s: 1", consoleHeader)
	}
	return nil
}

// cookieSecurity says whether a session cookie set for r must be Secure
// (and so may carry the __Host- prefix): yes behind an https public URL
// or on TLS; no on plain http to a loopback host, where a browser would
// never return a Secure cookie. Plain http to anything else is refused:
// the cookie would cross the network in clear.
func (s *Server) cookieSecurity(r *http.Request) (secure bool, err error) {
	if u := s.opts.PublicURL; u != nil {
		return u.Scheme == "https", nil
	}
	if r.TLS != nil {
		return true, nil
	}
	host := r.Host
	if h, _, splitErr := net.SplitHostPort(host); splitErr == nil {
		host = h
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); (ip != nil && ip.IsLoopback()) || strings.EqualFold(host, "localhost") {
		return false, nil
	}
	return false, agentplane.Errorf(agentplane.EBadRequest,
		"sign-in over plain http is allowed only on a loopback address: serve the console over https, or set --public-url to the https address users reach it at")
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string, secure bool, maxAge time.Duration) {
	c := &http.Cookie{Name: sessionCookiePlain, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		MaxAge: int(maxAge / time.Second)}
	if maxAge <= 0 {
		c.MaxAge = -1
	}
	if secure {
		c.Name, c.Secure = sessionCookie, true
	}
	http.SetCookie(w, c)
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	// Another site must not sign a browser in with a credential of its
	// choosing either (login CSRF); clients that aren't browsers send no
	// Origin or Sec-Fetch-Site and pass.
	if err := s.csrf.Check(r); err != nil {
		return agentplane.Errorf(agentplane.EForbidden, "cross-origin sign-in refused")
	}
	secure, err := s.cookieSecurity(r)
	if err != nil {
		return err
	}
	var in agentplane.SignInInput
	if err := decode(r, &in); err != nil {
		return err
	}
	// Failed sign-ins count against the address, as failed bearer
	// requests do; a valid credential always gets through (SPEC §24).
	token, _, err := s.svc.SignIn(r.Context(), in)
	if agentplane.ErrorCodeOf(err) == agentplane.EUnauthenticated {
		if s.limiter.clientBlocked(w, r) {
			return rateLimited("too many failed sign-ins from this address; retry later")
		}
		s.limiter.authFailed(r)
	}
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token, secure, sessionMaxAge)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.svc.Session(r.Context(), sessionToken(r))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, sess)
	return nil
}

func (s *Server) switchSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessionRequestAllowed(r); err != nil {
		return err
	}
	var in agentplane.SessionOrganizationInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if _, err := s.svc.SwitchSessionOrganization(r.Context(), sessionToken(r), in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessionRequestAllowed(r); err != nil {
		return err
	}
	if err := s.svc.SignOut(r.Context(), sessionToken(r)); err != nil {
		return err
	}
	secure, _ := s.cookieSecurity(r)
	s.setSessionCookie(w, "", secure, 0)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// newCrossOriginProtection trusts the public URL's origin besides the
// request's own Host: behind a proxy that rewrites Host, the browser's
// Origin is the public one.
func newCrossOriginProtection(public *url.URL) (*http.CrossOriginProtection, error) {
	p := http.NewCrossOriginProtection()
	if public != nil {
		if err := p.AddTrustedOrigin(public.Scheme + "://" + public.Host); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Server) getInvitation(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.svc.Invitation(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, inv)
	return nil
}

// acceptInvitation uses an invitation: the new member's first personal
// token, shown once, and a console session for it.
func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := s.csrf.Check(r); err != nil {
		return agentplane.Errorf(agentplane.EForbidden, "cross-origin request refused")
	}
	secure, err := s.cookieSecurity(r)
	if err != nil {
		return err
	}
	var in agentplane.InvitationAccept
	if err := decode(r, &in); err != nil {
		return err
	}
	nc, session, err := s.svc.AcceptInvitation(r.Context(), r.PathValue("token"), in)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, session, secure, sessionMaxAge)
	w.Header().Set("Cache-Control", "no-store")
	writeCreated(w, nc)
	return nil
}
