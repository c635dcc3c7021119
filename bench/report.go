package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the results table.
type row struct {
	id, what, measured, baseline, ratio, target string
	pass                                        bool
	note                                        string
}

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

func cpuUs(r result) float64 { return float64(r.cpuPerReq().Nanoseconds()) / 1000 }

func loads(groups ...[]result) string {
	var l []string
	for _, g := range groups {
		for _, r := range g {
			l = append(l, r.load)
		}
	}
	return strings.Join(l, " ")
}

// cpuLine compares the CPU each process spent per request: unlike
// throughput it hardly moves when other work shares the machine.
func cpuLine(id string, srv, base []result) string {
	s, b := median(each(srv, cpuUs)), median(each(base, cpuUs))
	return fmt.Sprintf("%s CPU per request (median): server %.0f µs, baseline %.0f µs → baseline/server %.2f (per run: %s | %s)",
		id, s, b, b/s, fmtRuns(each(srv, cpuUs), "%.0f"), fmtRuns(each(base, cpuUs), "%.0f"))
}

func p99ms(r result) float64 { return float64(r.pct(99)) / float64(time.Millisecond) }

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

func printReport(w io.Writer, st settings, machine string, r *results) {
	var rows []row
	var details []string
	add := func(rw row, errNote string) {
		if errNote != "" {
			rw.pass = false
			rw.note = errNote
		}
		rows = append(rows, rw)
	}

	// P1
	s, b := each(r.p1Server, thr), each(r.p1Base, thr)
	if len(s) > 0 {
		ratio := median(s) / median(b)
		add(row{id: "P1", what: "GET /core/agents/{id} throughput",
			measured: fmt.Sprintf("%.0f req/s", median(s)), baseline: fmt.Sprintf("%.0f req/s", median(b)),
			ratio: fmt.Sprintf("%.2f", ratio), target: "≥ 0.80", pass: ratio >= 0.8}, health(r.p1Server, r.p1Base))
		details = append(details,
			fmt.Sprintf("P1 server req/s per run: %s; p50 %s", fmtRuns(s, "%.0f"), fmtRuns(each(r.p1Server, p50ms), "%.2f ms")),
			fmt.Sprintf("P1 baseline req/s per run: %s; p50 %s", fmtRuns(b, "%.0f"), fmtRuns(each(r.p1Base, p50ms), "%.2f ms")),
			cpuLine("P1", r.p1Server, r.p1Base))
	}

	// P2
	d, f := each(r.p2Deep, p50ms), each(r.p2First, p50ms)
	if len(d) > 0 {
		ratio := median(d) / median(f)
		add(row{id: "P2", what: fmt.Sprintf("list p50: deep page of %s vs first of %s", count(r.bigN), count(r.smallN)),
			measured: fmt.Sprintf("%.2f ms", median(d)), baseline: fmt.Sprintf("%.2f ms", median(f)),
			ratio: fmt.Sprintf("%.2f", ratio), target: "≤ 1.50", pass: ratio <= 1.5}, health(r.p2Deep, r.p2First))
		details = append(details,
			fmt.Sprintf("P2 deep (%s agents, limit %d, 16 cursors at depths %s–%s) p50 per run: %s; p99 %s", count(r.bigN), st.limit,
				count(r.bigN/2+st.limit), count(r.bigN-2*st.limit), fmtRuns(d, "%.2f ms"), fmtRuns(each(r.p2Deep, p99ms), "%.2f ms")),
			fmt.Sprintf("P2 first page (%s agents, limit %d) p50 per run: %s; p99 %s", count(r.smallN), st.limit,
				fmtRuns(f, "%.2f ms"), fmtRuns(each(r.p2First, p99ms), "%.2f ms")))
		if len(r.walk) > 0 {
			ws := make([]float64, len(r.walk))
			for i, x := range r.walk {
				ws[i] = float64(x) / float64(time.Millisecond)
			}
			details = append(details, fmt.Sprintf("P2 cursor walk from the top of %s agents, limit 200, 25 hops: median %.2f ms per page (first %.2f ms, last %.2f ms)",
				count(r.bigN), median(ws), ws[0], ws[len(ws)-1]))
		}
	}

	// P3
	s, b = each(r.p3Server, thr), each(r.p3Base, thr)
	if len(s) > 0 {
		ratio := median(s) / median(b)
		add(row{id: "P3", what: "POST /core/agents throughput",
			measured: fmt.Sprintf("%.0f req/s", median(s)), baseline: fmt.Sprintf("%.0f req/s", median(b)),
			ratio: fmt.Sprintf("%.2f", ratio), target: "≥ 0.50", pass: ratio >= 0.5}, health(r.p3Server, r.p3Base))
		details = append(details,
			fmt.Sprintf("P3 server req/s per run: %s; p50 %s", fmtRuns(s, "%.0f"), fmtRuns(each(r.p3Server, p50ms), "%.2f ms")),
			fmt.Sprintf("P3 baseline req/s per run: %s; p50 %s", fmtRuns(b, "%.0f"), fmtRuns(each(r.p3Base, p50ms), "%.2f ms")),
			cpuLine("P3", r.p3Server, r.p3Base))
	}

	// P4
	p99, p50 := each(r.p4, p99ms), each(r.p4, p50ms)
	if len(p99) > 0 {
		add(row{id: "P4", what: fmt.Sprintf("publish to 10 numbers at %.0f req/s, p99", st.pubRate),
			measured: fmt.Sprintf("%.2f ms", median(p99)), baseline: fmt.Sprintf("(p50 %.2f ms)", median(p50)),
			ratio: "—", target: "≤ 50 ms", pass: median(p99) <= 50}, health(r.p4))
		details = append(details, fmt.Sprintf("P4 per run (%s each): p50 %s; p99 %s; max %s; server CPU per publish %s", st.pubDur,
			fmtRuns(p50, "%.2f ms"), fmtRuns(p99, "%.2f ms"),
			fmtRuns(each(r.p4, func(x result) float64 { return float64(x.pct(100)) / float64(time.Millisecond) }), "%.2f ms"),
			fmtRuns(each(r.p4, cpuUs), "%.0f µs")))

		// P5
		peaks := make([]float64, len(r.p5Peak))
		for i, p := range r.p5Peak {
			peaks[i] = float64(p) / (1 << 20)
		}
		hwm := float64(r.p5HWM) / (1 << 20)
		add(row{id: "P5", what: "server RSS under the P4 load (VmHWM)",
			measured: fmt.Sprintf("%.1f MiB", hwm), baseline: fmt.Sprintf("(median peak VmRSS %.1f MiB)", median(peaks)),
			ratio: "—", target: "≤ 150 MiB", pass: hwm <= 150}, "")
		details = append(details, fmt.Sprintf("P5 peak VmRSS per P4 run: %s; VmHWM of that process %s", fmtRuns(peaks, "%.1f MiB"), mib(r.p5HWM)))
	}
	r1, r1Details := r1Rows(st, r)
	rows = append(rows, r1...)
	details = append(details, r1Details...)

	if r.bigRSS.RSS > 0 {
		details = append(details, fmt.Sprintf("(info) RSS of the %s-agent server after P2: VmRSS %s, VmHWM %s", count(r.bigN), mib(r.bigRSS.RSS), mib(r.bigRSS.HWM)))
	}

	var r1Runs []result
	for _, runs := range r.r1 {
		r1Runs = append(r1Runs, runs...)
	}
	details = append(details, fmt.Sprintf("1-minute load average at the start of each run (P1, P3, P2, P4, R1): %s | %s | %s | %s | %s",
		loads(r.p1Server), loads(r.p3Server), loads(r.p2First), loads(r.p4), loads(r1Runs)))

	fmt.Fprintf(w, "\nagentplane bench — DESIGN.md §6 targets, ratios against baselines measured in the same run; R1: SPEC §24 refusals\n")
	fmt.Fprintf(w, "machine: %s\n", machine)
	if os.Getenv("BENCH_CPUPROFILE") != "" {
		fmt.Fprintf(w, "NOTE: servers ran with a CPU profile (BENCH_CPUPROFILE); numbers are a little low\n")
	}
	fmt.Fprintf(w, "runs: P1/P3 %d × %s closed-loop with %d workers (after %s warm-up); P2 %d × %s at %.0f req/s; P4 %d × %s at %.0f req/s; R1 %d × %s per kind at %.0f req/s; medians over runs\n\n",
		st.throughRep, st.thrDur, st.workers, st.thrWarm, st.latRep, st.listDur, st.listRate, st.latRep, st.pubDur, st.pubRate,
		st.latRep, st.refDur, st.refRate)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\twhat\tmeasured\tbaseline\tratio\ttarget\tresult")
	fmt.Fprintln(tw, "------\t----\t--------\t--------\t-----\t------\t------")
	for _, rw := range rows {
		res := "PASS"
		if !rw.pass {
			res = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", rw.id, rw.what, rw.measured, rw.baseline, rw.ratio, rw.target, res)
	}
	tw.Flush()
	for _, rw := range rows {
		if rw.note != "" {
			fmt.Fprintf(w, "%s: %s\n", rw.id, rw.note)
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
