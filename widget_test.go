package agentplane_test

import (
	"testing"

	"github.com/agentplane/agentplane"
)

// TestCanonicalOrigin: a domain and an Origin header that name the same
// origin come out identical (lower case, no default port, no slash), so a
// widget listing "example.com" matches "HTTPS://Example.COM:443" and the
// header is echoed in the form the browser compares with.
func TestCanonicalOrigin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, domain, header string // "" = refused
	}{
		{"example.com", "https://example.com", ""}, // a header always has a scheme
		{"HTTPS://Example.COM:443", "https://example.com", "https://example.com"},
		{"https://example.com/", "https://example.com", "https://example.com"},
		{"http://Example.com:80", "http://example.com", "http://example.com"},
		{"https://example.com:80", "https://example.com:80", "https://example.com:80"},
		{"http://localhost:3000", "http://localhost:3000", "http://localhost:3000"},
		{"https://example.com:0443", "https://example.com", "https://example.com"},
		{"http://[::1]:80", "http://[::1]", "http://[::1]"},
		{"http://[::1]:8080", "http://[::1]:8080", "http://[::1]:8080"},
		{"null", "https://null", "null"}, // the opaque origin of sandboxed and file: pages
		{"https://example.com/path", "", ""},
		{"https://example.com:99999", "", ""},
		{"https://:443", "", ""},
		{"ftp://example.com", "", ""},
	} {
		if got, ok := agentplane.NormalizeOrigin(tc.in); got != tc.domain || ok != (tc.domain != "") {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q", tc.in, got, ok, tc.domain)
		}
		if got, ok := agentplane.CanonicalOrigin(tc.in); got != tc.header || ok != (tc.header != "") {
			t.Errorf("CanonicalOrigin(%q) = %q, %v; want %q", tc.in, got, ok, tc.header)
		}
	}

	w := agentplane.WebWidget{Domains: []string{"https://example.com", "https://null"}}
	for origin, want := range map[string]bool{
		"HTTPS://Example.COM:443": true, "https://example.com": true, "example.com": false,
		"null": false, "https://example.com:8443": false, "": false,
	} {
		if w.AllowsOrigin(origin) != want {
			t.Errorf("a widget for %v: AllowsOrigin(%q) = %v", w.Domains, origin, !want)
		}
	}
	if open := (agentplane.WebWidget{}); !open.AllowsOrigin("null") || !open.AllowsOrigin("") {
		t.Error("a widget without domains refuses some origin")
	}
}
