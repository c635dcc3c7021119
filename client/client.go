// Package client is the Go client of the agentplane HTTP API.
//
// Most of it is generated from the OpenAPI document the server serves
// (api.gen.go, by oapi-codegen): a type for every schema and a method for
// every operation. The hand-written rest (this file and its neighbours)
// makes it pleasant to hold:
//
//	c := client.New("http://127.0.0.1:8080", client.WithToken(key))
//	agent, err := c.CreateAgent(ctx, client.AgentInput{Name: "Support line"})
//	for a, err := range c.Agents(ctx, nil) { … }
//
// Every operation is a method of *Client named after its operationId
// (list_agents → ListAgentsWithResponse) returning the typed response;
// Check turns it into a *Error when the status is not 2xx. The common
// operations also have a short form (CreateAgent, ListAgents, Agents,
// PublishVersion…) that returns the decoded body or a *Error.
//
// A personal access token acts in the organization named by WithOrg (an id
// or a slug); an organization API key needs no organization.
package client

//go:generate go tool oapi-codegen -config oapi-codegen.yaml -o api.gen.go ../internal/httpapi/openapi.yaml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Client talks to one agentplane server with one credential. It has every
// operation of the API as a generated XxxWithResponse method, plus the
// short forms of this package. It is safe for concurrent use; With derives
// a client with other settings.
type Client struct {
	ClientWithResponsesInterface

	raw RawClient // what New and With built, for With to copy
}

// New returns a client for the server at server (for example
// "http://127.0.0.1:8080"). Options are the generated ones (WithHTTPClient,
// WithRequestEditorFn, WithBaseURL) and this package's WithToken and
// WithOrg. An option that fails (WithBaseURL with a malformed URL) makes
// every request fail with its error, as a malformed server URL does.
func New(server string, opts ...ClientOption) *Client {
	if !strings.HasSuffix(server, "/") {
		server += "/"
	}
	return build(RawClient{Server: server, Client: http.DefaultClient}, opts)
}

// With returns a copy of c with opts applied after c's own, for acting
// with another credential or organization over the same connection pool.
func (c *Client) With(opts ...ClientOption) *Client {
	return build(c.raw, opts)
}

func build(raw RawClient, opts []ClientOption) *Client {
	raw.RequestEditors = slices.Clip(raw.RequestEditors) // appends copy
	for _, o := range opts {
		if err := o(&raw); err != nil {
			raw.Client = failing{err}
			break
		}
	}
	return &Client{ClientWithResponsesInterface: &ClientWithResponses{&raw}, raw: raw}
}

// failing is the doer of a client whose construction failed.
type failing struct{ err error }

func (f failing) Do(*http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("agentplane: client option: %w", f.err)
}

// WithToken sends "Authorization: Bearer <token>" on every request: an
// organization API key (ak_…) or a personal access token (pat_…). Empty
// sends none. It works with the generated NewClientWithResponses too.
func WithToken(token string) ClientOption {
	return header("Authorization", "Bearer "+token, token == "")
}

// WithOrg sends the X-Anyreach-Org header, the organization (id or slug) a
// personal access token acts in, on every request, in place of any
// XAnyreachOrg parameter. Empty sends none.
func WithOrg(org string) ClientOption {
	return header("X-Anyreach-Org", org, org == "")
}

// header sets (or, when del, removes) one header on every request. Editors
// run in order, so the last WithToken or WithOrg wins.
func header(name, value string, del bool) ClientOption {
	return WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		if del {
			r.Header.Del(name)
		} else {
			r.Header.Set(name, value)
		}
		return nil
	})
}

// Response is what every generated XxxWithResponse method returns.
type Response interface {
	StatusCode() int
	Bytes() []byte
}

// Check returns err if the call failed, a *Error if the server answered
// with a status outside 2xx, and nil otherwise:
//
//	r, err := c.GetWebWidgetWithResponse(ctx, id, nil)
//	if err := client.Check(r, err); err != nil { … }
//	use(r.JSON200)
func Check(r Response, err error) error {
	if err != nil {
		return err
	}
	if s := r.StatusCode(); s < 200 || s > 299 {
		return parseError(s, r.Bytes())
	}
	return nil
}

// ok returns the decoded 2xx body that body picks from r, or the error of
// the call.
func ok[T any](r Response, err error, body func() *T) (*T, error) {
	if err := Check(r, err); err != nil {
		return nil, err
	}
	if b := body(); b != nil {
		return b, nil
	}
	return nil, errNoBody(r)
}

// errNoBody is the error of a 2xx answer whose JSON body is missing.
func errNoBody(r Response) error {
	return fmt.Errorf("agentplane: a %d answer without the JSON body the document declares", r.StatusCode())
}

// Error is a non-2xx answer: the HTTP status and the API's error body
// (SPEC §1).
type Error struct {
	Status int       // HTTP status code
	Code   ErrorCode // machine code: invalid, unauthenticated, not_found…
	Detail string    // human sentence
	// Errors lists each violation of a 422.
	Errors []FieldError
}

// Error formats the status, code and detail.
func (e *Error) Error() string {
	return fmt.Sprintf("agentplane: %d %s: %s", e.Status, e.Code, e.Detail)
}

// StatusOf returns the HTTP status of an *Error in err's chain, or 0.
func StatusOf(err error) int {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Status
	}
	return 0
}

// parseError builds the *Error of a non-2xx answer; a body that is not the
// API's error object (a proxy's page, say) becomes the detail, shortened.
func parseError(status int, data []byte) *Error {
	e := &Error{Status: status}
	var body ErrorBody
	if err := json.Unmarshal(data, &body); err == nil && (body.Detail != "" || body.Code != "") {
		e.Code, e.Detail = body.Code, body.Detail
		if body.Errors != nil {
			e.Errors = *body.Errors
		}
		return e
	}
	e.Detail = strings.TrimSpace(string(data))
	if len(e.Detail) > 200 {
		e.Detail = e.Detail[:200] + "…"
	}
	if e.Detail == "" {
		e.Detail = http.StatusText(status)
	}
	return e
}

// String is the location part as sent: a field name or an array index,
// so fmt.Sprint(fieldError.Loc) reads [body config voice speed].
func (t FieldError_Loc_Item) String() string {
	var s string
	if json.Unmarshal(t.union, &s) == nil {
		return s
	}
	return string(t.union)
}

// TimeParam renders t for the time-window parameters of every list
// (CreatedAfter, UpdatedBefore…), which take RFC 3339 or epoch
// milliseconds.
func TimeParam(t time.Time) *string {
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}
