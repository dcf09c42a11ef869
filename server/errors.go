package server

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/phoneauth/phoneauth/auth"
)

// kinds is the single table from error kind to HTTP status and default detail.
var kinds = []struct {
	kind   error
	status int
	detail string
}{
	{auth.ErrBadRequest, http.StatusBadRequest, "Bad request"},
	{auth.ErrUnauthenticated, http.StatusUnauthorized, "Not authenticated"},
	{auth.ErrInvalidToken, http.StatusUnauthorized, "Could not validate credentials"},
	{auth.ErrInvalidCredentials, http.StatusUnauthorized, "Incorrect phone number or password"},
	{auth.ErrReauthRequired, http.StatusUnauthorized, "Re-authentication required"},
	{auth.ErrForbidden, http.StatusForbidden, "Not enough permissions"},
	{auth.ErrNotFound, http.StatusNotFound, "Not found"},
	{auth.ErrConflict, http.StatusConflict, "Already exists"},
	{auth.ErrRateLimited, http.StatusTooManyRequests, "Too many requests"},
	{auth.ErrProviderFailed, http.StatusBadGateway, "SMS provider failed; please try again"},
	{auth.ErrUnavailable, http.StatusServiceUnavailable, "Service temporarily unavailable"},
}

// fastAPIDetail is FastAPI's {"detail": "..."}.
type fastAPIDetail struct {
	Detail string `json:"detail"`
}

// validationItem is one entry of FastAPI's 422 body. Input values are never echoed.
type validationItem struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

type validationBody struct {
	Detail []validationItem `json:"detail"`
}

// requestValidationError is a failed OpenAPI request validation, already in FastAPI's terms.
type requestValidationError struct{ items []validationItem }

func (e *requestValidationError) Error() string { return "request validation failed" }

// fieldNames maps auth's field vocabulary to an operation's wire names where they differ.
type fieldNames map[string]string

// wireError renames the fields of a *auth.ValidationError for the operation at hand.
func (m fieldNames) wireError(err error) error {
	var verr *auth.ValidationError
	if !errors.As(err, &verr) {
		return err
	}
	items := make([]validationItem, 0, len(verr.Fields))
	for _, f := range verr.Fields {
		name := f.Field
		if w, ok := m[name]; ok {
			name = w
		}
		items = append(items, validationItem{Loc: []any{"body", name}, Msg: f.Msg, Type: f.Type})
	}
	return &requestValidationError{items: items}
}

// failureLogInterval is how often an expected 5xx with one cause is logged; see logSampler.
const failureLogInterval = 10 * time.Second

// errorHandler writes every error in FastAPI's shape; only the unexpected is a 500, logged with its cause
// every time. The expected 502s and 503s are logged at most once per cause per failureLogInterval, with
// the number held back since the last line.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return errorHandlerSampled(log, newLogSampler(failureLogInterval, time.Now))
}

func errorHandlerSampled(log *slog.Logger, sampler *logSampler) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, body, retry := classify(err)
		ctx := c.Request().Context()
		if status >= 500 && status != http.StatusServiceUnavailable && status != http.StatusBadGateway {
			log.ErrorContext(ctx, "request failed", "err", err)
			body = fastAPIDetail{Detail: "internal error (request id: " + requestID(c) + ")"}
		} else if status >= 500 {
			if ok, suppressed := sampler.allow(strconv.Itoa(status) + " " + err.Error()); ok {
				log.WarnContext(ctx, "request failed", "status", status, "err", err,
					"suppressed_since_last", suppressed)
			}
		}
		h := c.Response().Header()
		if status == http.StatusUnauthorized {
			h.Set("WWW-Authenticate", "Bearer")
			if errors.Is(err, auth.ErrReauthRequired) {
				// RFC 9470: the token is good, the request needs a fresh proof of who holds it.
				h.Set("WWW-Authenticate", `Bearer error="insufficient_user_authentication"`)
			}
		}
		if retry > 0 {
			h.Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		if err := c.JSON(status, body); err != nil {
			log.WarnContext(ctx, "writing error response", "err", err)
		}
	}
}

// classify maps err to a status, a body and a Retry-After.
func classify(err error) (int, any, time.Duration) {
	var rv *requestValidationError
	if errors.As(err, &rv) {
		return http.StatusUnprocessableEntity, validationBody{Detail: rv.items}, 0
	}
	var verr *auth.ValidationError
	if errors.As(err, &verr) {
		return classify(fieldNames(nil).wireError(err))
	}
	var ae *auth.Error
	for _, k := range kinds {
		if !errors.Is(err, k.kind) {
			continue
		}
		detail, retry := k.detail, time.Duration(0)
		if errors.As(err, &ae) {
			if ae.Detail != "" {
				detail = ae.Detail
			}
			retry = ae.RetryAfter
		}
		if k.status == http.StatusServiceUnavailable && retry == 0 {
			retry = time.Second
		}
		return k.status, fastAPIDetail{Detail: detail}, retry
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return he.Code, fastAPIDetail{Detail: "Not Found"}, 0
		case http.StatusMethodNotAllowed:
			return he.Code, fastAPIDetail{Detail: "Method Not Allowed"}, 0
		case http.StatusRequestEntityTooLarge:
			return he.Code, fastAPIDetail{Detail: "Request body too large"}, 0
		case http.StatusServiceUnavailable:
			return he.Code, fastAPIDetail{Detail: "Service temporarily unavailable"}, time.Second
		}
		if he.Code < 500 {
			return he.Code, fastAPIDetail{Detail: http.StatusText(he.Code)}, 0
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return http.StatusServiceUnavailable, fastAPIDetail{Detail: "Request timed out; please retry"}, time.Second
	}
	return http.StatusInternalServerError, nil, 0
}
