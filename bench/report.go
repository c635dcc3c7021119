package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the results table.
type row struct {
	id, engine, what, measured, baseline, ratio, target string
	pass                                                bool
	note                                                string
}

// rowOrder sorts the table by target; rows of one target keep the order
// of the engines, so the engines of a target sit next to each other.
var rowOrder = []string{"P1", "P2", "P3", "P4", "P4 busy", "P5", "P1 calls", "P4 calls", "R1"}

// maxErrRate is the share of failed requests above which a measurement is
// not trusted: the target fails and the first error is shown.
const maxErrRate = 0.01

func each(rs []result, f func(result) float64) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = f(r)
	}
	return out
}

func thr(r result) float64 { return r.throughput() }

func p50ms(r result) float64 { return float64(r.pct(50)) / float64(time.Millisecond) }

func p99ms(r result) float64 { return float64(r.pct(99)) / float64(time.Millisecond) }

func maxms(r result) float64 { return float64(r.pct(100)) / float64(time.Millisecond) }

func cpuUs(r result) float64 { return float64(r.cpuPerReq().Nanoseconds()) / 1000 }

func dbCPUUs(r result) float64 { return float64(r.dbCPUPerReq().Nanoseconds()) / 1000 }

func loads(runs []result) string {
	var l []string
	for _, r := range runs {
		l = append(l, r.load)
	}
	return strings.Join(l, " ")
}

// dbMeasured reports whether PostgreSQL's CPU was read for every run.
func dbMeasured(groups ...[]result) bool {
	n := 0
	for _, g := range groups {
		for _, r := range g {
			if !r.dbOK {
				return false
			}
			n++
		}
	}
	return n > 0
}

// cpuLine compares the CPU each process spent per request: unlike
// throughput it hardly moves when other work shares the machine. On
// PostgreSQL the database's work is done by its own processes; their CPU
// is shown beside the server's and the baseline's, and the ratio is given
// with and without it.
func cpuLine(id string, srv, base []result) string {
	s, b := median(each(srv, cpuUs)), median(each(base, cpuUs))
	if !dbMeasured(srv, base) {
		return fmt.Sprintf("%s CPU per request (median): server %.0f µs, baseline %.0f µs → baseline/server %.2f (per run: %s | %s)",
			id, s, b, b/s, fmtRuns(each(srv, cpuUs), "%.0f"), fmtRuns(each(base, cpuUs), "%.0f"))
	}
	sd, bd := median(each(srv, dbCPUUs)), median(each(base, dbCPUUs))
	return fmt.Sprintf("%s CPU per request (median): server %.0f µs + PostgreSQL %.0f µs, baseline %.0f µs + PostgreSQL %.0f µs → "+
		"baseline/server %.2f, with PostgreSQL's %.2f (per run: %s | %s; PostgreSQL %s | %s)",
		id, s, sd, b, bd, b/s, (b+bd)/(s+sd), fmtRuns(each(srv, cpuUs), "%.0f"), fmtRuns(each(base, cpuUs), "%.0f"),
		fmtRuns(each(srv, dbCPUUs), "%.0f"), fmtRuns(each(base, dbCPUUs), "%.0f"))
}

// health reports the first error of runs that failed too often.
func health(groups ...[]result) string {
	for _, g := range groups {
		for _, r := range g {
			if r.errRate() > maxErrRate {
				return fmt.Sprintf("%d of %d requests failed; first: %v", r.errs, r.n, r.firstErr)
			}
		}
	}
	return ""
}

func fmtRuns(xs []float64, format string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(parts, ", ")
}

