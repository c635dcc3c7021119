package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// bench holds the state of one run.
type bench struct {
	st      settings
	tmp     string
	bin     string
	client  *http.Client
	servers []*server
	base    *baselineProc
}

// results are every repetition of every measurement.
type results struct {
	p1Server, p1Base []result
	p2First, p2Deep  []result
	p3Server, p3Base []result
	p4               []result
	p5Peak           []int64 // highest VmRSS sampled during each P4 run
	p5HWM            int64   // VmHWM after the last P4 run
	bigRSS           memStatus
	walk             []time.Duration // cursor walk from the top of the big table
	bigN, smallN     int
	r1               [][]result // per kind of request (plain GET first), every run
	r1What, r1Rows   []string   // each kind as the log and the table name it
	r1Seen           []string   // each kind's answers, "422×150"
}

func (b *bench) cleanup() {
	b.base.stop()
	for _, s := range b.servers {
		s.kill()
	}
}

// target is one server with its key and seeded agents.
type target struct {
	srv *server
	key string
	set seedSet
}

func (t *target) header() http.Header {
	return http.Header{"Authorization": {"Bearer " + t.key}, "Content-Type": {"application/json"}}
}

// prepare starts a server on an empty data directory (which migrates it and
// prints the default org key), stops it, seeds n agents into its SQLite file
// and starts it again.
func (b *bench) prepare(ctx context.Context, name string, n int) (*target, error) {
	s := &server{bin: b.bin, dataDir: filepath.Join(b.tmp, name), logPath: filepath.Join(b.tmp, name+".log"), extraArgs: b.st.serverArgs}
	b.servers = append(b.servers, s)
	key, err := s.start(ctx, true)
	if err != nil {
		return nil, err
	}
	if err := s.stop(); err != nil {
		return nil, err
	}
	org, err := defaultOrg(ctx, dbPath(s.dataDir))
	if err != nil {
		return nil, err
	}
	logf("seeding %d agents into %s", n, dbPath(s.dataDir))
	set, err := seedAgents(ctx, dbPath(s.dataDir), org, n)
	if err != nil {
		return nil, err
	}
	if _, err := s.start(ctx, false); err != nil {
		return nil, err
	}
	t := &target{srv: s, key: key, set: set}
	// Prove the key works before measuring anything with it.
	if _, err := do(ctx, b.client, request{method: "GET", url: s.url("/core/agents?limit=1"), header: t.header()}, http.StatusOK); err != nil {
		return nil, fmt.Errorf("%s server refuses its own key: %w", name, err)
	}
	return t, nil
}

func (b *bench) all(ctx context.Context) (*results, error) {
	r := &results{bigN: b.st.bigN, smallN: b.st.smallN}
	small, err := b.prepare(ctx, "small", b.st.smallN)
	if err != nil {
		return nil, err
	}
	if b.st.want("P2") {
		big, err := b.prepare(ctx, "big", b.st.bigN)
		if err != nil {
			return nil, err
		}
		if err := b.p2(ctx, small, big, r); err != nil {
			return nil, fmt.Errorf("P2: %w", err)
		}
		if r.bigRSS, err = readMem(big.srv.pid()); err != nil {
			return nil, err
		}
		if err := big.srv.stop(); err != nil {
			return nil, err
		}
	}
	if b.st.want("P1") || b.st.want("P3") {
		if err := b.p1p3(ctx, small, r); err != nil {
			return nil, err
		}
	}
	if b.st.want("R1") {
		if err := b.r1(ctx, small, r); err != nil {
			return nil, fmt.Errorf("R1: %w", err)
		}
	}
	if b.st.want("P4") || b.st.want("P5") {
		if err := b.p4p5(ctx, small, r); err != nil {
			return nil, fmt.Errorf("P4: %w", err)
		}
	}
	if err := small.srv.stop(); err != nil {
		return nil, err
	}
	return r, nil
}

// page is the part of a list response the bench reads.
type page struct {
	Data []struct {
		ID        string `json:"id"`
		CreatedAt string `json:"created_at"`
	} `json:"data"`
	Pagination struct {
		NextCursor *string `json:"next_cursor"`
	} `json:"pagination"`
}

func (b *bench) getPage(ctx context.Context, t *target, query string) (page, error) {
	var p page
	body, err := do(ctx, b.client, request{method: "GET", url: t.srv.url("/core/agents?" + query), header: t.header()}, http.StatusOK)
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(body, &p)
}

