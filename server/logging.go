package server

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"

	"github.com/phoneauth/phoneauth/auth"
)

// LogHandler wraps h so that every record logged with a request's context names the request's id,
// whoever writes it (the access log, the error handler, the auth services): a 5xx answer asks users
// to quote that id, and it must find every line about the request. When the context carries a span
// (tracing is on), the record names its trace too (trace_id), to go from a log line to its trace.
func LogHandler(h slog.Handler) slog.Handler { return requestIDHandler{h} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	id := auth.RequestIDFrom(ctx)
	sc := trace.SpanContextFromContext(ctx)
	if id != "" || sc.HasTraceID() {
		r = r.Clone()
	}
	if id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	if sc.HasTraceID() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
