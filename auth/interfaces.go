package auth

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth/token"
)

// Every interface the services need from the outside world. The store, the SMS providers and the
// metrics implement them; each method says which error kinds it returns (any other error is
// unexpected and becomes a 500).

// Atomic makes several repository calls one database transaction. Every call fn makes with the ctx it
// is given joins it, the audit record included; it commits when fn returns nil and rolls back,
// returning fn's error, otherwise. InTx inside fn joins the outer transaction. fn must not wait on
// anything outside the database (an SMS, a web hook): the transaction holds its locks until then.
type Atomic interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Users stores accounts.
type Users interface {
	// Create inserts u (ID, timestamps set by the caller). ErrConflict when the phone or email is taken.
	Create(ctx context.Context, u *User) error
	// ByPhone returns the user with the E.164 phone, or ErrNotFound.
	ByPhone(ctx context.Context, phone string) (*User, error)
	// ByEmail returns the user with the email (case-insensitively), or ErrNotFound.
	ByEmail(ctx context.Context, email string) (*User, error)
	// ByID returns the user, or ErrNotFound.
	ByID(ctx context.Context, id uuid.UUID) (*User, error)
	// SetPassword replaces the user's password hash and, in the same transaction, ends every active
	// session of the user except keepSession (uuid.Nil: all of them), with reason EndPasswordChanged.
	// ErrNotFound for an unknown user.
	SetPassword(ctx context.Context, userID uuid.UUID, hash string, at time.Time, keepSession uuid.UUID) error
	// RecordLogin sets last_login_at and, when rehash is not "", replaces the password hash.
	// ErrNotFound for an unknown user.
	RecordLogin(ctx context.Context, userID uuid.UUID, at time.Time, rehash string) error
	// UpdateProfile applies c (already validated) in one UPDATE statement, with updated_at = at, and
	// returns the user as it is then. When c sets the phone, the same transaction ends the user's active
	// sessions except keepSession (uuid.Nil: all of them), with reason EndPhoneChanged, and reports how
	// many. ErrConflict when the phone or email is taken (of racing changes to one value, one wins);
	// ErrNotFound for an unknown user.
	UpdateProfile(ctx context.Context, userID uuid.UUID, c ProfileChange, at time.Time, keepSession uuid.UUID) (*User, int, error)
}

// Erasure deletes accounts.
type Erasure interface {
	// DeleteUser deletes the user and, in the same transaction, every row that is theirs: sessions and
	// refresh tokens, the code challenges of their phone and those bound to them, their phone's lockout
	// counter (and whatever later features attach to a user). In the audit events about the user or
	// acted by them it erases the IP address, the user agent and the (masked) phone of the details,
	// keeping the rest under the user's id: the one change to the audit trail besides the retention
	// purge. The data of the user's outbound events is emptied too (their types and times stay). It
	// returns the user as it was. ErrNotFound for an unknown user.
	DeleteUser(ctx context.Context, userID uuid.UUID) (*User, error)
}

// UserAdmin is what user management needs beyond Users.
type UserAdmin interface {
	// List returns up to limit users, newest (highest id) first, with ids below before when it is not
	// uuid.Nil, matching query (a case-insensitive substring of phone, name or email) when it is set.
	List(ctx context.Context, query string, before uuid.UUID, limit int) ([]*User, error)
	// SetActive activates or deactivates the user; deactivating also ends all of its sessions (reason
	// EndDeactivated), in one transaction. ErrNotFound for an unknown user.
	SetActive(ctx context.Context, userID uuid.UUID, active bool, at time.Time) error
	// SetRoles replaces the user's stored roles; with endSessions it also ends all of its sessions
	// (reason EndRevoked), in one transaction. ErrNotFound for an unknown user.
	SetRoles(ctx context.Context, userID uuid.UUID, roles []string, at time.Time, endSessions bool) error
}

