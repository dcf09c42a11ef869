// Package phoneauth holds the reviewed API description, openapi.yaml: the document the server serves
// (verbatim at /openapi.yaml, converted at /openapi.json) and validates requests against, and that
// gen/ and the TypeScript client are generated from.
package phoneauth

import _ "embed"

//go:embed openapi.yaml
var openapiYAML string

// OpenAPIYAML returns the bytes of openapi.yaml.
func OpenAPIYAML() []byte { return []byte(openapiYAML) }
