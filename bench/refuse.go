package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// R1 (SPEC §24): input past the caps is refused before it costs anything,
// so its answer comes as fast as a plain request's. Each kind of oversized
// request is sent open-loop, like P2 and P4, and its p99 compared with a
// plain GET's in the same run.

// refusal is one kind of request R1 sends, and the status it must get.
type refusal struct {
	what         string // in the log and the details
	row          string // in the table
	method, path string
	body         []byte
	want         int
	mu           sync.Mutex
	seen         map[int]int // statuses answered (0: no answer)
}

// r1Plain is the index of the plain GET among r1Kinds' refusals.
const r1Plain = 0

// r1Kinds are the plain GET and the oversized requests.
func r1Kinds() []*refusal {
	list := func(k *refusal, query string) *refusal {
		k.method, k.path = "GET", "/core/agents?"+query
		return k
	}
	post := func(k *refusal, body string) *refusal {
		k.method, k.path, k.body = "POST", "/core/agents", []byte(body)
		return k
	}
	var meta strings.Builder
	meta.WriteByte('{')
	for i := range 10000 {
		if i > 0 {
			meta.WriteByte(',')
		}
		fmt.Fprintf(&meta, `"k%d":"v"`, i)
	}
	meta.WriteByte('}')
	deep := `{"name":"deep","metadata":` + strings.Repeat(`{"a":`, 9999) + "1" + strings.Repeat("}", 9999) + "}"
	return []*refusal{
		list(&refusal{what: "GET /core/agents?limit=50 (plain)", want: http.StatusOK}, "limit=50"),
		list(&refusal{what: "GET /core/agents?name=<1 MiB>", row: "refuse a 1 MiB name filter, p99", want: http.StatusUnprocessableEntity},
			"name="+strings.Repeat("a", 1<<20)),
		list(&refusal{what: "GET /core/agents?metadata=<10,000 keys>", row: "refuse a 10,000-key metadata filter, p99",
			want: http.StatusUnprocessableEntity}, "metadata="+url.QueryEscape(meta.String())),
		post(&refusal{what: "POST /core/agents with a 2 MiB body", row: "refuse a 2 MiB body, p99", want: http.StatusRequestEntityTooLarge},
			`{"name":"`+strings.Repeat("a", 2<<20)+`"}`),
		post(&refusal{what: "POST /core/agents with a body nested 10,000 deep", row: "refuse a body nested 10,000 deep, p99",
			want: http.StatusUnprocessableEntity}, deep),
	}
}

// fire sends the request to t once, counts its status and fails on any
// but the wanted one.
func (k *refusal) fire(ctx context.Context, c *http.Client, t *target) error {
	var body io.Reader
	if k.body != nil {
		body = bytes.NewReader(k.body)
	}
	req, err := http.NewRequestWithContext(ctx, k.method, t.srv.url(k.path), body)
	if err != nil {
		return err
	}
	req.Header = t.header()
	status := 0
	defer func() {
		k.mu.Lock()
		k.seen[status]++
		k.mu.Unlock()
	}()
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	status = resp.StatusCode
	if status != k.want {
		return &statusError{status, k.what, b}
	}
	return nil
}

// statuses is what the kind was answered, e.g. "422×150" or "500×148, 0×2".
func (k *refusal) statuses() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var parts []string
	for _, s := range []int{200, 413, 422, 500, 0} {
		if n := k.seen[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d×%d", s, n))
		}
	}
	for s, n := range k.seen {
		if s != 200 && s != 413 && s != 422 && s != 500 && s != 0 {
			parts = append(parts, fmt.Sprintf("%d×%d", s, n))
		}
	}
	return strings.Join(parts, ", ")
}

