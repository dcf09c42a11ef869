package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// kin-openapi's own application/json decoder reads the first value of a body and ignores whatever
// follows it, so `{…}{…}` or `{…} 42` passed validation. FastAPI (json.loads) refuses them; so does
// strictJSONBody, which the validator uses instead.
func init() {
	openapi3filter.RegisterBodyDecoder("application/json", strictJSONBody)
}

// trailingDataError is a body with more than whitespace after its JSON value. pos is where that starts,
// counted in characters as Python's json module counts, for FastAPI's ["body", pos].
type trailingDataError struct{ pos int }

func (e *trailingDataError) Error() string {
	return fmt.Sprintf("data after the JSON value at character %d", e.pos)
}

// strictJSONBody decodes exactly one JSON value (numbers kept as json.Number, as kin-openapi keeps them)
// followed by nothing but JSON whitespace.
func strictJSONBody(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var value any
	if err := dec.Decode(&value); err != nil {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
	}
	end := int(dec.InputOffset())
	rest := bytes.TrimLeft(data[end:], " \t\r\n")
	if len(rest) > 0 {
		pos := utf8.RuneCount(data[:len(data)-len(rest)])
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: &trailingDataError{pos: pos}}
	}
	return value, nil
}