// Sessions stores sessions and their refresh tokens.
type Sessions interface {
	// Create inserts s with its first refresh token (by hash), atomically.
	Create(ctx context.Context, s *Session, refreshHash string) error
	// WithUser returns a session and its user in one lookup, or ErrNotFound.
	WithUser(ctx context.Context, sessionID uuid.UUID) (*Session, *User, error)
	// ByRefreshToken returns the session a refresh token (by hash) belongs to, and its user, or
	// ErrNotFound.
	ByRefreshToken(ctx context.Context, hash string) (*Session, *User, error)
	// Rotate spends the refresh token oldHash at now and stores newHash as its successor, unless the
	// token was spent more than grace ago: then it ends the session (reason EndRefreshReuse) and
	// stores nothing. It also records now as the session's last use. One transaction.
	Rotate(ctx context.Context, sessionID uuid.UUID, oldHash, newHash string, now time.Time, grace time.Duration) (Rotation, error)
	// ListActive returns the user's sessions that have not been ended, newest first.
	ListActive(ctx context.Context, userID uuid.UUID) ([]*Session, error)
	// End ends one of the user's sessions; ErrNotFound when the user has no such active session.
	End(ctx context.Context, userID, sessionID uuid.UUID, at time.Time, reason string) error
	// EndAll ends the user's active sessions except keep (uuid.Nil: none kept); it returns how many.
	EndAll(ctx context.Context, userID uuid.UUID, at time.Time, keep uuid.UUID, reason string) (int, error)
	// History returns up to limit of the user's stored sessions, ended or not, newest first.
	History(ctx context.Context, userID uuid.UUID, limit int) ([]*Session, error)
}

// Keys stores signing keys, shared by every instance through the database.
type Keys interface {
	// List returns every stored key.
	List(ctx context.Context) ([]token.Key, error)
	// Add stores k. ErrConflict when a key with its ID exists.
	Add(ctx context.Context, k token.Key) error
}

// Challenges stores code challenges. Each method is atomic on its own. A challenge whose purpose is
// bound to a user (PurposeOwner is not uuid.Nil) belongs to that user: it is deleted with the user, and
// ClaimSend and SetCode answer ErrNotFound when there is no such user (any more).
type Challenges interface {
	// Get returns the challenge, or ErrNotFound.
	Get(ctx context.Context, phone, purpose string) (*Challenge, error)
	// ClaimSend records a send at now unless the previous one was less than interval ago (creating the
	// challenge if needed). ok=false, with the previous send's time, when it is too soon. On success
	// previous is the send time it replaced, for ReleaseSend.
	ClaimSend(ctx context.Context, phone, purpose string, now time.Time, interval time.Duration) (ok bool, previous time.Time, err error)
	// ReleaseSend undoes the ClaimSend made at `at`, restoring previous, unless another claim followed.
	ReleaseSend(ctx context.Context, phone, purpose string, at, previous time.Time) error
	// SetCode makes hash the live code until expires; resetAttempts zeroes the wrong-guess count.
	SetCode(ctx context.Context, phone, purpose, hash, referenceID string, expires time.Time, resetAttempts bool) error
	// ClearCode kills the live code if it is still hash.
	ClearCode(ctx context.Context, phone, purpose, hash string) error
	// ReserveAttempt counts one guess against the live, unexpired code hash; ok=false when hash is no
	// longer live or max guesses have been made.
	ReserveAttempt(ctx context.Context, phone, purpose, hash string, max int, now time.Time) (bool, error)
	// ReleaseAttempt gives back one guess ReserveAttempt counted against hash, if hash is still the live
	// code: the guess was right, but the request was refused for another reason.
	ReleaseAttempt(ctx context.Context, phone, purpose, hash string) error
	// Consume kills the live code if it is still hash and zeroes the count; ok=false when it is not.
	Consume(ctx context.Context, phone, purpose, hash string) (bool, error)
}

// SecondFactors stores the users' TOTP factors and their recovery codes (by hash). A factor's secret
// is sealed at rest when the store holds a key. A factor and its codes are the user's: they go with
// the user (Erasure.DeleteUser).
type SecondFactors interface {
	// TOTP returns the user's TOTP factor, pending or active, or ErrNotFound.
	TOTP(ctx context.Context, userID uuid.UUID) (*TOTPFactor, error)
	// PutPendingTOTP stores secret as the user's pending factor, replacing a pending one. ErrConflict
	// when the user has an active one; ErrNotFound for an unknown user.
	PutPendingTOTP(ctx context.Context, userID uuid.UUID, secret string, at time.Time) error
	// ActivateTOTP makes the user's pending factor active with step as the last step used, and makes
	// hashes the user's recovery codes, in one transaction; ok=false when there is no pending factor.
	ActivateTOTP(ctx context.Context, userID uuid.UUID, step int64, hashes []string, at time.Time) (bool, error)
	// UseTOTPStep records step as the last step a code of the user's active factor was accepted for,
	// atomically; ok=false when that step or a later one was used already (a replay).
	UseTOTPStep(ctx context.Context, userID uuid.UUID, step int64) (bool, error)
	// DeleteTOTP deletes the user's factor and recovery codes; ok=false when there was no active one.
	DeleteTOTP(ctx context.Context, userID uuid.UUID) (bool, error)
	// ReplaceRecoveryCodes makes hashes the user's recovery codes, the old ones gone; ErrNotFound when
	// the user has no active factor.
	ReplaceRecoveryCodes(ctx context.Context, userID uuid.UUID, hashes []string, at time.Time) error
	// UseRecoveryCode deletes the user's recovery code with hash; ok=false when there is none (of
	// concurrent uses of one code, one wins).
	UseRecoveryCode(ctx context.Context, userID uuid.UUID, hash string) (bool, error)
	// RecoveryCodesLeft counts the user's unused recovery codes.
	RecoveryCodesLeft(ctx context.Context, userID uuid.UUID) (int, error)
}

