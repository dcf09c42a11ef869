package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"go.opentelemetry.io/otel/trace"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/gen"
)

// Config configures the HTTP layer: values only, read once from the environment.
type Config struct {
	// BodyLimit is the largest request body accepted, in bytes (413 above it); default 1 MiB.
	BodyLimit int64
	// TrustedProxies are the networks whose X-Forwarded-For is believed; from anyone else the client
	// address is the socket peer.
	TrustedProxies []*net.IPNet
	// RequestTimeout bounds each request's work (database calls included); default 30s.
	RequestTimeout time.Duration
	// CORSOrigins are the browser origins (https://app.example.com) allowed to call the API from
	// another origin; none by default.
	CORSOrigins []string
	// MetricsToken, when set, is the bearer token /metrics requires; "" leaves /metrics open.
	MetricsToken string
	// PublicURL is where clients reach the service (https://auth.example.com, maybe with a path
	// prefix); /.well-known/openid-configuration names the keys under it. Required: discovery never
	// takes its URLs from a request, whose Host header anyone can set.
	PublicURL string
	// Phones parses the phone numbers of requests for the schema's format phone: give it the parser
	// the auth services use, so that a number the schema lets through is one auth takes. The zero value
	// takes international numbers only.
	Phones phone.Parser
	// SMSCallbacks are the secrets of the providers' delivery receipts (sms.go).
	SMSCallbacks SMSCallbacks
}

// Validate reports a bad setting.
func (c Config) Validate() error {
	if c.BodyLimit < 0 {
		return errors.New("body limit must not be negative")
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("public URL %q is not an absolute http(s) URL", c.PublicURL)
	}
	if r := c.Phones.DefaultRegion; r != "" && !phone.ValidRegion(r) {
		return fmt.Errorf("default phone region %q is not a region code", r)
	}
	return nil
}

// Deps are what the HTTP layer reports to and asks, beside the services.
type Deps struct {
	Logger *slog.Logger // default slog.Default()
	// Metrics, when set, are collected and served at /metrics.
	Metrics *Metrics
	// Ready reports whether the instance can serve (database reachable, schema current): /readyz.
	Ready func(ctx context.Context) error
	// TracerProvider, when set, gets a server span per request (see tracing); nil: tracing is off.
	TracerProvider trace.TracerProvider
}

// Services are the auth services the API is built on; main wires them, the handler holds them.
type Services struct {
	Keys      *auth.KeyService
	Sessions  *auth.SessionService
	Codes     *auth.CodeService
	Logins    *auth.LoginService
	Accounts  *auth.AccountService
	Lifecycle *auth.LifecycleService
	Admin     *auth.AdminService
	MFA       *auth.MFAService
	Passkeys  *auth.PasskeyService
}

func (s Services) validate() error {
	if s.Keys == nil || s.Sessions == nil || s.Codes == nil || s.Logins == nil || s.Accounts == nil || s.Lifecycle == nil || s.Admin == nil ||
		s.MFA == nil || s.Passkeys == nil {
		return errors.New("server: every service is required")
	}
	return nil
}

// New returns the HTTP handler of the whole service.
func New(cfg Config, svc Services, d Deps) (*echo.Echo, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := svc.validate(); err != nil {
		return nil, err
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 1 << 20
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	spec, err := loadSpec()
	if err != nil {
		return nil, fmt.Errorf("loading openapi.yaml: %w", err)
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(d.Logger)
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)

	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if d.TracerProvider != nil {
		e.Use(tracing(d.TracerProvider)) // first, so that every log line of the request names its trace
	}
	e.Use(withRequestID, securityHeaders, accessLog(d.Logger))
	if d.Metrics != nil {
		e.Use(d.Metrics.observe)
	}
	e.Use(recoverPanics(d.Logger), withTimeout(cfg.RequestTimeout))
	if len(cfg.CORSOrigins) > 0 {
		// Before validation, so that preflight OPTIONS requests are answered here. Bearer tokens travel in
		// a header, not cookies: no credentials mode.
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  cfg.CORSOrigins,
			AllowMethods:  []string{"GET", "POST", "PUT", "PATCH", "DELETE"},
			AllowHeaders:  []string{"Authorization", "Content-Type", "X-Request-ID"},
			ExposeHeaders: []string{"Retry-After", "WWW-Authenticate", "X-Request-ID"},
			MaxAge:        600,
		}))
	}
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: fmt.Sprintf("%dB", cfg.BodyLimit)}))
	e.Use(defaultJSON, withClientInfo, metricsGuard(cfg.MetricsToken))
	e.Use(checkInput) // strings no database can store: see input.go
	e.Use(checkSignatures(cfg.SMSCallbacks, strings.TrimRight(cfg.PublicURL, "/"), time.Now))
	e.Use(validator(spec, svc.Sessions, cfg.Phones, bodyRules(svc), func(c echo.Context) bool {
		// Everything the spec describes is validated; unknown paths fall through to Echo's 404/405.
		// Health and metrics stay cheap: they skip validation (and have no input to validate).
		p := c.Request().URL.Path
		return !strings.HasPrefix(p, "/api/") && !strings.HasPrefix(p, "/.well-known/")
	}))
	e.Use(refuseUnsafeInput)

	gen.RegisterHandlers(e, gen.NewStrictHandler(&handler{Services: svc, metrics: d.Metrics, ready: d.Ready,
		publicURL: strings.TrimRight(cfg.PublicURL, "/")}, nil))
	if err := registerDocs(e); err != nil {
		return nil, err
	}
	return e, nil
}

func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
