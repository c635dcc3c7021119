package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
)

func TestIsPermanent(t *testing.T) {
	t.Parallel()
	status := func(code int) error { return &StatusError{StatusCode: code, Message: "m"} }
	// notStarted wraps err the way the adapter reports a failed call.
	notStarted := func(err error) error { return fmt.Errorf("%w: %w", ErrNotStarted, err) }
	netErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"400", notStarted(status(400)), true},
		{"401", notStarted(status(401)), true},
		{"403 bare", status(403), true},
		{"404", notStarted(status(404)), true},
		{"422", notStarted(status(422)), true},
		{"429", notStarted(status(429)), false},
		{"500", notStarted(status(500)), false},
		{"503", notStarted(status(503)), false},
		{"invalid output", fmt.Errorf("%w: the reply is empty", ErrInvalidOutput), true},
		{"invalid output wrapped by a caller", fmt.Errorf("generate: %w", fmt.Errorf("%w: refused", ErrInvalidOutput)), true},
		{"too large", fmt.Errorf("%w: more than 10 bytes", ErrTooLarge), true},
		{"too large mid-stream", fmt.Errorf("%w: %w", ErrInterrupted, fmt.Errorf("%w: more than 10 bytes", ErrTooLarge)), true},
		{"network", notStarted(netErr), false},
		{"cut connection", fmt.Errorf("%w: %w", ErrInterrupted, io.ErrUnexpectedEOF), false},
		{"canceled", notStarted(context.Canceled), false},
		{"deadline", notStarted(fmt.Errorf("%w (%v)", context.DeadlineExceeded, netErr)), false},
		{"not started", ErrNotStarted, false},
		{"interrupted", ErrInterrupted, false},
		{"other", errors.New("something else"), false},
	}
	for _, tt := range tests {
		if got := IsPermanent(tt.err); got != tt.want {
			t.Errorf("%s: IsPermanent(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
