package httpapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the request counters and latency histograms of SPEC §14,
// labelled by route pattern (never the raw path, so ids don't explode the
// series) and status.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// series holds each (route, status) pair's counter and histogram once
	// looked up: the vectors' own lookup hashes and checks the label
	// values on every call. Routes come from the table and statuses from
	// the handlers, so the map stays small.
	series sync.Map // seriesKey → series
}

type seriesKey struct {
	route  string
	status int
}

type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentplane_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "agentplane_http_request_duration_seconds", Help: "HTTP request latency by route pattern and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route", "status"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	k := seriesKey{route, status}
	v, ok := m.series.Load(k)
	if !ok {
		code := strconv.Itoa(status)
		v, _ = m.series.LoadOrStore(k, series{m.requests.WithLabelValues(route, code), m.latency.WithLabelValues(route, code)})
	}
	ser := v.(series)
	ser.requests.Inc()
	ser.latency.Observe(d.Seconds())
}

// serveMetrics is GET /metrics in the Prometheus text format.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}).ServeHTTP(w, r)
	return nil
}
