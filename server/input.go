package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// Input that no database can store, or that should not be shown back, is stopped here, before any
// handler runs and so before anything is spent or written:
//
//   - a JSON string (at any depth of the body) or a query parameter holding NUL, invalid UTF-8 or a
//     lone UTF-16 surrogate escape ("\ud800", which Go's decoder would silently turn into U+FFFD) is a
//     422 naming it;
//   - a control character in a body field that is stored as text and shown (displayedFields) is a 422;
//     elsewhere control characters are data (a tab in a password is hashed like any other character);
//   - a header that is stored (the user agent) is not refused but kept in a safe form, see safeHeader.
//
// The 422 lists every such string, together with whatever the OpenAPI validation found.

// Messages of the 422 entries; pydantic's wording where it has one.
const (
	msgUnicode = "Input should be a valid string, unable to parse raw data as a unicode string"
	msgNUL     = "Value error, string must not contain NUL characters"
	msgControl = "Value error, string must not contain control characters"
)

// displayedFields are the body fields stored as text and shown back (by /me, the admin API, the audit
// trail): control characters are refused in them too. Go's decoder matches JSON keys to fields without
// regard to case, so these are compared the same way.
var displayedFields = []string{"name", "email", "gender", "place"}

// fault is what is wrong with a string; a higher one outranks a lower.
type fault int

const (
	faultNone    fault = iota
	faultControl       // a control character other than NUL: C0, DEL or C1
	faultNUL           // U+0000
	faultUnicode       // invalid UTF-8 or a lone surrogate
)

// item is the 422 entry for f at loc, under rule: whether control characters count.
func (f fault) item(loc []any, controls bool) (validationItem, bool) {
	switch {
	case f == faultUnicode:
		return validationItem{Loc: loc, Msg: msgUnicode, Type: "string_unicode"}, true
	case f == faultNUL:
		return validationItem{Loc: loc, Msg: msgNUL, Type: "value_error"}, true
	case f == faultControl && controls:
		return validationItem{Loc: loc, Msg: msgControl, Type: "value_error"}, true
	}
	return validationItem{}, false
}

// textFault classifies a decoded string (a query parameter).
func textFault(s string) fault {
	worst := faultNone
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		worst = max(worst, runeFault(r, n))
	}
	return worst
}

func runeFault(r rune, size int) fault {
	switch {
	case r == utf8.RuneError && size == 1:
		return faultUnicode
	case r == 0:
		return faultNUL
	case unicode.IsControl(r):
		return faultControl
	}
	return faultNone
}

const ctxInputItems = "unsafe_input"

// checkInput screens the query and the JSON body of an API request (see the top of this file) and
// stashes what it finds for refuseUnsafeInput, which runs after the OpenAPI validator. When the
// validator refuses the request itself, its 422 gets these entries too; an authentication failure or
// an over-large body still outranks them.
func checkInput(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !strings.HasPrefix(c.Request().URL.Path, "/api/") {
			return next(c)
		}
		items := append(queryItems(c.Request()), bodyItems(c.Request())...)
		if len(items) == 0 {
			return next(c)
		}
		c.Set(ctxInputItems, items)
		err := next(c)
		var rv *requestValidationError
		if errors.As(err, &rv) {
			return &requestValidationError{items: mergeItems(rv.items, items)}
		}
		return err
	}
}

// refuseUnsafeInput answers the 422 for what checkInput found, in place of the handler.
func refuseUnsafeInput(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if items, _ := c.Get(ctxInputItems).([]validationItem); len(items) > 0 {
			return &requestValidationError{items: items}
		}
		return next(c)
	}
}

// mergeItems is base with extra added; an entry of extra replaces base's entries at the same location
// (a NUL says more than "too long" or "not an email address").
func mergeItems(base, extra []validationItem) []validationItem {
	key := func(it validationItem) string { return locKey(it.Loc) }
	replaced := map[string]bool{}
	for _, it := range extra {
		replaced[key(it)] = true
	}
	out := make([]validationItem, 0, len(base)+len(extra))
	for _, it := range base {
		if !replaced[key(it)] {
			out = append(out, it)
		}
	}
	for _, it := range extra {
		if !slices.ContainsFunc(out, func(o validationItem) bool { return key(o) == key(it) }) {
			out = append(out, it)
		}
	}
	return out
}

// queryItems are the 422 entries for query parameters holding NUL or invalid UTF-8 (percent-decoded),
// in the order of their names.
func queryItems(req *http.Request) []validationItem {
	if req.URL.RawQuery == "" {
		return nil
	}
	q := req.URL.Query()
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	var items []validationItem
	for _, name := range names {
		worst := faultNone
		for _, v := range q[name] {
			worst = max(worst, textFault(v))
		}
		if it, ok := worst.item([]any{"query", name}, false); ok {
			items = append(items, it)
		}
	}
	return items
}

// bodyItems reads the body (putting it back for the validator) and returns the 422 entries for its
// strings. A body that is not well-formed JSON is left to the validator to refuse, and so is one that
// cannot be read (over the body limit: 413).
func bodyItems(req *http.Request) []validationItem {
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	data, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{err}))
		return nil
	}
	req.Body = io.NopCloser(bytes.NewReader(data))
	if len(data) == 0 || !json.Valid(data) {
		return nil
	}
	s := &jsonScanner{data: data}
	s.value()
	return s.items
}

