package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// p4p5 publishes a version to 10 numbers at a fixed rate on a freshly
// started server and samples the server's resident set meanwhile (P4,
// P5), then does it again with the host busy (P4 busy).
func (b *bench) p4p5(ctx context.Context, small *target, r *results) error {
	// Every change is an event for a webhook subscribed to "*" (SPEC §18),
	// delivered to a receiver on loopback that the server may reach.
	sink := newSink()
	small.sink = sink // closed after the calls, which it receives too
	// The flags stay for later restarts: a key once given must stay.
	small.srv.extraArgs = append(slices.Clip(small.srv.extraArgs), "--fetch-allow-cidrs", "127.0.0.1/32", "--fetch-allow-ports", sink.port())
	if small.srv.db.eng.pg != nil {
		// PostgreSQL keeps webhook secrets only under a server key.
		small.srv.extraArgs = append(small.srv.extraArgs, "--secret-key", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{42}, 32)))
	}
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
	if _, err := post("/admin/webhooks", fmt.Sprintf(`{"url":%q,"events":["*"]}`, sink.srv.URL+"/events"), http.StatusCreated); err != nil {
		return err
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
	conversation, _ := json.Marshal(map[string]any{"agent_id": agentID, "channel": "telephone", "direction": "inbound", "user_id": "bench"})
	// Alternate versions 1 and 2 so that every publish with numbers really
	// moves all 20 slots, the expensive case. One request in ten is a
	// publish without numbers, which moves the live version and appends to
	// the deployment history, and one a conversation by the agent, which
	// moves its agent's and its version's counters (SPEC §15): the writes
	// that share the agent's rows with the publishes.
	fire := func(ctx context.Context, i int) error {
		u := small.srv.url(fmt.Sprintf("/core/agents/%s/versions/%d/publish", agentID, i%2+1))
		req, want := request{method: "POST", url: u, body: body, header: h}, http.StatusOK
		switch i % 10 {
		case 9:
			req.body = nil
		case 4:
			req.url, req.body, want = small.srv.url("/core/conversations"), conversation, http.StatusCreated
		}
		_, err := do(ctx, b.client, req, want)
		return err
	}
	b.p4Fire = fire
	openLoop(ctx, b.st.pubRate, min(b.st.pubDur, 3*time.Second), fire) // warm-up
	if r.p4, r.p5Peak, err = b.p4Runs(ctx, "P4", small, fire); err != nil {
		return err
	}
	logf("P4: the webhook receiver got %d events so far", sink.n.Load())
	m, err := readMem(small.srv.pid())
	if err != nil {
		return err
	}
	// Read before P4 busy: P5 is the memory under P4's load alone.
	r.p5HWM = m.HWM
	// Requests an overloaded run's clients gave up on must not count
	// against P4 busy.
	if err := b.settle(ctx, small); err != nil {
		return err
	}

	// P4 busy: the same load on the same (warm) server with one CPU-bound
	// process per core running through all its runs.
	r.spinners = runtime.NumCPU()
	limit := time.Duration(b.st.latRep)*(b.st.pubDur+b.client.Timeout) + time.Minute
	spin, err := startSpinners(r.spinners, limit)
	if err != nil {
		return err
	}
	defer spin.stop()
	logf("P4 busy: %d CPU-bound processes running", r.spinners)
	time.Sleep(time.Second) // let them take the cores
	r.p4Busy, _, err = b.p4Runs(ctx, "P4 busy", small, fire)
	return err
}

// p4Runs runs P4's load latRep times, sampling the server's VmRSS every
// 100 ms; peaks are the highest sample of each run.
func (b *bench) p4Runs(ctx context.Context, id string, t *target, fire func(context.Context, int) error) (runs []result, peaks []int64, err error) {
	pid := t.srv.pid()
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
		res := b.measure(ctx, t.meter(), func() result { return openLoop(ctx, b.st.pubRate, b.st.pubDur, fire) })
		close(stop)
		wg.Wait()
		runs, peaks = append(runs, res), append(peaks, peak.Load())
		logf("%s run %d/%d: %d publishes at %.0f/s, p50 %s p99 %s max %s, %s CPU/req%s, errors %d, load %s; peak RSS %s",
			id, rep, b.st.latRep, res.n, b.st.pubRate, ms(res.pct(50)), ms(res.pct(99)), ms(res.pct(100)), cpuNote(res), stmtNote(res),
			res.errs, res.load, mib(peak.Load()))
		if res.firstErr != nil {
			logf("  first error: %v", res.firstErr)
		}
		if err := ctx.Err(); err != nil {
			return runs, peaks, err
		}
		// A server that cannot keep up with the rate drains its backlog
		// long after the last request was sent, and every further run
		// would take longer still while saying the same thing.
		if over := res.elapsed - b.st.pubDur; over > b.st.pubDur/2 && rep < b.st.latRep {
			logf("  %s: the last answer came %s after the last request was sent (overloaded); not run again", id, over.Round(100*time.Millisecond))
			break
		}
	}
	return runs, peaks, nil
}

// sink is a webhook receiver that answers 200 and counts events.
type sink struct {
	srv *httptest.Server
	n   atomic.Int64
}

func newSink() *sink {
	s := &sink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.n.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	return s
}

func (s *sink) port() string {
	u, _ := url.Parse(s.srv.URL)
	return u.Port()
}
