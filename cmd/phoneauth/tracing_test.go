package main

import (
	"context"
	"log/slog"
	"testing"
)

func TestTracingEnabled(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want bool
	}{
		{nil, false},
		{[]string{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}, true},
		{[]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces"}, true},
		{[]string{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", "OTEL_SDK_DISABLED", "true"}, false},
		{[]string{"OTEL_SERVICE_NAME", "auth"}, false},
	} {
		if got := tracingEnabled(envOf(tc.env...)); got != tc.want {
			t.Errorf("tracingEnabled(%q) = %v, want %v", tc.env, got, tc.want)
		}
	}
}

// TestTracingOffMakesNoProvider: without an endpoint serve gets no provider, so nothing makes spans.
func TestTracingOffMakesNoProvider(t *testing.T) {
	tp, shutdown, err := startTracing(context.Background(), envOf(), slog.New(slog.DiscardHandler))
	if err != nil || tp != nil {
		t.Fatalf("startTracing without an endpoint: %v, %v", tp, err)
	}
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestUnknownVariablesIgnoreOTEL: the OpenTelemetry variables are not phoneauth's to check.
func TestUnknownVariablesIgnoreOTEL(t *testing.T) {
	_, known, err := readConfig(envOf())
	if err != nil {
		t.Fatal(err)
	}
	if u := unknownVariables([]string{"OTEL_EXPORTER_OTLP_ENDPOINT=http://c:4318", "OTEL_BSP_SCHEDULE_DELAY=100"}, known); len(u) != 0 {
		t.Fatalf("unknown variables %v", u)
	}
}
