// Package importer is the migration tool that brings the users of the FastAPI service phoneauth
// replaces over, keeping their ids and password hashes: it reads JSONL and CSV exports (read.go),
// applies phoneauth's rules to each record, and stores the good ones in batches through a Repository
// (the store implements it). Only the CLI (`phoneauth users import`) uses it.
//
// It imports auth and its leaf packages and the standard library; never store, server or gen.
package importer
