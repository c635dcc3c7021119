// Package mcp serves the API as Model Context Protocol tools at /mcp
// (SPEC §21): one tool per operation of the OpenAPI document, each call
// served by the API's own handler with the caller's credential, over
// Streamable HTTP, stateless, with JSON responses.
package mcp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/agentplane/agentplane"
	"github.com/agentplane/agentplane/internal/httpapi"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Options configures the MCP server.
type Options struct {
	// MaxBodyBytes caps a /mcp request's body; the app passes the API's
	// own cap (default 1 MiB), so a tool call carries no more than the
	// request it makes could.
	MaxBodyBytes int64
	// MaxResultBytes caps the API answer one tool call buffers (default
	// 4 MiB); a larger one is a tool error asking for less.
	MaxResultBytes int
	// WriteTimeout is the API's (--write-timeout, default 30 s): the
	// answer to /mcp gets it anew when it starts, since the tool calls
	// before it may have used up the one the request started with.
	WriteTimeout time.Duration
	// Logger takes the SDK's own messages (nil: none).
	Logger *slog.Logger
}

// Server is the tool list, built once from the document.
type Server struct {
	tools   []*tool
	version string
	opts    Options
}

// New builds the tools of the OpenAPI document doc (httpapi.OpenAPIYAML).
func New(doc []byte, opts Options) (*Server, error) {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.MaxResultBytes <= 0 {
		opts.MaxResultBytes = 4 << 20
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// The SDK logs every stateless request's session at info; only its
	// warnings and errors are news.
	opts.Logger = slog.New(warnings{opts.Logger.Handler()})
	d, err := loadDoc(doc)
	if err != nil {
		return nil, err
	}
	tools, err := toolsOf(d)
	if err != nil {
		return nil, err
	}
	s := &Server{tools: tools, opts: opts, version: "0"}
	if d.Info != nil && d.Info.Version != "" {
		s.version = d.Info.Version
	}
	return s, nil
}

// warnings passes on only records of level Warn and above.
type warnings struct{ slog.Handler }

func (w warnings) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnings) WithAttrs(as []slog.Attr) slog.Handler { return warnings{w.Handler.WithAttrs(as)} }
func (w warnings) WithGroup(name string) slog.Handler    { return warnings{w.Handler.WithGroup(name)} }

// Handler returns the /mcp handler, whose tools call api: the API's whole
// handler (httpapi.Server), so a call goes through the same request id,
// access log, authentication, scopes and rate limits as any request.
func (s *Server) Handler(api http.Handler) http.Handler {
	srv := sdk.NewServer(&sdk.Implementation{Name: "agentplane", Version: s.version}, &sdk.ServerOptions{
		Logger:       s.opts.Logger,
		Instructions: "agentplane's API as tools: one per operation, named <service>_<operationId>. With a personal access token (pat_…) pass organization_id to organization-scoped tools.",
	})
	for _, t := range s.tools {
		srv.AddTool(&sdk.Tool{
			Name:        t.Name,
			Title:       t.title,
			Description: t.description,
			InputSchema: t.inputSchema,
			Annotations: annotations(t),
		}, s.call(api, t))
	}
	h := sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return srv }, &sdk.StreamableHTTPOptions{
		Stateless:           true,
		JSONResponse:        true,
		Logger:              s.opts.Logger,
		MaxRequestBodyBytes: s.opts.MaxBodyBytes,
		// The SDK refuses a request that reached a loopback address with
		// another Host, against DNS rebinding: a browser page tricked into
		// calling a local server with the user's ambient credentials. Here
		// there are none to borrow (a bearer token a page would have to
		// know; the console's cookie is never accepted), and the check
		// would refuse every client of a server behind a local proxy.
		DisableLocalhostProtection: true,
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hasBearer(r) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("WWW-Authenticate", `Bearer realm="agentplane"`)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(missingBearer))
			return
		}
		h.ServeHTTP(&answerDeadline{ResponseWriter: w, timeout: s.opts.WriteTimeout}, r.WithContext(context.WithValue(r.Context(), outerKey{}, outerOf(r))))
	})
}

