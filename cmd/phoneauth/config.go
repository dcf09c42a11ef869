package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/auth/seal"
	"github.com/phoneauth/phoneauth/auth/token"
	"github.com/phoneauth/phoneauth/server"
	"github.com/phoneauth/phoneauth/store"
)

// config is everything read from the environment, once, at start-up.
// It holds values only: the dependencies built from them are made by serve and the CLI commands
// (services.go), never stored back here.
type config struct {
	addr            string
	redisURL        string // shared rate limits ("": each instance's memory); a secret, it may hold a password
	redisPrefix     string // starts every key phoneauth writes to Redis
	db              store.Config
	keys            auth.KeyConfig // FileKey from PHONEAUTH_JWT_PRIVATE_KEY_FILE
	sessions        auth.SessionConfig
	otp             auth.OTPConfig
	lockout         auth.LockoutConfig
	retention       auth.RetentionConfig
	defaultRegion   string
	server          server.Config
	logLevel        slog.Level
	shutdownTimeout time.Duration
	sms             smsConfig     // sms.go
	debugAddr       string        // pprof listener; "" = off
	purgeInterval   time.Duration // how often serve purges dead rows; 0 = never (run phoneauth purge)
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

// integer reads a whole number within [min, max].
func (e *env) integer(name string, def, min, max int) int {
	raw := strings.TrimSpace(e.get(name))
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < min || n > max {
		e.errs = append(e.errs, &envError{name, raw, fmt.Sprintf("must be a whole number from %d to %d", min, max)})
		return def
	}
	return n
}

// publicURL reads an external http(s) URL: scheme, host, optional port and path prefix; no
// credentials, query or fragment. The answer has no trailing slash.
func (e *env) publicURL(name string) string {
	raw := strings.TrimSpace(e.get(name))
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || !isHTTPURL(raw) || u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "#") {
		e.errs = append(e.errs, &envError{name, raw, "must be the service's external http(s) URL, e.g. https://auth.example.com (no credentials, query or fragment)"})
		return ""
	}
	return strings.TrimRight(raw, "/")
}

// isHTTPURL reports whether s is an absolute http or https URL with a host.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Hostname() != ""
}

// listenURL is the URL of the listen address addr (host:port) for discovery when no public URL is
// configured: an unspecified host (":8000", "0.0.0.0:8000", "[::]:8000") is named by the loopback.
func listenURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// secret reads a value that must never be printed.
func (e *env) secret(name string) string { return strings.TrimSpace(e.get(name)) }

