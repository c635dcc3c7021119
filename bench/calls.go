package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Calls: P1 and P4 measured again while SIP calls run through the front
// door (SPEC §22) at callRate calls per second, each ringing 100 ms and
// talking callTalk, SIPp standing in for the callers and the media
// runtime. The HTTP API must hold its targets meanwhile: P1 against the
// same run's P1 without calls, P4's p99 against its 50 ms.

//go:embed sipp/*.xml
var sippScenarios embed.FS

const (
	callRate = 20.0
	callTalk = 2 * time.Second
)

// callLoad is the SIPp pair: the runtime (a UAS) and the callers (a UAC).
type callLoad struct {
	uas, uac *exec.Cmd
	uacDone  chan error
	stats    string // the callers' statistics file
	dir      string
}

// calls restarts the small server with the SIP front door, starts the
// call load, and measures P1 (server only) and P4 while it runs.
func (b *bench) calls(ctx context.Context, small *target, r *results) error {
	sipp, err := exec.LookPath("sipp")
	if err != nil {
		r.callsNote = "not measured: sipp (Debian package sip-tester) is not installed"
		logf("calls: %s", r.callsNote)
		return nil
	}
	sipAddr, err := freeUDP()
	if err != nil {
		return err
	}
	runtimeAddr, err := freeUDP()
	if err != nil {
		return err
	}
	// The flags stay for later restarts, as P4's do.
	small.srv.extraArgs = append(slices.Clip(small.srv.extraArgs), "--sip-listen", "udp:"+sipAddr, "--sip-backend", "sip:"+runtimeAddr)
	if err := small.srv.stop(); err != nil {
		return err
	}
	if _, err := small.srv.start(ctx, false); err != nil {
		return err
	}
	agent, err := b.sipAgent(ctx, small)
	if err != nil {
		return err
	}
	dir := filepath.Join(b.tmp, "calls-"+small.srv.db.eng.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// Enough calls to outlast every measurement below, with a minute to
	// spare; the callers are stopped when they are done.
	window := time.Duration(b.st.throughRep)*2*(b.st.thrWarm+b.st.thrDur) + time.Duration(b.st.latRep)*b.st.pubDur + time.Minute
	load, err := startCalls(ctx, sipp, dir, sipAddr, runtimeAddr, agent, int(callRate*window.Seconds()))
	if err != nil {
		return err
	}
	defer load.stop()
	time.Sleep(callTalk + time.Second) // the calls up to their steady number
	logf("calls: %.0f calls/s through the SIP front door at %s (about %.0f at once)", callRate, sipAddr, callRate*callTalk.Seconds())

	// P1's baseline again, under the same calls: SIPp's callers and
	// runtime share the machine with both, as any other load would.
	if b.base, err = startBaseline(small.srv.db, small.set.org, filepath.Join(b.tmp, "p1-bodies.json")); err != nil {
		return err
	}
	baseMeter := small.meter()
	baseMeter.pid, baseMeter.srv = b.base.cmd.Process.Pid, nil
	loop := func(fire func(context.Context, int, int) error) func() result {
		return func() result { return closedLoop(ctx, b.st.workers, b.st.thrWarm, b.st.thrDur, fire) }
	}
	for rep := 1; rep <= b.st.throughRep; rep++ {
		s, bl := b.measure(ctx, small.meter(), loop(b.p1Fire)), b.measure(ctx, baseMeter, loop(b.p1BaseFire))
		r.callsP1, r.callsP1Base = append(r.callsP1, s), append(r.callsP1Base, bl)
		logThroughput("P1 with calls", rep, b.st.throughRep, s, bl)
	}
	b.base.stop()
	b.base = nil
	if r.callsP4, _, err = b.p4Runs(ctx, "P4 with calls", small, b.p4Fire); err != nil {
		return err
	}
	r.callsOK, r.callsFailed, err = load.finish()
	if err != nil {
		return err
	}
	logf("calls: %d completed, %d failed", r.callsOK, r.callsFailed)
	if small.sink != nil {
		logf("calls: the webhook receiver got %d events so far", small.sink.n.Load())
	}
	return nil
}

// sipAgent publishes an agent and deploys it as SIP; its id is the user
// part the callers dial.
func (b *bench) sipAgent(ctx context.Context, t *target) (string, error) {
	post := func(path, body string, want int) (map[string]any, error) {
		raw, err := do(ctx, b.client, request{method: "POST", url: t.srv.url(path), body: []byte(body), header: t.header()}, want)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		_ = json.Unmarshal(raw, &m) // publish answers an array
		return m, nil
	}
	a, err := post("/core/agents", `{"name":"SIP bench"}`, http.StatusCreated)
	if err != nil {
		return "", err
	}
	id, _ := a["id"].(string)
	if _, err := post("/core/agents/"+id+"/versions", `{"config":{"instructions":"You answer the bench's calls."}}`, http.StatusCreated); err != nil {
		return "", err
	}
	if _, err := post("/core/agents/"+id+"/versions/1/publish", `{}`, http.StatusOK); err != nil {
		return "", err
	}
	if _, err := post("/core/agents/"+id+"/deploy-as-sip", `{}`, http.StatusOK); err != nil {
		return "", err
	}
	return id, nil
}

// startCalls starts the runtime, then the callers: n calls at callRate.
func startCalls(ctx context.Context, sipp, dir, sipAddr, runtimeAddr, agent string, n int) (*callLoad, error) {
	for _, f := range []string{"uac.xml", "uas.xml"} {
		b, err := sippScenarios.ReadFile("sipp/" + f)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			return nil, err
		}
	}
	host, port, _ := net.SplitHostPort(runtimeAddr)
	l := &callLoad{dir: dir, stats: filepath.Join(dir, "uac-stats.csv"), uacDone: make(chan error, 1)}
	l.uas = exec.CommandContext(ctx, sipp, "-sf", "uas.xml", "-i", host, "-p", port, "-t", "u1", "-d", "100", "-nostdin",
		"-trace_err", "-error_file", "uas-errors.log")
	l.uas.Dir = dir
	l.uas.Stdout, l.uas.Stderr = logTo(dir, "uas.out")
	if err := l.uas.Start(); err != nil {
		return nil, err
	}
	time.Sleep(300 * time.Millisecond) // its socket bound; UDP retransmits cover a slow start anyway
	l.uac = exec.CommandContext(ctx, sipp, "-sf", "uac.xml", "-s", agent, "-key", "domain", "sip.agentplane.local", sipAddr,
		"-i", "127.0.0.1", "-t", "u1", "-r", strconv.FormatFloat(callRate, 'f', -1, 64), "-m", strconv.Itoa(n),
		"-d", strconv.Itoa(int(callTalk/time.Millisecond)), "-nostdin", "-timeout_error", "-recv_timeout", "10000",
		"-trace_stat", "-stf", "uac-stats.csv", "-fd", "1", "-trace_err", "-error_file", "uac-errors.log")
	l.uac.Dir = dir
	l.uac.Stdout, l.uac.Stderr = logTo(dir, "uac.out")
	if err := l.uac.Start(); err != nil {
		l.stop()
		return nil, err
	}
	go func() { l.uacDone <- l.uac.Wait() }()
	return l, nil
}

