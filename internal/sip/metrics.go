package sip

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the front door's series (docs/sip.md lists them).
type metrics struct {
	calls    *prometheus.CounterVec // by outcome: the ledger's terminal status
	rejected *prometheus.CounterVec // INVITEs refused before the backend saw them, by reason
	setup    prometheus.Histogram   // INVITE received → 200 relayed
	duration prometheus.Histogram   // 200 relayed → BYE
	active   prometheus.Gauge       // calls answered and not yet hung up
	panics   prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentplane_sip_calls_total",
			Help: "Calls the SIP front door proxied, by outcome (completed, cancelled, unanswered, failed).",
		}, []string{"outcome"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentplane_sip_invites_rejected_total",
			Help: "INVITEs the SIP front door refused before the backend saw them, by reason.",
		}, []string{"reason"}),
		setup: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "agentplane_sip_call_setup_seconds",
			Help:    "Time from an INVITE's arrival to its 200 relayed to the caller.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "agentplane_sip_call_duration_seconds",
			Help:    "Duration of completed calls, from the 200 to the BYE.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600},
		}),
		active: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agentplane_sip_calls_active",
			Help: "Calls answered and not yet hung up on this node.",
		}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "agentplane_sip_handler_panics_total",
			Help: "Panics recovered in SIP request handlers (each answered 500).",
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.calls, m.rejected, m.setup, m.duration, m.active, m.panics} {
		if err := reg.Register(c); err != nil {
			return nil, errors.Join(errors.New("sip: register metrics"), err)
		}
	}
	// Every outcome and reason shows from the start, at 0.
	for _, o := range []string{"completed", "cancelled", "unanswered", "failed"} {
		m.calls.WithLabelValues(o)
	}
	for _, r := range []string{"forbidden", "rate_limited", "draining", "no_backend", "not_found", "no_live_version",
		"unavailable", "error", "too_many_hops", "too_many_headers", "bad_request"} {
		m.rejected.WithLabelValues(r)
	}
	return m, nil
}
