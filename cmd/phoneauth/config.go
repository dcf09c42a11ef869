package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/passkey"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/auth/seal"
	"github.com/phoneauth/phoneauth/auth/token"
	"github.com/phoneauth/phoneauth/server"
	"github.com/phoneauth/phoneauth/store"
)

// Modes of PHONEAUTH_ENV.
const (
	development = "development"
	production  = "production"
)

// config is everything read from the environment, once, at start-up.
// It holds values only: the dependencies built from them are made by serve and the CLI commands
// (services.go), never stored back here.
type config struct {
	mode            string // development or production (PHONEAUTH_ENV)
	allowSQLite     bool   // production may run on SQLite (PHONEAUTH_ALLOW_SQLITE)
	addr            string
	redisURL        string // shared rate limits ("": each instance's memory); a secret, it may hold a password
	redisPrefix     string // starts every key phoneauth writes to Redis
	db              store.Config
	keys            auth.KeyConfig // FileKey from PHONEAUTH_JWT_PRIVATE_KEY_FILE
	sessions        auth.SessionConfig
	otp             auth.OTPConfig
	lockout         auth.LockoutConfig
	retention       auth.RetentionConfig
	lifecycle       auth.LifecycleConfig
	passkeys        passkey.Config // zero: passkeys off (PHONEAUTH_WEBAUTHN_*)
	defaultRegion   string
	server          server.Config
	publicURL       string // PHONEAUTH_PUBLIC_URL as given ("": unset)
	logLevel        slog.Level
	shutdownTimeout time.Duration
	sms             smsConfig     // sms.go
	events          eventsConfig  // events.go
	debugAddr       string        // pprof listener; "" = off
	purgeInterval   time.Duration // how often serve purges dead rows; 0 = never (run phoneauth purge)
}

// envError names the variable that holds a bad value and says what it must be.
type envError struct {
	name, value, problem string
}

func (e *envError) Error() string {
	return e.name + "=" + showValue(e.value) + ": " + e.problem
}

// showValue prints a value as it was typed, quoted only when it has spaces or unprintable characters.
func showValue(v string) string {
	for _, r := range v {
		if r <= ' ' || r > '~' || r == '"' {
			return strconv.Quote(v)
		}
	}
	return v
}

// env reads PHONEAUTH_* variables and collects every problem, so that one run reports them all. It
// records each name it is asked for: that set is the list of variables phoneauth knows, kept where
// they are read. Every variable is read whatever the others hold, so the set never depends on them.
type env struct {
	get   func(string) string
	errs  []error
	names map[string]bool
}

func newEnv(getenv func(string) string) *env {
	return &env{get: getenv, names: map[string]bool{}}
}

// raw returns the variable's value, spaces trimmed.
func (e *env) raw(name string) string {
	e.names[name] = true
	return strings.TrimSpace(e.get(name))
}

func (e *env) fail(name, value, problem string) {
	e.errs = append(e.errs, &envError{name, value, problem})
}

func (e *env) str(name, def string) string {
	if v := e.raw(name); v != "" {
		return v
	}
	return def
}

// boolean reads true/false (also 1/0, yes/no).
func (e *env) boolean(name string) bool {
	switch v := strings.ToLower(e.raw(name)); v {
	case "", "false", "0", "no":
		return false
	case "true", "1", "yes":
		return true
	default:
		e.fail(name, v, "must be true or false")
		return false
	}
}

// duration accepts Go durations ("15m", "1h30m") and whole seconds ("900").
func (e *env) duration(name string, def, min, max time.Duration) time.Duration {
	raw := e.raw(name)
	if raw == "" {
		return def
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		n, nerr := strconv.Atoi(raw)
		if nerr != nil {
			e.fail(name, raw, "not a duration: use e.g. 15m, 1h, or a number of seconds")
			return def
		}
		d = time.Duration(n) * time.Second
	}
	if d < min || d > max {
		e.fail(name, raw, fmt.Sprintf("must be between %s and %s", shortDuration(min), shortDuration(max)))
		return def
	}
	return d
}

// shortDuration writes 10m for 10m0s and 24h for 24h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// integer reads a whole number within [min, max].
func (e *env) integer(name string, def, min, max int) int {
	raw := e.raw(name)
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < min || n > max {
		e.fail(name, raw, fmt.Sprintf("must be a whole number from %d to %d", min, max))
		return def
	}
	return n
}

