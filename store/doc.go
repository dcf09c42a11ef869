// Package store keeps phoneauth's data in PostgreSQL or an embedded SQLite file through GORM: the
// repositories that satisfy auth's interfaces, the versioned migrations of each dialect (embedded, run
// with goose), the translation of driver errors into auth's error kinds, and the Redis rate limiter
// (go-redis) through which several instances share one set of budgets. No GORM, driver or Redis type
// leaves this package.
//
// It imports auth (for its types and errors) and auth/token; never server, sms or gen.
package store