// errReader fails every read with err: the rest of a body that could not be read.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// jsonScanner walks a well-formed JSON document (json.Valid holds, so it need not check syntax, and
// nesting is bounded by the decoder's depth limit) and judges every string value by its raw text.
type jsonScanner struct {
	data  []byte
	pos   int
	path  []any // raw keys ([]byte) and array indexes (int) from the top
	items []validationItem
}

func (s *jsonScanner) skipSpace() {
	for s.pos < len(s.data) && (s.data[s.pos] == ' ' || s.data[s.pos] == '\t' || s.data[s.pos] == '\n' || s.data[s.pos] == '\r') {
		s.pos++
	}
}

func (s *jsonScanner) value() {
	s.skipSpace()
	switch s.data[s.pos] {
	case '{':
		s.pos++
		s.skipSpace()
		if s.data[s.pos] == '}' {
			s.pos++
			return
		}
		for {
			s.skipSpace()
			start := s.pos
			s.literal()
			key := s.data[start:s.pos]
			s.skipSpace()
			s.pos++ // ':'
			s.path = append(s.path, key)
			s.value()
			s.path = s.path[:len(s.path)-1]
			s.skipSpace()
			s.pos++ // ',' or '}'
			if s.data[s.pos-1] == '}' {
				return
			}
		}
	case '[':
		s.pos++
		s.skipSpace()
		if s.data[s.pos] == ']' {
			s.pos++
			return
		}
		for i := 0; ; i++ {
			s.path = append(s.path, i)
			s.value()
			s.path = s.path[:len(s.path)-1]
			s.skipSpace()
			s.pos++ // ',' or ']'
			if s.data[s.pos-1] == ']' {
				return
			}
		}
	case '"':
		f := s.literal()
		if it, ok := f.item(s.loc(), s.displayed()); ok {
			s.items = append(s.items, it)
		}
	default: // a number, true, false or null
		for s.pos < len(s.data) && strings.IndexByte(",]} \t\n\r", s.data[s.pos]) < 0 {
			s.pos++
		}
	}
}

// literal moves past the string literal at pos and returns the worst fault in it.
func (s *jsonScanner) literal() fault {
	s.pos++ // opening quote
	worst := faultNone
	for {
		b := s.data[s.pos]
		switch {
		case b == '"':
			s.pos++
			return worst
		case b == '\\':
			worst = max(worst, s.escape())
		case b < utf8.RuneSelf:
			worst = max(worst, runeFault(rune(b), 1))
			s.pos++
		default:
			r, n := utf8.DecodeRune(s.data[s.pos:])
			worst = max(worst, runeFault(r, n))
			s.pos += n
		}
	}
}

// escape moves past the escape sequence at pos and returns its fault.
func (s *jsonScanner) escape() fault {
	c := s.data[s.pos+1]
	s.pos += 2
	switch c {
	case 'b', 'f', 'n', 'r', 't':
		return faultControl
	case 'u':
	default: // \" \\ \/
		return faultNone
	}
	r := s.hex4()
	switch {
	case r >= 0xD800 && r < 0xDC00: // a high surrogate: only with a low one after it
		if s.pos+6 <= len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
			save := s.pos
			s.pos += 2
			if lo := s.hex4(); lo >= 0xDC00 && lo < 0xE000 {
				return faultNone // a pair: a character beyond U+FFFF, never a control
			}
			s.pos = save // another escape: judged on its own
		}
		return faultUnicode
	case r >= 0xDC00 && r < 0xE000:
		return faultUnicode
	}
	return runeFault(r, utf8.RuneLen(r))
}

// hex4 reads the four hex digits at pos.
func (s *jsonScanner) hex4() rune {
	v, _ := strconv.ParseUint(string(s.data[s.pos:s.pos+4]), 16, 32)
	s.pos += 4
	return rune(v)
}

// loc is the 422 location of the value at the current path.
func (s *jsonScanner) loc() []any {
	loc := make([]any, 0, len(s.path)+1)
	loc = append(loc, "body")
	for _, p := range s.path {
		if raw, ok := p.([]byte); ok {
			var key string
			_ = json.Unmarshal(raw, &key)
			p = key
		}
		loc = append(loc, p)
	}
	return loc
}

// displayed reports whether the current value belongs to one of displayedFields.
func (s *jsonScanner) displayed() bool {
	if len(s.path) == 0 {
		return false
	}
	raw, ok := s.path[0].([]byte)
	if !ok {
		return false
	}
	var key string
	_ = json.Unmarshal(raw, &key)
	return slices.ContainsFunc(displayedFields, func(f string) bool { return strings.EqualFold(f, key) })
}

// safeHeader is a header value in a form every database stores and every client can show: invalid
// UTF-8 becomes U+FFFD, a tab a space, other control characters are dropped, and it is cut to at most
// limit bytes on a character boundary.
func safeHeader(v string, limit int) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	v = strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, v)
	if len(v) <= limit {
		return v
	}
	for limit > 0 && !utf8.RuneStart(v[limit]) {
		limit--
	}
	return v[:limit]
}
