package server

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/phoneauth/phoneauth/auth/phone"
)

// BenchmarkRequestValidation is the cost the OpenAPI validator adds to a request with a JSON body.
func BenchmarkRequestValidation(b *testing.B) {
	spec, err := loadSpec()
	if err != nil {
		b.Fatal(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(slog.New(slog.DiscardHandler))
	mw := validator(spec, nil, phone.Parser{}, nil, func(echo.Context) bool { return false })
	h := mw(func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	const body = `{"phone":"+14155550100","password":"correct horse battery staple"}`
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		if err := h(e.NewContext(req, rec)); err != nil || rec.Code != http.StatusNoContent {
			b.Fatalf("validation failed: %v %d", err, rec.Code)
		}
	}
}
