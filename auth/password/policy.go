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
	common string // one lower-case password per line, each ending in \n, sorted bytewise
}

// NewPolicy returns the policy with the embedded list of common passwords. The list stays where it
// lies in the binary's read-only data and is binary-searched: a map of its 11,600 entries took half a
// megabyte of every instance's heap.
func NewPolicy() *Policy {
	list := commonList
	if strings.HasPrefix(list, "#") { // the provenance line
		list = list[strings.IndexByte(list, '\n')+1:]
	}
	return &Policy{common: list}
}

// isCommon reports whether pw, lower-cased, is on the list.
func (p *Policy) isCommon(lower string) bool {
	return searchLines(p.common, lower)
}

// searchLines reports whether s is a line of list, whose lines each end in \n and are sorted bytewise.
// It bisects the byte range, widening each probe to the line around it; lo and hi stay line starts.
func searchLines(list, s string) bool {
	lo, hi := 0, len(list)
	for lo < hi {
		mid := lo + (hi-lo)/2
		start := lo + strings.LastIndexByte(list[lo:mid], '\n') + 1
		end := start + strings.IndexByte(list[start:hi], '\n')
		if end < start { // no \n before hi: only a malformed list gets here
			end = hi
		}
		switch line := list[start:end]; {
		case s == line:
			return true
		case s < line:
			hi = start
		default:
			lo = end + 1
		}
	}
	return false
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
	if p.isCommon(lower) {
		return &PolicyError{Type: "value_error", Reason: "Value error, this password is too common; choose a less predictable one"}
	}
	for _, c := range context {
		if c != "" && strings.EqualFold(strings.TrimPrefix(pw, "+"), strings.TrimPrefix(c, "+")) {
			return &PolicyError{Type: "value_error", Reason: "Value error, password must not be your phone number or name"}
		}
	}
	return nil
}
