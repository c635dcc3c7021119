package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/httpapi"
	"github.com/agentplane/agentplane/internal/openapitest"
)

// bundleSHA256 is the sha256 of @scalar/api-reference 1.76.0's
// dist/browser/standalone.js, as recorded in apiref/README.md.
const bundleSHA256 = "dcb027152bf20bf2f6dcd66e8f9fb073c1a9e274cf0b94b939a7d99ab8947060"

// TestDocs: /docs answers a page whose scripts are all served by this
// server (the embedded Scalar bundle, unchanged, and the script that mounts
// it on /openapi.json), under a policy that allows nothing from elsewhere.
func TestDocs(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(httpapi.New(nil, httpapi.Options{CursorKey: []byte("k")}))
	t.Cleanup(ts.Close)
	client := &http.Client{Transport: openapitest.New(t).Transport(nil)}
	get := func(u string, header map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", u, res.StatusCode, body)
		}
		return res, body
	}

	page, html := get(ts.URL+"/docs", nil)
	if ct := page.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("/docs Content-Type %q", ct)
	}
	csp := page.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("/docs CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
		t.Errorf("/docs CSP %q lets scripts run from text", csp)
	}
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]`).Match(html) {
		t.Errorf("/docs has an inline script, which its CSP would block:\n%s", html)
	}
	if bytes.Contains(html, []byte("http://")) || bytes.Contains(html, []byte("https://")) {
		t.Errorf("/docs refers to another site:\n%s", html)
	}

	// Every script the page loads is served here, resolved as a browser would.
	base, _ := url.Parse(ts.URL + "/docs")
	srcs := regexp.MustCompile(`<script src="([^"]+)"`).FindAllSubmatch(html, -1)
	if len(srcs) != 2 {
		t.Fatalf("/docs loads %d scripts, want the bundle and its init:\n%s", len(srcs), html)
	}
	scripts := map[string][]byte{}
	for _, m := range srcs {
		ref, err := base.Parse(string(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		if ref.Host != base.Host {
			t.Errorf("script %s is not on this server", ref)
		}
		res, body := get(ref.String(), nil)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("%s Content-Type %q", ref.Path, ct)
		}
		scripts[ref.Path] = body
	}
	bundle, init := scripts["/docs/scalar-api-reference.js"], scripts["/docs/init.js"]
	if sum := sha256.Sum256(bundle); hex.EncodeToString(sum[:]) != bundleSHA256 {
		t.Errorf("the served bundle's sha256 is %x, want %s (apiref/README.md)", sum, bundleSHA256)
	}
	if !bytes.Contains(init, []byte("Scalar.createApiReference")) || !bytes.Contains(init, []byte(`"/openapi.json"`)) {
		t.Errorf("init.js does not mount the reference on /openapi.json:\n%s", init)
	}
	for _, off := range []string{"withDefaultFonts: false", "telemetry: false"} {
		if !bytes.Contains(init, []byte(off)) {
			t.Errorf("init.js lacks %q: the page would reach outside", off)
		}
	}
	onDisk, err := os.ReadFile("apiref/scalar-api-reference.js")
	if err != nil || !bytes.Equal(onDisk, bundle) {
		t.Errorf("the served bundle differs from apiref/scalar-api-reference.js (%v)", err)
	}

	// Compressed for clients that take gzip, and the same bytes inside.
	res, gz := get(ts.URL+"/docs/scalar-api-reference.js", map[string]string{"Accept-Encoding": "br, gzip;q=0.8"})
	if res.Header.Get("Content-Encoding") != "gzip" || len(gz) >= len(bundle)/2 {
		t.Fatalf("gzip: Content-Encoding %q, %d bytes for %d", res.Header.Get("Content-Encoding"), len(gz), len(bundle))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, bundle) {
		t.Errorf("the gzip body does not unpack to the bundle (%v)", err)
	}
	if res, _ := get(ts.URL+"/docs/init.js", map[string]string{"Accept-Encoding": "gzip;q=0, identity"}); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
}
