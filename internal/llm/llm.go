// Package llm is agentplane's access to a language model: a three-method
// Model interface, its one real implementation (an adapter for any
// OpenAI-compatible chat-completions server: OpenAI, Azure, vLLM, Ollama…)
// and the errors that say how a call failed. What is sent to a model lives
// in package prompt; the summary that works without one, in package
// summary.
//
// Everything a model returns is untrusted input (SPEC §13): replies are
// size-capped, JSON replies are checked to be one JSON object, and the
// errors say whether a failure happened before or after any text reached
// the caller, because a streamed HTTP response can only be turned into an
// error status while nothing has been written yet.
package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Message is one turn of a chat: Role is "system", "developer", "user" or
// "assistant".
type Message struct {
	Role    string
	Content string
}

// Model is a chat model. Callers depend on this interface, not on the
// adapter, so tests and the no-LLM configuration can substitute their own.
type Model interface {
	// Stream sends messages and calls emit with each text chunk as it arrives; an error from emit stops the stream and is returned.
	Stream(ctx context.Context, msgs []Message, emit func(chunk string) error) error
	// Complete returns the whole reply.
	Complete(ctx context.Context, msgs []Message) (string, error)
	// CompleteJSON asks for a JSON object matching schema (name + JSON Schema) and returns the raw object, after checking it parses as a JSON object and is at most MaxOutputBytes.
	CompleteJSON(ctx context.Context, msgs []Message, schemaName string, schema json.RawMessage) (json.RawMessage, error)
}

// MaxOutputBytes caps a reply (the whole text of Complete, CompleteJSON
// and Stream): a model, or whatever answers at its address, must not be
// able to exhaust memory or fill a client's screen.
const MaxOutputBytes = 1 << 20

// DefaultTimeout bounds one call when Config.Timeout is zero, so a server
// that accepts a request and never finishes cannot pin a job or a
// connection forever.
const DefaultTimeout = 2 * time.Minute

// Config says how to reach an OpenAI-compatible server.
type Config struct {
	// BaseURL is the API root, e.g. https://api.openai.com/v1 or
	// http://localhost:11434/v1; requests go to BaseURL + /chat/completions.
	BaseURL string
	// APIKey is sent as a bearer token; empty sends none (local servers).
	APIKey string
	// Model is the model name sent with every request.
	Model string
	// HTTPClient carries the requests; nil uses a private client on
	// http.DefaultTransport. Pass the guarded client here.
	HTTPClient *http.Client
	// Timeout bounds each call, streaming included; zero means
	// DefaultTimeout.
	Timeout time.Duration
}

// New returns the OpenAI-compatible adapter for cfg, safe for concurrent
// use. It does no network I/O: a wrong address or key shows up on the
// first call.
func New(cfg Config) (Model, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("llm: base URL is required")
	}
	if cfg.Model == "" {
		return nil, errors.New("llm: model is required")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Not quoted back: a URL that fails to parse may still hold a
		// password, and this error reaches the start-up output.
		return nil, errors.New("llm: base URL must be an absolute http or https URL")
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("llm: timeout must not be negative")
	}
	return newOpenAI(cfg), nil
}

// Errors the adapter wraps its failures in; test them with errors.Is.
// Every failure of Stream wraps exactly one of ErrNotStarted and
// ErrInterrupted (unless emit itself failed, whose error is returned
// as is), so a handler knows whether it may still answer with an error
// status or a fallback.
var (
	// ErrNotStarted: the call produced no text at all, so emit was never
	// called — connection refused, an HTTP error status, a malformed or
	// empty reply, a cancelled context.
	ErrNotStarted = errors.New("llm: model call failed before any output")
	// ErrInterrupted: the stream failed after emit had received some text
	// — the connection dropped, a chunk was malformed, the stream ended
	// without its end marker, or the reply outgrew MaxOutputBytes.
	ErrInterrupted = errors.New("llm: model reply interrupted")
	// ErrTooLarge: the reply exceeded MaxOutputBytes.
	ErrTooLarge = errors.New("llm: model reply too large")
	// ErrInvalidOutput: the reply arrived but is unusable — empty, a
	// refusal, or (CompleteJSON) not a single JSON object.
	ErrInvalidOutput = errors.New("llm: invalid model output")
)

// StatusError is an HTTP error status from the server (401 bad key, 429
// rate limited, 500…), found with errors.As. Message is the server's own
// explanation when it gave one, shortened.
type StatusError struct {
	StatusCode int
	Message    string
}

// Error names the status; the request URL is left out on purpose because
// some deployments put keys in it.
func (e *StatusError) Error() string {
	s := fmt.Sprintf("server answered HTTP %d", e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		s += " " + t
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// IsPermanent reports whether retrying the same call cannot succeed, so a
// caller (a workflow step, a job) should give up at once instead of
// spending its retries: the server refused the request itself (an HTTP
// 4xx other than 429, which only asks to slow down), or the reply was
// unusable (ErrInvalidOutput) or too large (ErrTooLarge), which the same
// prompt would produce again. Everything else — no error, 5xx, 429, the
// network, a cancelled or expired context — may pass on a later try. It
// reads the status here so callers need not import net/http.
func IsPermanent(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if se, ok := errors.AsType[*StatusError](err); ok {
		return se.StatusCode >= 400 && se.StatusCode < 500 && se.StatusCode != http.StatusTooManyRequests
	}
	return errors.Is(err, ErrInvalidOutput) || errors.Is(err, ErrTooLarge)
}
