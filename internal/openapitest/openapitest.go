// Package openapitest checks live HTTP exchanges against openapi.yaml, so
// every scenario a test drives also proves the contract true. Use its
// Transport in any client that talks to an agentplane under test.
package openapitest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/agentplane/agentplane/internal/httpapi"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

var load = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPIYAML)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	return doc, nil
})

// Doc returns the parsed and validated openapi.yaml.
func Doc(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := load()
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	return doc
}

// Validator checks exchanges of one test.
type Validator struct {
	t      testing.TB
	router routers.Router
}

// New returns a Validator reporting to t.
func New(t testing.TB) *Validator {
	t.Helper()
	// Route by path alone: the document's servers name the default
	// address, and the servers under test listen on any port.
	doc := *Doc(t)
	doc.Servers = nil
	r, err := gorillamux.NewRouter(&doc)
	if err != nil {
		t.Fatalf("openapi router: %v", err)
	}
	return &Validator{t: t, router: r}
}

// Transport wraps base (nil: http.DefaultTransport) so every exchange is
// checked with Check.
func (v *Validator) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		var reqBody []byte
		if req.Body != nil {
			reqBody, _ = io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		resp, err := base.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil {
			return resp, err
		}
		v.Check(req, reqBody, resp.StatusCode, resp.Header, body)
		return resp, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Check validates one exchange:
//   - the route must be in openapi.yaml;
//   - the response (status, headers, body) must match its documented
//     response, and every returned status must be documented;
//   - a request the server accepted (2xx) must be valid by the contract.
//     A request the contract calls invalid may only get a 4xx.
func (v *Validator) Check(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) {
	v.t.Helper()
	if isConsolePage(req.URL.Path) {
		return // the console's files, not API operations (internal/console)
	}
	clone := req.Clone(context.Background())
	clone.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := v.router.FindRoute(clone)
	if err != nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return // an unrouted path answered as such
		}
		v.t.Errorf("openapi: %s %s (status %d) is not in openapi.yaml: %v", req.Method, req.URL.Path, status, err)
		return
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
	}
	in := &openapi3filter.RequestValidationInput{Request: clone, PathParams: params, Route: route, Options: opts}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	if reqErr != nil && status < 400 {
		v.t.Errorf("openapi: %s %s was accepted (%d) but the contract calls the request invalid: %v\nbody: %s",
			req.Method, req.URL.Path, status, reqErr, reqBody)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                opts,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		v.t.Errorf("openapi: response to %s %s (%d) does not match openapi.yaml: %v\nbody: %s",
			req.Method, req.URL.Path, status, err, truncate(body))
	}
}

// isConsolePage reports whether path is one of the web console's pages or
// assets, which the document leaves out; its session API is documented.
func isConsolePage(path string) bool {
	return (path == "/console" || strings.HasPrefix(path, "/console/")) && !strings.HasPrefix(path, "/console/api/")
}

func truncate(b []byte) []byte {
	if len(b) > 2000 {
		return append(b[:2000:2000], "…"...)
	}
	return b
}
