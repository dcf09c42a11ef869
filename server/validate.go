package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/labstack/echo/v4"
	echomw "github.com/oapi-codegen/echo-middleware"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
)

// validator checks every request against the embedded spec before a handler runs. It authenticates
// operations that declare a security requirement (an authentication failure outranks a bad body, as in
// FastAPI) and turns every other failure into FastAPI's 422 listing all invalid fields, those the
// operation's body rule finds included (bodyrules.go). phones is the parser of the format phone (see
// formats.go).
func validator(spec *openapi3.T, sessions *auth.SessionService, phones phone.Parser, rules map[string]bodyRule, skip func(echo.Context) bool) echo.MiddlewareFunc {
	authenticate := func(ctx context.Context, in *openapi3filter.AuthenticationInput) error {
		c := echomw.GetEchoContext(ctx)
		if c == nil {
			return errors.New("no echo context")
		}
		req := c.Request()
		p, err := sessions.Authenticate(req.Context(), req.Header.Get(echo.HeaderAuthorization))
		if err != nil {
			return err
		}
		c.Set(ctxPrincipal, p) // into the request's context once validation is over: see below
		return nil
	}
	opts := &echomw.Options{
		Options: openapi3filter.Options{
			MultiError:              true,
			KeepValidatedValue:      true,
			AuthenticationFunc:      authenticate,
			SchemaValidationOptions: stringFormats(phones, password.NewPolicy()),
		},
		Skipper: skip,
		// The spec's one server is "/": requests match on their path alone, never on the Host header.
		DoNotValidateServers:  true,
		SilenceServersWarning: true,
		MultiErrorHandler: func(me openapi3.MultiError) *echo.HTTPError {
			return &echo.HTTPError{Code: http.StatusUnprocessableEntity, Internal: me}
		},
		ErrorHandler: func(c echo.Context, he *echo.HTTPError) error {
			if he.Internal == nil { // routing: 404, 405
				if he.Code == http.StatusMethodNotAllowed {
					setAllow(c)
				}
				return he
			}
			return withBodyRules(c, rules, translateValidation(he.Internal))
		},
	}
	validate := echomw.OapiRequestValidatorWithOptions(spec, opts)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return validate(func(c echo.Context) error {
			// The caller joins the request's context only now. Replacing the request while it is being
			// validated would leave the body the validator keeps (KeepValidatedValue) on the request it
			// started with, and the handler would decode the raw body again, matching member names
			// case-insensitively: {"NAME": …} would set name unvalidated, where FastAPI ignores it.
			if p, ok := c.Get(ctxPrincipal).(*auth.Principal); ok {
				c.SetRequest(c.Request().WithContext(auth.WithPrincipal(c.Request().Context(), p)))
			}
			return next(c)
		})
	}
}

// ctxPrincipal holds the caller authenticated during validation.
const ctxPrincipal = "principal"

// translateValidation orders what kin-openapi found: an authentication failure first, then an
// over-large body, then every invalid field as one 422.
func translateValidation(err error) error {
	var errs []error
	var me openapi3.MultiError
	if errors.As(err, &me) {
		errs = me
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var sre *openapi3filter.SecurityRequirementsError
		if errors.As(e, &sre) {
			for _, inner := range sre.Errors {
				var ae *auth.Error
				if errors.As(inner, &ae) {
					return ae
				}
				if inner != nil {
					return inner // unexpected, e.g. the database is down
				}
			}
			return &auth.Error{Kind: auth.ErrUnauthenticated, Detail: "Not authenticated"}
		}
	}
	for _, e := range errs {
		var he *echo.HTTPError
		if errors.As(e, &he) && he.Code == http.StatusRequestEntityTooLarge {
			return he
		}
	}
	var items []validationItem
	for _, e := range errs {
		items = append(items, requestErrorItems(e)...)
	}
	if len(items) == 0 {
		return err
	}
	return &requestValidationError{items: firstPerLoc(items)}
}

// firstPerLoc keeps the first item of each location. Pydantic reports one error per field, the first
// rule it breaks; kin-openapi reports every keyword a value breaks, in the order type, length, pattern,
// format: an email of 300 characters is "too long", not also "not a valid email address".
func firstPerLoc(items []validationItem) []validationItem {
	seen := make(map[string]bool, len(items))
	out := items[:0]
	for _, it := range items {
		k := locKey(it.Loc)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, it)
	}
	return out
}

