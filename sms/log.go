package sms

import (
	"context"
	"log/slog"
)

// Log "sends" by logging, so that development needs no provider account. It prints the code,
// which is the point in development and a leak anywhere else; never configure it in production.
type Log struct {
	Logger *slog.Logger // nil: slog.Default()
}

// NewLog returns a Log writing to l (nil: slog.Default()).
func NewLog(l *slog.Logger) *Log {
	return &Log{Logger: l}
}

// Send logs the message at WARN, so that it stands out should this provider ever run outside
// development. It always succeeds, with no message id.
func (p *Log) Send(ctx context.Context, to, text, purpose, referenceID string) (string, error) {
	var l *slog.Logger
	if p != nil {
		l = p.Logger
	}
	if l == nil {
		l = slog.Default()
	}
	l.LogAttrs(ctx, slog.LevelWarn, "SMS NOT SENT: log provider (development only)",
		slog.String("to", to),
		slog.String("purpose", purpose),
		slog.String("reference_id", referenceID),
		slog.String("text", text),
	)
	return "", nil
}
