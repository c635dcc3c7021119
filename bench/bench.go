package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// bench holds the state of one run.
type bench struct {
	st      settings
	tmp     string
	bin     string
	client  *http.Client
	engines []*engine
	servers []*server
	base    *baselineProc
	// p1Fire and p4Fire are P1's and P4's requests against the small
	// server, kept for measuring them again under call load (calls.go).
	p1Fire, p1BaseFire func(ctx context.Context, worker, i int) error
	p4Fire             func(ctx context.Context, i int) error
}

// results are every repetition of every measurement on one engine.
type results struct {
	engine           string
	p1Server, p1Base []result
	p2First, p2Deep  []result
	p3Server, p3Base []result
	p4, p4Busy       []result // P4 busy: with a CPU-bound process per core
	spinners         int      // how many
	p5Peak           []int64  // highest VmRSS sampled during each P4 run
	p5HWM            int64    // VmHWM after the last P4 run
	bigRSS           memStatus
	walk             []time.Duration // cursor walk from the top of the big table
	bigN, smallN     int
	r1               [][]result // per kind of request (plain GET first), every run
	r1What, r1Rows   []string   // each kind as the log and the table name it
	r1Seen           []string   // each kind's answers, "422×150"
	// P1 and P4 again with SIP calls running (calls.go).
	callsP1, callsP1Base []result
	callsP4              []result
	callsOK, callsFailed int
	callsNote            string // why they were not measured
}

// cleanup stops every child process, then drops the PostgreSQL
// databases the run created.
func (b *bench) cleanup() {
	b.base.stop()
	for _, s := range b.servers {
		s.kill()
	}
	for _, e := range b.engines {
		if e.pg != nil && os.Getenv("BENCH_KEEP") != "1" {
			e.pg.dropAll()
		}
	}
}

// target is one server with its key and seeded agents.
type target struct {
	srv *server
	key string
	set seedSet
	// sink receives the events of P4's "*" webhook until the engine's
	// last measurement (the calls') is done: a receiver that went away
	// would turn every later event into a retry.
	sink *sink
}

func (t *target) header() http.Header {
	return http.Header{"Authorization": {"Bearer " + t.key}, "Content-Type": {"application/json"}}
}

// meter reads a run's cost from the server and, on PostgreSQL, the
// database server's processes.
func (t *target) meter() meter {
	m := meter{pid: t.srv.pid(), srv: t.srv}
	if pg := t.srv.db.eng.pg; pg != nil {
		m.db = pg.cluster
	}
	return m
}

// prepare starts a server on an empty database (which migrates it and
// prints the default org key), stops it, seeds n agents into the database
// and starts it again.
func (b *bench) prepare(ctx context.Context, e *engine, name string, n int) (*target, error) {
	db, err := e.newDatabase(ctx, b.tmp, name)
	if err != nil {
		return nil, err
	}
	s := &server{bin: b.bin, db: db, logPath: filepath.Join(b.tmp, e.name+"-"+name+".log"), extraArgs: b.st.serverArgs}
	b.servers = append(b.servers, s)
	key, err := s.start(ctx, true)
	if err != nil {
		return nil, err
	}
	if err := s.stop(); err != nil {
		return nil, err
	}
	org, err := db.defaultOrg(ctx)
	if err != nil {
		return nil, err
	}
	logf("seeding %d agents into %s", n, db)
	set, err := db.seed(ctx, org, n)
	if err != nil {
		return nil, err
	}
	if _, err := s.start(ctx, false); err != nil {
		return nil, err
	}
	t := &target{srv: s, key: key, set: set}
	// Prove the key works before measuring anything with it.
	if _, err := do(ctx, b.client, request{method: "GET", url: s.url("/core/agents?limit=1"), header: t.header()}, http.StatusOK); err != nil {
		return nil, fmt.Errorf("%s %s server refuses its own key: %w", e.name, name, err)
	}
	return t, nil
}

// all measures every engine in turn, each with its own servers.
func (b *bench) all(ctx context.Context) ([]*results, error) {
	var out []*results
	for _, e := range b.engines {
		if e.name != engSQLite && !b.st.want("P1") && !b.st.want("P2") && !b.st.want("P3") && !b.st.want("P4") {
			logf("== %s: nothing to measure (R1 runs on SQLite only)", e.name)
			continue
		}
		logf("== %s", e.name)
		r, err := b.pass(ctx, e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// pass measures every wanted target on engine e.
func (b *bench) pass(ctx context.Context, e *engine) (*results, error) {
	r := &results{engine: e.name, bigN: b.st.bigN, smallN: b.st.smallN}
	small, err := b.prepare(ctx, e, "small", b.st.smallN)
	if err != nil {
		return nil, err
	}
	if b.st.want("P2") {
		big, err := b.prepare(ctx, e, "big", b.st.bigN)
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
	// R1's refusals happen before any SQL runs (the SPEC §24 caps), so
	// the engine makes no difference: SQLite only, to keep the run short.
	if b.st.want("R1") && e.name == engSQLite {
		if err := b.r1(ctx, small, r); err != nil {
			return nil, fmt.Errorf("R1: %w", err)
		}
	}
	if b.st.want("P4") || b.st.want("P5") {
		if err := b.p4p5(ctx, small, r); err != nil {
			return nil, fmt.Errorf("P4: %w", err)
		}
	}
	if b.st.want("CALLS") {
		if err := b.calls(ctx, small, r); err != nil {
			return nil, fmt.Errorf("calls: %w", err)
		}
	}
	if err := small.srv.stop(); err != nil {
		return nil, err
	}
	if small.sink != nil {
		small.sink.srv.Close()
	}
	return r, nil
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
