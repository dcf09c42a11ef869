package tests

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/phoneauth/phoneauth/store/storetest"
)

// otlpReceiver is an OTLP/HTTP trace receiver: it takes POST /v1/traces (protobuf) and keeps the
// spans with their resource's attributes.
type otlpReceiver struct {
	t        *testing.T
	srv      *httptest.Server
	mu       sync.Mutex
	spans    []*tracepb.Span
	resource []*commonpb.KeyValue
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	r := &otlpReceiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" {
			http.NotFound(w, req)
			return
		}
		body, err := io.ReadAll(req.Body)
		var msg coltracepb.ExportTraceServiceRequest
		if err == nil {
			err = proto.Unmarshal(body, &msg)
		}
		if err != nil {
			t.Errorf("OTLP receiver: %v (Content-Type %s)", err, req.Header.Get("Content-Type"))
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		for _, rs := range msg.ResourceSpans {
			r.resource = rs.GetResource().GetAttributes()
			for _, ss := range rs.ScopeSpans {
				r.spans = append(r.spans, ss.Spans...)
			}
		}
		r.mu.Unlock()
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *otlpReceiver) env() []string {
	return []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + r.srv.URL, "OTEL_BSP_SCHEDULE_DELAY=100"}
}

// waitFor returns the spans once one of them is named name (the batches arrive every 100ms).
func (r *otlpReceiver) waitFor(name string) []*tracepb.Span {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		spans := append([]*tracepb.Span(nil), r.spans...)
		r.mu.Unlock()
		for _, s := range spans {
			if s.Name == name {
				return spans
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("no span %q arrived; got %d spans: %v", name, len(spans), spanNames(spans))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func spanNames(spans []*tracepb.Span) []string {
	var names []string
	for _, s := range spans {
		names = append(names, s.Name)
	}
	return names
}

func attr(kvs []*commonpb.KeyValue, key string) *commonpb.AnyValue {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Value
		}
	}
	return nil
}

// anyValueStrings is every string an attribute value holds (arrays and maps included).
func anyValueStrings(v *commonpb.AnyValue) []string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_ArrayValue:
		var out []string
		for _, e := range x.ArrayValue.Values {
			out = append(out, anyValueStrings(e)...)
		}
		return out
	case *commonpb.AnyValue_KvlistValue:
		var out []string
		for _, kv := range x.KvlistValue.Values {
			out = append(out, kv.Key)
			out = append(out, anyValueStrings(kv.Value)...)
		}
		return out
	case *commonpb.AnyValue_BytesValue:
		return []string{string(x.BytesValue)}
	case *commonpb.AnyValue_StringValue:
		return []string{x.StringValue}
	case *commonpb.AnyValue_IntValue:
		return []string{strconv.FormatInt(x.IntValue, 10)}
	case nil:
		return nil
	default:
		return []string{fmt.Sprint(x)}
	}
}

