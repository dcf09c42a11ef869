package store

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
)

// tracerName is the instrumentation scope of the store's spans.
const tracerName = "github.com/phoneauth/phoneauth/store"

// gormTracing is a GORM plugin that makes one client span per statement: "db.<operation>" with
// db.system, db.operation and the statement text. The text is GORM's Statement.SQL, which holds
// placeholders; the values (Statement.Vars: phone numbers, code hashes, tokens) are never recorded.
type gormTracing struct {
	tracer trace.Tracer
	system string // db.system: "postgresql" or "sqlite"
}

func (gormTracing) Name() string { return "phoneauth:tracing" }

// Initialize registers a Before and an After callback around each of GORM's statement kinds.
func (p gormTracing) Initialize(db *gorm.DB) error {
	cb := db.Callback()
	register := func(op string, before, after func(string, func(*gorm.DB)) error) error {
		if err := before("phoneauth:trace_before_"+op, p.before(op)); err != nil {
			return err
		}
		return after("phoneauth:trace_after_"+op, p.after)
	}
	return errors.Join(
		register("create", cb.Create().Before("gorm:create").Register, cb.Create().After("gorm:create").Register),
		register("query", cb.Query().Before("gorm:query").Register, cb.Query().After("gorm:query").Register),
		register("update", cb.Update().Before("gorm:update").Register, cb.Update().After("gorm:update").Register),
		register("delete", cb.Delete().Before("gorm:delete").Register, cb.Delete().After("gorm:delete").Register),
		register("row", cb.Row().Before("gorm:row").Register, cb.Row().After("gorm:row").Register),
		register("raw", cb.Raw().Before("gorm:raw").Register, cb.Raw().After("gorm:raw").Register),
	)
}

func (p gormTracing) before(op string) func(*gorm.DB) {
	return func(tx *gorm.DB) {
		ctx := tx.Statement.Context
		if ctx == nil {
			ctx = context.Background()
		}
		// The span is kept with the statement, not put in its context: a *gorm.DB reused for a second
		// statement must not make it the first one's child, and After must never end the caller's span.
		_, span := p.tracer.Start(ctx, "db."+op, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("db.system", p.system), attribute.String("db.operation", op)))
		tx.InstanceSet(spanKey, span)
	}
}

// spanKey is where Before leaves the statement's span for After.
const spanKey = "phoneauth:span"

func (p gormTracing) after(tx *gorm.DB) {
	v, ok := tx.InstanceGet(spanKey)
	span, _ := v.(trace.Span)
	if !ok || span == nil {
		return
	}
	defer span.End()
	if !span.IsRecording() {
		return
	}
	if tx.Statement.Table != "" {
		span.SetAttributes(attribute.String("db.collection.name", tx.Statement.Table))
	}
	// The text only: the placeholders stay placeholders. Never Vars, never tx.Dialector.Explain.
	if sql := tx.Statement.SQL.String(); sql != "" {
		span.SetAttributes(attribute.String("db.query.text", sql))
	}
	span.SetAttributes(attribute.Int64("db.response.rows", tx.RowsAffected))
	if err := tx.Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		// The type, not the message: a driver's message may quote a value.
		span.SetAttributes(attribute.String("error.type", fmt.Sprintf("%T", err)))
		span.SetStatus(codes.Error, "")
	}
}

// redisTracing is a go-redis hook that makes one client span per command ("redis.<command>") or
// pipeline ("redis.pipeline"), naming only the commands: keys and arguments hold phone numbers.
type redisTracing struct{ tracer trace.Tracer }

func (redisTracing) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (h redisTracing) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		name := cmd.Name()
		ctx, span := h.tracer.Start(ctx, "redis."+name, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("db.system", "redis"), attribute.String("db.operation", name)))
		defer span.End()
		err := next(ctx, cmd)
		redisSpanError(span, err)
		return err
	}
}

func (h redisTracing) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		names := make([]string, len(cmds))
		for i, c := range cmds {
			names[i] = c.Name()
		}
		ctx, span := h.tracer.Start(ctx, "redis.pipeline", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("db.system", "redis"), attribute.String("db.operation", "pipeline"),
				attribute.StringSlice("db.redis.commands", names)))
		defer span.End()
		err := next(ctx, cmds)
		redisSpanError(span, err)
		return err
	}
}

func redisSpanError(span trace.Span, err error) {
	if err != nil && !errors.Is(err, redis.Nil) {
		span.SetAttributes(attribute.String("error.type", fmt.Sprintf("%T", err)))
		span.SetStatus(codes.Error, "")
	}
}

// TraceWith makes a span per Redis command (only its name) with tp's tracer. Call it before the
// limiter is used.
func (l *RedisLimiter) TraceWith(tp trace.TracerProvider) {
	if tp != nil {
		l.rdb.AddHook(redisTracing{tracer: tp.Tracer(tracerName)})
	}
}
