package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/phoneauth/phoneauth/auth"
)

// requestID returns the request's id (set by withRequestID).
func requestID(c echo.Context) string { return auth.RequestIDFrom(c.Request().Context()) }

// withRequestID takes a well-formed incoming X-Request-ID (from a load balancer) or makes one, puts it
// in the request's context (where the log handler finds it for every line) and returns it on the
// response.
func withRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		id := req.Header.Get(echo.HeaderXRequestID)
		if !validRequestID(id) {
			id = rand.Text()
		}
		c.SetRequest(req.WithContext(auth.WithRequestID(req.Context(), id)))
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// accessLog writes one line per request. It never logs bodies, headers or query strings, which may
// hold passwords, codes or tokens.
func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				c.Error(err) // write the error response now, so its status is logged
			}
			req, res := c.Request(), c.Response()
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			log.LogAttrs(req.Context(), slog.LevelInfo, "request",
				slog.String("method", req.Method),
				slog.String("route", route),
				slog.Int("status", res.Status),
				slog.Int64("bytes", res.Size),
				slog.Float64("duration_ms", Milliseconds(time.Since(start))),
				slog.String("ip", c.RealIP()),
			)
			return nil
		}
	}
}

// Milliseconds is how every log line gives a duration: a number of milliseconds, to the microsecond,
// in an attribute whose name ends in _ms.
func Milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// recoverPanics turns a panic into a logged 500 instead of a dropped connection.
func recoverPanics(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					if r == http.ErrAbortHandler {
						panic(r)
					}
					log.ErrorContext(c.Request().Context(), "panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			return next(c)
		}
	}
}

// defaultJSON treats a body without Content-Type as JSON, as FastAPI does.
func defaultJSON(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Header.Get(echo.HeaderContentType) == "" && req.ContentLength != 0 && req.Body != nil && req.Body != http.NoBody {
			req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		}
		return next(c)
	}
}

// withClientInfo puts the caller's address (see Config.TrustedProxies) and user agent in the context.
func withClientInfo(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		ci := auth.ClientInfo{IP: safeHeader(c.RealIP(), 64), UserAgent: safeHeader(req.UserAgent(), 512)}
		c.SetRequest(req.WithContext(auth.WithClient(req.Context(), ci)))
		return next(c)
	}
}

// withTimeout bounds the work of a request, database calls included, so that none hangs when a
// dependency does.
func withTimeout(d time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx, cancel := context.WithTimeout(c.Request().Context(), d)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}
