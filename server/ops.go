package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/common/expfmt"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/gen"
)

func (h *handler) Healthz(context.Context, gen.HealthzRequestObject) (gen.HealthzResponseObject, error) {
	return gen.Healthz200JSONResponse{Status: gen.HealthStatusOk}, nil
}

func (h *handler) Readyz(ctx context.Context, _ gen.ReadyzRequestObject) (gen.ReadyzResponseObject, error) {
	if h.ready == nil {
		return gen.Readyz200JSONResponse{Status: gen.HealthStatusOk}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := h.ready(ctx); err != nil {
		detail := err.Error()
		return gen.Readyz503JSONResponse{Status: gen.HealthStatusUnavailable, Detail: &detail}, nil
	}
	return gen.Readyz200JSONResponse{Status: gen.HealthStatusOk}, nil
}

// metricsResponse writes the registry in the Prometheus text format.
type metricsResponse struct{ m *Metrics }

func (r metricsResponse) VisitMetricsResponse(w http.ResponseWriter) error {
	families, err := r.m.registry.Gather()
	if err != nil {
		return err
	}
	format := expfmt.NewFormat(expfmt.TypeTextPlain)
	w.Header().Set("Content-Type", string(format))
	w.WriteHeader(http.StatusOK)
	enc := expfmt.NewEncoder(w, format)
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			return err
		}
	}
	return nil
}

func (h *handler) Metrics(context.Context, gen.MetricsRequestObject) (gen.MetricsResponseObject, error) {
	if h.metrics == nil {
		return gen.Metrics200TextResponse("# metrics are disabled\n"), nil
	}
	return metricsResponse{h.metrics}, nil
}

// metricsGuard makes /metrics require "Authorization: Bearer <token>" when token is set. The
// comparison is of SHA-256 digests in constant time, so it tells nothing about the token's length or
// prefix.
func metricsGuard(token string) echo.MiddlewareFunc {
	want := sha256.Sum256([]byte("Bearer " + token))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if token == "" || c.Request().URL.Path != "/metrics" {
				return next(c)
			}
			got := sha256.Sum256([]byte(c.Request().Header.Get(echo.HeaderAuthorization)))
			if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				return &auth.Error{Kind: auth.ErrUnauthenticated, Detail: "Not authenticated"}
			}
			return next(c)
		}
	}
}
