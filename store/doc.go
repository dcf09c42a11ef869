// Package store keeps phoneauth's data in PostgreSQL or an embedded SQLite file through GORM: the
// repositories that satisfy auth's interfaces, the versioned migrations of each dialect (embedded, run
// with goose), and the translation of driver errors into auth's error kinds. No GORM or driver type
// leaves this package.
//
// It imports auth (for its types and errors) and auth/token; never server, sms or gen.
package store
