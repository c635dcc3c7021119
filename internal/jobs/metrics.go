package jobs

import (
	"context"
	"time"

	"github.com/agentplane/agentplane/internal/store"
	"github.com/prometheus/client_golang/prometheus"
)

var jobsDesc = prometheus.NewDesc("agentplane_jobs", "Background jobs by kind and state (River's queue).", []string{"kind", "state"}, nil)

// collector reports job counts at scrape time: one grouped count over
// River's table, which its (state, queue, …) indexes keep cheap.
type collector struct{ st *store.Store }

// NewCollector returns a Prometheus collector of job counts.
func NewCollector(st *store.Store) prometheus.Collector { return collector{st} }

func (c collector) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc }

func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.st.JobCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for _, jc := range counts {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(jc.Count), jc.Kind, jc.State)
	}
}