// missingBearer is the body of /mcp's 401, as Anyreach's MCP server
// answers it: the one exception to the API's error body (SPEC §21).
const missingBearer = `{"error": "Missing Bearer token"}`

// hasBearer reports whether the request carries a bearer credential of
// one of the server's kinds. Whether it is valid, the tool calls find out,
// through the API's authentication (an invalid one: each call's 401 body).
func hasBearer(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	token = strings.TrimSpace(token)
	return len(token) > len("ak_") && strings.HasPrefix(token, "ak_") || len(token) > len("pat_") && strings.HasPrefix(token, "pat_")
}

// outer is what a tool call takes from the /mcp request: the credential,
// an X-Anyreach-Org the client sends on every request (organization_id
// overrides it), and where the request came from, so the auth-failure
// limit and the audit log see the real client. Never a cookie.
type outer struct {
	authorization []string
	org           []string
	remoteAddr    string
	host          string
}

type outerKey struct{}

func outerOf(r *http.Request) *outer {
	// Every value, so the API answers two of either as it always does
	// (400), rather than this guessing which was meant.
	return &outer{authorization: r.Header.Values("Authorization"), org: r.Header.Values(orgHeader), remoteAddr: r.RemoteAddr, host: r.Host}
}

// call is the tool's handler: the arguments become a request that the
// API's handler serves in process, into a capped in-memory answer.
func (s *Server) call(api http.Handler, t *tool) sdk.ToolHandler {
	return func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		o, ok := ctx.Value(outerKey{}).(*outer)
		if !ok {
			return nil, errors.New("a tool call needs the /mcp request's credential")
		}
		var raw []byte
		if req.Params != nil {
			raw = req.Params.Arguments
		}
		r, err := t.request(httpapi.WithVia(ctx, "mcp"), raw)
		if e, ok := errors.AsType[*agentplane.Error](err); ok {
			return errorResult(http.StatusUnprocessableEntity, e), nil
		}
		if err != nil {
			return nil, err
		}
		r.Host, r.RemoteAddr = o.host, o.remoteAddr
		r.Header["Authorization"] = append([]string(nil), o.authorization...)
		if r.Header.Get(orgHeader) == "" && len(o.org) > 0 {
			r.Header[orgHeader] = append([]string(nil), o.org...)
		}
		a := newAnswer(s.opts.MaxResultBytes)
		api.ServeHTTP(a, r)
		if a.status == 0 && ctx.Err() != nil {
			return nil, ctx.Err() // the client left; nobody reads a result
		}
		return a.result(), nil
	}
}

// answerDeadline gives the /mcp answer a fresh write deadline when it
// starts: the API's middleware set one when the request came in, and the
// tool calls made since count against it.
type answerDeadline struct {
	http.ResponseWriter
	timeout time.Duration
	started bool
}

func (w *answerDeadline) WriteHeader(code int) {
	if !w.started {
		w.started = true
		_ = http.NewResponseController(w.ResponseWriter).SetWriteDeadline(time.Now().Add(w.timeout))
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *answerDeadline) Write(b []byte) (int, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Flush and Unwrap keep the writer's other abilities reachable.
func (w *answerDeadline) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

func (w *answerDeadline) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// annotations are the hints a client shows its user before a call: a
// read changes nothing, and GET, PUT and DELETE repeat harmlessly. The
// rest keep MCP's cautious defaults (may destroy, may reach outside: a
// website read, a webhook test).
func annotations(t *tool) *sdk.ToolAnnotations {
	return &sdk.ToolAnnotations{
		Title:          t.title,
		ReadOnlyHint:   t.Method == http.MethodGet,
		IdempotentHint: t.Method == http.MethodGet || t.Method == http.MethodPut || t.Method == http.MethodDelete,
	}
}
