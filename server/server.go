package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/gen"
)

// Config configures the HTTP layer.
type Config struct {
	// BodyLimit is the largest request body accepted, in bytes (413 above it); default 1 MiB.
	BodyLimit int64
	// TrustedProxies are the networks whose X-Forwarded-For is believed; from anyone else the client
	// address is the socket peer.
	TrustedProxies []*net.IPNet
	Logger         *slog.Logger
}

// Validate reports a bad setting.
func (c Config) Validate() error {
	if c.BodyLimit < 0 {
		return errors.New("body limit must not be negative")
	}
	return nil
}

// New returns the HTTP handler of the whole service.
func New(cfg Config, svc *auth.Service) (*echo.Echo, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	spec, err := gen.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("loading embedded spec: %w", err)
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(cfg.Logger)
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)

	e.Use(withRequestID, accessLog(cfg.Logger), recoverPanics(cfg.Logger))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: fmt.Sprintf("%dB", cfg.BodyLimit)}))
	e.Use(defaultJSON, withClientInfo)
	e.Use(validator(spec, svc, func(c echo.Context) bool {
		// Everything the spec describes is validated; unknown paths fall through to Echo's 404/405.
		p := c.Request().URL.Path
		return !strings.HasPrefix(p, "/api/") && !strings.HasPrefix(p, "/.well-known/")
	}))

	gen.RegisterHandlers(e, gen.NewStrictHandler(&handler{svc: svc}, nil))
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
