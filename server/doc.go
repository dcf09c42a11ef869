// Package server is phoneauth's HTTP adapter: Echo wiring, middleware (request id, access log,
// recovery, body limit, OpenAPI request validation, authentication), the implementation of the
// generated strict-server interface, the one table that turns errors into statuses and FastAPI's
// error bodies, and the API documentation: Swagger UI at /docs and the embedded spec at /openapi.json
// and /openapi.yaml, all served from the binary.
//
// It imports gen and auth; never store or sms (main wires concrete types).
package server
