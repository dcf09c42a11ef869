package auth

import (
	"errors"
	"time"
)

// Error kinds. Every error the service returns to a caller either wraps one of these (checked with
// errors.Is) or is a *ValidationError; anything else is unexpected and becomes a 500.
var (
	ErrBadRequest         = errors.New("bad request")             // understood, but cannot be done (400)
	ErrUnauthenticated    = errors.New("not authenticated")       // no credentials presented (401)
	ErrInvalidToken       = errors.New("invalid token")           // credentials presented but not valid (401)
	ErrInvalidCredentials = errors.New("invalid credentials")     // wrong phone/password (401)
	ErrForbidden          = errors.New("forbidden")               // authenticated but lacking the role (403)
	ErrNotFound           = errors.New("not found")               // (404)
	ErrConflict           = errors.New("conflict")                // unique value already taken (409)
	ErrRateLimited        = errors.New("rate limited")            // (429, Retry-After)
	ErrProviderFailed     = errors.New("sms provider failed")     // (502)
	ErrUnavailable        = errors.New("temporarily unavailable") // overloaded or a dependency down (503)
	// ErrReauthRequired is a good token on a sensitive request that lacks the fresh proof it needs, or
	// brings a wrong one: 401 with WWW-Authenticate: Bearer error="insufficient_user_authentication"
	// (RFC 9470), so that a client asks for the password or a code instead of refreshing its token.
	ErrReauthRequired = errors.New("re-authentication required")
)

// Error is a rule violation with a message fit for the client.
type Error struct {
	Kind       error         // one of the kinds above
	Detail     string        // the client-facing message
	RetryAfter time.Duration // for ErrRateLimited and ErrUnavailable
	Cause      error         // for the log only; never shown to a client
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Detail + ": " + e.Cause.Error()
	}
	return e.Detail
}

func (e *Error) Unwrap() []error { return []error{e.Kind, e.Cause} }

func newError(kind error, detail string) *Error { return &Error{Kind: kind, Detail: detail} }

// ValidationError is one or more invalid input fields (422 in FastAPI's shape).
type ValidationError struct {
	Fields []FieldError
}

// FieldError names an input field (in the vocabulary of the service's parameters: "phone", "password",
// "new_password", "email", "confirm_password", …), a message and a pydantic-style type.
type FieldError struct {
	Field string
	Msg   string
	Type  string
}

func (e *ValidationError) Error() string {
	s := "invalid input:"
	for _, f := range e.Fields {
		s += " " + f.Field + ": " + f.Msg + ";"
	}
	return s
}

func invalidField(field, msg, typ string) *ValidationError {
	return &ValidationError{Fields: []FieldError{{Field: field, Msg: msg, Type: typ}}}
}

// fieldsOf appends err's fields to fields when err is a *ValidationError.
func fieldsOf(fields []FieldError, err error) []FieldError {
	var verr *ValidationError
	if errors.As(err, &verr) {
		return append(fields, verr.Fields...)
	}
	return fields
}
