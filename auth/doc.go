// Package auth holds phoneauth's rules, as a few services by capability, each holding only what it uses:
//
//	KeyService        signing keys: sign, verify, publish (JWKS), rotate          keys.go
//	SessionService    sessions: authenticate a bearer token, refresh, log out      sessions.go
//	CodeService       one-time codes: send, check, consume; the SMS texts          codes.go, messages.go
//	LoginService      password and code logins, the login lockout                  login.go
//	AccountService    sign-up, password change and reset, creating users           account.go, signup.go
//	LifecycleService  profile, re-authentication, phone change, export, deletion   lifecycle.go, profile.go, reauth.go,
//	                                                                               phonechange.go, export.go, deletion.go
//	MFAService        TOTP and recovery codes, the second step of a login          mfa.go
//	PasskeyService    passkeys: registration, passwordless login, their list       passkeys.go
//	AdminService      user management and the audit trail for admins               admin.go, adminusers.go
//	RetentionService  deleting the rows no rule needs any more                     purge.go
//	Events            outbound events, written in the change's transaction (Emit)  events.go
//	Dispatcher        delivering them from the outbox, in order per user           dispatch.go
//	(token hook)      the operator's extra claims, asked before a token is signed  tokenhook.go
//
// The interfaces the services need from the outside world are in interfaces.go; the values a request
// carries (its caller, its client, its id) travel in its context.Context, through the helpers in
// context.go, and nowhere else. What happened is reported once, through Env: to the audit trail and
// to the Observer (metrics).
//
// It imports the standard library, github.com/google/uuid (ids are typed inside auth) and its own
// subpackages (password, phone, token, limit, passkey, totp, webhook); never store, server, sms, gen,
// or any HTTP or database library.
package auth
