// Package phone parses user-supplied phone numbers into E.164, the one form phoneauth stores and
// compares. It imports only the standard library and github.com/nyaruka/phonenumbers.
package phone

import (
	"errors"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ErrInvalid is returned for input that is not a valid, dialable phone number.
var ErrInvalid = errors.New("value is not a valid phone number")

// ErrNeedsCountryCode is returned for a national-format number when no default region is configured.
var ErrNeedsCountryCode = errors.New("value is not a valid phone number: use the international format, e.g. +14155550100")

// Parser normalizes numbers. DefaultRegion (ISO 3166-1 alpha-2, e.g. "US") is used for national formats;
// when empty a number must be international ("+…" or "00…").
type Parser struct {
	DefaultRegion string
}

// Number is a parsed phone number.
type Number struct {
	E164   string // "+14155550100"
	Region string // ISO 3166-1 alpha-2 of the number, e.g. "US"
	// CallingCode is the country calling code (1 for "+14155550100") and National the national
	// significant number that follows it ("4155550100").
	CallingCode int
	National    string
}

// Prefix is the number's destination prefix: "+", the calling code and the first three digits of the
// national number ("+1415" for "+14155550100", "+996700" for "+996700123456"). The SMS guard counts
// sends and verifications per prefix: premium-rate ranges are allocated in blocks this size or smaller.
func (n Number) Prefix() string {
	nat := n.National
	if len(nat) > 3 {
		nat = nat[:3]
	}
	return "+" + strconv.Itoa(n.CallingCode) + nat
}

// RegionOfPrefix is the main region of a prefix's calling code ("US" for "+1415"), "" when the prefix
// does not start with a known calling code.
func RegionOfPrefix(prefix string) string {
	digits := strings.TrimPrefix(prefix, "+")
	for l := 1; l <= 3 && l <= len(digits); l++ {
		cc, err := strconv.Atoi(digits[:l])
		if err != nil {
			return ""
		}
		if r := phonenumbers.GetRegionCodeForCountryCode(cc); r != "" && r != "ZZ" {
			return r
		}
	}
	return ""
}

// ValidRegion reports whether r is a region phonenumbers knows (used to validate configuration).
func ValidRegion(r string) bool {
	return phonenumbers.GetCountryCodeForRegion(strings.ToUpper(r)) != 0
}

// Parse normalizes raw to E.164. It never panics, whatever the input.
func (p Parser) Parse(raw string) (Number, error) {
	s := strings.TrimSpace(raw)
	if s == "" || len(s) > 64 || strings.TrimLeft(s, "+0123456789 \t-.()/") != "" {
		// Only digits, one leading "+" and the usual separators: no vanity letters ("1-800-FLOWERS")
		// and no extensions, which libphonenumber would otherwise accept.
		return Number{}, ErrInvalid
	}
	// "00" is the international call prefix in most of the world; accept it everywhere as "+", so
	// "0014155550100" and "+14155550100" are one number even without a default region. National
	// numbers never begin with two zeros.
	if digits := strings.TrimLeft(s, " \t-.()"); strings.HasPrefix(digits, "00") {
		s = "+" + strings.TrimPrefix(digits, "00")
	}
	region := strings.ToUpper(p.DefaultRegion)
	if region == "" {
		region = "ZZ" // unknown: only "+…" parses
		if !strings.HasPrefix(strings.TrimLeft(s, " \t-.()"), "+") {
			return Number{}, ErrNeedsCountryCode
		}
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return Number{}, ErrInvalid
	}
	return Number{
		E164:        phonenumbers.Format(n, phonenumbers.E164),
		Region:      phonenumbers.GetRegionCodeForNumber(n),
		CallingCode: int(n.GetCountryCode()),
		National:    phonenumbers.GetNationalSignificantNumber(n),
	}, nil
}
