package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// Retry policy. The SDK's default (2 retries, honouring Retry-After up to
// two minutes) suits a batch client, not a person waiting for a streamed
// comparison: one quick retry absorbs a blip, and background jobs have
// River's own backoff on top.
const (
	maxRetries    = 1
	maxRetryDelay = 2 * time.Second
)

// Raw response limits, enforced on the wire before the SDK buffers
// anything (it reads error and JSON bodies whole, and its SSE scanner
// accepts 32 MiB lines). A JSON body may be bigger than the text it
// carries (escapes, metadata), hence the headroom.
const (
	rawBodyFactor = 4
	rawSlack      = 64 << 10
)

// openAI is the Model for any OpenAI-compatible chat-completions server.
type openAI struct {
	svc       openai.ChatCompletionService
	model     string
	timeout   time.Duration
	maxOutput int // MaxOutputBytes; a field so tests can lower it
}

func newOpenAI(cfg Config) *openAI {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	m := &openAI{model: cfg.Model, timeout: cfg.Timeout, maxOutput: MaxOutputBytes}
	if m.timeout == 0 {
		m.timeout = DefaultTimeout
	}
	opts := []option.RequestOption{
		option.WithBaseURL(cfg.BaseURL),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(maxRetries),
		option.WithMaxRetryDelay(maxRetryDelay),
		option.WithMiddleware(m.limitBody),
	}
	if cfg.APIKey != "" {
		opts = append(opts, option.WithAPIKey(cfg.APIKey))
	}
	// The service, not openai.NewClient: NewClient folds in OPENAI_API_KEY,
	// OPENAI_BASE_URL, OPENAI_CUSTOM_HEADERS… from the environment, and
	// agentplane is configured by its own AGENTPLANE_* variables only.
	m.svc = openai.NewChatCompletionService(opts...)
	return m
}

// Stream implements Model. It requires the server to finish the reply
// (a finish_reason): a connection that merely closes early is a failure,
// not a short answer, because the SDK reports a clean EOF without [DONE]
// as success.
func (m *openAI) Stream(ctx context.Context, msgs []Message, emit func(chunk string) error) error {
	p, err := m.params(msgs)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	stream := m.svc.NewStreaming(ctx, p)
	// Closing the body before it is drained makes the transport drop the
	// connection, which is how the server learns we stopped listening.
	defer stream.Close()

	var total int
	var refusal strings.Builder
	started, finished := false, false
	for stream.Next() {
		for _, c := range stream.Current().Choices {
			if c.Index != 0 { // n=1 is all we ask for; ignore extras
				continue
			}
			if s := c.Delta.Content; s != "" {
				if total += len(s); total > m.maxOutput {
					return failure(ctx, started, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, m.maxOutput))
				}
				if err := emit(s); err != nil {
					return err
				}
				started = true
			}
			if refusal.Len() < 1000 {
				refusal.WriteString(c.Delta.Refusal)
			}
			if c.FinishReason != "" {
				finished = true
			}
		}
	}
	if err := stream.Err(); err != nil {
		return failure(ctx, started, err)
	}
	if err := ctx.Err(); err != nil {
		return failure(ctx, started, err)
	}
	if !finished {
		return failure(ctx, started, errors.New("stream ended before the model finished its reply"))
	}
	if !started {
		return failure(ctx, false, emptyReply(refusal.String()))
	}
	return nil
}

// Complete implements Model.
func (m *openAI) Complete(ctx context.Context, msgs []Message) (string, error) {
	p, err := m.params(msgs)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	return m.complete(ctx, p)
}

// schemaNameRE is OpenAI's rule for json_schema names; checking it here
// turns a certain 400 into a clear programming error.
var schemaNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// CompleteJSON implements Model. Structured outputs (response_format
// json_schema) are asked for first; a server that refuses them with 400
// or 422 — many OpenAI-compatible servers know only json_object, or
// reject parts of the schema — gets one more request in json_object mode
// with the schema spelled out in a system message. The schema is not
// sent as strict, because strict mode accepts only a subset of JSON
// Schema and callers validate the object themselves anyway.
func (m *openAI) CompleteJSON(ctx context.Context, msgs []Message, schemaName string, schema json.RawMessage) (json.RawMessage, error) {
	if !schemaNameRE.MatchString(schemaName) {
		return nil, fmt.Errorf("llm: schema name %q must be 1-64 letters, digits, _ or -", schemaName)
	}
	schema = bytes.TrimSpace(schema)
	if !isObject(schema) {
		return nil, errors.New("llm: schema must be a JSON object")
	}
	p, err := m.params(msgs)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()

	p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{
		OfJSONSchema: &openai.ResponseFormatJSONSchemaParam{
			JSONSchema: openai.ResponseFormatJSONSchemaJSONSchemaParam{Name: schemaName, Schema: schema},
		},
	}
	text, err := m.complete(ctx, p)
	var se *StatusError
	if errors.As(err, &se) && (se.StatusCode == http.StatusBadRequest || se.StatusCode == http.StatusUnprocessableEntity) {
		hint := Message{Role: "system", Content: "Reply with one JSON object and nothing else. It must match this JSON Schema:\n" + string(schema)}
		if p, err = m.params(append([]Message{hint}, msgs...)); err != nil {
			return nil, err
		}
		p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONObject: &openai.ResponseFormatJSONObjectParam{}}
		text, err = m.complete(ctx, p)
	}
	if err != nil {
		return nil, err
	}
	obj := bytes.TrimSpace([]byte(stripFence(text)))
	if !isObject(obj) {
		return nil, fmt.Errorf("%w: the reply is not a JSON object", ErrInvalidOutput)
	}
	return json.RawMessage(obj), nil
}

