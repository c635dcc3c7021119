package app

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// lineJSON is the access log's slog.Handler. It writes the same bytes as
// slog's JSONHandler, formatting the records the server logs per request
// (flat string and integer attributes, plain ASCII) itself, and hands any
// other record to a JSONHandler on the same writer. Through JSONHandler
// the access line cost ~4% of a cached GET's CPU (docs/performance.md):
// its general machinery (a state per record, a kind switch and an escape
// loop per byte) does work a flat line of ids, numbers and a route
// doesn't need.
type lineJSON struct {
	mu    *sync.Mutex
	w     io.Writer
	level slog.Leveler
	slow  slog.Handler // the records this handler doesn't format itself
	bufs  *sync.Pool   // of *[]byte
}

func newLineJSON(w io.Writer, opts *slog.HandlerOptions) *lineJSON {
	if opts.ReplaceAttr != nil || opts.AddSource {
		panic("lineJSON formats plain records only") // a programming error: newLogger never asks
	}
	lvl := opts.Level
	if lvl == nil {
		lvl = slog.LevelInfo
	}
	return &lineJSON{mu: new(sync.Mutex), w: w, level: lvl, slow: slog.NewJSONHandler(w, opts),
		bufs: &sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}}
}

// Enabled reports whether records of the level are written.
func (h *lineJSON) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

// WithAttrs and WithGroup hand over to JSONHandler: the server's access
// lines carry neither.
func (h *lineJSON) WithAttrs(as []slog.Attr) slog.Handler { return h.slow.WithAttrs(as) }

// WithGroup: see WithAttrs.
func (h *lineJSON) WithGroup(name string) slog.Handler { return h.slow.WithGroup(name) }

// Handle writes r as one JSON line.
func (h *lineJSON) Handle(ctx context.Context, r slog.Record) error {
	bp := h.bufs.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= 16<<10 {
			h.bufs.Put(bp)
		}
	}()
	b, ok := appendLine((*bp)[:0], r)
	*bp = b
	if !ok {
		return h.slow.Handle(ctx, r)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.w.Write(b)
	return err
}

// appendLine appends r the way JSONHandler writes it; false means r has
// something only JSONHandler formats (another kind of value, a string
// that needs escaping, a year outside 0–9999).
func appendLine(b []byte, r slog.Record) ([]byte, bool) {
	ok := true
	if !r.Time.IsZero() {
		t := r.Time.Round(0)
		if y := t.Year(); y < 0 || y >= 10000 {
			return b, false
		}
		b = append(b, `{"time":"`...)
		b = t.AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","level":`...)
	} else {
		b = append(b, `{"level":`...)
	}
	if b, ok = appendPlain(b, r.Level.String()); !ok {
		return b, false
	}
	b = append(b, `,"msg":`...)
	if b, ok = appendPlain(b, r.Message); !ok {
		return b, false
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Equal(slog.Attr{}) {
			return true // JSONHandler drops empty attributes too
		}
		b = append(b, ',')
		if b, ok = appendPlain(b, a.Key); !ok {
			return false
		}
		b = append(b, ':')
		switch a.Value.Kind() {
		case slog.KindString:
			b, ok = appendPlain(b, a.Value.String())
		case slog.KindInt64:
			b = strconv.AppendInt(b, a.Value.Int64(), 10)
		default:
			ok = false
		}
		return ok
	})
	if !ok {
		return b, false
	}
	return append(b, "}\n"...), true
}

// appendPlain appends s quoted when no byte of it needs escaping in JSON
// (printable ASCII but for the quote and the backslash).
func appendPlain(b []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return b, false
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}
