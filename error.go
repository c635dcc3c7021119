package agentplane

import (
	"errors"
	"fmt"
)

// ErrorCode classifies an Error. The HTTP layer maps each code to one status;
// the codes are the "code" values of SPEC §1 plus EBadRequest, which the
// HTTP layer reports as 400 with code "invalid".
type ErrorCode string

// Error codes shared by every layer.
const (
	EInvalid            ErrorCode = "invalid"             // input fails validation (422)
	EBadRequest         ErrorCode = "bad_request"         // the current state can't take the request (400)
	EUnauthenticated    ErrorCode = "unauthenticated"     // no valid credential (401)
	EForbidden          ErrorCode = "forbidden"           // authenticated, not allowed (403)
	ENotFound           ErrorCode = "not_found"           // no such object in this organization (404)
	EConflict           ErrorCode = "conflict"            // state conflict (409)
	EPreconditionFailed ErrorCode = "precondition_failed" // stale If-Match (412)
	EPayloadTooLarge    ErrorCode = "payload_too_large"   // body over the limit (413)
	ERateLimited        ErrorCode = "rate_limited"        // over the rate limit (429)
	EUnavailable        ErrorCode = "unavailable"         // dependency down (503)
	EInternal           ErrorCode = "internal"            // a bug or an unexpected failure (500)
)

// FieldError is one validation failure. Loc is the path of the offending
// value, starting with where it came from ("body", "query", "path").
type FieldError struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

// Error is an error meant for the caller: its Message is safe to show and
// its Code decides the status. Anything that is not an *Error is internal.
type Error struct {
	Code    ErrorCode
	Message string
	Fields  []FieldError
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCodeOf returns the code of the first *Error in err's chain, or
// EInternal when there is none.
func ErrorCodeOf(err error) ErrorCode {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EInternal
}

// Violations collects field errors while validating an input, so one
// response can name every problem at once.
type Violations []FieldError

// Add records one violation at loc.
func (v *Violations) Add(msg, typ string, loc ...any) {
	*v = append(*v, FieldError{Loc: loc, Msg: msg, Type: typ})
}

// Err returns nil when nothing was recorded, else an EInvalid *Error whose
// message summarizes the first violation.
func (v Violations) Err() error {
	if len(v) == 0 {
		return nil
	}
	msg := "the request is invalid"
	if len(v) == 1 {
		msg = v[0].Msg
	} else {
		msg = fmt.Sprintf("%s (and %d more)", v[0].Msg, len(v)-1)
	}
	return &Error{Code: EInvalid, Message: msg, Fields: v}
}
