package server_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/phoneauth/phoneauth/server"
	"github.com/phoneauth/phoneauth/server/servertest"
)

// tracedServer is an in-process server whose spans go to a recorder and whose log lines to a buffer.
func tracedServer(t *testing.T, traced bool) (*servertest.Server, *tracetest.SpanRecorder, *bytes.Buffer) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	var logs bytes.Buffer
	opt := servertest.Options{Logger: slog.New(server.LogHandler(slog.NewJSONHandler(&logs, nil)))}
	if traced {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
		t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
		opt.TracerProvider = tp
	}
	return servertest.New(t, opt), rec, &logs
}

func serve(s *servertest.Server, method, path, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	s.Handler.ServeHTTP(w, req)
	return w
}

func serverSpans(rec *tracetest.SpanRecorder) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, sp := range rec.Ended() {
		if sp.SpanKind() == trace.SpanKindServer {
			out = append(out, sp)
		}
	}
	return out
}

func TestTracingNamesSpansByRoute(t *testing.T) {
	s, rec, _ := tracedServer(t, true)
	const id = "0b9d1c1e-5a4e-4c38-9a0c-6a7f4f6b9e21"
	serve(s, "GET", "/api/v1/admin/users/"+id, "")
	serve(s, "GET", "/no/such/"+id, "")
	spans := serverSpans(rec)
	if len(spans) != 2 {
		t.Fatalf("%d server spans, want 2", len(spans))
	}
	want := []struct {
		name   string
		status int64
	}{{"GET /api/v1/admin/users/:user_id", 401}, {"GET unmatched", 404}}
	for i, sp := range spans {
		if sp.Name() != want[i].name {
			t.Errorf("span %d named %q, want %q", i, sp.Name(), want[i].name)
		}
		for _, kv := range sp.Attributes() {
			if strings.Contains(kv.Value.String(), id) {
				t.Errorf("span %s: attribute %s holds the path's id", sp.Name(), kv.Key)
			}
			if kv.Key == "http.response.status_code" && kv.Value.AsInt64() != want[i].status {
				t.Errorf("span %s: status %d, want %d", sp.Name(), kv.Value.AsInt64(), want[i].status)
			}
		}
	}
}

func TestTracingJoinsTheCallersTraceAndLogsIt(t *testing.T) {
	s, rec, logs := tracedServer(t, true)
	const traceID, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	w := serve(s, "POST", "/api/v1/auth/login/send-otp", `{"phone_number":"+14155550123"}`, "traceparent", "00-"+traceID+"-"+parent+"-01")
	if w.Code != http.StatusOK {
		t.Fatalf("send-otp: %d %s", w.Code, w.Body)
	}
	spans := serverSpans(rec)
	if len(spans) != 1 {
		t.Fatalf("%d server spans, want 1", len(spans))
	}
	srv := spans[0]
	if srv.SpanContext().TraceID().String() != traceID || srv.Parent().SpanID().String() != parent || !srv.Parent().IsRemote() {
		t.Fatalf("server span %s in trace %s with parent %s: not the caller's", srv.Name(), srv.SpanContext().TraceID(), srv.Parent().SpanID())
	}
	db := 0
	for _, sp := range rec.Ended() {
		if strings.HasPrefix(sp.Name(), "db.") && sp.SpanContext().TraceID() == srv.SpanContext().TraceID() {
			db++
			if sp.Parent().SpanID() != srv.SpanContext().SpanID() {
				t.Errorf("%s is not a child of the request's span", sp.Name())
			}
		}
	}
	if db == 0 {
		t.Error("no database span in the request's trace")
	}
	lines := 0
	for line := range strings.Lines(logs.String()) {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil || m["request_id"] == nil {
			continue
		}
		lines++
		if m["trace_id"] != traceID {
			t.Errorf("log line %q without the trace id", line)
		}
	}
	if lines == 0 {
		t.Fatalf("no request log lines:\n%s", logs)
	}
}

func TestNoTraceIDWhenTracingIsOff(t *testing.T) {
	s, _, logs := tracedServer(t, false)
	serve(s, "GET", "/healthz", "", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if !strings.Contains(logs.String(), `"request_id"`) {
		t.Fatalf("no request log line:\n%s", logs)
	}
	if strings.Contains(logs.String(), "trace_id") {
		t.Fatalf("trace_id logged with tracing off:\n%s", logs)
	}
}
