package httpapi

import (
	"bytes"
	"compress/gzip"
	"embed"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// apiref holds the interactive API reference served at /docs: a page, the
// Scalar standalone bundle and the script that mounts it on /openapi.json
// (see apiref/README.md). Embedded, so /docs works offline.
//
//go:embed apiref/index.html apiref/init.js apiref/scalar-api-reference.js
var apiref embed.FS

// docsCSP lets the page run only this server's scripts and talk only to
// this server. Scalar sets styles inline (a style element and style
// attributes), hence 'unsafe-inline' for styles alone.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// asset is an embedded file with its gzip form, made on first use.
type asset struct {
	name, contentType string
	once              sync.Once
	raw, gz           []byte
}

func (a *asset) load() {
	a.once.Do(func() {
		a.raw, _ = apiref.ReadFile("apiref/" + a.name)
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = zw.Write(a.raw)
		_ = zw.Close()
		a.gz = b.Bytes()
	})
}

// serve writes the asset, compressed when the client accepts gzip.
func (a *asset) serve(w http.ResponseWriter, r *http.Request, cache string) error {
	a.load()
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", cache)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	body := a.raw
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	h.Set("Content-Length", itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}

// acceptsGzip reports whether Accept-Encoding lists gzip with a non-zero
// weight.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
				continue
			}
			_, q, ok := strings.Cut(strings.ReplaceAll(params, " ", ""), "q=")
			if !ok {
				return true
			}
			if w, err := strconv.ParseFloat(q, 64); err == nil && w > 0 {
				return true
			}
		}
	}
	return false
}

var (
	docsPage   = &asset{name: "index.html", contentType: "text/html; charset=utf-8"}
	docsInit   = &asset{name: "init.js", contentType: "text/javascript; charset=utf-8"}
	docsBundle = &asset{name: "scalar-api-reference.js", contentType: "text/javascript; charset=utf-8"}
)

// docs serves the API reference page.
func (s *Server) docs(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Security-Policy", docsCSP)
	h.Set("Referrer-Policy", "no-referrer")
	return docsPage.serve(w, r, "no-cache")
}

// docsScript serves the script that mounts the reference.
func (s *Server) docsScript(w http.ResponseWriter, r *http.Request) error {
	return docsInit.serve(w, r, "no-cache")
}

// docsBundleScript serves the Scalar bundle; it changes only with the
// binary, so browsers may keep it a day.
func (s *Server) docsBundleScript(w http.ResponseWriter, r *http.Request) error {
	return docsBundle.serve(w, r, "public, max-age=86400")
}
