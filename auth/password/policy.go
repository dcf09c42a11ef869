package password

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

//go:embed common-passwords.txt
var commonList string

// Length bounds in Unicode code points (NIST SP 800-63B: at least 8, allow at least 64; no truncation).
const (
	MinLength = 8
	MaxLength = 1024
)

// PolicyError says why a password was refused, in words fit to show the user.
type PolicyError struct {
	Reason string
	Type   string // a FastAPI/pydantic-style error type, e.g. "string_too_short"
}

func (e *PolicyError) Error() string { return e.Reason }

// Policy judges new passwords. It has no composition rules (NIST SP 800-63B §3.1.1.2).
type Policy struct {
	common map[string]struct{}
}

// NewPolicy returns the policy with the embedded list of common passwords.
func NewPolicy() *Policy {
	p := &Policy{common: make(map[string]struct{}, 12000)}
	for _, line := range strings.Split(commonList, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			p.common[line] = struct{}{}
		}
	}
	return p
}

// Check returns a *PolicyError when pw may not be used. context holds words specific to the user (the
// phone number's digits, the name) that the password may not simply be.
func (p *Policy) Check(pw string, context ...string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinLength:
		return &PolicyError{Type: "string_too_short", Reason: "String should have at least 8 characters"}
	case n > MaxLength:
		return &PolicyError{Type: "string_too_long", Reason: "String should have at most 1024 characters"}
	case strings.TrimSpace(pw) == "":
		return &PolicyError{Type: "value_error", Reason: "Value error, password must not be only spaces"}
	}
	lower := strings.ToLower(pw)
	if _, ok := p.common[lower]; ok {
		return &PolicyError{Type: "value_error", Reason: "Value error, this password is too common; choose a less predictable one"}
	}
	for _, c := range context {
		if c != "" && strings.EqualFold(strings.TrimPrefix(pw, "+"), strings.TrimPrefix(c, "+")) {
			return &PolicyError{Type: "value_error", Reason: "Value error, password must not be your phone number or name"}
		}
	}
	return nil
}