func loadConfig(getenv func(string) string) (config, error) {
	e := &env{get: getenv}
	publicURL := e.publicURL("PHONEAUTH_PUBLIC_URL")
	defaultIssuer := "phoneauth"
	if publicURL != "" {
		defaultIssuer = publicURL
	}
	c := config{
		addr:            e.str("PHONEAUTH_ADDR", "127.0.0.1:8000"),
		db:              store.Config{URL: e.str("PHONEAUTH_DATABASE_URL", "phoneauth.db")},
		defaultRegion:   strings.ToUpper(e.str("PHONEAUTH_DEFAULT_REGION", "")),
		shutdownTimeout: e.duration("PHONEAUTH_SHUTDOWN_TIMEOUT", 15*time.Second, time.Second, 10*time.Minute),
		purgeInterval:   e.duration("PHONEAUTH_PURGE_INTERVAL", time.Hour, 0, 24*time.Hour),
		keys: auth.KeyConfig{
			Issuer:         e.str("PHONEAUTH_JWT_ISSUER", defaultIssuer),
			AccessTokenTTL: e.duration("PHONEAUTH_ACCESS_TOKEN_TTL", 15*time.Minute, time.Minute, 24*time.Hour),
		},
		sessions: auth.SessionConfig{
			MaxAge: e.duration("PHONEAUTH_SESSION_MAX_AGE", 30*24*time.Hour, time.Hour, 365*24*time.Hour),
			// 0 disables the inactivity timeout.
			IdleTimeout:          e.duration("PHONEAUTH_SESSION_IDLE_TIMEOUT", 7*24*time.Hour, 0, 365*24*time.Hour),
			RefreshReuseInterval: e.duration("PHONEAUTH_REFRESH_REUSE_INTERVAL", 10*time.Second, 0, time.Minute),
		},
		retention: auth.RetentionConfig{
			SessionRetention: e.duration("PHONEAUTH_SESSION_RETENTION", 30*24*time.Hour, 0, 10*365*24*time.Hour),
		},
		// 0 disables the lockout.
		lockout: auth.LockoutConfig{Threshold: e.integer("PHONEAUTH_LOGIN_LOCKOUT_THRESHOLD", 10, 0, auth.MaxConsecutiveFailures)},
	}
	otp := auth.DefaultOTPConfig()
	otp.TTL = e.duration("PHONEAUTH_OTP_TTL", otp.TTL, 30*time.Second, 10*time.Minute)
	otp.MaxAttempts = e.integer("PHONEAUTH_OTP_MAX_ATTEMPTS", otp.MaxAttempts, 1, 20)
	otp.ResendInterval = e.duration("PHONEAUTH_OTP_RESEND_INTERVAL", otp.ResendInterval, 0, time.Hour)
	otp.PhoneHourlyLimit = e.integer("PHONEAUTH_OTP_PHONE_HOURLY_LIMIT", otp.PhoneHourlyLimit, 0, 1_000_000)
	otp.IPHourlyLimit = e.integer("PHONEAUTH_OTP_IP_HOURLY_LIMIT", otp.IPHourlyLimit, 0, 1_000_000)
	otp.SMSTimeout = e.duration("PHONEAUTH_SMS_TIMEOUT", otp.SMSTimeout, 100*time.Millisecond, time.Minute)
	otp.SMSDomain = e.str("PHONEAUTH_SMS_DOMAIN", "")
	otp.AppName = e.str("PHONEAUTH_SMS_APP_NAME", otp.AppName)
	if otp.SMSDomain != "" && (strings.ContainsAny(otp.SMSDomain, " /:@#") || !strings.Contains(otp.SMSDomain, ".")) {
		e.errs = append(e.errs, &envError{"PHONEAUTH_SMS_DOMAIN", otp.SMSDomain, "must be a bare domain such as example.com"})
	}
	if raw := e.str("PHONEAUTH_SMS_ALLOWED_COUNTRIES", ""); raw != "" {
		for _, r := range strings.Split(raw, ",") {
			r = strings.ToUpper(strings.TrimSpace(r))
			if !phone.ValidRegion(r) {
				e.errs = append(e.errs, &envError{"PHONEAUTH_SMS_ALLOWED_COUNTRIES", raw, "not an ISO 3166-1 region code: " + r})
				continue
			}
			otp.AllowedCountries = append(otp.AllowedCountries, r)
		}
	}
	if raw := e.str("PHONEAUTH_TEST_OTPS", ""); raw != "" {
		otp.TestCodes = map[string]string{}
		parser := phone.Parser{DefaultRegion: c.defaultRegion}
		for _, pair := range strings.Split(raw, ",") {
			num, code, ok := strings.Cut(strings.TrimSpace(pair), "=")
			n, err := parser.Parse(num)
			if !ok || err != nil {
				e.errs = append(e.errs, &envError{"PHONEAUTH_TEST_OTPS", pair, "entries must be PHONE=CODE with a valid phone number"})
				continue
			}
			otp.TestCodes[n.E164] = strings.TrimSpace(code)
		}
	}
	c.otp = otp
	// Discovery names the keys under the configured public URL, else under an issuer that is a URL;
	// failing both, serve uses the listen address. Never the Host of a request.
	c.server.PublicURL = publicURL
	if c.server.PublicURL == "" && isHTTPURL(c.keys.Issuer) {
		c.server.PublicURL = strings.TrimRight(c.keys.Issuer, "/")
	}
	if raw := e.str("PHONEAUTH_CORS_ALLOWED_ORIGINS", ""); raw != "" {
		for _, o := range strings.Split(raw, ",") {
			o = strings.TrimRight(strings.TrimSpace(o), "/")
			if u, err := url.Parse(o); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" {
				e.errs = append(e.errs, &envError{"PHONEAUTH_CORS_ALLOWED_ORIGINS", o, "origins are scheme://host[:port], e.g. https://app.example.com"})
				continue
			}
			c.server.CORSOrigins = append(c.server.CORSOrigins, o)
		}
	}
	c.debugAddr = e.str("PHONEAUTH_DEBUG_ADDR", "")
	if c.debugAddr != "" {
		if _, _, err := net.SplitHostPort(c.debugAddr); err != nil {
			e.errs = append(e.errs, &envError{"PHONEAUTH_DEBUG_ADDR", c.debugAddr, "must be host:port, e.g. 127.0.0.1:6060"})
		}
	}
	if c.purgeInterval > 0 && c.purgeInterval < time.Minute {
		e.errs = append(e.errs, &envError{"PHONEAUTH_PURGE_INTERVAL", c.purgeInterval.String(), "must be 0 (off) or between 1m and 24h"})
	}
	c.server.RequestTimeout = e.duration("PHONEAUTH_REQUEST_TIMEOUT", 30*time.Second, time.Second, 5*time.Minute)
	c.server.MetricsToken = e.secret("PHONEAUTH_METRICS_TOKEN")
	if n := len(c.server.MetricsToken); n > 0 && (n < 16 || strings.ContainsAny(c.server.MetricsToken, " ,\t")) {
		e.errs = append(e.errs, &envError{"PHONEAUTH_METRICS_TOKEN", "[redacted]", "must be at least 16 characters without spaces or commas (e.g. openssl rand -hex 24)"})
	}
	c.db.StatementTimeout = e.duration("PHONEAUTH_DB_STATEMENT_TIMEOUT", 10*time.Second, 100*time.Millisecond, 5*time.Minute)
	c.sms = loadSMS(e)
	c.sms.apply(&c) // sms.go
	if path := e.str("PHONEAUTH_JWT_PRIVATE_KEY_FILE", ""); path != "" {
		data, err := os.ReadFile(path)
		if err == nil {
			var k token.Key
			if k, err = token.ParsePEM("", data, time.Time{}); err == nil {
				c.keys.FileKey = &k
			}
		}
		if err != nil {
			e.errs = append(e.errs, &envError{"PHONEAUTH_JWT_PRIVATE_KEY_FILE", path, "not a readable PKCS #8 PEM Ed25519 private key: " + err.Error()})
		}
	}

	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		e.errs = append(e.errs, &envError{"PHONEAUTH_ADDR", c.addr, "must be host:port, e.g. 127.0.0.1:8000 or :8000"})
	}
	if err := c.db.Validate(); err != nil {
		e.errs = append(e.errs, &envError{"PHONEAUTH_DATABASE_URL", "[redacted]", err.Error()})
	}
	if raw := e.secret("PHONEAUTH_ENCRYPTION_KEY"); raw != "" {
		keys, err := seal.ParseKeys(raw)
		if err == nil {
			c.db.Box, err = seal.New(keys...)
		}
		if err != nil {
			e.errs = append(e.errs, &envError{"PHONEAUTH_ENCRYPTION_KEY", "[redacted]", err.Error()})
		}
	}
	c.redisURL, c.redisPrefix = e.secret("PHONEAUTH_REDIS_URL"), e.str("PHONEAUTH_REDIS_PREFIX", "phoneauth:")
	if c.redisURL != "" {
		if err := store.ValidateRedisURL(c.redisURL); err != nil {
			e.errs = append(e.errs, &envError{"PHONEAUTH_REDIS_URL", "[redacted]", err.Error()})
		}
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
		if err := c.keys.Validate(); err != nil {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_JWT_ISSUER or PHONEAUTH_ACCESS_TOKEN_TTL: %w", err))
		}
		if err := c.sessions.Validate(c.keys.AccessTokenTTL); err != nil {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_SESSION_* or PHONEAUTH_REFRESH_REUSE_INTERVAL: %w", err))
		}
		if err := c.otp.Validate(); err != nil {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_OTP_* or PHONEAUTH_SMS_TIMEOUT: %w", err))
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
