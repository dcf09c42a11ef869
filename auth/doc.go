// Package auth holds phoneauth's rules: who may log in and how, password changes and resets, sessions,
// tokens and roles. It defines the small interfaces it needs from the outside world (Users, Sessions,
// Keys, a Clock) and the error kinds every layer above speaks in.
//
// It imports only the standard library and its own subpackages (password, phone, token); never store,
// server, sms, gen, or any HTTP or database library.
package auth
