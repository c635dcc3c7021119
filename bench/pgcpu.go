package main

import (
	"os"
	"strconv"
	"time"
)

// pgCluster is a PostgreSQL server running on this host: its postmaster
// and the processes it forked (one backend per connection, the WAL
// writer, the checkpointer, autovacuum …). On PostgreSQL the agentplane
// server's own CPU time leaves out everything these do for it, so the
// bench reads theirs separately.
type pgCluster struct{ postmaster int }

// findCluster finds the postmaster from one of its backends
// (pg_backend_pid() of a connection still open). It is nil when that pid
// is not a postgres process on this host whose parent is one too: a
// server on another host or in another pid namespace.
func findCluster(backend int) *pgCluster {
	be, ok := readStat(backend)
	if !ok || be.comm != "postgres" {
		return nil
	}
	if pm, ok := readStat(be.ppid); !ok || pm.comm != "postgres" {
		return nil
	}
	return &pgCluster{postmaster: be.ppid}
}

// cpu is the CPU time the cluster has used so far: the postmaster's own,
// that of its children that have exited (the kernel adds it to the
// parent's cutime and cstime when reaped, so a backend or autovacuum
// worker that ends during a run still counts) and that of its children
// alive now. ok is false on a nil cluster or one that went away.
func (c *pgCluster) cpu() (d time.Duration, ok bool) {
	if c == nil {
		return 0, false
	}
	pm, ok := readStat(c.postmaster)
	if !ok || pm.comm != "postgres" {
		return 0, false
	}
	total := pm.utime + pm.stime + pm.cutime + pm.cstime
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readStat(pid); ok && st.ppid == c.postmaster {
			total += st.utime + st.stime
		}
	}
	return ticks(total), true
}