// r1 sends each kind at refRate for refDur, the kinds one after another,
// latRep times over, on the small server. A kind whose run failed more
// often than not (today's server may spend seconds of CPU on one such
// request) is not run again: one run says it all, and more would keep the
// server busy for minutes.
func (b *bench) r1(ctx context.Context, t *target, r *results) error {
	kinds := r1Kinds()
	// Prove each kind is answered at all before loading the server with it.
	for _, k := range kinds {
		k.seen = map[int]int{}
		if err := k.fire(ctx, b.client, t); err != nil {
			logf("R1: %s: %v", k.what, err)
		}
	}
	openLoop(ctx, b.st.refRate, min(b.st.refDur, 2*time.Second), func(ctx context.Context, _ int) error {
		return kinds[r1Plain].fire(ctx, b.client, t)
	})
	if err := b.settle(ctx, t); err != nil {
		return err
	}
	for _, k := range kinds {
		k.seen = map[int]int{}
	}
	r.r1 = make([][]result, len(kinds))
	given := make([]bool, len(kinds))
	for rep := 1; rep <= b.st.latRep; rep++ {
		for i, k := range kinds {
			if given[i] {
				continue
			}
			pid := t.srv.pid()
			c0 := cpuTime(pid)
			res := measured(pid, func() result {
				return openLoop(ctx, b.st.refRate, b.st.refDur, func(ctx context.Context, _ int) error { return k.fire(ctx, b.client, t) })
			})
			// What the server spends after the run, on requests whose
			// clients gave up, counts too.
			if err := b.settle(ctx, t); err != nil {
				return err
			}
			if t.srv.pid() == pid {
				res.cpu = cpuTime(pid) - c0
			}
			r.r1[i] = append(r.r1[i], res)
			logf("R1 run %d/%d: %s: p50 %s p99 %s max %s, %s CPU/req, errors %d/%d, load %s", rep, b.st.latRep, k.what,
				ms(res.pct(50)), ms(res.pct(99)), ms(res.pct(100)), us(res.cpuPerReq()), res.errs, res.n, res.load)
			if res.firstErr != nil {
				logf("  first error: %v", res.firstErr)
			}
			if res.errRate() > 0.5 && i != r1Plain {
				given[i] = true
				logf("  %s: more than half failed; not run again", k.what)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	for _, k := range kinds {
		r.r1What, r.r1Rows = append(r.r1What, k.what), append(r.r1Rows, k.row)
		r.r1Seen = append(r.r1Seen, k.statuses())
	}
	return nil
}

// settle waits until the server has stopped working on requests the
// previous run left behind, so that they don't count against the next
// run: two readings in a row, 250 ms apart, of under 20 ms of CPU. A
// server still busy after 30 s is restarted (on a new port).
func (b *bench) settle(ctx context.Context, t *target) error {
	start, pid, idle := time.Now(), t.srv.pid(), 0
	for c0 := cpuTime(pid); idle < 2; {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
		c1 := cpuTime(pid)
		if c1-c0 <= 20*time.Millisecond {
			idle++
		} else {
			idle = 0
		}
		c0 = c1
		if time.Since(start) > 30*time.Second {
			logf("  the server is still busy 30 s after the run (requests its clients gave up on); restarting it")
			t.srv.kill()
			t.srv.logFile.Close()
			_, err := t.srv.start(ctx, false)
			return err
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		logf("  the server kept working %s after the run (requests its clients gave up on)", d.Round(100*time.Millisecond))
	}
	return nil
}

// r1Rows are R1's lines of the table: one per oversized kind, its p99
// (median over runs) next to the plain GET's.
func r1Rows(st settings, r *results) (rows []row, details []string) {
	if len(r.r1) == 0 {
		return nil, nil
	}
	plain := median(each(r.r1[r1Plain], p99ms))
	for i, runs := range r.r1 {
		p99 := median(each(runs, p99ms))
		details = append(details, fmt.Sprintf("R1 %s (%.0f req/s, %s per run): p50 %s; p99 %s; max %s; server CPU per request %s; answered %s",
			r.r1What[i], st.refRate, st.refDur, fmtRuns(each(runs, p50ms), "%.2f ms"), fmtRuns(each(runs, p99ms), "%.2f ms"),
			fmtRuns(each(runs, func(x result) float64 { return float64(x.pct(100)) / float64(time.Millisecond) }), "%.2f ms"),
			fmtRuns(each(runs, cpuUs), "%.0f µs"), r.r1Seen[i]))
		if i == r1Plain {
			continue
		}
		rw := row{id: "R1", what: r.r1Rows[i],
			measured: fmt.Sprintf("%.2f ms", p99), baseline: fmt.Sprintf("(plain GET p99 %.2f ms)", plain),
			ratio: fmt.Sprintf("%.2f", p99/plain), target: "≤ 50 ms", pass: p99 <= 50}
		if note := health(runs); note != "" {
			rw.pass, rw.note = false, note
		}
		rows = append(rows, rw)
	}
	return rows, details
}
