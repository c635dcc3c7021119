// Package client is a Go client for the agentplane HTTP API.
//
// A Client holds the server's base URL and one credential:
//
//	c := client.New("http://127.0.0.1:8080", client.WithToken(key))
//	page, err := c.ListAgents(ctx, client.ListAgentsParams{})
//
// A personal access token acts in the organization named by WithOrg (an id
// or a slug); an organization API key needs no organization. Every method
// takes a context first and returns a *Error for any non-2xx answer.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/agentplane/agentplane"
)

// Client talks to one agentplane server with one credential. It is safe
// for concurrent use; With derives a client with other settings.
type Client struct {
	base  string
	token string
	org   string
	hc    *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithToken sets the credential sent as "Authorization: Bearer <token>":
// an organization API key (ak_…) or a personal access token (pat_…).
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithOrg sets the X-Anyreach-Org header, the organization (id or slug) a
// personal access token acts in. Empty sends no header.
func WithOrg(org string) Option { return func(c *Client) { c.org = org } }

// WithHTTPClient replaces http.DefaultClient, for custom transports and
// timeouts.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// New returns a client for the server at baseURL (for example
// "http://127.0.0.1:8080"; a trailing slash is ignored).
func New(baseURL string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(baseURL, "/"), hc: http.DefaultClient}
	for _, o := range opts {
		o(c)
	}
	return c
}

// With returns a copy of c with opts applied, for acting with another
// credential or organization over the same connection pool.
func (c *Client) With(opts ...Option) *Client {
	cp := *c
	for _, o := range opts {
		o(&cp)
	}
	return &cp
}

// Error is a non-2xx answer: the HTTP status and the error body of SPEC §1.
type Error struct {
	Status int    // HTTP status code
	Detail string // human sentence
	Code   string // machine code: invalid, unauthenticated, forbidden, not_found…
	// Errors lists each violation of a 422.
	Errors []agentplane.FieldError
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

// Page is one page of a list, newest first. NextCursor is "" on the last
// page; pass it as ListParams.Cursor to get the next one.
type Page[T any] struct {
	Data       []T
	Limit      int
	NextCursor string
}

// envelope is the list body of SPEC §1.
type envelope[T any] struct {
	Data       []T `json:"data"`
	Pagination struct {
		Limit      int     `json:"limit"`
		NextCursor *string `json:"next_cursor"`
	} `json:"pagination"`
}

// ListParams are the paging and time-window parameters every list takes.
// Zero values are not sent.
type ListParams struct {
	Limit  int    // 1..200; 0 for the server's default (50)
	Cursor string // NextCursor of the previous page
	// Time windows: after bounds are inclusive, before bounds exclusive.
	CreatedAfter, CreatedBefore time.Time
	UpdatedAfter, UpdatedBefore time.Time
}

// values renders p as query parameters.
func (p ListParams) values() url.Values {
	q := url.Values{}
	if p.Limit != 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	setTime := func(name string, t time.Time) {
		if !t.IsZero() {
			q.Set(name, t.UTC().Format(time.RFC3339Nano))
		}
	}
	setTime("created_after", p.CreatedAfter)
	setTime("created_before", p.CreatedBefore)
	setTime("updated_after", p.UpdatedAfter)
	setTime("updated_before", p.UpdatedBefore)
	return q
}

// Healthz reports whether the server process is up.
func (c *Client) Healthz(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/healthz", nil, nil, nil)
}

// Readyz reports whether the server can take traffic: database reachable
// and migrated. A server that is not ready answers a 503 *Error.
func (c *Client) Readyz(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/readyz", nil, nil, nil)
}

// list fetches one page of the collection at path.
func list[T any](ctx context.Context, c *Client, path string, q url.Values) (*Page[T], error) {
	var env envelope[T]
	if err := c.do(ctx, http.MethodGet, path, q, nil, &env); err != nil {
		return nil, err
	}
	p := &Page[T]{Data: env.Data, Limit: env.Pagination.Limit}
	if p.Data == nil {
		p.Data = []T{}
	}
	if env.Pagination.NextCursor != nil {
		p.NextCursor = *env.Pagination.NextCursor
	}
	return p, nil
}

// do sends one request. body, when not nil, is sent as JSON; out, when not
// nil, receives the decoded 2xx body. Any other status is a *Error.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body, out any) error {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("agentplane: encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("agentplane: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.org != "" {
		req.Header.Set("X-Anyreach-Org", c.org)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("agentplane: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("agentplane: %s %s: read response: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return parseError(resp.StatusCode, data)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("agentplane: %s %s: decode response: %w", method, path, err)
	}
	return nil
}

// parseError builds the *Error of a non-2xx answer; a body that is not the
// API's error object (a proxy's page, say) becomes the detail, shortened.
func parseError(status int, data []byte) *Error {
	e := &Error{Status: status}
	var body struct {
		Detail string                  `json:"detail"`
		Code   string                  `json:"code"`
		Errors []agentplane.FieldError `json:"errors"`
	}
	if err := json.Unmarshal(data, &body); err == nil && (body.Detail != "" || body.Code != "") {
		e.Detail, e.Code, e.Errors = body.Detail, body.Code, body.Errors
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

// escape makes one path segment of an id.
func escape(id string) string { return url.PathEscape(id) }
