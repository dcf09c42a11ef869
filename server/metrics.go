package server

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/internal/buildinfo"
)

// Metrics are phoneauth's Prometheus metrics, in a registry of their own (no global state).
type Metrics struct {
	registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	logins      *prometheus.CounterVec
	codes       *prometheus.CounterVec
	smsErrors   *prometheus.CounterVec
	smsDuration *prometheus.HistogramVec
	hashWait    prometheus.Histogram
	sms         smsMetrics   // smsmetrics.go
	events      eventMetrics // eventmetrics.go
}

// NewMetrics registers the metrics, with the Go runtime's and the process's, and
// phoneauth_build_info naming this build.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "phoneauth_http_requests_total",
			Help: "HTTP requests by method, route and status."}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "phoneauth_http_request_duration_seconds",
			Help:    "HTTP request latency by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"method", "route"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "phoneauth_logins_total",
			Help: "Logins by method (pwd, otp) and outcome (succeeded, failed)."}, []string{"method", "outcome"}),
		codes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "phoneauth_otp_total",
			Help: "One-time codes by purpose and event (sent, send_failed, verified, failed, locked)."}, []string{"purpose", "event"}),
		smsErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "phoneauth_sms_errors_total",
			Help: "SMS provider errors and timeouts by purpose."}, []string{"purpose"}),
		smsDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "phoneauth_sms_duration_seconds",
			Help: "SMS provider call latency by purpose.", Buckets: prometheus.DefBuckets}, []string{"purpose"}),
		hashWait: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "phoneauth_password_hash_wait_seconds",
			Help:    "Time a password hash waited for a slot of the hashing gate.",
			Buckets: []float64{.0001, .001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}),
		sms:    newSMSMetrics(),
		events: newEventMetrics(),
	}
	bi := buildinfo.Get()
	build := prometheus.NewGauge(prometheus.GaugeOpts{Name: "phoneauth_build_info",
		Help:        "Always 1; its labels name the running build.",
		ConstLabels: prometheus.Labels{"version": bi.Version, "commit": bi.Commit, "goversion": bi.GoVersion}})
	build.Set(1)
	m.registry.MustRegister(m.sms.collectors()...)
	m.registry.MustRegister(m.events.collectors()...)
	m.registry.MustRegister(m.requests, m.duration, m.logins, m.codes, m.smsErrors, m.smsDuration, m.hashWait, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// WatchReady exports phoneauth_ready: 1 when ready answers nil (what makes /readyz answer 200), else
// 0. It is asked at each scrape, within 2 seconds, so that an alert sees what a readiness probe sees.
func (m *Metrics) WatchReady(ready func(context.Context) error) {
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "phoneauth_ready",
		Help: "1 when the instance is ready to serve (its database answers and its schema is current), else 0."},
		func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if ready(ctx) != nil {
				return 0
			}
			return 1
		}))
}

// WatchDB exports the connection pool's statistics.
func (m *Metrics) WatchDB(db *sql.DB) {
	m.registry.MustRegister(collectors.NewDBStatsCollector(db, "phoneauth"))
}

// DBCounts are what the connection pool has sent the database so far (store.Counts).
type DBCounts struct{ RoundTrips, Commits, Rollbacks int64 }

// WatchDBCounts exports the pool's own counts of database work, read at each scrape:
// phoneauth_db_round_trips_total and phoneauth_db_transactions_total{outcome}. Divided by the requests
// of a route over the same interval, they are what one request costs the database.
func (m *Metrics) WatchDBCounts(counts func() DBCounts) {
	m.registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "phoneauth_db_round_trips_total",
			Help: "Statements sent to the database and answered (BEGIN and COMMIT included)."},
			func() float64 { return float64(counts().RoundTrips) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "phoneauth_db_transactions_total",
			Help: "Database transactions by outcome, a statement outside a transaction being one.", ConstLabels: prometheus.Labels{"outcome": "commit"}},
			func() float64 { return float64(counts().Commits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "phoneauth_db_transactions_total",
			Help: "Database transactions by outcome, a statement outside a transaction being one.", ConstLabels: prometheus.Labels{"outcome": "rollback"}},
			func() float64 { return float64(counts().Rollbacks) }),
	)
}

var _ auth.Observer = (*Metrics)(nil)

// Login counts one login attempt's outcome by method (auth.Observer).
func (m *Metrics) Login(method, outcome string) { m.logins.WithLabelValues(method, outcome).Inc() }

// Code counts one event of a one-time code by purpose (auth.Observer).
func (m *Metrics) Code(purpose, event string) { m.codes.WithLabelValues(purpose, event).Inc() }

// SMS records one provider call (auth.Observer).
func (m *Metrics) SMS(purpose string, took time.Duration, err error) {
	m.smsDuration.WithLabelValues(purpose).Observe(took.Seconds())
	if err != nil {
		m.smsErrors.WithLabelValues(purpose).Inc()
	}
}

// HashWait records how long a hash waited for the hashing gate (auth.Observer, and the password
// hasher's observer).
func (m *Metrics) HashWait(d time.Duration) { m.hashWait.Observe(d.Seconds()) }

// observe is the middleware that counts and times every request by its route pattern (never its
// raw path, which would carry ids and explode the label set).
func (m *Metrics) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		method := c.Request().Method
		m.requests.WithLabelValues(method, route, strconv.Itoa(c.Response().Status)).Inc()
		m.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
		return nil
	}
}
