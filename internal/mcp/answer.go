package mcp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/agentplane/agentplane"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// errTooLarge stops a handler writing past the answer's cap.
var errTooLarge = errors.New("the answer is larger than an MCP tool result may be")

// answer is the in-memory response writer a tool call serves the API's
// request into. It keeps at most max bytes of body: a list or a streamed
// summary larger than that is refused, not held whole in memory.
type answer struct {
	header http.Header
	status int
	body   bytes.Buffer
	max    int
	over   bool
}

func newAnswer(limit int) *answer { return &answer{header: http.Header{}, max: limit} }

func (a *answer) Header() http.Header { return a.header }

func (a *answer) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
	}
}

func (a *answer) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	if a.over || a.body.Len()+len(b) > a.max {
		a.over = true
		return 0, errTooLarge
	}
	return a.body.Write(b)
}

// result turns the API's answer into the tool's result: a 2xx body as text
// (and as structured content when it is a JSON object), anything else as a
// tool error whose text is the API's error body (SPEC §21). The result's
// _meta carries the HTTP status, and the ETag a later call can send back as
// if_match.
func (a *answer) result() *sdk.CallToolResult {
	if a.over {
		// The API answered; the answer is what can't be carried.
		return errorResult(a.status, &agentplane.Error{Code: agentplane.EPayloadTooLarge,
			Message: fmt.Sprintf("the answer is larger than the %d bytes a tool result may carry; ask for less (a smaller limit, a filter)", a.max)})
	}
	status := a.status
	if status == 0 {
		status = http.StatusOK
	}
	meta := sdk.Meta{"status": status}
	if etag := a.header.Get("ETag"); etag != "" {
		meta["etag"] = etag
	}
	if id := a.header.Get("X-Request-Id"); id != "" {
		meta["request_id"] = id
	}
	body := a.body.Bytes()
	text := string(body)
	if len(bytes.TrimSpace(body)) == 0 {
		text = "HTTP " + strconv.Itoa(status) + " " + http.StatusText(status)
	}
	res := &sdk.CallToolResult{Meta: meta, Content: []sdk.Content{&sdk.TextContent{Text: text}}}
	if status < 200 || status > 299 {
		res.IsError = true
		return res
	}
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed) {
		res.StructuredContent = json.RawMessage(trimmed)
	}
	return res
}

// errorResult is a tool error made here, before or instead of an API call,
// with the API's error body so callers read one shape.
func errorResult(status int, e *agentplane.Error) *sdk.CallToolResult {
	code := string(e.Code)
	if e.Code == agentplane.EBadRequest {
		code = string(agentplane.EInvalid)
	}
	b, _ := json.Marshal(struct {
		Detail string                  `json:"detail"`
		Code   string                  `json:"code"`
		Errors []agentplane.FieldError `json:"errors,omitempty"`
	}{e.Message, code, e.Fields})
	return &sdk.CallToolResult{Meta: sdk.Meta{"status": status}, IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: string(b)}}}
}