// MFAChallenges stores the logins that wait for a second factor, by the hash of their token. They go
// with their user.
type MFAChallenges interface {
	// Create stores c. ErrNotFound when its user is gone.
	Create(ctx context.Context, c *MFAChallenge) error
	// Attempt atomically counts one code against the challenge with hash, unless it expired at now or
	// max codes were tried, and returns it as it is then (Attempts counted); ErrNotFound otherwise.
	Attempt(ctx context.Context, hash string, max int, now time.Time) (*MFAChallenge, error)
	// Consume deletes the challenge; ok=false when it had gone (a concurrent request used it).
	Consume(ctx context.Context, hash string) (bool, error)
}

// Passkeys stores the users' WebAuthn credentials. They go with their user.
type Passkeys interface {
	// Add stores pk. ErrConflict when its credential id is registered already; ErrNotFound when its
	// user is gone.
	Add(ctx context.Context, pk *Passkey) error
	// ByCredentialID returns the passkey with the credential id, or ErrNotFound.
	ByCredentialID(ctx context.Context, credentialID []byte) (*Passkey, error)
	// List returns the user's passkeys, oldest first.
	List(ctx context.Context, userID uuid.UUID) ([]*Passkey, error)
	// Rename renames the user's passkey id and returns it; ErrNotFound when the user has no such one.
	Rename(ctx context.Context, userID, id uuid.UUID, name string) (*Passkey, error)
	// Delete deletes the user's passkey id; ErrNotFound when the user has no such one.
	Delete(ctx context.Context, userID, id uuid.UUID) error
	// RecordUse sets the passkey's signature counter to count, its backup state and its last use at,
	// atomically, if the stored counter is below count (or both are 0: an authenticator that does
	// not count); moved=false when it is not (another login got further meanwhile).
	RecordUse(ctx context.Context, id uuid.UUID, count uint32, backedUp bool, at time.Time) (moved bool, err error)
}

// WebAuthnChallenges stores the ceremonies between their two steps, by the hash of their challenge.
// One bound to a user goes with the user.
type WebAuthnChallenges interface {
	// Put stores c. ErrNotFound when its user (if any) is gone.
	Put(ctx context.Context, c *WebAuthnChallenge) error
	// Take deletes the challenge with hash and returns it, or ErrNotFound: of concurrent takes, one
	// gets it.
	Take(ctx context.Context, hash string) (*WebAuthnChallenge, error)
}

// Secrets stores server-side secrets shared by every instance.
type Secrets interface {
	// GetOrCreate returns the named secret, storing fresh first when there is none (of racing
	// instances the first wins and all return its value).
	GetOrCreate(ctx context.Context, name, fresh string, now time.Time) (string, error)
}

// Throttle counts consecutive wrong passwords per phone (with or without an account) and locks the
// phone out of password logins (OWASP): from the threshold on, for 1 minute doubling up to 15, and for
// good at MaxConsecutiveFailures (NIST SP 800-63B §3.2.2) until a reset, an admin unlock or a login by
// code clears it.
type Throttle interface {
	// Attempt atomically counts one password attempt for phone at now, unless the phone is locked:
	// then allowed=false and until says when the lock ends. The attempt that reaches the threshold is
	// still allowed (it may be right), and sets the lock for what follows.
	Attempt(ctx context.Context, phone string, now time.Time, threshold int) (allowed bool, until time.Time, err error)
	// Clear forgets the phone's failures (a successful login, a reset, an unlock).
	Clear(ctx context.Context, phone string) error
	// State returns the phone's consecutive failures and the end of its lock (zero when not locked).
	State(ctx context.Context, phone string) (failures int, until time.Time, err error)
}

