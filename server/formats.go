package server

import (
	"errors"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
)

// The string formats of openapi.yaml that only phoneauth knows. Each is checked by the rule the auth
// services apply, and fails with the words (and pydantic type) they use, so the schema's 422 lists
// these failures with every other invalid field while the wire stays what auth answers:
//
//   - phone: a number the phone parser takes, with the configured default region (which countries may
//     get an SMS is auth's to say: that is about sending, not about the format);
//   - new-password: the password policy without the user's context (that the password is not the
//     phone number or the name stays auth's);
//   - display-name: not only whitespace.
//
// email and uuid are the standard formats, checked as auth checks them.

// formatFailure is why a value does not match its format, in FastAPI's terms; pydanticMessage reports
// it as it is.
type formatFailure struct{ msg, typ string }

func (f *formatFailure) Error() string { return f.msg }

// msgBlankName is auth's wording for a name that is only whitespace.
const msgBlankName = "Value error, name must not be blank"

// stringFormats are the validator options for the formats above.
func stringFormats(phones phone.Parser, policy *password.Policy) []openapi3.SchemaValidationOption {
	format := func(name string, check func(string) error) openapi3.SchemaValidationOption {
		return openapi3.WithStringFormatValidator(name, openapi3.NewCallbackValidator(check))
	}
	return []openapi3.SchemaValidationOption{
		format("phone", func(s string) error {
			if _, err := phones.Parse(s); err != nil {
				return &formatFailure{"Value error, " + err.Error(), "value_error"}
			}
			return nil
		}),
		format("new-password", func(s string) error {
			var pe *password.PolicyError
			if err := policy.Check(s); errors.As(err, &pe) {
				return &formatFailure{pe.Reason, pe.Type}
			} else if err != nil {
				return err
			}
			return nil
		}),
		format("display-name", func(s string) error {
			if strings.TrimSpace(s) == "" {
				return &formatFailure{msgBlankName, "value_error"}
			}
			return nil
		}),
		format("email", func(s string) error {
			if !auth.ValidEmail(s) {
				return &formatFailure{"value is not a valid email address", "value_error"}
			}
			return nil
		}),
		format("uuid", func(s string) error {
			if _, ok := auth.ParseID(s); !ok {
				return &formatFailure{"Input should be a valid UUID", "uuid_parsing"}
			}
			return nil
		}),
	}
}
