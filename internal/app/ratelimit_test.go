package app_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestRateLimitRecovers is the user story: hammering one key gets
// 429s with Retry-After, and after waiting that long the key works again.
func TestRateLimitRecovers(t *testing.T) {
	t.Parallel()
	n := launch(t, nil, map[string]string{"AGENTPLANE_RATE_LIMIT": "2", "AGENTPLANE_RATE_BURST": "5"},
		"--addr", "127.0.0.1:0", "--data-dir", t.TempDir()).wait(t)
	key := defaultKey(t, n.Stdout.String())
	hit := func() *http.Response {
		req, _ := http.NewRequest("GET", n.URL+"/core/agents", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	var limited *http.Response
	ok := 0
	for i := 0; i < 50 && limited == nil; i++ {
		if res := hit(); res.StatusCode == 429 {
			limited = res
		} else if res.StatusCode == 200 {
			ok++
		}
	}
	if limited == nil || ok < 5 {
		t.Fatalf("never limited (ok %d)", ok)
	}
	retry, err := strconv.Atoi(limited.Header.Get("Retry-After"))
	if err != nil || retry < 1 {
		t.Fatalf("Retry-After %q", limited.Header.Get("Retry-After"))
	}
	// Wait as told (polling, with a deadline past it), then it works.
	start := time.Now()
	deadline := start.Add(time.Duration(retry)*time.Second + 5*time.Second)
	for {
		if res := hit(); res.StatusCode == 200 {
			if time.Since(start) > time.Duration(retry)*time.Second+time.Second {
				t.Errorf("recovered only after %s, Retry-After said %ds", time.Since(start), retry)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("still limited after Retry-After")
		}
		time.Sleep(100 * time.Millisecond) // poll interval
	}
}