// publicURL reads an external http(s) URL: scheme, host, optional port and path prefix; no
// credentials, query or fragment. The answer has no trailing slash.
func (e *env) publicURL(name string) string {
	raw := e.raw(name)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || !isHTTPURL(raw) || u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "#") {
		e.fail(name, raw, "must be the service's external http(s) URL, e.g. https://auth.example.com (no credentials, query or fragment)")
		return ""
	}
	return strings.TrimRight(raw, "/")
}

// secret reads a value that must never be printed.
func (e *env) secret(name string) string { return e.raw(name) }

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

// loadConfig reads the configuration. Its error lists every bad value, each naming its variable and
// what to set it to.
func loadConfig(getenv func(string) string) (config, error) {
	c, _, err := readConfig(getenv)
	return c, err
}

// readConfig is loadConfig that also returns the names of the variables it read: every variable
// phoneauth knows.
func readConfig(getenv func(string) string) (config, map[string]bool, error) {
	e := newEnv(getenv)
	c := config{}
	switch c.mode = strings.ToLower(e.str("PHONEAUTH_ENV", development)); c.mode {
	case development, production:
	default:
		e.fail("PHONEAUTH_ENV", c.mode, "must be development (the default) or production")
	}
	c.allowSQLite = e.boolean("PHONEAUTH_ALLOW_SQLITE")
	publicURL := e.publicURL("PHONEAUTH_PUBLIC_URL")
	c.publicURL = publicURL
	defaultIssuer := "phoneauth"
	if publicURL != "" {
		defaultIssuer = publicURL
	}
	c.addr = e.str("PHONEAUTH_ADDR", "127.0.0.1:8000")
	c.db = store.Config{URL: e.str("PHONEAUTH_DATABASE_URL", "phoneauth.db")}
	c.defaultRegion = strings.ToUpper(e.str("PHONEAUTH_DEFAULT_REGION", ""))
	c.shutdownTimeout = e.duration("PHONEAUTH_SHUTDOWN_TIMEOUT", 15*time.Second, time.Second, 10*time.Minute)
	c.purgeInterval = e.duration("PHONEAUTH_PURGE_INTERVAL", time.Hour, 0, 24*time.Hour)
	c.keys = auth.KeyConfig{
		Issuer:         e.str("PHONEAUTH_JWT_ISSUER", defaultIssuer),
		AccessTokenTTL: e.duration("PHONEAUTH_ACCESS_TOKEN_TTL", 15*time.Minute, time.Minute, 24*time.Hour),
	}
	c.sessions = auth.SessionConfig{
		MaxAge: e.duration("PHONEAUTH_SESSION_MAX_AGE", 30*24*time.Hour, time.Hour, 365*24*time.Hour),
		// 0 disables the inactivity timeout.
		IdleTimeout:          e.duration("PHONEAUTH_SESSION_IDLE_TIMEOUT", 7*24*time.Hour, 0, 365*24*time.Hour),
		RefreshReuseInterval: e.duration("PHONEAUTH_REFRESH_REUSE_INTERVAL", 10*time.Second, 0, time.Minute),
	}
	c.retention = auth.RetentionConfig{
		SessionRetention: e.duration("PHONEAUTH_SESSION_RETENTION", 30*24*time.Hour, 0, 10*365*24*time.Hour),
		// 0 keeps every audit event.
		AuditRetention: e.duration("PHONEAUTH_AUDIT_RETENTION", 0, 0, 100*365*24*time.Hour),
	}
	// 0 asks for a proof every time.
	c.lifecycle = auth.LifecycleConfig{ReauthWindow: e.duration("PHONEAUTH_REAUTH_WINDOW", 10*time.Minute, 0, 24*time.Hour)}
	// 0 disables the lockout.
	c.lockout = auth.LockoutConfig{Threshold: e.integer("PHONEAUTH_LOGIN_LOCKOUT_THRESHOLD", 10, 0, auth.MaxConsecutiveFailures)}
	if raw := e.str("PHONEAUTH_MFA_REQUIRED_ROLES", ""); raw != "" {
		for _, r := range strings.Split(raw, ",") {
			if r = strings.ToLower(strings.TrimSpace(r)); !slices.Contains(auth.KnownRoles, r) {
				e.fail("PHONEAUTH_MFA_REQUIRED_ROLES", raw, "not a comma-separated list of roles ("+strings.Join(auth.KnownRoles, ", ")+"): "+r)
				continue
			}
			c.sessions.MFARequiredRoles = append(c.sessions.MFARequiredRoles, r)
		}
	}
	if ttl := c.keys.AccessTokenTTL; c.sessions.MaxAge < ttl {
		e.fail("PHONEAUTH_SESSION_MAX_AGE", shortDuration(c.sessions.MaxAge), "must be at least PHONEAUTH_ACCESS_TOKEN_TTL ("+shortDuration(ttl)+")")
	} else if c.sessions.IdleTimeout != 0 && c.sessions.IdleTimeout < ttl {
		e.fail("PHONEAUTH_SESSION_IDLE_TIMEOUT", shortDuration(c.sessions.IdleTimeout), "must be 0 (never) or at least PHONEAUTH_ACCESS_TOKEN_TTL ("+shortDuration(ttl)+")")
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
		e.fail("PHONEAUTH_SMS_DOMAIN", otp.SMSDomain, "must be a bare domain such as example.com")
	}
	if raw := e.str("PHONEAUTH_SMS_ALLOWED_COUNTRIES", ""); raw != "" {
		for _, r := range strings.Split(raw, ",") {
			r = strings.ToUpper(strings.TrimSpace(r))
			if !phone.ValidRegion(r) {
				e.fail("PHONEAUTH_SMS_ALLOWED_COUNTRIES", raw, "not an ISO 3166-1 region code: "+r+" (use e.g. US,GB,IN)")
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
			code = strings.TrimSpace(code)
			n, err := parser.Parse(num)
			switch {
			case !ok || err != nil:
				e.fail("PHONEAUTH_TEST_OTPS", pair, "entries must be PHONE=CODE with a valid phone number, e.g. +14155550100=123456")
				continue
			case len(code) < 4 || len(code) > 10 || strings.Trim(code, "0123456789") != "":
				e.fail("PHONEAUTH_TEST_OTPS", pair, "the code must be 4 to 10 digits")
				continue
			}
			otp.TestCodes[n.E164] = code
		}
	}
	c.otp = otp
	c.passkeys = readPasskeys(e, otp.AppName)
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
				e.fail("PHONEAUTH_CORS_ALLOWED_ORIGINS", o, "origins are scheme://host[:port], e.g. https://app.example.com")
				continue
			}
			c.server.CORSOrigins = append(c.server.CORSOrigins, o)
		}
	}
	c.debugAddr = e.str("PHONEAUTH_DEBUG_ADDR", "")
	if c.debugAddr != "" {
		if _, _, err := net.SplitHostPort(c.debugAddr); err != nil {
			e.fail("PHONEAUTH_DEBUG_ADDR", c.debugAddr, "must be host:port, e.g. 127.0.0.1:6060")
		}
	}
	if r := c.retention.AuditRetention; r > 0 && r < auth.MinAuditRetention {
		e.errs = append(e.errs, &envError{"PHONEAUTH_AUDIT_RETENTION", r.String(), "must be 0 (keep everything) or at least 24h"})
	}
	if c.purgeInterval > 0 && c.purgeInterval < time.Minute {
		e.fail("PHONEAUTH_PURGE_INTERVAL", shortDuration(c.purgeInterval), "must be 0 (off) or between 1m and 24h")
	}
	c.server.RequestTimeout = e.duration("PHONEAUTH_REQUEST_TIMEOUT", 30*time.Second, time.Second, 5*time.Minute)
	c.server.MetricsToken = e.secret("PHONEAUTH_METRICS_TOKEN")
	if n := len(c.server.MetricsToken); n > 0 && (n < 16 || strings.ContainsAny(c.server.MetricsToken, " ,\t")) {
		e.fail("PHONEAUTH_METRICS_TOKEN", "[redacted]", "must be at least 16 characters without spaces or commas (e.g. openssl rand -hex 24)")
	}
	c.db.StatementTimeout = e.duration("PHONEAUTH_DB_STATEMENT_TIMEOUT", 10*time.Second, 100*time.Millisecond, 5*time.Minute)
	c.sms = loadSMS(e)
	c.sms.apply(&c)   // sms.go
	loadEvents(e, &c) // events.go
	if path := e.str("PHONEAUTH_JWT_PRIVATE_KEY_FILE", ""); path != "" {
		data, err := os.ReadFile(path)
		if err == nil {
			var k token.Key
			if k, err = token.ParsePEM("", data, time.Time{}); err == nil {
				c.keys.FileKey = &k
			}
		}
		if err != nil {
			e.fail("PHONEAUTH_JWT_PRIVATE_KEY_FILE", path, "not a readable PKCS #8 PEM Ed25519 private key ("+err.Error()+"): make one with openssl genpkey -algorithm ed25519")
		}
	}

	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		e.fail("PHONEAUTH_ADDR", c.addr, "must be host:port, e.g. 127.0.0.1:8000, or :8000 for every interface")
	}
	if err := c.db.Validate(); err != nil {
		e.fail("PHONEAUTH_DATABASE_URL", "[redacted]", err.Error())
	}
	if raw := e.secret("PHONEAUTH_ENCRYPTION_KEY"); raw != "" {
		keys, err := seal.ParseKeys(raw)
		if err == nil {
			c.db.Box, err = seal.New(keys...)
		}
		if err != nil {
			e.fail("PHONEAUTH_ENCRYPTION_KEY", "[redacted]", err.Error()+" (make one with openssl rand -base64 32)")
		}
	}
	c.redisURL, c.redisPrefix = e.secret("PHONEAUTH_REDIS_URL"), e.str("PHONEAUTH_REDIS_PREFIX", "phoneauth:")
	if c.redisURL != "" {
		if err := store.ValidateRedisURL(c.redisURL); err != nil {
			e.fail("PHONEAUTH_REDIS_URL", "[redacted]", err.Error())
		}
	}
	if c.defaultRegion != "" && !phone.ValidRegion(c.defaultRegion) {
		e.fail("PHONEAUTH_DEFAULT_REGION", c.defaultRegion, "not an ISO 3166-1 region code with a calling code, e.g. US, GB, IN")
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
				e.fail("PHONEAUTH_TRUSTED_PROXIES", raw, "not a comma-separated list of addresses or CIDRs (e.g. 10.0.0.0/8,192.0.2.1): "+part)
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
		e.fail("PHONEAUTH_LOG_LEVEL", lvl, "must be debug, info, warn or error")
	}
	// The services' own checks, as a backstop: the checks above name the variable of each problem they
	// can find, so these find nothing unless a rule was added to a service alone.
	if len(e.errs) == 0 {
		if err := c.keys.Validate(); err != nil {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_JWT_ISSUER or PHONEAUTH_ACCESS_TOKEN_TTL: %w", err))
		}
		if err := c.sessions.Validate(c.keys.AccessTokenTTL); err != nil {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_SESSION_* or PHONEAUTH_REFRESH_REUSE_INTERVAL: %w", err))
		}
		if err := c.otp.Validate(); err != nil {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_OTP_*, PHONEAUTH_TEST_OTPS or PHONEAUTH_SMS_TIMEOUT: %w", err))
		}
	}
	if len(e.errs) > 0 {
		return c, e.names, &configError{msg: "invalid configuration", problems: errorStrings(e.errs)}
	}
	return c, e.names, nil
}

