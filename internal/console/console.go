// Package console serves the web console (SPEC §19): a single-page app
// built ahead of time from web/console (make console) into dist/, which
// is committed and embedded, so go build and go run need no Node. The
// app talks to the same /core and /admin routes as any client, signed in
// through /console/api/session (internal/httpapi).
package console

import (
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// CSP is the console's Content-Security-Policy: everything from the
// console's own origin, no inline script or style, no framing.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Handler serves the console under /console/: a built asset (hashed name)
// as immutable, the app's HTML for any other path a browser navigates to
// (the app routes it), and 404 for a missing asset.
func Handler() http.Handler {
	files, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at build time: it is there
	}
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		panic("console: dist/index.html is missing; run make console")
	}
	return &handler{files: files, index: index}
}

type handler struct {
	files fs.FS
	index []byte
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	if r.URL.Path == "/console" {
		http.Redirect(w, r, "/console/", http.StatusMovedPermanently)
		return
	}
	name := strings.TrimPrefix(strings.TrimPrefix(path.Clean(r.URL.Path), "/console"), "/")
	if strings.HasPrefix(name, "assets/") {
		b, err := fs.ReadFile(h.files, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if t := mime.TypeByExtension(path.Ext(name)); t != "" {
			hd.Set("Content-Type", t)
		}
		// Asset names carry a hash of their content.
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
		_, _ = w.Write(b)
		return
	}
	// Any other path is one of the app's pages — to a browser. Anything
	// else asking for a file that isn't there gets a 404.
	if name != "" && !strings.Contains(r.Header.Get("Accept"), "text/html") {
		http.NotFound(w, r)
		return
	}
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Frame-Options", "DENY")
	_, _ = w.Write(h.index)
}