// statementLines print, per target, the statements the server sent per
// request on each engine (median over runs).
func statementLines(all []*results) []string {
	var lines []string
	for _, t := range []struct {
		id, what string
		runs     func(*results) []result
	}{
		{"P1", "GET /core/agents/{id}", func(r *results) []result { return r.p1Server }},
		{"P3", "POST /core/agents", func(r *results) []result { return r.p3Server }},
		{"P4", "publish to 10 numbers", func(r *results) []result { return r.p4 }},
	} {
		var parts []string
		for _, r := range all {
			runs := t.runs(r)
			if len(runs) == 0 {
				continue
			}
			var per []float64
			for _, x := range runs {
				if x.stmtsOK {
					per = append(per, x.stmtsPerReq())
				}
			}
			if len(per) < len(runs) {
				parts = append(parts, "n/a ("+r.engine+": no "+statementsMetric+" at GET /metrics)")
				continue
			}
			parts = append(parts, fmt.Sprintf("%.1f (%s)", median(per), r.engine))
		}
		if len(parts) > 0 {
			lines = append(lines, fmt.Sprintf("%s statements per request (%s): %s", t.id, t.what, strings.Join(parts, ", ")))
		}
	}
	return lines
}

func printReport(w io.Writer, st settings, machine, note string, all []*results) {
	var (
		rows    []row
		details []string
		names   []string
	)
	for _, r := range all {
		rs, ds := engineRows(st, r)
		rows, details = append(rows, rs...), append(details, ds...)
		names = append(names, r.engine)
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		return cmp.Compare(slices.Index(rowOrder, a.id), slices.Index(rowOrder, b.id))
	})
	details = append(details, statementLines(all)...)
	for _, r := range all {
		var r1Runs []result
		for _, runs := range r.r1 {
			r1Runs = append(r1Runs, runs...)
		}
		var parts []string
		for _, g := range []struct {
			id   string
			runs []result
		}{{"P1", r.p1Server}, {"P3", r.p3Server}, {"P2", r.p2First}, {"P4", r.p4}, {"P4 busy", r.p4Busy}, {"P1 calls", r.callsP1}, {"P4 calls", r.callsP4}, {"R1", r1Runs}} {
			if len(g.runs) > 0 {
				parts = append(parts, g.id+" "+loads(g.runs))
			}
		}
		details = append(details, fmt.Sprintf("[%s] 1-minute load average at the start of each run: %s", r.engine, strings.Join(parts, " | ")))
	}

	fmt.Fprintf(w, "\nagentplane bench — DESIGN.md §6 targets, ratios against baselines measured in the same run on the same engine; R1: SPEC §24 refusals\n")
	fmt.Fprintf(w, "machine: %s\n", machine)
	if os.Getenv("BENCH_CPUPROFILE") != "" {
		fmt.Fprintf(w, "NOTE: servers ran with a CPU profile (BENCH_CPUPROFILE); numbers are a little low\n")
	}
	if note != "" {
		fmt.Fprintf(w, "NOTE: %s\n", note)
	}
	fmt.Fprintf(w, "runs: engines %s; P1/P3 %d × %s closed-loop with %d workers (after %s warm-up); P2 %d × %s at %.0f req/s; "+
		"P4 %d × %s at %.0f req/s, then as many with a CPU-bound process per core (P4 busy); R1 (SQLite) %d × %s per kind at %.0f req/s; medians over runs\n\n",
		strings.Join(names, ", "), st.throughRep, st.thrDur, st.workers, st.thrWarm, st.latRep, st.listDur, st.listRate,
		st.latRep, st.pubDur, st.pubRate, st.latRep, st.refDur, st.refRate)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\tengine\twhat\tmeasured\tbaseline\tratio\ttarget\tresult")
	fmt.Fprintln(tw, "------\t------\t----\t--------\t--------\t-----\t------\t------")
	for _, rw := range rows {
		res := "PASS"
		if !rw.pass {
			res = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", rw.id, rw.engine, rw.what, rw.measured, rw.baseline, rw.ratio, rw.target, res)
	}
	tw.Flush()
	for _, rw := range rows {
		if rw.note != "" {
			fmt.Fprintf(w, "%s [%s]: %s\n", rw.id, rw.engine, rw.note)
		}
	}
	fmt.Fprintln(w)
	for _, l := range details {
		fmt.Fprintln(w, l)
	}
}

// count writes n with thousands separators.
func count(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
