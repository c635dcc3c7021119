package main

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// statementsMetric counts the SQL statements the server's store has sent
// (internal/app/app.go; the job queue's own are not counted).
const statementsMetric = "agentplane_db_statements_total"

// statements reads statementsMetric from the server's GET /metrics, which
// is public (internal/httpapi/routes.go) like a Prometheus scrape. ok is
// false when the server does not export it (an older build). Collecting
// the metrics runs one statement itself (the job counts), which may land
// on either side of the reading: ±1 per run.
func (b *bench) statements(ctx context.Context, s *server) (n int64, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	body, err := do(ctx, b.client, request{method: "GET", url: s.url("/metrics")}, http.StatusOK)
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, found := strings.Cut(sc.Text(), " ")
		if found && name == statementsMetric {
			f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			return int64(f), err == nil
		}
	}
	return 0, false
}
