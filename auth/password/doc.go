// Package password owns how passwords are hashed, verified and judged: argon2id in PHC strings (with
// verification of imported bcrypt hashes), a concurrency gate that bounds the memory hashing may take,
// and the password policy (length in code points, no composition rules, a list of common passwords).
//
// It imports only the standard library and golang.org/x/crypto and golang.org/x/text; never phoneauth's
// other packages.
package password
