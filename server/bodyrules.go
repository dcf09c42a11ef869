package server

import (
	"bytes"
	"encoding/json"
	"io"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/phoneauth/phoneauth/auth"
)

// Some rules of a body are the service's, not the schema's: a phone number's format and country, a
// blank name, a date of birth's range, the password policy. The service checks them when the schema
// has accepted the body; when the schema refuses it, bodyRules checks them too, on the fields the
// schema accepted, so that one 422 lists every invalid field, as FastAPI's single validation pass
// does, instead of the schema's now and the service's after a corrected request. They look nothing up
// and change nothing.

// bodyRule is the service's check of one operation's body (a JSON object) and the wire names of its
// fields.
type bodyRule struct {
	names fieldNames
	check func(body map[string]any) []auth.FieldError
}

// bodyRules are the operations that have one, by method and Echo route.
func bodyRules(svc Services) map[string]bodyRule {
	profile := func(body map[string]any) auth.ProfileChange {
		c := auth.ProfileChange{Name: text(body, "name"), Email: textEdit(body, "email"), Gender: textEdit(body, "gender"),
			Place: textEdit(body, "place"), DateOfBirth: dateEdit(body, "date_of_birth")}
		return c
	}
	newPhone := func(body map[string]any) []auth.FieldError {
		if p := text(body, "new_phone_number"); p != nil {
			return svc.Lifecycle.PhoneErrors(*p)
		}
		return nil
	}
	return map[string]bodyRule{
		"PATCH /api/v1/auth/me": {check: func(body map[string]any) []auth.FieldError {
			return svc.Lifecycle.ProfileErrors(profile(body))
		}},
		"PATCH /api/v1/admin/users/:user_id": {check: func(body map[string]any) []auth.FieldError {
			c := profile(body)
			c.Phone = text(body, "phone")
			return svc.Lifecycle.ProfileErrors(c)
		}},
		"POST /api/v1/admin/users": {check: func(body map[string]any) []auth.FieldError {
			in := auth.NewUser{Phone: deref(text(body, "phone")), Name: deref(text(body, "name")), Email: deref(text(body, "email")),
				Gender: text(body, "gender"), Place: text(body, "place"), DateOfBirth: dateEdit(body, "date_of_birth").Value,
				Password: deref(text(body, "password"))}
			var out []auth.FieldError
			for _, f := range svc.Accounts.NewUserErrors(in) {
				// A missing or mistyped phone or name is the schema's to report.
				if (f.Field != "phone" || text(body, "phone") != nil) && (f.Field != "name" || text(body, "name") != nil) {
					out = append(out, f)
				}
			}
			return out
		}},
		"POST /api/v1/auth/phone-change":        {names: phoneChangeFields, check: newPhone},
		"POST /api/v1/auth/phone-change/verify": {names: phoneChangeFields, check: newPhone},
	}
}

// withBodyRules adds to a 422 of the schema what the operation's body rule finds in the fields the
// schema did not already report.
func withBodyRules(c echo.Context, rules map[string]bodyRule, err error) error {
	rv, ok := err.(*requestValidationError)
	rule, found := rules[c.Request().Method+" "+c.Path()]
	if !ok || !found || c.Request().Body == nil {
		return err
	}
	data, rerr := io.ReadAll(c.Request().Body)
	c.Request().Body = io.NopCloser(bytes.NewReader(data))
	var body map[string]any
	if rerr != nil || json.Unmarshal(data, &body) != nil {
		return err
	}
	extra, _ := rule.names.wireError(&auth.ValidationError{Fields: rule.check(body)}).(*requestValidationError)
	items := rv.items
	for _, it := range extra.items {
		if !hasLoc(items, it.Loc) {
			items = append(items, it)
		}
	}
	return &requestValidationError{items: items}
}

func hasLoc(items []validationItem, loc []any) bool {
	k, _ := json.Marshal(loc)
	for _, it := range items {
		if b, _ := json.Marshal(it.Loc); bytes.Equal(b, k) {
			return true
		}
	}
	return false
}

// text is body[key] when it is a string.
func text(body map[string]any, key string) *string {
	if s, ok := body[key].(string); ok {
		return &s
	}
	return nil
}

// textEdit is body[key] as an edit: a string, or null to clear; anything else leaves it (the schema
// reports it).
func textEdit(body map[string]any, key string) auth.Edit[string] {
	v, present := body[key]
	switch s, isString := v.(string); {
	case present && v == nil:
		return auth.Clear[string]()
	case isString:
		return auth.To(s)
	}
	return auth.Edit[string]{}
}

// dateEdit is body[key] as an edit of a date (YYYY-MM-DD), or null to clear.
func dateEdit(body map[string]any, key string) auth.Edit[time.Time] {
	v, present := body[key]
	if present && v == nil {
		return auth.Clear[time.Time]()
	}
	if s, ok := v.(string); ok {
		if d, err := time.Parse(time.DateOnly, s); err == nil {
			return auth.To(d)
		}
	}
	return auth.Edit[time.Time]{}
}
