package main

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/server"
	"github.com/phoneauth/phoneauth/store"
)

// config is everything read from the environment, once, at start-up.
type config struct {
	addr            string
	db              store.Config
	auth            auth.Config
	defaultRegion   string
	server          server.Config
	logLevel        slog.Level
	shutdownTimeout time.Duration
}

// envError names the variable that holds a bad value.
type envError struct {
	name, value, problem string
}

func (e *envError) Error() string {
	return fmt.Sprintf("%s=%q: %s", e.name, e.value, e.problem)
}

type env struct {
	get  func(string) string
	errs []error
}

func (e *env) str(name, def string) string {
	if v := strings.TrimSpace(e.get(name)); v != "" {
		return v
	}
	return def
}

// duration accepts Go durations ("15m", "1h30m") and whole seconds ("900").
func (e *env) duration(name string, def, min, max time.Duration) time.Duration {
	raw := strings.TrimSpace(e.get(name))
	if raw == "" {
		return def
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		n, nerr := strconv.Atoi(raw)
		if nerr != nil {
			e.errs = append(e.errs, &envError{name, raw, "not a duration (use e.g. 15m, 1h, or seconds)"})
			return def
		}
		d = time.Duration(n) * time.Second
	}
	if d < min || d > max {
		e.errs = append(e.errs, &envError{name, raw, fmt.Sprintf("must be between %s and %s", min, max)})
		return def
	}
	return d
}

func loadConfig(getenv func(string) string) (config, error) {
	e := &env{get: getenv}
	c := config{
		addr:            e.str("PHONEAUTH_ADDR", "127.0.0.1:8000"),
		db:              store.Config{URL: e.str("PHONEAUTH_DATABASE_URL", "phoneauth.db")},
		defaultRegion:   strings.ToUpper(e.str("PHONEAUTH_DEFAULT_REGION", "")),
		shutdownTimeout: e.duration("PHONEAUTH_SHUTDOWN_TIMEOUT", 15*time.Second, time.Second, 10*time.Minute),
		auth: auth.Config{
			Issuer:         e.str("PHONEAUTH_JWT_ISSUER", "phoneauth"),
			AccessTokenTTL: e.duration("PHONEAUTH_ACCESS_TOKEN_TTL", 15*time.Minute, time.Minute, 24*time.Hour),
			SessionMaxAge:  e.duration("PHONEAUTH_SESSION_MAX_AGE", 30*24*time.Hour, time.Hour, 365*24*time.Hour),
		},
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		e.errs = append(e.errs, &envError{"PHONEAUTH_ADDR", c.addr, "must be host:port, e.g. 127.0.0.1:8000 or :8000"})
	}
	if err := c.db.Validate(); err != nil {
		e.errs = append(e.errs, &envError{"PHONEAUTH_DATABASE_URL", "[redacted]", err.Error()})
	}
	if c.defaultRegion != "" && !phone.ValidRegion(c.defaultRegion) {
		e.errs = append(e.errs, &envError{"PHONEAUTH_DEFAULT_REGION", c.defaultRegion, "not an ISO 3166-1 region code with a calling code, e.g. US, GB, IN"})
	}
	if raw := e.str("PHONEAUTH_TRUSTED_PROXIES", ""); raw != "" {
		for _, part := range strings.Split(raw, ",") {
			part = strings.TrimSpace(part)
			if !strings.Contains(part, "/") {
				if ip := net.ParseIP(part); ip != nil && ip.To4() != nil {
					part += "/32"
				} else if ip != nil {
					part += "/128"
				}
			}
			_, n, err := net.ParseCIDR(part)
			if err != nil {
				e.errs = append(e.errs, &envError{"PHONEAUTH_TRUSTED_PROXIES", raw, "not a comma-separated list of CIDRs: " + part})
				continue
			}
			c.server.TrustedProxies = append(c.server.TrustedProxies, n)
		}
	}
	switch lvl := strings.ToLower(e.str("PHONEAUTH_LOG_LEVEL", "info")); lvl {
	case "debug":
		c.logLevel = slog.LevelDebug
	case "info":
		c.logLevel = slog.LevelInfo
	case "warn", "warning":
		c.logLevel = slog.LevelWarn
	case "error":
		c.logLevel = slog.LevelError
	default:
		e.errs = append(e.errs, &envError{"PHONEAUTH_LOG_LEVEL", lvl, "must be debug, info, warn or error"})
	}
	if len(e.errs) == 0 {
		if err := c.auth.Validate(); err != nil {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_ACCESS_TOKEN_TTL / PHONEAUTH_SESSION_MAX_AGE: %w", err))
		}
	}
	if len(e.errs) > 0 {
		return c, joinErrors(e.errs)
	}
	return c, nil
}

func joinErrors(errs []error) error {
	msgs := make([]string, len(errs))
	for i, err := range errs {
		msgs[i] = err.Error()
	}
	return fmt.Errorf("invalid configuration:\n  %s", strings.Join(msgs, "\n  "))
}
