package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/store"
	"github.com/phoneauth/phoneauth/store/storetest"
)

func recorder(t *testing.T) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, rec
}

func spanAttr(sp sdktrace.ReadOnlySpan, key attribute.Key) (attribute.Value, bool) {
	for _, kv := range sp.Attributes() {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// TestStatementSpansHoldNoValues: a span per statement, a child of the caller's span, with the
// statement's placeholders and never its values.
func TestStatementSpansHoldNoValues(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			tp, rec := recorder(t)
			ctx := context.Background()
			db, err := store.Open(ctx, store.Config{URL: storetest.URL(t, dialect), TracerProvider: tp})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			const phone = "+14155550177"
			ctx, parent := tp.Tracer("test").Start(ctx, "request")
			if _, err := db.Users().ByPhone(ctx, phone); !errors.Is(err, auth.ErrNotFound) {
				t.Fatalf("ByPhone: %v", err)
			}
			parent.End()
			var query sdktrace.ReadOnlySpan
			for _, sp := range rec.Ended() {
				if sp.Parent().SpanID() == parent.SpanContext().SpanID() {
					query = sp
				}
				for _, kv := range sp.Attributes() {
					if strings.Contains(kv.Value.String(), "4155550177") {
						t.Errorf("span %s: %s holds the phone number: %s", sp.Name(), kv.Key, kv.Value.String())
					}
				}
			}
			if query == nil {
				t.Fatal("no statement span under the caller's span")
			}
			if query.Name() != "db.query" {
				t.Errorf("span named %q, want db.query", query.Name())
			}
			system, _ := spanAttr(query, "db.system")
			text, _ := spanAttr(query, "db.query.text")
			wantSystem := map[string]string{"sqlite": "sqlite", "postgres": "postgresql"}[dialect]
			if system.AsString() != wantSystem || !strings.Contains(text.AsString(), "SELECT") {
				t.Errorf("db.system %q, db.query.text %q", system.AsString(), text.AsString())
			}
			if op, _ := spanAttr(query, "db.operation"); op.AsString() != "query" {
				t.Errorf("db.operation %q", op.AsString())
			}
		})
	}
}

// TestRedisSpansNameOnlyCommands: a span per Redis command with its name, never a key or argument.
func TestRedisSpansNameOnlyCommands(t *testing.T) {
	u := storetest.RedisURL(t)
	l := newRedisLimiter(t, u, storetest.RedisPrefix(t, u))
	tp, rec := recorder(t)
	l.TraceWith(tp)
	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")
	const key = "phone:+14155550177"
	if _, _, _, err := l.Reserve(ctx, key, 3, time.Minute); err != nil {
		t.Fatal(err)
	}
	parent.End()
	redisSpans := 0
	for _, sp := range rec.Ended() {
		if !strings.HasPrefix(sp.Name(), "redis.") {
			continue
		}
		redisSpans++
		if sp.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("%s is not the caller's child", sp.Name())
		}
		if sys, _ := spanAttr(sp, "db.system"); sys.AsString() != "redis" {
			t.Errorf("%s: db.system %q", sp.Name(), sys.AsString())
		}
		for _, kv := range sp.Attributes() {
			if strings.Contains(kv.Value.String(), "4155550177") || strings.Contains(sp.Name(), "4155550177") {
				t.Errorf("span %s: %s holds the key", sp.Name(), kv.Key)
			}
		}
	}
	if redisSpans == 0 {
		t.Fatal("no Redis span")
	}
}
