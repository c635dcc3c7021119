// Package httpapi is agentplane's HTTP interface: routes, authentication
// and scope checks, decoding, encoding and the error body. Handlers decode,
// make one service call and encode; they never touch the store.
package httpapi

import (
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/prometheus/client_golang/prometheus"
)

// Options configures a Server.
type Options struct {
	// MaxBodyBytes caps request bodies (default 1 MiB).
	MaxBodyBytes int64
	// CursorKey signs list cursors; every node must share it.
	CursorKey []byte
	Logger    *slog.Logger
	// AccessLog takes the one line per request (nil: Logger); the server
	// gives it a buffered output.
	AccessLog *slog.Logger
	// Registry collects the HTTP metrics and is served at /metrics; the
	// app registers database and job collectors on it too. Nil makes one.
	Registry *prometheus.Registry
	// Limits are the rate limits; zero values disable them (tests).
	Limits Limits
	// WriteTimeout bounds writing each response (default 30 s); streamed
	// answers get it anew before each chunk. A client that stops reading
	// is disconnected after it, so it can't pin the answer in memory.
	WriteTimeout time.Duration
	// DetailCacheBytes bounds the agent detail cache (detailcache.go;
	// default 8 MiB); negative disables it.
	DetailCacheBytes int
	// CheckDetailCache makes every hit of the detail cache also read the
	// detail afresh and fail the request when the two differ (tests).
	CheckDetailCache bool
	// Console serves the web console's pages and assets under /console/
	// (internal/console); nil serves none. Its session API is in the route
	// table like every API route.
	Console http.Handler
	// MCP makes the /mcp handler (internal/mcp) from the API's own
	// handler, which its tool calls go through; nil serves no /mcp.
	MCP func(api http.Handler) http.Handler
	// PublicURL is the origin users reach the server at behind a proxy
	// (--public-url): it decides whether the console's cookie is Secure,
	// and the cross-origin check trusts it. Nil: the request's own.
	PublicURL *url.URL
}

// Server is the API as an http.Handler.
type Server struct {
	svc     *service.Service
	log     *slog.Logger
	access  *slog.Logger // one line per request
	opts    Options
	mux     *http.ServeMux
	cursors cursorCodec
	routes  []route
	metrics *metrics
	limiter *limiter
	details *detailCache
	ids     *idSource // request ids
	// csrf refuses state-changing console requests from other origins.
	csrf *http.CrossOriginProtection
}

// New builds the handler and registers every route of the table.
func New(svc *service.Service, opts Options) *Server {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.AccessLog == nil {
		opts.AccessLog = opts.Logger
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 30 * time.Second
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	s := &Server{svc: svc, log: opts.Logger, access: opts.AccessLog, opts: opts, mux: http.NewServeMux(), cursors: cursorCodec{key: opts.CursorKey},
		metrics: newMetrics(opts.Registry), limiter: newLimiter(opts.Limits), ids: newIDSource()}
	if opts.DetailCacheBytes == 0 {
		opts.DetailCacheBytes = defaultDetailCacheBytes
	}
	s.details = newDetailCache(opts.DetailCacheBytes) // negative: disabled
	csrf, err := newCrossOriginProtection(opts.PublicURL)
	if err != nil {
		// The configuration checked the URL; a public origin that can't
		// be trusted is only logged, and the request's own Host still is.
		s.log.Error("public URL not trusted for cross-origin checks", "error", err)
		csrf = http.NewCrossOriginProtection()
	}
	s.csrf = csrf
	s.routes = s.table()
	for _, rt := range s.routes {
		s.mux.Handle(rt.pattern, s.wrap(rt))
	}
	if opts.Console != nil {
		// Files, not API operations: outside the route table (and the
		// OpenAPI document), like a static file server in front would be.
		s.mux.Handle("GET /console/", opts.Console)
		s.mux.Handle("GET /console", opts.Console)
	}
	if opts.MCP != nil {
		// A protocol endpoint, not an API operation: outside the route
		// table like the console, but still under ServeHTTP's request
		// id, body cap and access log. Stateless Streamable HTTP takes
		// only POST; the mux answers any other method 405.
		s.mux.Handle("POST /mcp", opts.MCP(s))
	}
	return s
}

// handlerFunc is a handler that returns its error for one place to write.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// authMode says who may call a route.
type authMode int

const (
	public   authMode = iota // no credential
	inOrg                    // org key, or PAT with X-Anyreach-Org
	userOnly                 // PAT only, no organization
)

// route is one row of the route table: the pattern, who may call it, the
// scopes it accepts (any one; none means any authenticated caller) and the
// handler.
type route struct {
	pattern string
	auth    authMode
	scopes  []agentplane.Scope
	handle  handlerFunc
	answer  answerMode
}

// answerMode says how a route answers.
type answerMode int

const (
	buffered answerMode = iota // one body, written whole (and replayed for an Idempotency-Key)
	streamed                   // written as it is made: never buffered nor replayed
)

// Routes lists the registered patterns with their auth mode and scopes, for
// the OpenAPI coverage test and the documentation.
func (s *Server) Routes() []RouteInfo {
	out := make([]RouteInfo, len(s.routes))
	for i, rt := range s.routes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		out[i] = RouteInfo{Method: method, Path: path, Public: rt.auth == public, UserOnly: rt.auth == userOnly, Scopes: rt.scopes}
	}
	return out
}

