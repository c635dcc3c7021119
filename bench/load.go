package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// client is an HTTP client for one target with enough kept-alive
// connections for every worker.
func newClient() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        512,
			MaxIdleConnsPerHost: 512,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

// request is what one load-generator call sends.
type request struct {
	method, url string
	body        []byte
	header      http.Header
}

// do sends r and drains the body. A status other than want is an error.
func do(ctx context.Context, c *http.Client, r request, want int) ([]byte, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return nil, err
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return b, &statusError{resp.StatusCode, r.method + " " + r.url, b}
	}
	return b, nil
}

type statusError struct {
	code int
	what string
	body []byte
}

func (e *statusError) Error() string {
	b := e.body
	if len(b) > 300 {
		b = b[:300]
	}
	return fmt.Sprintf("%s: status %d: %s", e.what, e.code, bytes.TrimSpace(b))
}

// result is one measured run.
type result struct {
	n, errs  int
	all      int // requests completed, warm-up included
	firstErr error
	elapsed  time.Duration
	lat      []time.Duration // sorted
	cpu      time.Duration   // CPU time the target process used meanwhile
	load     string          // 1-minute load average at the start
	dbCPU    time.Duration   // … and PostgreSQL's processes (when dbOK)
	dbOK     bool
	stmts    int64 // statements the server sent meanwhile (when stmtsOK)
	stmtsOK  bool
}

func (r result) throughput() float64 { return float64(r.n-r.errs) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(p/100*float64(len(r.lat))+0.5) - 1
	return r.lat[min(max(i, 0), len(r.lat)-1)]
}

func (r result) errRate() float64 {
	if r.n == 0 {
		return 0
	}
	return float64(r.errs) / float64(r.n)
}

// errorRecorder keeps the error count and the first error.
type errorRecorder struct {
	mu    sync.Mutex
	n     int
	first error
}

func (e *errorRecorder) add(err error) {
	e.mu.Lock()
	e.n++
	if e.first == nil {
		e.first = err
	}
	e.mu.Unlock()
}

// openLoop issues rate requests per second for d, each at its scheduled
// instant whether or not earlier ones have answered (an open system, as
// real clients are). A request's latency runs from its scheduled instant to
// the end of its response, so time spent queued behind a slow server
// counts (no coordinated omission).
func openLoop(ctx context.Context, rate float64, d time.Duration, fire func(ctx context.Context, i int) error) result {
	n := int(rate * d.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	lat := make([]time.Duration, n)
	var (
		wg   sync.WaitGroup
		errs errorRecorder
	)
	start := time.Now().Add(5 * time.Millisecond)
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(i) * interval)
		if w := time.Until(at); w > 0 {
			time.Sleep(w)
		}
		if ctx.Err() != nil {
			n = i
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fire(ctx, i); err != nil {
				errs.add(err)
			}
			lat[i] = time.Since(at)
		}()
	}
	wg.Wait()
	lat = lat[:n]
	slices.Sort(lat)
	return result{n: n, all: n, errs: errs.n, firstErr: errs.first, elapsed: time.Since(start), lat: lat}
}

// closedLoop runs workers that each send their next request as soon as the
// previous one answered, for warmup and then d; only requests that finish
// inside the measured window count. It measures the most a target can do.
func closedLoop(ctx context.Context, workers int, warmup, d time.Duration, fire func(ctx context.Context, worker, i int) error) result {
	var (
		measuring, stop atomic.Bool
		wg              sync.WaitGroup
		mu              sync.Mutex
		all             []time.Duration
		errs            errorRecorder
		n, total        atomic.Int64
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			for i := 0; !stop.Load() && ctx.Err() == nil; i++ {
				t := time.Now()
				err := fire(ctx, w, i)
				total.Add(1)
				if !measuring.Load() || stop.Load() {
					continue
				}
				n.Add(1)
				if err != nil {
					errs.add(err)
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	time.Sleep(warmup)
	measuring.Store(true)
	t0 := time.Now()
	time.Sleep(d)
	stop.Store(true)
	elapsed := time.Since(t0)
	wg.Wait()
	slices.Sort(all)
	return result{n: int(n.Load()), all: int(total.Load()), errs: errs.n, firstErr: errs.first, elapsed: elapsed, lat: all}
}
