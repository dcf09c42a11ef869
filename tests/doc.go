// Package tests holds phoneauth's black-box tests: they build the real binary, start it against a
// fresh database (SQLite always, PostgreSQL when PHONEAUTH_TEST_DATABASE_URL is set) and drive it over
// HTTP, validating every response against openapi.yaml. They import gen (for the spec) and test
// helpers only, never the service's internals.
package tests