func logTo(dir, name string) (*os.File, *os.File) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, nil
	}
	return f, f
}

// finish stops the callers (SIGUSR1 makes SIPp stop placing calls and
// exit once the calls in progress end) and reads how the calls went.
func (l *callLoad) finish() (ok, failed int, err error) {
	_ = l.uac.Process.Signal(syscall.SIGUSR1)
	select {
	case <-l.uacDone:
	case <-time.After(callTalk + 30*time.Second):
		_ = l.uac.Process.Kill()
		<-l.uacDone
	}
	return sippTotals(l.stats)
}

// stop ends both SIPp processes.
func (l *callLoad) stop() {
	for _, c := range []*exec.Cmd{l.uac, l.uas} {
		if c != nil && c.Process != nil {
			_ = c.Process.Kill()
		}
	}
	if l.uas != nil {
		_ = l.uas.Wait()
	}
}

// sippTotals reads the cumulative successful and failed calls from the
// last line of SIPp's statistics file (-trace_stat: ';'-separated, the
// first line naming the columns).
func sippTotals(path string) (ok, failed int, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("calls: SIPp's statistics: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(bytes.ReplaceAll(raw, []byte("\r"), nil))), "\n")
	if len(lines) < 2 {
		return 0, 0, errors.New("calls: SIPp wrote no statistics")
	}
	head, last := strings.Split(lines[0], ";"), strings.Split(lines[len(lines)-1], ";")
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 || i >= len(last) {
			return -1
		}
		n, _ := strconv.Atoi(strings.TrimSpace(last[i]))
		return n
	}
	ok, failed = col("SuccessfulCall(C)"), col("FailedCall(C)")
	if ok < 0 || failed < 0 {
		return 0, 0, fmt.Errorf("calls: no SuccessfulCall(C)/FailedCall(C) in %s", path)
	}
	return ok, failed, nil
}

