package app

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a strings.Builder safe for the flusher and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogSinkKeepsOrderAndLosesNothing: access lines wait in the buffer,
// but a direct line writes them out first, the flusher writes them within
// a few intervals, and Close writes whatever is left.
func TestLogSinkKeepsOrderAndLosesNothing(t *testing.T) {
	out := &lockedBuffer{}
	s := newLogSink(out)
	acc, dir := s.buffered(), s.direct()
	acc.Write([]byte("a1\n"))
	acc.Write([]byte("a2\n"))
	if got := out.String(); got != "" {
		t.Fatalf("access lines were written at once: %q", got)
	}
	dir.Write([]byte("d1\n"))
	if got := out.String(); got != "a1\na2\nd1\n" {
		t.Fatalf("after a direct line the output is %q, want the access lines first", got)
	}
	acc.Write([]byte("a3\n"))
	deadline := time.Now().Add(20 * flushEvery)
	for !strings.HasSuffix(out.String(), "a3\n") {
		if time.Now().After(deadline) {
			t.Fatalf("an access line was not flushed within %s: %q", 20*flushEvery, out.String())
		}
		time.Sleep(flushEvery / 4)
	}
	acc.Write([]byte("a4\n"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	acc.Write([]byte("a5\n"))
	if got := out.String(); got != "a1\na2\nd1\na3\na4\na5\n" {
		t.Errorf("after Close the output is %q", got)
	}
}
