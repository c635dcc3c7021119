package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentplane/agentplane/client"
)

// idSet is a set of agent ids filled by several goroutines.
type idSet struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (s *idSet) add(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = map[string]bool{}
	}
	s.ids[id] = true
}

func (s *idSet) has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[id]
}

func (s *idSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

// createAgents creates total agents through c with workers concurrent
// callers and returns their ids.
func createAgents(t *testing.T, c *client.Client, total, workers int) *idSet {
	t.Helper()
	var (
		ids  idSet
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(total) || t.Failed() {
					return
				}
				a, err := c.CreateAgent(t.Context(), client.AgentInput{Name: fmt.Sprintf("agent %05d", i)})
				if err != nil {
					t.Errorf("create agent %d: %v", i, err)
					return
				}
				ids.add(a.Id.String())
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return &ids
}

// sampled sends every nth exchange through checked and the rest through
// plain.
type sampled struct {
	every          int64
	n              atomic.Int64
	checked, plain http.RoundTripper
}

func (s *sampled) RoundTrip(r *http.Request) (*http.Response, error) {
	if s.n.Add(1)%s.every == 0 {
		return s.checked.RoundTrip(r)
	}
	return s.plain.RoundTrip(r)
}

// before reports whether a sorts strictly after b in a newest-first list:
// created_at desc, then id desc.
func before(a, b client.Agent) bool {
	if am, bm := a.CreatedAt.UnixMilli(), b.CreatedAt.UnixMilli(); am != bm {
		return am > bm
	}
	return a.Id.String() > b.Id.String()
}

func TestPagingTenThousandAgentsWhileWriting(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	n := serve(t, t.TempDir())
	key := defaultKey(t, n.Stdout.String())
	// More idle connections than workers, so the load doesn't churn
	// through ephemeral ports.
	base := &http.Transport{MaxIdleConnsPerHost: 32}
	c := client.New(n.URL, client.WithHTTPClient(httpClient(t, base)), client.WithToken(key))
	// Checking an exchange against openapi.yaml costs more CPU than the
	// server spends on it, so the bulk load checks every 25th; the walk and
	// everything after it check every exchange.
	bulk := c.With(client.WithHTTPClient(&http.Client{Transport: &sampled{every: 25, checked: httpClient(t, base).Transport, plain: base}}))

	const total, workers, limit = 10000, 8, 200
	start := time.Now()
	existing := createAgents(t, bulk, total, workers)
	t.Logf("created %d agents in %s", total, time.Since(start).Round(time.Millisecond))
	if existing.len() != total {
		t.Fatalf("created %d distinct ids, want %d", existing.len(), total)
	}

	// Writers keep creating agents during the walk. After each page the
	// walker waits until some write has completed, so every page boundary
	// has a concurrent insert.
	var (
		during  idSet
		written = make(chan struct{})
		stop    = make(chan struct{})
		writers sync.WaitGroup
	)
	for w := range 2 {
		writers.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				a, err := c.CreateAgent(ctx, client.AgentInput{Name: fmt.Sprintf("during %d-%d", w, i)})
				if err != nil {
					t.Errorf("create during the walk: %v", err)
					return
				}
				during.add(a.Id.String())
				select {
				case written <- struct{}{}:
				default:
				}
			}
		})
	}

	start = time.Now()
	seen := map[string]int{}
	var (
		prev  *client.Agent
		pages int
		p     = &client.ListAgentsParams{Limit: new(limit)}
	)
	for {
		page, err := c.ListAgents(ctx, p)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		if len(page.Data) > limit || (page.NextCursor != "" && len(page.Data) != limit) {
			t.Fatalf("page %d has %d agents (next cursor %q)", pages, len(page.Data), page.NextCursor)
		}
		for i := range page.Data {
			a := page.Data[i]
			seen[a.Id.String()]++
			if prev != nil && !before(*prev, a) {
				t.Fatalf("page %d: %s (%s) follows %s (%s): not newest first", pages, a.Id, a.CreatedAt, prev.Id, prev.CreatedAt)
			}
			prev = &a
		}
		if page.NextCursor == "" {
			break
		}
		p.Cursor = &page.NextCursor
		select {
		case <-written:
		case <-time.After(patience):
			t.Fatal("no agent was written during the walk")
		}
	}
	close(stop)
	writers.Wait()
	t.Logf("walked %d pages in %s while %d agents were created", pages, time.Since(start).Round(time.Millisecond), during.len())

	if pages < total/limit {
		t.Errorf("walked %d pages, want at least %d", pages, total/limit)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("agent %s was listed %d times", id, k)
		}
		if !existing.has(id) && !during.has(id) {
			t.Errorf("listed unknown agent %s", id)
		}
	}
	missing := 0
	for id := range existing.ids {
		if seen[id] == 0 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of the %d agents created before the walk were never listed", missing, total)
	}

	// A cursor is signed: any change to it, or using it on another list,
	// is a 422 naming the cursor.
	first, err := c.ListAgents(ctx, &client.ListAgentsParams{Limit: new(1)})
	if err != nil || first.NextCursor == "" {
		t.Fatalf("first page: %+v, %v", first, err)
	}
	cur := first.NextCursor
	payload, mac, _ := strings.Cut(cur, ".")
	flip := func(s string) string {
		b := []byte(s)
		if b[len(b)/2] == 'A' {
			b[len(b)/2] = 'B'
		} else {
			b[len(b)/2] = 'A'
		}
		return string(b)
	}
	for name, bad := range map[string]string{
		"changed signature": payload + "." + flip(mac),
		"changed position":  flip(payload) + "." + mac,
		"no signature":      payload,
		"garbage":           "not-a-cursor",
	} {
		_, err := c.ListAgents(ctx, &client.ListAgentsParams{Limit: new(1), Cursor: &bad})
		if e := wantStatus(t, "cursor with "+name, err, 422, "invalid"); e != nil {
			if len(e.Errors) != 1 || fmt.Sprint(e.Errors[0].Loc) != "[query cursor]" {
				t.Errorf("cursor with %s: errors = %+v, want one at query.cursor", name, e.Errors)
			}
		}
	}
	_, err = c.ListOrgKeys(ctx, &client.ListOrganizationKeysParams{Cursor: &cur})
	wantStatus(t, "an agents cursor on the keys list", err, 422, "invalid")
	_, err = c.ListAgents(ctx, &client.ListAgentsParams{Limit: new(limit + 1)})
	wantStatus(t, "limit 201", err, 422, "invalid")
	if _, err := c.ListAgents(ctx, &client.ListAgentsParams{Limit: new(1), Cursor: &cur}); err != nil {
		t.Errorf("the untouched cursor was refused: %v", err)
	}
}