// Purger deletes the rows the service no longer needs. Each method returns how many went.
type Purger interface {
	// PurgeSessions deletes the sessions that expired or ended before `before`, with their refresh
	// tokens, batch sessions per statement.
	PurgeSessions(ctx context.Context, before time.Time, batch int) (int64, error)
	// PurgeChallenges deletes the code challenges whose code expired, and whose last send was, before
	// `before`, and the login challenges (second factor, passkey) that expired before it.
	PurgeChallenges(ctx context.Context, before time.Time) (int64, error)
	// PurgeThrottle deletes the login-lockout counters of phones that belong to no user, last counted
	// before `before` and not locked at now.
	PurgeThrottle(ctx context.Context, before, now time.Time) (int64, error)
	// PurgeAudit deletes the audit events from before `before`, batch events per statement: the one
	// deletion the append-only audit trail allows.
	PurgeAudit(ctx context.Context, before time.Time, batch int) (int64, error)
	// PurgeSMSMessages deletes the message log's entries sent before `before`, batch per statement.
	PurgeSMSMessages(ctx context.Context, before time.Time, batch int) (int64, error)
	// PurgeSMSGuard deletes the SMS guard's counts of buckets before `before` and the blocks that ended
	// before it, as far as they are kept in the database.
	PurgeSMSGuard(ctx context.Context, before time.Time) (int64, error)
	// PurgeEvents deletes the outbound events delivered before `before`, batch per statement.
	PurgeEvents(ctx context.Context, before time.Time, batch int) (int64, error)
}

// Audit is the append-only log of security events: nothing changes or deletes an event, except the
// retention purge (Purger.PurgeAudit) and the erasure of a deleted user (Erasure.DeleteUser).
type Audit interface {
	// Record appends e (its ID is assigned by the store).
	Record(ctx context.Context, e AuditEvent) error
	// List returns events matching f, newest first.
	List(ctx context.Context, f AuditFilter) ([]AuditEvent, error)
}

// SMSSender delivers text messages, through one provider or the first of several that takes each.
// It returns the name of the provider that took (or last refused) the message and that provider's id
// of it ("" when it gives none). Errors wrap context.DeadlineExceeded on a timeout.
type SMSSender interface {
	Send(ctx context.Context, to, text, purpose, referenceID string) (provider, messageID string, err error)
}

// Limiter enforces budgets of limit events per rolling window (0: unlimited). cancel gives the
// reserved unit back.
type Limiter interface {
	Reserve(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, cancel func(), err error)
}

// Observer is told what happened, for metrics: the one way auth reports to them. Its methods must be
// fast and safe for concurrent use. HashWait has password.Hasher's signature for the same report, so
// one Observer serves both.
type Observer interface {
	// Login is one login attempt's outcome ("succeeded", "failed") by method (AMRPassword, AMROTP).
	Login(method, outcome string)
	// Code is one event ("sent", "send_failed", "verified", "failed", "locked") of a code of purpose.
	Code(purpose, event string)
	// SMS is one call to the SMS provider.
	SMS(purpose string, took time.Duration, err error)
	// HashWait is how long a password hash waited for a slot of the hashing gate.
	HashWait(d time.Duration)
	// SMSAttempt is one call to one SMS provider, or one it skipped ("ok", "rejected", "failed",
	// "timeout", "skipped").
	SMSAttempt(provider, outcome string, took time.Duration)
	// SMSGuard is one event of the SMS guard for a destination country (ISO region): "sent" and
	// "verified" codes, a prefix "blocked" or "cleared", a send "refused" because of a block.
	SMSGuard(country, event string)
	// SMSCap is the share (0 to 1) used of an hourly SMS cap: "all", or a country's (ISO region).
	SMSCap(cap string, used float64)
	// SMSReceipt is one delivery status reported by a provider ("sent", "delivered", "failed",
	// "undelivered").
	SMSReceipt(provider, status string)
	// EventDelivery is one attempt to deliver an outbound event: "delivered", "failed" (to be
	// retried), "dead" (given up), "timeout" (to be retried).
	EventDelivery(outcome string, took time.Duration)
}

// Clock tells the time; injected so expiry is testable without sleeping.
type Clock interface{ Now() time.Time }