// complete makes one non-streaming request; ctx already carries the
// timeout.
func (m *openAI) complete(ctx context.Context, p openai.ChatCompletionNewParams) (string, error) {
	res, err := m.svc.New(ctx, p)
	if err != nil {
		return "", failure(ctx, false, err)
	}
	if len(res.Choices) == 0 {
		return "", fmt.Errorf("%w: the reply has no choices", ErrInvalidOutput)
	}
	msg := res.Choices[0].Message
	if len(msg.Content) > m.maxOutput {
		return "", fmt.Errorf("%w: %d bytes, more than %d", ErrTooLarge, len(msg.Content), m.maxOutput)
	}
	if strings.TrimSpace(msg.Content) == "" {
		return "", emptyReply(msg.Refusal)
	}
	return msg.Content, nil
}

// params turns our messages into the SDK's request.
func (m *openAI) params(msgs []Message) (openai.ChatCompletionNewParams, error) {
	if len(msgs) == 0 {
		return openai.ChatCompletionNewParams{}, errors.New("llm: no messages")
	}
	out := make([]openai.ChatCompletionMessageParamUnion, 0, len(msgs))
	for _, msg := range msgs {
		switch msg.Role {
		case "system":
			out = append(out, openai.SystemMessage(msg.Content))
		case "developer":
			out = append(out, openai.DeveloperMessage(msg.Content))
		case "user":
			out = append(out, openai.UserMessage(msg.Content))
		case "assistant":
			out = append(out, openai.AssistantMessage(msg.Content))
		default:
			return openai.ChatCompletionNewParams{}, fmt.Errorf("llm: unknown message role %q", msg.Role)
		}
	}
	return openai.ChatCompletionNewParams{Model: openai.ChatModel(m.model), Messages: out}, nil
}

// failure classifies err: before or after output (the sentinel), the
// HTTP status as a *StatusError instead of the SDK's type (so callers
// need not import the SDK), and the context's error kept in the chain so
// errors.Is(err, context.Canceled) works whatever layer noticed first.
func failure(ctx context.Context, started bool, err error) error {
	kind := ErrNotStarted
	if started {
		kind = ErrInterrupted
	}
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		err = &StatusError{StatusCode: apiErr.StatusCode, Message: serverMessage(apiErr)}
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w (%v)", cerr, err)
	}
	return fmt.Errorf("%w: %w", kind, err)
}

// serverMessage is the explanation in an error response: OpenAI's
// error.message, else the start of the body, since compatible servers
// differ (vLLM puts message at the top level, proxies answer in text).
func serverMessage(e *openai.Error) string {
	if e.Message != "" {
		return clean(e.Message, 300)
	}
	if e.Response == nil || e.Response.Body == nil {
		return ""
	}
	// The SDK has already read the body (through limitBody) and put it
	// back in memory, so this read is bounded and cannot block.
	b, _ := io.ReadAll(io.LimitReader(e.Response.Body, 1024))
	return clean(string(b), 300)
}

func emptyReply(refusal string) error {
	if r := clean(refusal, 300); r != "" {
		return fmt.Errorf("%w: the model refused: %s", ErrInvalidOutput, r)
	}
	return fmt.Errorf("%w: the reply is empty", ErrInvalidOutput)
}

// clean shortens server-supplied text and drops control characters
// before it goes into an error message and from there into logs.
func clean(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// isObject reports whether b is exactly one JSON object.
func isObject(b []byte) bool {
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}

// stripFence removes one markdown code fence around a reply: models in
// json_object fallback mode sometimes add one, and it hides nothing.
func stripFence(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "```") || !strings.HasSuffix(t, "```") || len(t) < 6 {
		return s
	}
	t = strings.TrimSuffix(t[3:], "```")
	if i := strings.IndexByte(t, '\n'); i >= 0 && !strings.Contains(t[:i], "{") {
		t = t[i+1:] // the language tag line, e.g. "json"
	}
	return t
}

// limitBody is SDK middleware that caps what a response may make us read:
// a whole body for JSON (and error) responses, a single line for event
// streams, whose total length is bounded by the text cap in Stream.
func (m *openAI) limitBody(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	res, err := next(req)
	if err != nil || res == nil || res.Body == nil {
		return res, err
	}
	b := &cappedBody{rc: res.Body}
	if mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); mt == "text/event-stream" {
		b.maxLine = int64(m.maxOutput)*rawBodyFactor + rawSlack
	} else {
		b.maxTotal = int64(m.maxOutput)*rawBodyFactor + rawSlack
	}
	res.Body = b
	return res, nil
}

// cappedBody fails reads past maxTotal bytes, or past maxLine bytes
// without a newline, with ErrTooLarge.
type cappedBody struct {
	rc       io.ReadCloser
	maxTotal int64 // 0: no total limit
	maxLine  int64 // 0: no line limit
	total    int64
	line     int64
	err      error
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.rc.Read(p)
	b.total += int64(n)
	if b.maxTotal > 0 && b.total > b.maxTotal {
		b.err = fmt.Errorf("%w: response body over %d bytes", ErrTooLarge, b.maxTotal)
		return 0, b.err
	}
	if b.maxLine > 0 {
		for _, c := range p[:n] {
			if c == '\n' {
				b.line = 0
			} else if b.line++; b.line > b.maxLine {
				b.err = fmt.Errorf("%w: event-stream line over %d bytes", ErrTooLarge, b.maxLine)
				return 0, b.err
			}
		}
	}
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
