package console

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHandler: built assets are immutable, the app's HTML is never cached
// and carries the strict policy, a page path a browser navigates to gets
// the HTML, a missing asset (or a non-browser asking for an unknown path)
// is 404.
func TestHandler(t *testing.T) {
	h := Handler()
	files, _ := fs.Sub(dist, "dist")
	assets, err := fs.ReadDir(files, "assets")
	if err != nil || len(assets) == 0 {
		t.Fatalf("no built assets in dist/assets (%v): run make console", err)
	}
	get := func(path, accept string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for _, a := range assets {
		w := get("/console/assets/"+a.Name(), "*/*")
		want, _ := fs.ReadFile(files, "assets/"+a.Name())
		if w.Code != 200 || w.Body.String() != string(want) ||
			w.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d, %v", a.Name(), w.Code, w.Header())
		}
		if strings.HasSuffix(a.Name(), ".js") && !strings.HasPrefix(w.Header().Get("Content-Type"), "text/javascript") {
			t.Errorf("%s served as %q", a.Name(), w.Header().Get("Content-Type"))
		}
	}
	for _, path := range []string{"/console/", "/console/agents", "/console/agents/0192d3a4-0000-7000-8000-000000000001/versions/2"} {
		w := get(path, "text/html,application/xhtml+xml")
		if w.Code != 200 || !strings.Contains(w.Body.String(), `<div id="root">`) || w.Header().Get("Cache-Control") != "no-cache" ||
			w.Header().Get("Content-Security-Policy") != CSP || !strings.Contains(CSP, "frame-ancestors 'none'") ||
			strings.Contains(CSP, "unsafe-inline") || w.Header().Get("Referrer-Policy") != "same-origin" {
			t.Errorf("%s: %d %v", path, w.Code, w.Header())
		}
	}
	for _, c := range []struct{ path, accept string }{
		{"/console/assets/missing-0000.js", "*/*"},
		{"/console/assets/missing-0000.js", "text/html"},
		{"/console/agents", "application/json"},
		{"/console/../openapi.json", ""},
	} {
		if w := get(c.path, c.accept); w.Code != http.StatusNotFound {
			t.Errorf("%s (Accept %q): %d, want 404", c.path, c.accept, w.Code)
		}
	}
	if w := get("/console", "text/html"); w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/console/" {
		t.Errorf("/console: %d %v", w.Code, w.Header())
	}
}