// locKey is loc as a comparable string.
func locKey(loc []any) string {
	b, _ := json.Marshal(loc)
	return string(b)
}

const notAnObject = "Input should be a valid dictionary or object to extract fields from"

func requestErrorItems(err error) []validationItem {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return []validationItem{{Loc: []any{"body"}, Msg: "Invalid request", Type: "value_error"}}
	}
	if re.Parameter != nil {
		loc := []any{re.Parameter.In, re.Parameter.Name}
		if errors.Is(re.Err, openapi3filter.ErrInvalidRequired) || errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue) {
			return []validationItem{{Loc: loc, Msg: "Field required", Type: "missing"}}
		}
		return schemaItems(loc, re.Err)
	}
	switch {
	case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
		return []validationItem{{Loc: []any{"body"}, Msg: "Field required", Type: "missing"}}
	case strings.HasPrefix(re.Reason, "header Content-Type has unexpected value"):
		return []validationItem{{Loc: []any{"body"}, Msg: notAnObject, Type: "model_attributes_type"}}
	case re.Reason == "failed to decode request body":
		var se *json.SyntaxError
		var td *trailingDataError
		pos := 0
		switch {
		case errors.As(re.Err, &se):
			pos = int(se.Offset)
		case errors.As(re.Err, &td):
			pos = td.pos
		}
		return []validationItem{{Loc: []any{"body", pos}, Msg: "JSON decode error", Type: "json_invalid"}}
	}
	return schemaItems([]any{"body"}, re.Err)
}

// schemaItems flattens schema errors into items located under prefix.
func schemaItems(prefix []any, err error) []validationItem {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		var out []validationItem
		for _, e := range me {
			out = append(out, schemaItems(prefix, e)...)
		}
		return out
	}
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		return []validationItem{{Loc: prefix, Msg: "Invalid value", Type: "value_error"}}
	}
	loc := slices.Clone(prefix)
	for _, p := range se.JSONPointer() {
		if i, err := strconv.Atoi(p); err == nil {
			loc = append(loc, i)
		} else {
			loc = append(loc, p)
		}
	}
	msg, typ := pydanticMessage(se)
	return []validationItem{{Loc: loc, Msg: msg, Type: typ}}
}

// pydanticMessage words a schema violation the way FastAPI (pydantic v2) does, without the value.
func pydanticMessage(se *openapi3.SchemaError) (msg, typ string) {
	s := se.Schema
	switch se.SchemaField {
	case "required":
		return "Field required", "missing"
	case "type", "nullable":
		switch {
		case s.Type.Is(openapi3.TypeString):
			return "Input should be a valid string", "string_type"
		case s.Type.Is(openapi3.TypeBoolean):
			return "Input should be a valid boolean", "bool_type"
		case s.Type.Is(openapi3.TypeInteger):
			return "Input should be a valid integer", "int_type"
		case s.Type.Is(openapi3.TypeNumber):
			return "Input should be a valid number", "float_type"
		case s.Type.Is(openapi3.TypeArray):
			return "Input should be a valid list", "list_type"
		case s.Type.Is(openapi3.TypeObject):
			return notAnObject, "model_attributes_type"
		}
	case "minLength":
		return fmt.Sprintf("String should have at least %d character%s", s.MinLength, plural(s.MinLength)), "string_too_short"
	case "maxLength":
		if s.MaxLength != nil {
			return fmt.Sprintf("String should have at most %d character%s", *s.MaxLength, plural(*s.MaxLength)), "string_too_long"
		}
	case "pattern":
		return fmt.Sprintf("String should match pattern '%s'", s.Pattern), "string_pattern_mismatch"
	case "enum":
		var opts []string
		for _, v := range s.Enum {
			opts = append(opts, fmt.Sprintf("'%v'", v))
		}
		return "Input should be " + joinOr(opts), "enum"
	case "format":
		var ff *formatFailure
		if errors.As(se.Origin, &ff) { // a format checked in formats.go
			return ff.msg, ff.typ
		}
		switch s.Format {
		case "date":
			return "Input should be a valid date in the format YYYY-MM-DD", "date_from_datetime_parsing"
		case "date-time":
			return "Input should be a valid datetime", "datetime_from_date_parsing"
		}
	}
	return "Invalid value", "value_error"
}

func plural(n uint64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func joinOr(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
