package server

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/common/expfmt"

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
