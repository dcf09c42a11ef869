package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// securityHeaders sets the headers that hold for whole classes of answers, before any handler or error
// handler writes one, so that no answer can miss them:
//
//   - every answer: X-Content-Type-Options: nosniff (browsers never guess a type other than the one
//     sent, e.g. run a JSON error body as a script);
//   - every answer under /api/: Cache-Control: no-store (and Pragma: no-cache for HTTP/1.0 caches),
//     since those carry tokens, secrets or personal data, or are errors nobody should replay. The
//     public documents under /.well-known/ keep the cache headers their handlers set.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set(echo.HeaderXContentTypeOptions, "nosniff")
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			h.Set(echo.HeaderCacheControl, "no-store")
			h.Set("Pragma", "no-cache")
		}
		return next(c)
	}
}

// setAllow names, on a 405 of the request validator, the methods the path has (RFC 9110 §15.5.6).
// Echo's router found them before any middleware ran; OPTIONS is left out, since under /api/ and
// /.well-known/ only the CORS middleware, when configured, answers it, ahead of validation.
func setAllow(c echo.Context) {
	routed, _ := c.Get(echo.ContextKeyHeaderAllow).(string)
	var methods []string
	for _, m := range strings.Split(routed, ",") {
		if m = strings.TrimSpace(m); m != "" && m != http.MethodOptions {
			methods = append(methods, m)
		}
	}
	if len(methods) > 0 {
		c.Response().Header().Set(echo.HeaderAllow, strings.Join(methods, ", "))
	}
}