// readPasskeys reads the relying party of passkeys: both variables or neither (passkeys off); each bad
// value is named.
func readPasskeys(e *env, appName string) passkey.Config {
	c := passkey.Config{RPID: e.str("PHONEAUTH_WEBAUTHN_RP_ID", ""), DisplayName: appName}
	raw := e.str("PHONEAUTH_WEBAUTHN_ORIGINS", "")
	for _, o := range strings.Split(raw, ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			c.Origins = append(c.Origins, o)
		}
	}
	switch {
	case c.RPID == "" && raw == "":
		return passkey.Config{}
	case c.RPID == "":
		e.errs = append(e.errs, errors.New("PHONEAUTH_WEBAUTHN_RP_ID is not set, but PHONEAUTH_WEBAUTHN_ORIGINS is: set it to the domain passkeys belong to, e.g. example.com"))
		return passkey.Config{}
	case len(c.Origins) == 0:
		e.errs = append(e.errs, errors.New("PHONEAUTH_WEBAUTHN_ORIGINS is not set, but PHONEAUTH_WEBAUTHN_RP_ID is: set it to the origins of the apps, e.g. https://app.example.com"))
		return passkey.Config{}
	}
	if err := passkey.CheckRPID(c.RPID); err != nil {
		e.fail("PHONEAUTH_WEBAUTHN_RP_ID", c.RPID, err.Error())
		return passkey.Config{}
	}
	if err := c.Validate(); err != nil {
		e.fail("PHONEAUTH_WEBAUTHN_ORIGINS", raw, err.Error())
		return passkey.Config{}
	}
	return c
}

// configError is a configuration that stops a command: every problem, each naming its variable.
type configError struct {
	msg      string
	problems []string
}

func (e *configError) Error() string {
	return e.msg + ":\n  " + strings.Join(e.problems, "\n  ")
}

func errorStrings(errs []error) []string {
	s := make([]string, len(errs))
	for i, err := range errs {
		s[i] = err.Error()
	}
	return s
}
