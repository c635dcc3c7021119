package main

import (
	"fmt"
	"time"
)

// engineRows are one engine's lines of the table, and the lines under it
// (each prefixed "P1 [engine]" and so on).
func engineRows(st settings, r *results) (rows []row, details []string) {
	add := func(rw row, errNote string) {
		rw.engine = r.engine
		if errNote != "" {
			rw.pass = false
			rw.note = errNote
		}
		rows = append(rows, rw)
	}
	tag := func(id string) string { return id + " [" + r.engine + "]" }
	// throughputRow is P1's and P3's row: server against baseline req/s,
	// at least min.
	throughputRow := func(id, what string, min float64, server, base []result) {
		s, b := each(server, thr), each(base, thr)
		if len(s) == 0 {
			return
		}
		ratio := median(s) / median(b)
		add(row{id: id, what: what,
			measured: fmt.Sprintf("%.0f req/s", median(s)), baseline: fmt.Sprintf("%.0f req/s", median(b)),
			ratio: fmt.Sprintf("%.2f", ratio), target: fmt.Sprintf("≥ %.2f", min), pass: ratio >= min}, health(server, base))
		details = append(details,
			fmt.Sprintf("%s server req/s per run: %s; p50 %s", tag(id), fmtRuns(s, "%.0f"), fmtRuns(each(server, p50ms), "%.2f ms")),
			fmt.Sprintf("%s baseline req/s per run: %s; p50 %s", tag(id), fmtRuns(b, "%.0f"), fmtRuns(each(base, p50ms), "%.2f ms")),
			cpuLine(tag(id), server, base))
	}

	// P1
	throughputRow("P1", "GET /core/agents/{id} throughput", 0.8, r.p1Server, r.p1Base)

	// P2
	d, f := each(r.p2Deep, p50ms), each(r.p2First, p50ms)
	if len(d) > 0 {
		ratio := median(d) / median(f)
		add(row{id: "P2", what: fmt.Sprintf("list p50: deep page of %s vs first of %s", count(r.bigN), count(r.smallN)),
			measured: fmt.Sprintf("%.2f ms", median(d)), baseline: fmt.Sprintf("%.2f ms", median(f)),
			ratio: fmt.Sprintf("%.2f", ratio), target: "≤ 1.50", pass: ratio <= 1.5}, health(r.p2Deep, r.p2First))
		details = append(details,
			fmt.Sprintf("%s deep (%s agents, limit %d, 16 cursors at depths %s–%s) p50 per run: %s; p99 %s", tag("P2"), count(r.bigN), st.limit,
				count(r.bigN/2+st.limit), count(r.bigN-2*st.limit), fmtRuns(d, "%.2f ms"), fmtRuns(each(r.p2Deep, p99ms), "%.2f ms")),
			fmt.Sprintf("%s first page (%s agents, limit %d) p50 per run: %s; p99 %s", tag("P2"), count(r.smallN), st.limit,
				fmtRuns(f, "%.2f ms"), fmtRuns(each(r.p2First, p99ms), "%.2f ms")))
		if len(r.walk) > 0 {
			ws := make([]float64, len(r.walk))
			for i, x := range r.walk {
				ws[i] = float64(x) / float64(time.Millisecond)
			}
			details = append(details, fmt.Sprintf("%s cursor walk from the top of %s agents, limit 200, 25 hops: median %.2f ms per page (first %.2f ms, last %.2f ms)",
				tag("P2"), count(r.bigN), median(ws), ws[0], ws[len(ws)-1]))
		}
	}

	// P3
	throughputRow("P3", "POST /core/agents throughput", 0.5, r.p3Server, r.p3Base)

	// P4, quiet and busy
	for _, v := range []struct {
		id, what string
		runs     []result
	}{
		{"P4", fmt.Sprintf("publish to 10 numbers at %.0f req/s, p99", st.pubRate), r.p4},
		{"P4 busy", fmt.Sprintf("the same with %d CPU-bound processes running, p99", r.spinners), r.p4Busy},
	} {
		if len(v.runs) == 0 {
			continue
		}
		p99, p50 := each(v.runs, p99ms), each(v.runs, p50ms)
		add(row{id: v.id, what: v.what,
			measured: fmt.Sprintf("%.2f ms", median(p99)), baseline: fmt.Sprintf("(p50 %.2f ms)", median(p50)),
			ratio: "—", target: "≤ 50 ms", pass: median(p99) <= 50}, health(v.runs))
		line := fmt.Sprintf("%s per run (%s each): p50 %s; p99 %s; max %s; server CPU per publish %s", tag(v.id), st.pubDur,
			fmtRuns(p50, "%.2f ms"), fmtRuns(p99, "%.2f ms"), fmtRuns(each(v.runs, maxms), "%.2f ms"), fmtRuns(each(v.runs, cpuUs), "%.0f µs"))
		if dbMeasured(v.runs) {
			line += "; PostgreSQL CPU per publish " + fmtRuns(each(v.runs, dbCPUUs), "%.0f µs")
		}
		details = append(details, line)
	}

	// P5
	if len(r.p4) > 0 {
		peaks := make([]float64, len(r.p5Peak))
		for i, p := range r.p5Peak {
			peaks[i] = float64(p) / (1 << 20)
		}
		hwm := float64(r.p5HWM) / (1 << 20)
		add(row{id: "P5", what: "server RSS under the P4 load (VmHWM)",
			measured: fmt.Sprintf("%.1f MiB", hwm), baseline: fmt.Sprintf("(median peak VmRSS %.1f MiB)", median(peaks)),
			ratio: "—", target: "≤ 150 MiB", pass: hwm <= 150}, "")
		details = append(details, fmt.Sprintf("%s peak VmRSS per P4 run: %s; VmHWM of that process %s", tag("P5"), fmtRuns(peaks, "%.1f MiB"), mib(r.p5HWM)))
	}

	details = append(details, callRows(st, r, add, tag)...)

	r1, r1Details := r1Rows(st, r)
	for _, rw := range r1 {
		rw.engine = r.engine
		rows = append(rows, rw)
	}
	details = append(details, r1Details...)

	if r.bigRSS.RSS > 0 {
		details = append(details, fmt.Sprintf("(info) [%s] RSS of the %s-agent server after P2: VmRSS %s, VmHWM %s", r.engine, count(r.bigN), mib(r.bigRSS.RSS), mib(r.bigRSS.HWM)))
	}
	return rows, details
}
