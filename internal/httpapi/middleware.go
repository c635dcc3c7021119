package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/agentplane/agentplane"
)

type ctxKey int

const (
	keyInfo ctxKey = iota
	keyVia         // how an in-process caller came in (WithVia)
)

// WithVia returns ctx marked for a request an in-process caller serves
// through the API (internal/mcp): its changes are audited as coming via
// via instead of "api". A request from the network never carries it.
func WithVia(ctx context.Context, via string) context.Context {
	return context.WithValue(ctx, keyVia, via)
}

// reqInfo is what the access log line reports and whom the request was
// authenticated as; auth fills in the caller. It travels in the context
// as a pointer so authentication needn't copy the request a second time.
type reqInfo struct {
	id     string
	org    string
	credID string
	caller *agentplane.Caller // set once every check of the route passed
}

// statusAbandoned is what logs and metrics call a request its client
// abandoned (nginx's 499): not a server error, nothing was answered.
const statusAbandoned = 499

func requestID(ctx context.Context) string {
	if i, ok := ctx.Value(keyInfo).(*reqInfo); ok {
		return i.id
	}
	return ""
}

// callerFrom returns the authenticated caller the route wrapper stored.
func callerFrom(ctx context.Context) *agentplane.Caller {
	if i, ok := ctx.Value(keyInfo).(*reqInfo); ok {
		return i.caller
	}
	return nil
}

// withCaller stores the authenticated caller for callerFrom.
func withCaller(r *http.Request, c *agentplane.Caller) *http.Request {
	if i, ok := r.Context().Value(keyInfo).(*reqInfo); ok {
		i.caller = c
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), keyInfo, &reqInfo{caller: c}))
}

// recorder remembers the status and size for the log, and turns the mux's
// own plain-text 404 and 405 answers into the API's JSON error body.
type recorder struct {
	http.ResponseWriter
	r       *http.Request
	status  int
	bytes   int
	swallow bool
}

func (w *recorder) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	// r.Pattern is empty only when the mux matched no route; then the
	// answer is the mux's text error, replaced here by ours.
	if w.r.Pattern == "" && (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) {
		w.swallow = true
		w.Header().Del("X-Content-Type-Options")
		if code == http.StatusNotFound {
			writeJSON(w.ResponseWriter, code, errorBody{Detail: "no such route", Code: string(agentplane.ENotFound)})
		} else {
			writeJSON(w.ResponseWriter, code, errorBody{Detail: "method not allowed on this route", Code: string(agentplane.EInvalid)})
		}
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return len(b), nil
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Flush lets streaming handlers flush through the recorder.
func (w *recorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok && !w.swallow {
		f.Flush()
	}
}

// Unwrap exposes the writer to http.ResponseController.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestID keeps a caller's X-Request-Id when it is short and plain, else
// makes one.
func (s *Server) requestID(given string) string {
	if n := len(given); n > 0 && n <= 64 {
		ok := true
		for _, c := range given {
			if !(c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
				ok = false
				break
			}
		}
		if ok {
			return given
		}
	}
	return s.ids.next()
}

// idSource makes the ids of requests that bring none: 24 hex digits, a
// random prefix drawn once per server and a counter. They need to be
// unique, not unguessable (a caller may pick its own), and a counter is
// cheaper than reading randomness for every request.
type idSource struct {
	prefix [6]byte
	n      atomic.Uint64
}

func newIDSource() *idSource {
	s := new(idSource)
	var start [8]byte
	_, _ = rand.Read(s.prefix[:])
	_, _ = rand.Read(start[:])
	s.n.Store(binary.BigEndian.Uint64(start[:]))
	return s
}

func (s *idSource) next() string {
	var b [12]byte
	copy(b[:6], s.prefix[:])
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], s.n.Add(1))
	copy(b[6:], n[2:]) // the low 48 bits: 2^48 requests before a repeat
	return hex.EncodeToString(b[:])
}

// ServeHTTP is the outer middleware: request id, body limit, panic
// recovery and one access log line per request. The line names the route
// pattern, the organization and the credential id, never a secret or a
// credential header.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &reqInfo{id: s.requestID(r.Header.Get("X-Request-Id"))}
	via := "api"
	if v, ok := r.Context().Value(keyVia).(string); ok {
		via = v
	}
	ctx := agentplane.WithOrigin(r.Context(), agentplane.Origin{RequestID: info.id, IP: clientAddr(r), Via: via})
	r = r.WithContext(context.WithValue(ctx, keyInfo, info))
	w.Header().Set("X-Request-Id", info.id)
	rec := &recorder{ResponseWriter: w, r: r}
	// Bound the whole answer's write: a client that stops reading gets
	// disconnected instead of holding the response (and the memory behind
	// it) for as long as it likes. Streaming routes extend it per chunk.
	_ = http.NewResponseController(w).SetWriteDeadline(start.Add(s.opts.WriteTimeout))
	if r.Body != nil {
		r.Body = http.MaxBytesReader(rec, r.Body, s.opts.MaxBodyBytes)
	}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.ErrorContext(r.Context(), "panic", "request_id", info.id, "panic", p, "stack", string(debug.Stack()))
			if rec.status == 0 {
				writeError(rec, r, s.log, agentplane.Errorf(agentplane.EInternal, "internal error"))
			}
		}
		status := rec.status
		switch {
		case status == 0 && r.Context().Err() != nil:
			// Nothing was answered because the client left first.
			status = statusAbandoned
		case status == 0:
			status = http.StatusOK
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		end := time.Now()
		s.metrics.observe(route, status, end.Sub(start))
		// The record is made here rather than by Logger.LogAttrs, which
		// would walk the stack for a source position no line shows.
		if h := s.access.Handler(); h.Enabled(r.Context(), slog.LevelInfo) {
			line := slog.NewRecord(end, slog.LevelInfo, "request", 0)
			line.AddAttrs(
				slog.String("request_id", info.id),
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int("bytes", rec.bytes),
				slog.String("duration", strconv.FormatFloat(float64(end.Sub(start).Microseconds())/1000, 'f', 3, 64)+"ms"),
				slog.String("org", info.org),
				slog.String("credential_id", info.credID),
				slog.String("remote", r.RemoteAddr),
			)
			_ = h.Handle(r.Context(), line)
		}
	}()
	s.mux.ServeHTTP(rec, r)
}
