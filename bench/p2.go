package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// page is the part of a list response the bench reads.
type page struct {
	Data []struct {
		ID        string `json:"id"`
		CreatedAt string `json:"created_at"`
	} `json:"data"`
	Pagination struct {
		NextCursor *string `json:"next_cursor"`
	} `json:"pagination"`
}

func (b *bench) getPage(ctx context.Context, t *target, query string) (page, error) {
	var p page
	body, err := do(ctx, b.client, request{method: "GET", url: t.srv.url("/core/agents?" + query), header: t.header()}, http.StatusOK)
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(body, &p)
}

func rfc3339ms(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// p2 compares the first page of the small table with pages deep in the
// big one, fetched with cursors the server issued.
func (b *bench) p2(ctx context.Context, small, big *target, r *results) error {
	limit := b.st.limit
	n := big.set.n
	// Deep cursors: a page starting at depth d (created_before the agent
	// above it) yields the cursor of the page at depth d+limit, which is
	// what a client walking the list would hold there. 16 depths spread
	// over the older half of the table.
	const nDeep = 16
	var deep []string
	for k := 0; k < nDeep; k++ {
		d := n/2 + k*(n/2-3*limit)/nDeep
		idx := n - 1 - d // the agent at depth d
		p, err := b.getPage(ctx, big, fmt.Sprintf("limit=%d&created_before=%d", limit, big.set.createdAt(idx)+1))
		if err != nil {
			return err
		}
		if len(p.Data) != limit || p.Data[0].CreatedAt != rfc3339ms(big.set.createdAt(idx)) || p.Pagination.NextCursor == nil {
			return fmt.Errorf("page at depth %d: got %d rows starting at %v, want %d starting at %s", d, len(p.Data), p.Data, limit, rfc3339ms(big.set.createdAt(idx)))
		}
		// The cursor page itself must continue exactly where this one ended.
		next, err := b.getPage(ctx, big, fmt.Sprintf("limit=%d&cursor=%s", limit, url.QueryEscape(*p.Pagination.NextCursor)))
		if err != nil {
			return err
		}
		if len(next.Data) != limit || next.Data[0].CreatedAt != rfc3339ms(big.set.createdAt(idx-limit)) {
			return fmt.Errorf("cursor page at depth %d does not continue the previous page", d+limit)
		}
		deep = append(deep, big.srv.url(fmt.Sprintf("/core/agents?limit=%d&cursor=%s", limit, url.QueryEscape(*p.Pagination.NextCursor))))
	}
	// A client's walk from the top: 25 hops at the largest page size.
	cur := ""
	for hop := 0; hop < 25; hop++ {
		q := "limit=200"
		if cur != "" {
			q += "&cursor=" + url.QueryEscape(cur)
		}
		t := time.Now()
		p, err := b.getPage(ctx, big, q)
		if err != nil {
			return err
		}
		r.walk = append(r.walk, time.Since(t))
		if len(p.Data) != 200 || p.Data[0].CreatedAt != rfc3339ms(big.set.createdAt(n-1-hop*200)) || p.Pagination.NextCursor == nil {
			return fmt.Errorf("walk hop %d: pages are not contiguous", hop)
		}
		cur = *p.Pagination.NextCursor
	}

	first := request{method: "GET", url: small.srv.url(fmt.Sprintf("/core/agents?limit=%d", limit)), header: small.header()}
	fireFirst := func(ctx context.Context, _ int) error {
		_, err := do(ctx, b.client, first, http.StatusOK)
		return err
	}
	fireDeep := func(ctx context.Context, i int) error {
		_, err := do(ctx, b.client, request{method: "GET", url: deep[i%len(deep)], header: big.header()}, http.StatusOK)
		return err
	}
	warm := min(b.st.listDur, 2*time.Second)
	openLoop(ctx, b.st.listRate, warm, fireFirst)
	openLoop(ctx, b.st.listRate, warm, fireDeep)
	for rep := 1; rep <= b.st.latRep; rep++ {
		f := measured(small.srv.pid(), func() result { return openLoop(ctx, b.st.listRate, b.st.listDur, fireFirst) })
		d := measured(big.srv.pid(), func() result { return openLoop(ctx, b.st.listRate, b.st.listDur, fireDeep) })
		r.p2First, r.p2Deep = append(r.p2First, f), append(r.p2Deep, d)
		logf("P2 run %d/%d: first page of %d p50 %s, deep page of %d p50 %s (%d+%d requests, %d+%d errors, load %s)",
			rep, b.st.latRep, small.set.n, ms(f.pct(50)), n, ms(d.pct(50)), f.n, d.n, f.errs, d.errs, f.load)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
