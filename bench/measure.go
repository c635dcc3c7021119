package main

import (
	"context"
	"time"
)

// What one run cost the process that served it, read around the run:
// that process's CPU time, PostgreSQL's (whose work for the server is not
// in the server's own), and the statements the server sent. Unlike
// throughput these hardly move when other work shares the machine.

// meter names what a run's cost is read from.
type meter struct {
	pid int        // the process serving the run
	db  *pgCluster // PostgreSQL's processes, when on this host; else nil
	srv *server    // the agentplane server, whose statements are counted; nil for a baseline
}

// measured runs f and records the CPU time process pid used meanwhile.
func measured(pid int, f func() result) result {
	load := loadAvg()
	c0 := cpuTime(pid)
	r := f()
	r.cpu, r.load = cpuTime(pid)-c0, load
	return r
}

// measure runs f and records everything m names.
func (b *bench) measure(ctx context.Context, m meter, f func() result) result {
	var s0 int64
	stmtsOK := false
	if m.srv != nil {
		s0, stmtsOK = b.statements(ctx, m.srv)
	}
	d0, dbOK := m.db.cpu()
	r := measured(m.pid, f)
	if d1, ok := m.db.cpu(); ok && dbOK {
		r.dbCPU, r.dbOK = d1-d0, true
	}
	if stmtsOK {
		if s1, ok := b.statements(ctx, m.srv); ok {
			r.stmts, r.stmtsOK = s1-s0, true
		}
	}
	return r
}

// cpuPerReq is the target's CPU time per request served, warm-up included.
func (r result) cpuPerReq() time.Duration { return perReq(r.cpu, r.all) }

// dbCPUPerReq is PostgreSQL's CPU time per request served.
func (r result) dbCPUPerReq() time.Duration { return perReq(r.dbCPU, r.all) }

func perReq(d time.Duration, n int) time.Duration {
	if n == 0 {
		return 0
	}
	return d / time.Duration(n)
}

// stmtsPerReq is how many statements the server sent per request served.
func (r result) stmtsPerReq() float64 {
	if r.all == 0 {
		return 0
	}
	return float64(r.stmts) / float64(r.all)
}
