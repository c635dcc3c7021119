package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
)

// p1p3 measures GET and POST /core/agents against the baseline process.
func (b *bench) p1p3(ctx context.Context, small *target, r *results) error {
	// The agents P1 reads, and the bytes the server returns for each: the
	// baseline writes exactly these.
	const nIDs = 64
	stride := max(small.set.n/nIDs, 1)
	ids := make([]string, 0, nIDs)
	bodies := map[string]string{}
	for k := 0; k < nIDs; k++ {
		p, err := b.getPage(ctx, small, fmt.Sprintf("limit=1&created_before=%d", small.set.createdAt(k*stride)+1))
		if err != nil {
			return err
		}
		if len(p.Data) != 1 {
			return fmt.Errorf("P1: no agent at index %d", k*stride)
		}
		id := p.Data[0].ID
		body, err := do(ctx, b.client, request{method: "GET", url: small.srv.url("/core/agents/" + id), header: small.header()}, http.StatusOK)
		if err != nil {
			return err
		}
		ids = append(ids, id)
		bodies[id] = string(body)
	}
	bodiesFile := filepath.Join(b.tmp, "p1-bodies.json")
	raw, _ := json.Marshal(bodies)
	if err := os.WriteFile(bodiesFile, raw, 0o600); err != nil {
		return err
	}
	var err error
	if b.base, err = startBaseline(small.srv.db, small.set.org, bodiesFile); err != nil {
		return err
	}
	// The baseline's own CPU, and PostgreSQL's while it runs; no statement
	// count (it sends one per request).
	baseMeter := small.meter()
	baseMeter.pid, baseMeter.srv = b.base.cmd.Process.Pid, nil
	got, err := do(ctx, b.client, request{method: "GET", url: b.base.url("/core/agents/" + ids[0])}, http.StatusOK)
	if err != nil || string(got) != bodies[ids[0]] {
		return fmt.Errorf("P1 baseline does not answer like the server: %v", err)
	}

	getFire := func(base string, h http.Header) func(context.Context, int, int) error {
		return func(ctx context.Context, w, i int) error {
			_, err := do(ctx, b.client, request{method: "GET", url: base + ids[(w*17+i)%len(ids)], header: h}, http.StatusOK)
			return err
		}
	}
	srvGet, baseGet := getFire(small.srv.url("/core/agents/"), small.header()), getFire(b.base.url("/core/agents/"), nil)
	// Under call load the server runs again on another port: the URL is
	// read at each request.
	b.p1Fire = func(ctx context.Context, w, i int) error {
		return getFire(small.srv.url("/core/agents/"), small.header())(ctx, w, i)
	}
	b.p1BaseFire = func(ctx context.Context, w, i int) error { return getFire(b.base.url("/core/agents/"), nil)(ctx, w, i) }
	if err := b.throughput(ctx, "P1", small.meter(), baseMeter, srvGet, baseGet, &r.p1Server, &r.p1Base); err != nil {
		return err
	}

	var seq atomic.Int64
	postFire := func(u string, h http.Header) func(context.Context, int, int) error {
		if h == nil {
			h = http.Header{"Content-Type": {"application/json"}}
		}
		return func(ctx context.Context, _, _ int) error {
			body := fmt.Appendf(nil, `{"name":"Bench agent %d","description":"created by bench","metadata":{"team":"bench"}}`, seq.Add(1))
			_, err := do(ctx, b.client, request{method: "POST", url: u, body: body, header: h}, http.StatusCreated)
			return err
		}
	}
	srvPost, basePost := postFire(small.srv.url("/core/agents"), small.header()), postFire(b.base.url("/core/agents"), nil)
	if err := b.throughput(ctx, "P3", small.meter(), baseMeter, srvPost, basePost, &r.p3Server, &r.p3Base); err != nil {
		return err
	}
	b.base.stop()
	b.base = nil
	return nil
}

// logThroughput reports one interleaved server/baseline run.
func logThroughput(id string, rep, reps int, s, bl result) {
	logf("%s run %d/%d: server %.0f req/s (p50 %s, %s CPU/req%s), baseline %.0f req/s (p50 %s, %s CPU/req), ratio %.2f (errors %d/%d, load %s)",
		id, rep, reps, s.throughput(), ms(s.pct(50)), cpuNote(s), stmtNote(s), bl.throughput(), ms(bl.pct(50)), cpuNote(bl),
		s.throughput()/bl.throughput(), s.errs, bl.errs, s.load)
	warnRateLimited(s)
}

// cpuNote is a run's CPU per request, PostgreSQL's beside the process's.
func cpuNote(r result) string {
	if r.dbOK {
		return us(r.cpuPerReq()) + " + PostgreSQL " + us(r.dbCPUPerReq())
	}
	return us(r.cpuPerReq())
}

// stmtNote is a server run's statements per request, when counted.
func stmtNote(r result) string {
	if !r.stmtsOK {
		return ""
	}
	return fmt.Sprintf(", %.1f statements/req", r.stmtsPerReq())
}

// warnRateLimited points at BENCH_SERVER_FLAGS when the server's rate
// limiter, not its speed, bounded a run.
func warnRateLimited(r result) {
	var se *statusError
	if errors.As(r.firstErr, &se) && se.code == http.StatusTooManyRequests {
		logf("  warning: the server answered 429: its per-credential rate limit capped this run; raise or disable it with BENCH_SERVER_FLAGS")
	}
}

// throughput runs measurement id's closed-loop repetitions, server and
// baseline interleaved so drift in the machine's load hits both, and
// appends each run's results to server and base.
func (b *bench) throughput(ctx context.Context, id string, srvMeter, baseMeter meter, srvFire, baseFire func(context.Context, int, int) error, server, base *[]result) error {
	loop := func(fire func(context.Context, int, int) error) func() result {
		return func() result { return closedLoop(ctx, b.st.workers, b.st.thrWarm, b.st.thrDur, fire) }
	}
	for rep := 1; rep <= b.st.throughRep && b.st.want(id); rep++ {
		s, bl := b.measure(ctx, srvMeter, loop(srvFire)), b.measure(ctx, baseMeter, loop(baseFire))
		*server, *base = append(*server, s), append(*base, bl)
		logThroughput(id, rep, b.st.throughRep, s, bl)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
