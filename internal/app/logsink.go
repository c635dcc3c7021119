package app

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logSink shares one output between two loggers: access log lines go
// through a buffer written out every flushEvery (or when 32 KiB are
// waiting), everything else is written at once, after whatever the buffer
// holds, so lines keep their order. One write(2) per request was 7.5% of a
// GET's CPU under load (docs/performance.md); an access line now reaches
// the log at most flushEvery late, and every line is written out at
// shutdown.
type logSink struct {
	mu   sync.Mutex
	out  io.Writer
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

const flushEvery = 100 * time.Millisecond

func newLogSink(out io.Writer) *logSink {
	s := &logSink{out: out, buf: bufio.NewWriterSize(out, 32<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go s.flushLoop()
	return s
}

func (s *logSink) flushLoop() {
	defer close(s.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.mu.Lock()
			_ = s.buf.Flush()
			s.mu.Unlock()
		case <-s.stop:
			return
		}
	}
}

// buffered is the writer of access log lines.
func (s *logSink) buffered() io.Writer { return bufferedWriter{s} }

// direct is the writer of every other line.
func (s *logSink) direct() io.Writer { return directWriter{s} }

// Close writes out what is buffered and stops the flusher; later lines
// are written at once.
func (s *logSink) Close() error {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Flush()
}

type bufferedWriter struct{ s *logSink }

func (w bufferedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	select {
	case <-w.s.stop: // closed: nothing flushes any more
		if err := w.s.buf.Flush(); err != nil {
			return 0, err
		}
		return w.s.out.Write(p)
	default:
		return w.s.buf.Write(p)
	}
}

type directWriter struct{ s *logSink }

func (w directWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	if err := w.s.buf.Flush(); err != nil {
		return 0, err
	}
	return w.s.out.Write(p)
}