// LimitUsage is what a Limiter can tell of a budget without taking from it; the SMS caps report their
// use with it when the Limiter has it.
type LimitUsage interface {
	// Used returns how many units of key are taken in the rolling window ending now.
	Used(ctx context.Context, key string, window time.Duration) (int, error)
}

// SMSGuardStore keeps the SMS guard's counts per destination prefix and its blocks, shared by every
// instance (Redis, or the database). Counts are kept in buckets of a fixed length; the guard sums the
// buckets of its window.
type SMSGuardStore interface {
	// Add adds each count to its prefix's bucket that starts at bucket.
	Add(ctx context.Context, bucket time.Time, counts []PrefixCount) error
	// Counts returns, for each of prefixes that has any, the sums of its buckets starting at or after
	// since.
	Counts(ctx context.Context, prefixes []string, since time.Time) (map[string]PrefixCount, error)
	// Top returns up to limit prefixes with sends in the buckets starting at or after since, most
	// sends first.
	Top(ctx context.Context, since time.Time, limit int) ([]PrefixCount, error)
	// Block stores b and forgets the prefix's counts, unless the prefix is blocked at b.BlockedAt
	// already; created reports whether it stored b.
	Block(ctx context.Context, b PrefixBlock) (created bool, err error)
	// Blocks returns the blocks in force at now.
	Blocks(ctx context.Context, now time.Time) ([]PrefixBlock, error)
	// Clear lifts the prefix's block and forgets its counts; ok=false (and nothing changed but the
	// counts) when it was not blocked at now.
	Clear(ctx context.Context, prefix string, now time.Time) (b PrefixBlock, ok bool, err error)
}

// SMSMessages is the message log: one entry per SMS handed to a provider, never its text.
type SMSMessages interface {
	// Add appends m, setting its ID.
	Add(ctx context.Context, m *SMSMessage) error
	// SetStatusByProviderID records a delivery status of the message provider knows as messageID;
	// found=false when there is none. A final status (delivered, failed, undelivered) is never
	// replaced: receipts may arrive out of order.
	SetStatusByProviderID(ctx context.Context, provider, messageID, status, errorCode string, at time.Time) (found bool, err error)
	// SetStatusByReference does the same for the newest message of the reference id.
	SetStatusByReference(ctx context.Context, referenceID, status, errorCode string, at time.Time) (found bool, err error)
	// List returns messages matching f, newest first.
	List(ctx context.Context, f SMSMessageFilter) ([]SMSMessage, error)
}

// CaptchaVerifier asks a CAPTCHA provider whether a token a client solved is good. ok=false is a bad,
// expired or reused token; an error is the provider not answering properly (an outage).
type CaptchaVerifier interface {
	Verify(ctx context.Context, token, remoteIP string) (ok bool, err error)
}

// Outbox is the transactional outbox of outbound events (events.go): Append writes in the caller's
// transaction, so an event exists exactly when the change it reports was committed; the dispatcher
// claims, delivers and finishes events in short transactions of their own.
type Outbox interface {
	// Append stores e, pending and due at e.NextAttemptAt, setting e.Seq.
	Append(ctx context.Context, e *OutboundEvent) error
	// Claim leases up to limit pending events due at now and not leased by anyone else, marking them
	// as held by claim until `until`, in one short transaction (FOR UPDATE SKIP LOCKED on PostgreSQL,
	// so concurrent claims never overlap). Of each user's pending events only the earliest (by Seq) can
	// be claimed, so a user's events are delivered in order. It returns them by Seq.
	Claim(ctx context.Context, now, until time.Time, claim string, limit int) ([]OutboundEvent, error)
	// Finish records the outcome of a delivery of event seq held by claim and releases the lease;
	// false when the claim no longer holds it (its lease ran out and another claim took it).
	Finish(ctx context.Context, seq int64, claim string, o DeliveryOutcome) (bool, error)
	// List returns events matching f, newest (highest Seq) first.
	List(ctx context.Context, f OutboundFilter) ([]OutboundEvent, error)
	// Redeliver makes the event pending again, due at now, retried until `until`. ErrNotFound for an
	// unknown id.
	Redeliver(ctx context.Context, id uuid.UUID, now, until time.Time) (*OutboundEvent, error)
	// Backlog returns how many events are pending and when the oldest of them happened (zero: none).
	Backlog(ctx context.Context) (pending int64, oldest time.Time, err error)
}
