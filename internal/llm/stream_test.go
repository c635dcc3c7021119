package llm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestStreamDeliversChunksInOrder(t *testing.T) {
	t.Parallel()
	parts := []string{"Voice ", "speed changed ", "from 1.0 to 1.2", "."}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		sse(w)
		for _, p := range parts {
			chunk(w, p, "")
		}
		chunk(w, "", "stop")
		done(w)
	})
	var got []string
	err := f.model(t).Stream(testCtx(t), hello, func(c string) error {
		got = append(got, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != strings.Join(parts, "|") {
		t.Errorf("chunks %q, want %q", got, parts)
	}
	if strings.Join(got, "") != "Voice speed changed from 1.0 to 1.2." {
		t.Errorf("text %q", strings.Join(got, ""))
	}
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.auth != "Bearer sk-test" {
		t.Errorf("Authorization %q", r.auth)
	}
	if r.body["model"] != "test-model" || r.body["stream"] != true {
		t.Errorf("model %v stream %v", r.body["model"], r.body["stream"])
	}
	msgs, _ := json.Marshal(r.body["messages"])
	if want := `[{"content":"Be brief.","role":"system"},{"content":"Hi","role":"user"}]`; string(msgs) != want {
		t.Errorf("messages %s, want %s", msgs, want)
	}
}

// TestStreamIsIncremental proves chunks are handed over as they arrive:
// the server does not send the rest until the client has seen the first.
func TestStreamIsIncremental(t *testing.T) {
	t.Parallel()
	sawFirst := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		sse(w)
		chunk(w, "first", "")
		select {
		case <-sawFirst:
		case <-r.Context().Done():
			return
		}
		chunk(w, " last", "stop")
		done(w)
	})
	var got []string
	err := f.model(t).Stream(testCtx(t), hello, func(c string) error {
		if len(got) == 0 {
			close(sawFirst)
		}
		got = append(got, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "") != "first last" {
		t.Errorf("got %q", got)
	}
}

func TestStreamFailsMidStream(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tail func(w http.ResponseWriter)
	}{
		{"connection dropped", func(w http.ResponseWriter) { panic(http.ErrAbortHandler) }},
		{"garbage chunk", func(w http.ResponseWriter) { io.WriteString(w, "data: {\"choices\": [garbage\n\n") }},
		{"clean end without finish", func(w http.ResponseWriter) {}},
		{"error event", func(w http.ResponseWriter) {
			io.WriteString(w, `data: {"error": {"message": "overloaded", "type": "server_error"}}`+"\n\n")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
				sse(w)
				chunk(w, "one ", "")
				chunk(w, "two", "")
				tt.tail(w)
			})
			var got []string
			err := f.model(t).Stream(testCtx(t), hello, func(c string) error {
				got = append(got, c)
				return nil
			})
			if !errors.Is(err, ErrInterrupted) || errors.Is(err, ErrNotStarted) {
				t.Errorf("err = %v, want ErrInterrupted only", err)
			}
			if strings.Join(got, "") != "one two" {
				t.Errorf("emitted %q before failing, want both chunks", got)
			}
			if n := f.n.Load(); n != 1 {
				t.Errorf("%d requests, want 1 (a stream that has started is never retried)", n)
			}
		})
	}
}

// TestStreamCancel: a client that hangs up cancels the model request, and
// the server sees its connection go away.
func TestStreamCancel(t *testing.T) {
	t.Parallel()
	serverSawCancel := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		sse(w)
		chunk(w, "partial", "")
		<-r.Context().Done()
		close(serverSawCancel)
	})
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	err := f.model(t).Stream(ctx, hello, func(string) error {
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrInterrupted) {
		t.Errorf("err = %v, want context.Canceled and ErrInterrupted", err)
	}
	select {
	case <-serverSawCancel:
	case <-testCtx(t).Done():
		t.Fatal("the server never saw the request cancelled")
	}
}

// TestStreamEmitError: an error from emit stops the stream, comes back
// unchanged, and hangs up on the server.
func TestStreamEmitError(t *testing.T) {
	t.Parallel()
	serverSawClose := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		sse(w)
		chunk(w, "partial", "")
		<-r.Context().Done()
		close(serverSawClose)
	})
	errGone := errors.New("client went away")
	err := f.model(t).Stream(testCtx(t), hello, func(string) error { return errGone })
	if err != errGone {
		t.Errorf("err = %v, want emit's own error", err)
	}
	select {
	case <-serverSawClose:
	case <-testCtx(t).Done():
		t.Fatal("the server never saw the connection closed")
	}
}

func TestStreamNotStarted(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		http.Error(w, `{"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}`, http.StatusUnauthorized)
	})
	called := false
	err := f.model(t).Stream(testCtx(t), hello, func(string) error { called = true; return nil })
	var se *StatusError
	if !errors.Is(err, ErrNotStarted) || !errors.As(err, &se) || se.StatusCode != 401 {
		t.Fatalf("err = %v, want ErrNotStarted with status 401", err)
	}
	if !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "Incorrect API key") {
		t.Errorf("err = %q, want the status and the server's message", err)
	}
	if called {
		t.Error("emit was called")
	}
}

func TestStreamTooLarge(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		sse(w)
		for i := 0; i < 10; i++ {
			chunk(w, "0123456789", "")
		}
		chunk(w, "", "stop")
		done(w)
	})
	m := f.model(t)
	m.maxOutput = 25
	var got strings.Builder
	err := m.Stream(testCtx(t), hello, func(c string) error { got.WriteString(c); return nil })
	if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrInterrupted) {
		t.Errorf("err = %v, want ErrTooLarge and ErrInterrupted", err)
	}
	if got.Len() > 25 {
		t.Errorf("emitted %d bytes, more than the cap", got.Len())
	}
}
