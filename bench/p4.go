package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

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
