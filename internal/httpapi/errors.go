package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/agentplane/agentplane"
)

// errorBody is every non-2xx body (SPEC §1).
type errorBody struct {
	Detail string                  `json:"detail"`
	Code   string                  `json:"code"`
	Errors []agentplane.FieldError `json:"errors,omitempty"`
}

// statuses maps each error code to its one HTTP status.
var statuses = map[agentplane.ErrorCode]int{
	agentplane.EInvalid:            http.StatusUnprocessableEntity,
	agentplane.EBadRequest:         http.StatusBadRequest,
	agentplane.EUnauthenticated:    http.StatusUnauthorized,
	agentplane.EForbidden:          http.StatusForbidden,
	agentplane.ENotFound:           http.StatusNotFound,
	agentplane.EConflict:           http.StatusConflict,
	agentplane.EPreconditionFailed: http.StatusPreconditionFailed,
	agentplane.EPayloadTooLarge:    http.StatusRequestEntityTooLarge,
	agentplane.ERateLimited:        http.StatusTooManyRequests,
	agentplane.EUnavailable:        http.StatusServiceUnavailable,
	agentplane.EInternal:           http.StatusInternalServerError,
	errUnsupportedMedia:            http.StatusUnsupportedMediaType,
	errMethodNotAllowed:            http.StatusMethodNotAllowed,
}

// Transport-only codes, reported in the body with a spec code.
const (
	errUnsupportedMedia agentplane.ErrorCode = "unsupported_media_type"
	errMethodNotAllowed agentplane.ErrorCode = "method_not_allowed"
)

// bodyCode is the "code" in the body: the spec's list has no separate
// code for 400, 405 or 415, which are all requests to fix.
func bodyCode(c agentplane.ErrorCode) string {
	switch c {
	case agentplane.EBadRequest, errUnsupportedMedia, errMethodNotAllowed:
		return string(agentplane.EInvalid)
	}
	return string(c)
}

// writeError writes err as the error body. Anything that is not an
// *agentplane.Error is a 500 whose text is logged, never sent.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if r.Context().Err() != nil {
		// The client hung up and the work stopped with it (the cause may
		// read as anything: canceled, a model unreachable…): there is
		// nobody to answer and nothing went wrong here. Writing nothing
		// makes the access log and metrics say 499 (SPEC §24).
		return
	}
	var e *agentplane.Error
	if !errors.As(err, &e) {
		log.ErrorContext(r.Context(), "internal error", "err", err, "request_id", requestID(r.Context()))
		e = &agentplane.Error{Code: agentplane.EInternal, Message: "internal error; the request id in the logs has the details"}
	}
	status, ok := statuses[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="agentplane"`)
	}
	writeJSON(w, status, errorBody{Detail: e.Message, Code: bodyCode(e.Code), Errors: e.Fields})
}
