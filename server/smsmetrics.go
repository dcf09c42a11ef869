package server

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// smsMetrics are the metrics of the SMS defences and of delivery (auth.Observer's SMS* methods).
type smsMetrics struct {
	attempts *prometheus.CounterVec
	duration *prometheus.HistogramVec
	guard    *prometheus.CounterVec
	caps     *prometheus.GaugeVec
	receipts *prometheus.CounterVec
}

func newSMSMetrics() smsMetrics {
	return smsMetrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "phoneauth_sms_attempts_total",
			Help: "Calls to each SMS provider by outcome (ok, rejected, failed, timeout, skipped: circuit open)."}, []string{"provider", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "phoneauth_sms_attempt_duration_seconds",
			Help: "Latency of each SMS provider's calls.", Buckets: prometheus.DefBuckets}, []string{"provider"}),
		guard: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "phoneauth_sms_guard_events_total",
			Help: "SMS guard events by destination country: sent and verified codes, prefixes blocked and cleared, sends refused."},
			[]string{"country", "event"}),
		caps: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "phoneauth_sms_cap_used_ratio",
			Help: "Share (0 to 1) of each hourly SMS cap used in the last hour: cap \"all\", or a country's."}, []string{"cap"}),
		receipts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "phoneauth_sms_receipts_total",
			Help: "Delivery statuses reported by the SMS providers."}, []string{"provider", "status"}),
	}
}

func (s smsMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{s.attempts, s.duration, s.guard, s.caps, s.receipts}
}

// SMSAttempt counts one call to one provider (auth.Observer).
func (m *Metrics) SMSAttempt(provider, outcome string, took time.Duration) {
	m.sms.attempts.WithLabelValues(provider, outcome).Inc()
	if outcome != "skipped" {
		m.sms.duration.WithLabelValues(provider).Observe(took.Seconds())
	}
}

// SMSGuard counts one event of the SMS guard (auth.Observer).
func (m *Metrics) SMSGuard(country, event string) {
	if country == "" {
		country = "ZZ"
	}
	m.sms.guard.WithLabelValues(country, event).Inc()
}

// SMSCap sets the share used of an hourly cap (auth.Observer).
func (m *Metrics) SMSCap(cap string, used float64) { m.sms.caps.WithLabelValues(cap).Set(used) }

// SMSReceipt counts one delivery status (auth.Observer).
func (m *Metrics) SMSReceipt(provider, status string) {
	m.sms.receipts.WithLabelValues(provider, status).Inc()
}