// freeUDP returns a 127.0.0.1 UDP address whose port was free a moment
// ago.
func freeUDP() (string, error) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer pc.Close()
	return pc.LocalAddr().String(), nil
}

// callRows are the table's lines for P1 and P4 under call load: P1's
// ratio to the same baseline as P1 (≥ 0.8), P4's p99 (≤ 50 ms); either
// fails when a call failed.
func callRows(st settings, r *results, add func(row, string), tag func(string) string) (details []string) {
	if r.callsNote != "" {
		return []string{fmt.Sprintf("%s %s", tag("calls"), r.callsNote)}
	}
	if len(r.callsP1) == 0 && len(r.callsP4) == 0 {
		return nil
	}
	callErr := ""
	if r.callsFailed > 0 || r.callsOK == 0 {
		callErr = fmt.Sprintf("%d of %d calls failed", r.callsFailed, r.callsOK+r.callsFailed)
	}
	load := fmt.Sprintf("with %.0f SIP calls/s (%s each)", callRate, callTalk)
	if s, b := each(r.callsP1, thr), each(r.callsP1Base, thr); len(s) > 0 && len(b) > 0 {
		ratio := median(s) / median(b)
		add(row{id: "P1 calls", what: "GET /core/agents/{id} throughput " + load,
			measured: fmt.Sprintf("%.0f req/s", median(s)), baseline: fmt.Sprintf("%.0f req/s", median(b)),
			ratio: fmt.Sprintf("%.2f", ratio), target: "≥ 0.80", pass: ratio >= 0.8}, firstOf(health(r.callsP1, r.callsP1Base), callErr))
		details = append(details, fmt.Sprintf("%s server req/s per run: %s, baseline %s, both under the calls (without calls: server %s); "+
			"CPU per request: server %s, baseline %s", tag("P1 calls"), fmtRuns(s, "%.0f"), fmtRuns(b, "%.0f"), fmtRuns(each(r.p1Server, thr), "%.0f"),
			fmtRuns(each(r.callsP1, cpuUs), "%.0f µs"), fmtRuns(each(r.callsP1Base, cpuUs), "%.0f µs")))
	}
	if len(r.callsP4) > 0 {
		p99, p50 := each(r.callsP4, p99ms), each(r.callsP4, p50ms)
		add(row{id: "P4 calls", what: fmt.Sprintf("publish to 10 numbers at %.0f req/s %s, p99", st.pubRate, load),
			measured: fmt.Sprintf("%.2f ms", median(p99)), baseline: fmt.Sprintf("(p50 %.2f ms)", median(p50)),
			ratio: "—", target: "≤ 50 ms", pass: median(p99) <= 50}, firstOf(health(r.callsP4), callErr))
		details = append(details, fmt.Sprintf("%s per run: p50 %s; p99 %s; max %s (without calls: p99 %s)", tag("P4 calls"),
			fmtRuns(p50, "%.2f ms"), fmtRuns(p99, "%.2f ms"), fmtRuns(each(r.callsP4, maxms), "%.2f ms"), fmtRuns(each(r.p4, p99ms), "%.2f ms")))
	}
	return append(details, fmt.Sprintf("%s %d calls completed, %d failed, through the front door to a SIPp runtime", tag("calls"), r.callsOK, r.callsFailed))
}

func firstOf(notes ...string) string {
	for _, n := range notes {
		if n != "" {
			return n
		}
	}
	return ""
}
