package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/agentplane/agentplane/internal/dbtest"
	"github.com/agentplane/agentplane/internal/httpapi"
	"github.com/agentplane/agentplane/internal/service"
	"github.com/agentplane/agentplane/internal/store"
)

// limitedServer is an API with rate limits on, on SQLite.
func limitedServer(t *testing.T, l httpapi.Limits) (string, service.BootstrapResult) {
	t.Helper()
	return limitedServerOn(t, store.SQLite, l)
}

// limitedServerOn is limitedServer on engine.
func limitedServerOn(t *testing.T, engine store.Engine, l httpapi.Limits) (string, service.BootstrapResult) {
	t.Helper()
	st := dbtest.Open(t, engine)
	svc := service.New(st, service.Options{Secrets: testBox(t)})
	boot, err := svc.Bootstrap(context.Background(), service.BootstrapInput{OrgName: "Acme", OrgSlug: "acme", Email: "a@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(svc, httpapi.Options{CursorKey: []byte("k"), Limits: l}))
	t.Cleanup(srv.Close)
	return srv.URL, boot
}

func get(t *testing.T, url, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// TestRateLimitPerCredential: a burst is allowed with the RateLimit-*
// headers counting down, then 429 with Retry-After, for that credential
// only.
func TestRateLimitPerCredential(t *testing.T) {
	t.Parallel()
	url, boot := limitedServer(t, httpapi.Limits{PerSecond: 0.5, Burst: 3})
	for i := 0; i < 3; i++ {
		res := get(t, url+"/core/agents", boot.OrgKey)
		if res.StatusCode != 200 || res.Header.Get("RateLimit-Limit") != "3" || res.Header.Get("RateLimit-Remaining") != strconv.Itoa(2-i) {
			t.Fatalf("request %d: %d limit %q remaining %q", i, res.StatusCode, res.Header.Get("RateLimit-Limit"), res.Header.Get("RateLimit-Remaining"))
		}
	}
	res := get(t, url+"/core/agents", boot.OrgKey)
	if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" || res.Header.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("over the limit: %d retry %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); ra < 1 || ra > 2 {
		t.Errorf("Retry-After %d, want about 2 s at 0.5/s", ra)
	}
	// Another credential has its own bucket.
	req, _ := http.NewRequest("GET", url+"/core/agents", nil)
	req.Header.Set("Authorization", "Bearer "+boot.PAT)
	req.Header.Set("X-Anyreach-Org", "acme")
	other, err := http.DefaultClient.Do(req)
	if err != nil || other.StatusCode != 200 {
		t.Fatalf("other credential: %v %v", other.StatusCode, err)
	}
	other.Body.Close()
}

// TestAuthFailureLimit: a client address that used up its failed attempts
// gets 429 for further failures, but a valid credential from the same
// address (behind a balancer everyone shares one) still gets through
// (issue 9 item 5, SPEC §24).
func TestAuthFailureLimit(t *testing.T) {
	for _, engine := range dbtest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			url, boot := limitedServerOn(t, engine, httpapi.Limits{AuthFailuresPerMinute: 5})
			for i := 0; i < 5; i++ {
				if res := get(t, url+"/core/agents", "ak_garbage"); res.StatusCode != 401 {
					t.Fatalf("failure %d: %d", i, res.StatusCode)
				}
			}
			res := get(t, url+"/core/agents", "ak_garbage")
			if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" {
				t.Fatalf("after 5 failures: %d", res.StatusCode)
			}
			for range 3 {
				if res := get(t, url+"/core/agents", boot.OrgKey); res.StatusCode != 200 {
					t.Errorf("a good key from a blocked address: %d", res.StatusCode)
				}
			}
			if res := get(t, url+"/core/agents", "ak_garbage"); res.StatusCode != 429 {
				t.Errorf("a failure after the good key's success is still limited: %d", res.StatusCode)
			}
			if res := get(t, url+"/healthz", ""); res.StatusCode != 200 {
				t.Errorf("public routes are not limited: %d", res.StatusCode)
			}
		})
	}
}

// TestMetrics: request counts by route pattern and status are exported.
func TestMetrics(t *testing.T) {
	t.Parallel()
	url, boot := limitedServer(t, httpapi.Limits{})
	get(t, url+"/core/agents", boot.OrgKey)
	get(t, url+"/core/agents/01a222c4-1107-7621-a8f3-838fa51cad96", boot.OrgKey)
	res, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	text := string(body)
	for _, want := range []string{
		`agentplane_http_requests_total{route="GET /core/agents",status="200"} 1`,
		`agentplane_http_requests_total{route="GET /core/agents/{id}",status="404"} 1`,
		`agentplane_http_request_duration_seconds_bucket{route="GET /core/agents",status="200",le="+Inf"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