// TestTracingOfACodeLogin runs a code login (send-otp, then verify-otp) through a server exporting
// to an in-process OTLP receiver: the server spans carry the route, not the path, and the caller's
// trace; the database, Redis and SMS spans are the request span's children; no span holds the
// phone number, the code or a token; the log lines name the trace.
func TestTracingOfACodeLogin(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		rcv := newOTLPReceiver(t)
		sk := newWebhookSink(t, webhookSecret)
		env := append(sk.env(), rcv.env()...)
		redisURL := os.Getenv("PHONEAUTH_TEST_REDIS_URL")
		if redisURL != "" {
			env = append(env, "PHONEAUTH_REDIS_URL="+redisURL, "PHONEAUTH_REDIS_PREFIX="+storetest.RedisPrefix(t, redisURL))
		}
		s := start(t, dialect, env...)
		s.createUser(newPhone, "Tracy", "tracy's passphrase")

		const callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
		const callerSpan = "00f067aa0ba902b7"
		s.sendCode("/api/v1/auth/login/send-otp", newPhone, "traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
		m := sk.last(newPhone)
		r := s.do("POST", "/api/v1/auth/login/verify-otp", map[string]string{"phone_number": newPhone, "otp_code": m.Code()})
		tok, _ := tokenAnswer(t, r, newPhone)
		refresh, _ := r.JSON(t)["refresh_token"].(string)

		spans := rcv.waitFor("POST /api/v1/auth/login/verify-otp")
		byID := map[string]*tracepb.Span{}
		for _, sp := range spans {
			byID[hex.EncodeToString(sp.SpanId)] = sp
		}
		// serverOf is the server span sp descends from (nil for none).
		serverOf := func(sp *tracepb.Span) *tracepb.Span {
			for p := byID[hex.EncodeToString(sp.ParentSpanId)]; p != nil; p = byID[hex.EncodeToString(p.ParentSpanId)] {
				if p.Kind == tracepb.Span_SPAN_KIND_SERVER {
					return p
				}
			}
			return nil
		}
		var send, verify *tracepb.Span
		for _, sp := range spans {
			switch sp.Name {
			case "POST /api/v1/auth/login/send-otp":
				send = sp
			case "POST /api/v1/auth/login/verify-otp":
				verify = sp
			}
		}
		if send == nil || verify == nil {
			t.Fatalf("server spans missing: %v", spanNames(spans))
		}
		// The caller's traceparent: same trace, the caller's span as parent.
		if got := hex.EncodeToString(send.TraceId); got != callerTrace {
			t.Errorf("send-otp span in trace %s, want the caller's %s", got, callerTrace)
		}
		if got := hex.EncodeToString(send.ParentSpanId); got != callerSpan {
			t.Errorf("send-otp span's parent %s, want the caller's span %s", got, callerSpan)
		}
		if hex.EncodeToString(verify.TraceId) == callerTrace || len(verify.ParentSpanId) != 0 {
			t.Errorf("verify-otp (no traceparent) is not a root span of its own trace")
		}
		for _, sp := range []*tracepb.Span{send, verify} {
			if v := attr(sp.Attributes, "http.response.status_code"); v.GetIntValue() != 200 {
				t.Errorf("%s: status attribute %v", sp.Name, v)
			}
			if v := attr(sp.Attributes, "http.route"); !strings.HasPrefix(v.GetStringValue(), "/api/v1/auth/login/") {
				t.Errorf("%s: route attribute %v", sp.Name, v)
			}
		}

		// Database, Redis and SMS spans of the two requests' traces hang under the request's span (those
		// of the start-up, migrations and keys, are roots of their own).
		kinds := map[string]map[*tracepb.Span]int{"db.": {}, "redis.": {}, "sms.send": {}}
		requestTraces := map[string]bool{hex.EncodeToString(send.TraceId): true, hex.EncodeToString(verify.TraceId): true}
		for _, sp := range spans {
			if !requestTraces[hex.EncodeToString(sp.TraceId)] {
				continue
			}
			for prefix, under := range kinds {
				if !strings.HasPrefix(sp.Name, prefix) {
					continue
				}
				srv := serverOf(sp)
				if srv == nil {
					t.Errorf("%s span has no server span above it", sp.Name)
					continue
				}
				if hex.EncodeToString(sp.TraceId) != hex.EncodeToString(srv.TraceId) {
					t.Errorf("%s span is not in its server span's trace", sp.Name)
				}
				under[srv]++
				if prefix == "db." && attr(sp.Attributes, "db.system") == nil {
					t.Errorf("%s span without db.system", sp.Name)
				}
			}
		}
		for _, srv := range []*tracepb.Span{send, verify} {
			if kinds["db."][srv] == 0 {
				t.Errorf("no database span under %s", srv.Name)
			}
			if redisURL != "" && srv == send && kinds["redis."][srv] == 0 {
				t.Errorf("no Redis span under %s", srv.Name)
			}
		}
		if kinds["sms.send"][send] != 1 {
			t.Errorf("%d sms.send spans under send-otp, want 1", kinds["sms.send"][send])
		}
		for _, sp := range spans {
			if sp.Name == "sms.send" {
				if v := attr(sp.Attributes, "sms.provider"); v.GetStringValue() != "webhook" {
					t.Errorf("sms.send provider %v", v)
				}
				if v := attr(sp.Attributes, "sms.outcome"); v.GetStringValue() != "ok" {
					t.Errorf("sms.send outcome %v", v)
				}
			}
		}

		// No secret anywhere: names, attributes, events.
		secrets := map[string]string{"phone digits": strings.TrimPrefix(newPhone, "+1"), "code": m.Code(), "access token": tok}
		if refresh != "" {
			secrets["refresh token"] = refresh
		}
		for _, sp := range spans {
			texts := []string{sp.Name}
			kvs := append([]*commonpb.KeyValue(nil), sp.Attributes...)
			for _, ev := range sp.Events {
				texts = append(texts, ev.Name)
				kvs = append(kvs, ev.Attributes...)
			}
			for _, kv := range kvs {
				texts = append(texts, kv.Key)
				texts = append(texts, anyValueStrings(kv.Value)...)
			}
			for _, txt := range texts {
				for what, secret := range secrets {
					if (what == "code" && containsToken(txt, secret)) || (what != "code" && strings.Contains(txt, secret)) {
						t.Errorf("span %s holds the %s: %q", sp.Name, what, txt)
					}
				}
			}
		}
		if v := attr(rcv.resource, "service.name"); v.GetStringValue() != "phoneauth" {
			t.Errorf("resource service.name %v", v)
		}
		if attr(rcv.resource, "service.version") == nil {
			t.Errorf("resource without service.version")
		}

		// The request's log lines name its trace.
		found := false
		sc := bufio.NewScanner(strings.NewReader(s.logs.String()))
		for sc.Scan() {
			var rec struct {
				Msg     string `json:"msg"`
				Route   string `json:"route"`
				TraceID string `json:"trace_id"`
			}
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				continue
			}
			if rec.Msg == "request" && rec.Route == "/api/v1/auth/login/send-otp" {
				found = true
				if rec.TraceID != callerTrace {
					t.Errorf("send-otp access log line has trace_id %q, want %s", rec.TraceID, callerTrace)
				}
			}
			if rec.Msg == "request" && rec.Route == "/api/v1/auth/login/verify-otp" && rec.TraceID != hex.EncodeToString(verify.TraceId) {
				t.Errorf("verify-otp access log line has trace_id %q, want %x", rec.TraceID, verify.TraceId)
			}
		}
		if !found {
			t.Errorf("no access log line of send-otp")
		}
	})
}
