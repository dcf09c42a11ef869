package sms

import (
	"context"
	"fmt"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestFailoverSpans: one span per attempt, the caller's child, naming the provider and the outcome,
// never the number or the text.
func TestFailoverSpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	down := &fakeSender{errs: []error{fmt.Errorf("%w: 503", ErrProviderFailed)}}
	up := &fakeSender{}
	f, err := NewFailover(FailoverConfig{TracerProvider: tp}, Named{"first", down}, Named{"second", up})
	if err != nil {
		t.Fatal(err)
	}
	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")
	if p, _, err := f.Send(ctx, "+14155550123", "Your code is 123456", "login", "ref"); err != nil || p != "second" {
		t.Fatalf("Send: %q, %v", p, err)
	}
	parent.End()
	var got []string
	for _, sp := range rec.Ended() {
		if sp.Name() != "sms.send" {
			continue
		}
		if sp.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("attempt span is not the caller's child")
		}
		attrs := map[string]string{}
		for _, kv := range sp.Attributes() {
			attrs[string(kv.Key)] = kv.Value.String()
			if strings.Contains(kv.Value.String(), "4155550123") || strings.Contains(kv.Value.String(), "123456") {
				t.Errorf("attribute %s holds the number or the text", kv.Key)
			}
		}
		got = append(got, attrs["sms.provider"]+"="+attrs["sms.outcome"]+"/"+attrs["sms.purpose"])
	}
	if want := "first=failed/login second=ok/login"; strings.Join(got, " ") != want {
		t.Errorf("attempt spans %q, want %q", strings.Join(got, " "), want)
	}
}