// RouteInfo describes one route.
type RouteInfo struct {
	Method, Path     string
	Public, UserOnly bool
	Scopes           []agentplane.Scope
}

// wrap authenticates, checks scopes and writes the handler's error.
func (s *Server) wrap(rt route) http.Handler {
	mode := service.InOrg
	if rt.auth == userOnly {
		mode = service.UserOnly
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Which of two credentials or organizations was meant is a guess
		// no server should make (SPEC §24).
		for _, h := range []string{"Authorization", "X-Anyreach-Org"} {
			if len(r.Header.Values(h)) > 1 {
				writeError(w, r, s.log, agentplane.Errorf(agentplane.EBadRequest, "the %s header is given more than once", h))
				return
			}
		}
		if rt.auth != public {
			c, err := s.authenticate(r, mode)
			if err != nil {
				// Only failures count against the client address, and only
				// failures are refused once it has used them up: a valid
				// credential always gets through, even from an address it
				// shares with an attacker (a balancer, a NAT).
				if agentplane.ErrorCodeOf(err) == agentplane.EUnauthenticated {
					if s.limiter.clientBlocked(w, r) {
						err = rateLimited("too many failed authentications from this address; retry later")
					} else {
						s.limiter.authFailed(r)
					}
				}
				writeError(w, r, s.log, err)
				return
			}
			if !s.limiter.allowCredential(w, c.CredentialID) {
				writeError(w, r, s.log, rateLimited("rate limit exceeded for this credential; retry after the Retry-After seconds"))
				return
			}
			if !c.Scopes.AllowsAny(rt.scopes...) {
				writeError(w, r, s.log, agentplane.Errorf(agentplane.EForbidden, "requires scope %s", scopeList(rt.scopes)))
				return
			}
			r = withCaller(r, c)
		}
		// r.URL.Query() drops what it can't parse (bad escapes, and every
		// parameter past Go's limit of 10,000) without a word; a list must
		// not answer as if those filters weren't there.
		if r.URL.RawQuery != "" {
			if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
				var v agentplane.Violations
				v.Add("the query string can't be parsed: "+trunc(err.Error()), "query_syntax", "query")
				writeError(w, r, s.log, v.Err())
				return
			}
		}
		var err error
		if key := r.Header.Get("Idempotency-Key"); key != "" && r.Method == http.MethodPost && rt.auth != public && rt.answer != streamed {
			err = s.idempotent(w, r, callerFrom(r.Context()), key, rt.handle)
		} else {
			err = rt.handle(w, r)
		}
		if err != nil {
			writeError(w, r, s.log, err)
		}
	})
}

// authenticate finds the caller: the bearer credential, or without one
// the console session's cookie (SPEC §19), whose state-changing requests
// must also pass the console's cross-origin rules.
func (s *Server) authenticate(r *http.Request, mode service.OrgMode) (*agentplane.Caller, error) {
	token := ""
	h := r.Header.Get("Authorization")
	if h != "" {
		scheme, rest, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, agentplane.Errorf(agentplane.EUnauthenticated, "Authorization must be Bearer <key>")
		}
		token = strings.TrimSpace(rest)
	}
	var (
		c   *agentplane.Caller
		err error
	)
	if session := sessionToken(r); h == "" && session != "" {
		if c, err = s.svc.SessionCaller(r.Context(), session, mode); err == nil {
			if err = s.sessionRequestAllowed(r); err != nil {
				c = nil
			}
		}
	} else {
		c, err = s.svc.Authenticate(r.Context(), token, strings.TrimSpace(r.Header.Get("X-Anyreach-Org")), mode)
	}
	if c != nil {
		if info, ok := r.Context().Value(keyInfo).(*reqInfo); ok {
			info.org, info.credID = c.OrganizationID, c.CredentialID
		}
	}
	return c, err
}

func scopeList(ss []agentplane.Scope) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "one of " + strings.Join(parts, ", ")
}

func itoa(n int) string { return strconv.Itoa(n) }
