package main

import (
	"context"
	"fmt"
	"net/http"
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
