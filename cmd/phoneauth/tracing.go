package main

import (
	"context"
	"log/slog"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/phoneauth/phoneauth/internal/buildinfo"
)

// tracingEnabled reports whether serve exports traces: when one of the standard OTLP endpoint
// variables is set (and OTEL_SDK_DISABLED is not true). They are OpenTelemetry's, not phoneauth's:
// the SDK reads them, and every other OTEL_* variable, itself.
func tracingEnabled(getenv func(string) string) bool {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// startTracing returns the tracer provider serve's spans go to, exporting over OTLP/HTTP in batches,
// or nil when tracing is off (then nothing makes spans at all). shutdown flushes what is buffered.
func startTracing(ctx context.Context, getenv func(string) string, log *slog.Logger) (tp *sdktrace.TracerProvider, shutdown func(context.Context) error, err error) {
	if !tracingEnabled(getenv) {
		return nil, func(context.Context) error { return nil }, nil
	}
	// The exporter's own failures (a collector down) are warnings in the log, not lines in another
	// format on stderr.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("tracing", "err", err) }))
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, nil, err
	}
	bi := buildinfo.Get()
	// OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME, read after, win over these.
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", "phoneauth"), attribute.String("service.version", bi.Version)),
		resource.WithFromEnv(),
	)
	if err != nil {
		_ = exp.Shutdown(ctx)
		return nil, nil, err
	}
	tp = sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	return tp, tp.Shutdown, nil
}
