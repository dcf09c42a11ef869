package tests

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v4"
)

// metricName finds the metric names in a PromQL expression: those of phoneauth and of the Go and
// process collectors it registers, and Prometheus's own up.
var metricName = regexp.MustCompile(`\b(?:phoneauth|go|process)_[a-zA-Z0-9_]+\b|\bup\b`)

// exposedNames scrapes s's /metrics and returns every series name it exposes: a histogram's
// _bucket, _sum and _count, a summary's _sum and _count.
func exposedNames(t *testing.T, s *server) map[string]bool {
	t.Helper()
	body := s.do("GET", "/metrics", nil).Body
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	names := map[string]bool{"up": true} // Prometheus's own, per target
	for name, f := range families {
		switch f.GetType() {
		case dto.MetricType_HISTOGRAM:
			names[name+"_bucket"], names[name+"_sum"], names[name+"_count"] = true, true, true
		case dto.MetricType_SUMMARY:
			names[name], names[name+"_sum"], names[name+"_count"] = true, true, true
		default:
			names[name] = true
		}
	}
	return names
}

// alertExpressions are the expressions of deploy/prometheus/alerts.yaml, by alert.
func alertExpressions(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../deploy/prometheus/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert, Record, Expr string
			}
		}
	}
	if err := yaml.Unmarshal(data, &rules); err != nil {
		t.Fatal(err)
	}
	exprs := map[string]string{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			exprs["alert "+r.Alert+r.Record] = r.Expr
		}
	}
	return exprs
}

// dashboardExpressions are the queries of deploy/grafana/phoneauth.json: every "expr" and templating
// "query", anywhere in it.
func dashboardExpressions(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../deploy/grafana/phoneauth.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash any
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	exprs := map[string]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if title, ok := x["title"].(string); ok {
				path += " / " + title
			}
			for k, child := range x {
				if s, ok := child.(string); ok && (k == "expr" || k == "definition") {
					exprs["dashboard"+path+" ("+k+")"+s] = s
					continue
				}
				walk(path, child)
			}
		case []any:
			for _, child := range x {
				walk(path, child)
			}
		}
	}
	walk("", dash)
	return exprs
}

// TestDashboardAndAlertsUseExposedMetrics: every metric the alert rules and the Grafana dashboard
// query is one that a running server's /metrics exposes. The server is driven first so that every
// labelled family has a series (Prometheus only shows a vector once something was counted): logins
// that succeed and fail, codes sent and failed at the provider.
func TestDashboardAndAlertsUseExposedMetrics(t *testing.T) {
	sk := newWebhookSink(t, "")
	s := start(t, "sqlite", sk.env()...)
	s.createUser(userPhone, "Uma User", userPW)
	s.login(userPhone, userPW)
	s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": "wrong passphrase"})
	wantStatus(t, s.do("POST", "/api/v1/auth/signup/send-otp", map[string]string{"phone_number": newPhone}), 200, "")
	sk.misbehave(500, 0)
	s.do("POST", "/api/v1/auth/signup/send-otp", map[string]string{"phone_number": "+14155550177"})
	exposed := exposedNames(t, s)

	exprs := alertExpressions(t)
	if len(exprs) < 5 {
		t.Fatalf("only %d alert rules", len(exprs))
	}
	dash := dashboardExpressions(t)
	if len(dash) < 10 {
		t.Fatalf("only %d dashboard queries", len(dash))
	}
	for k, v := range dash {
		exprs[k] = v
	}
	var where []string
	for w := range exprs {
		where = append(where, w)
	}
	sort.Strings(where)
	used := map[string]bool{}
	for _, w := range where {
		names := metricName.FindAllString(exprs[w], -1)
		if len(names) == 0 {
			t.Errorf("%s: queries no metric of phoneauth's: %s", w, exprs[w])
		}
		for _, n := range names {
			used[n] = true
			if !exposed[n] {
				t.Errorf("%s: %s is not a metric /metrics exposes", w, n)
			}
		}
	}
	// The families the alerts are about are all queried somewhere.
	for _, n := range []string{"phoneauth_http_requests_total", "phoneauth_logins_total", "phoneauth_password_hash_wait_seconds_bucket",
		"phoneauth_sms_errors_total", "phoneauth_ready", "phoneauth_build_info", "phoneauth_otp_total"} {
		if !used[n] {
			t.Errorf("%s is queried by no alert or panel", n)
		}
	}
}