func rfc3339ms(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// p2 compares the first page of the small table with pages deep in the
// big one, fetched with cursors the server issued.
func (b *bench) p2(ctx context.Context, small, big *target, r *results) error {
	limit := b.st.limit
	n := big.set.n
	// Deep cursors: a page starting at depth d (created_before the agent
	// above it) yields the cursor of the page at depth d+limit, which is
	// what a client walking the list would hold there. 16 depths spread
	// over the older half of the table.
	const nDeep = 16
	var deep []string
	for k := 0; k < nDeep; k++ {
		d := n/2 + k*(n/2-3*limit)/nDeep
		idx := n - 1 - d // the agent at depth d
		p, err := b.getPage(ctx, big, fmt.Sprintf("limit=%d&created_before=%d", limit, big.set.createdAt(idx)+1))
		if err != nil {
			return err
		}
		if len(p.Data) != limit || p.Data[0].CreatedAt != rfc3339ms(big.set.createdAt(idx)) || p.Pagination.NextCursor == nil {
			return fmt.Errorf("page at depth %d: got %d rows starting at %v, want %d starting at %s", d, len(p.Data), p.Data, limit, rfc3339ms(big.set.createdAt(idx)))
		}
		// The cursor page itself must continue exactly where this one ended.
		next, err := b.getPage(ctx, big, fmt.Sprintf("limit=%d&cursor=%s", limit, url.QueryEscape(*p.Pagination.NextCursor)))
		if err != nil {
			return err
		}
		if len(next.Data) != limit || next.Data[0].CreatedAt != rfc3339ms(big.set.createdAt(idx-limit)) {
			return fmt.Errorf("cursor page at depth %d does not continue the previous page", d+limit)
		}
		deep = append(deep, big.srv.url(fmt.Sprintf("/core/agents?limit=%d&cursor=%s", limit, url.QueryEscape(*p.Pagination.NextCursor))))
	}
	// A client's walk from the top: 25 hops at the largest page size.
	cur := ""
	for hop := 0; hop < 25; hop++ {
		q := "limit=200"
		if cur != "" {
			q += "&cursor=" + url.QueryEscape(cur)
		}
		t := time.Now()
		p, err := b.getPage(ctx, big, q)
		if err != nil {
			return err
		}
		r.walk = append(r.walk, time.Since(t))
		if len(p.Data) != 200 || p.Data[0].CreatedAt != rfc3339ms(big.set.createdAt(n-1-hop*200)) || p.Pagination.NextCursor == nil {
			return fmt.Errorf("walk hop %d: pages are not contiguous", hop)
		}
		cur = *p.Pagination.NextCursor
	}

	first := request{method: "GET", url: small.srv.url(fmt.Sprintf("/core/agents?limit=%d", limit)), header: small.header()}
	fireFirst := func(ctx context.Context, _ int) error {
		_, err := do(ctx, b.client, first, http.StatusOK)
		return err
	}
	fireDeep := func(ctx context.Context, i int) error {
		_, err := do(ctx, b.client, request{method: "GET", url: deep[i%len(deep)], header: big.header()}, http.StatusOK)
		return err
	}
	warm := min(b.st.listDur, 2*time.Second)
	openLoop(ctx, b.st.listRate, warm, fireFirst)
	openLoop(ctx, b.st.listRate, warm, fireDeep)
	for rep := 1; rep <= b.st.latRep; rep++ {
		f := measured(small.srv.pid(), func() result { return openLoop(ctx, b.st.listRate, b.st.listDur, fireFirst) })
		d := measured(big.srv.pid(), func() result { return openLoop(ctx, b.st.listRate, b.st.listDur, fireDeep) })
		r.p2First, r.p2Deep = append(r.p2First, f), append(r.p2Deep, d)
		logf("P2 run %d/%d: first page of %d p50 %s, deep page of %d p50 %s (%d+%d requests, %d+%d errors, load %s)",
			rep, b.st.latRep, small.set.n, ms(f.pct(50)), n, ms(d.pct(50)), f.n, d.n, f.errs, d.errs, f.load)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

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
	if b.base, err = startBaseline(dbPath(small.srv.dataDir), small.set.org, bodiesFile); err != nil {
		return err
	}
	basePid := b.base.cmd.Process.Pid
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
	for rep := 1; rep <= b.st.throughRep && b.st.want("P1"); rep++ {
		s := measured(small.srv.pid(), func() result { return closedLoop(ctx, b.st.workers, b.st.thrWarm, b.st.thrDur, srvGet) })
		bl := measured(basePid, func() result { return closedLoop(ctx, b.st.workers, b.st.thrWarm, b.st.thrDur, baseGet) })
		r.p1Server, r.p1Base = append(r.p1Server, s), append(r.p1Base, bl)
		logf("P1 run %d/%d: server %.0f req/s (p50 %s, %s CPU/req), baseline %.0f req/s (p50 %s, %s CPU/req), ratio %.2f (errors %d/%d, load %s)",
			rep, b.st.throughRep, s.throughput(), ms(s.pct(50)), us(s.cpuPerReq()), bl.throughput(), ms(bl.pct(50)), us(bl.cpuPerReq()),
			s.throughput()/bl.throughput(), s.errs, bl.errs, s.load)
		warnRateLimited(s)
		if err := ctx.Err(); err != nil {
			return err
		}
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
	for rep := 1; rep <= b.st.throughRep && b.st.want("P3"); rep++ {
		s := measured(small.srv.pid(), func() result { return closedLoop(ctx, b.st.workers, b.st.thrWarm, b.st.thrDur, srvPost) })
		bl := measured(basePid, func() result { return closedLoop(ctx, b.st.workers, b.st.thrWarm, b.st.thrDur, basePost) })
		r.p3Server, r.p3Base = append(r.p3Server, s), append(r.p3Base, bl)
		logf("P3 run %d/%d: server %.0f req/s (p50 %s, %s CPU/req), baseline %.0f req/s (p50 %s, %s CPU/req), ratio %.2f (errors %d/%d, load %s)",
			rep, b.st.throughRep, s.throughput(), ms(s.pct(50)), us(s.cpuPerReq()), bl.throughput(), ms(bl.pct(50)), us(bl.cpuPerReq()),
			s.throughput()/bl.throughput(), s.errs, bl.errs, s.load)
		warnRateLimited(s)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	b.base.stop()
	b.base = nil
	return nil
}

// warnRateLimited points at BENCH_SERVER_FLAGS when the server's rate
// limiter, not its speed, bounded a run.
func warnRateLimited(r result) {
	var se *statusError
	if errors.As(r.firstErr, &se) && se.code == http.StatusTooManyRequests {
		logf("  warning: the server answered 429: its per-credential rate limit capped this run; raise or disable it with BENCH_SERVER_FLAGS")
	}
}

// p4p5 publishes a version to 10 numbers at a fixed rate on a freshly
// started server and samples the server's resident set meanwhile.
func (b *bench) p4p5(ctx context.Context, small *target, r *results) error {
	// A fresh process, so VmHWM covers this load only.
	if err := small.srv.stop(); err != nil {
		return err
	}
	if _, err := small.srv.start(ctx, false); err != nil {
		return err
	}
	h := small.header()
	post := func(path, body string, want int) (map[string]any, error) {
		raw, err := do(ctx, b.client, request{method: "POST", url: small.srv.url(path), body: []byte(body), header: h}, want)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		return m, nil
	}
	agent, err := post("/core/agents", `{"name":"Publish bench"}`, http.StatusCreated)
	if err != nil {
		return err
	}
	agentID, _ := agent["id"].(string)
	numbers := make([]string, 10)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1415555%04d", 100+i)
		if _, err := post("/core/phone-numbers", fmt.Sprintf(`{"phone_number":%q,"label":"bench %d"}`, numbers[i], i), http.StatusCreated); err != nil {
			return err
		}
	}
	for v := 1; v <= 2; v++ {
		if _, err := post("/core/agents/"+agentID+"/versions",
			fmt.Sprintf(`{"config":{"instructions":"You answer the phone for the bench, version %d."}}`, v), http.StatusCreated); err != nil {
			return err
		}
	}
	body, _ := json.Marshal(map[string]any{"phone_numbers": numbers, "direction": "both"})
	// Alternate versions 1 and 2 so that every publish really moves all 20
	// slots, the expensive case.
	fire := func(ctx context.Context, i int) error {
		u := small.srv.url(fmt.Sprintf("/core/agents/%s/versions/%d/publish", agentID, i%2+1))
		_, err := do(ctx, b.client, request{method: "POST", url: u, body: body, header: h}, http.StatusOK)
		return err
	}
	openLoop(ctx, b.st.pubRate, min(b.st.pubDur, 3*time.Second), fire) // warm-up
	pid := small.srv.pid()
	for rep := 1; rep <= b.st.latRep; rep++ {
		var (
			peak atomic.Int64
			wg   sync.WaitGroup
		)
		stop := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				if m, err := readMem(pid); err == nil && m.RSS > peak.Load() {
					peak.Store(m.RSS)
				}
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
		res := measured(pid, func() result { return openLoop(ctx, b.st.pubRate, b.st.pubDur, fire) })
		close(stop)
		wg.Wait()
		r.p4 = append(r.p4, res)
		r.p5Peak = append(r.p5Peak, peak.Load())
		logf("P4 run %d/%d: %d publishes at %.0f/s, p50 %s p99 %s max %s, %s CPU/req, errors %d, load %s; P5 peak RSS %s",
			rep, b.st.latRep, res.n, b.st.pubRate, ms(res.pct(50)), ms(res.pct(99)), ms(res.pct(100)), us(res.cpuPerReq()), res.errs, res.load, mib(peak.Load()))
		if res.firstErr != nil {
			logf("  first error: %v", res.firstErr)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	m, err := readMem(pid)
	if err != nil {
		return err
	}
	r.p5HWM = m.HWM
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d.Nanoseconds())/1000) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
