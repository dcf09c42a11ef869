package server

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// eventMetrics are the outbound events' delivery metrics (auth.Observer's EventDelivery) and the
// outbox's backlog (WatchEvents).
type eventMetrics struct {
	deliveries *prometheus.CounterVec
	duration   prometheus.Histogram
}

func newEventMetrics() eventMetrics {
	return eventMetrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "phoneauth_event_deliveries_total",
			Help: "Attempts to deliver an outbound event by outcome (delivered, failed, timeout: retried later; dead: given up)."},
			[]string{"outcome"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "phoneauth_event_delivery_duration_seconds",
			Help:    "Latency of the event receiver's answers.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}),
	}
}

func (e eventMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{e.deliveries, e.duration}
}

// EventDelivery counts one attempt to deliver an event (auth.Observer).
func (m *Metrics) EventDelivery(outcome string, took time.Duration) {
	m.events.deliveries.WithLabelValues(outcome).Inc()
	m.events.duration.Observe(took.Seconds())
}

// WatchEvents exports the outbox's backlog, read at each scrape (within 2 seconds) through backlog:
// phoneauth_events_pending and phoneauth_events_oldest_pending_age_seconds (0 when none is pending).
// Every instance reports the same shared outbox.
func (m *Metrics) WatchEvents(backlog func(context.Context) (int64, time.Time, error)) {
	read := func() (int64, time.Time, bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, oldest, err := backlog(ctx)
		return n, oldest, err == nil
	}
	m.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "phoneauth_events_pending",
			Help: "Outbound events waiting for delivery (or being retried), in the whole outbox."},
			func() float64 {
				n, _, _ := read()
				return float64(n)
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "phoneauth_events_oldest_pending_age_seconds",
			Help: "How long ago the oldest pending outbound event happened (0: none pending)."},
			func() float64 {
				_, oldest, ok := read()
				if !ok || oldest.IsZero() {
					return 0
				}
				return time.Since(oldest).Seconds()
			}),
	)
}
