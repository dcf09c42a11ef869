package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth/limit"
	"github.com/phoneauth/phoneauth/auth/phone"
)

const codeDigits = 6

var (
	errCodeInvalid = newError(ErrBadRequest, "Invalid or expired code")
	errCodeExpired = newError(ErrBadRequest, "Code has expired; request a new one")
	errTooMany     = newError(ErrRateLimited, "Too many wrong codes; request a new code")
)

// CodeDeps are what CodeService works with.
type CodeDeps struct {
	Challenges Challenges
	Secrets    Secrets   // holds the key codes are hashed with
	Users      Users     // who may get a code of each purpose
	SMS        SMSSender // nil: sending a code answers 503
	Limiter    Limiter   // nil: in this process's memory (one instance's limits)
	Phones     phone.Parser
	Guard      *SMSGuard       // nil: no SMS guard
	Captcha    CaptchaVerifier // required when OTPConfig.CaptchaMode is set
	Messages   SMSMessages     // nil: no message log
}

// CodeService sends one-time codes by SMS and checks them: single use, a limited number of guesses,
// cooldowns and budgets per phone and per client IP. It is safe for concurrent use.
type CodeService struct {
	env      Env
	cfg      OTPConfig
	d        CodeDeps
	key      []byte       // HMAC key, from Secrets
	sendNano atomic.Int64 // moving average of a provider call, for timing parity
	capReads sync.Map     // cap key → *atomic.Int64: when its use was last read (smsdefence.go)
}

// NewCodeService loads (or creates) the key codes are hashed with.
func NewCodeService(ctx context.Context, env Env, cfg OTPConfig, d CodeDeps) (*CodeService, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Challenges == nil || d.Secrets == nil || d.Users == nil {
		return nil, errors.New("auth: CodeService needs Challenges, Secrets and Users")
	}
	if cfg.CaptchaMode != CaptchaOff && d.Captcha == nil {
		return nil, errors.New("auth: a CAPTCHA mode needs a CaptchaVerifier")
	}
	env = env.WithDefaults()
	if d.Limiter == nil {
		d.Limiter = limit.NewMemory(env.Clock.Now, 0)
	}
	s := &CodeService{env: env, cfg: cfg, d: d}
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh)
	v, err := d.Secrets.GetOrCreate(ctx, "otp_hmac_key", hex.EncodeToString(fresh), env.Clock.Now())
	if err != nil {
		return nil, fmt.Errorf("loading the code key: %w", err)
	}
	if s.key, err = hex.DecodeString(v); err != nil || len(s.key) < 32 {
		return nil, errors.New("the stored code key is malformed")
	}
	return s, nil
}

// decoyHash is the hash of a challenge no code can answer: the HMAC of a random secret that is never
// kept and is not six digits, so every guess is wrong, counted and answered as for a real code.
func (s *CodeService) decoyHash(phone, purpose string) string {
	return s.codeHash(phone, purpose, "decoy:"+randomToken(16))
}

// codeHash binds a code to its phone and purpose.
func (s *CodeService) codeHash(phone, purpose, code string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose + "\x00" + phone + "\x00" + code))
	return hex.EncodeToString(m.Sum(nil))
}

func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(math.Pow10(codeDigits))))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return fmt.Sprintf("%0*d", codeDigits, n.Int64())
}

// parseSMSPhone normalizes a phone that is to receive an SMS and applies the country allow-list.
func (s *CodeService) parseSMSPhone(raw string) (phone.Number, error) {
	n, err := parsePhone(s.d.Phones, "phone", raw)
	if err != nil {
		return phone.Number{}, err
	}
	if len(s.cfg.AllowedCountries) > 0 && !slices.Contains(s.cfg.AllowedCountries, n.Region) {
		return phone.Number{}, invalidField("phone", "Value error, SMS to numbers of this country ("+n.Region+") is not supported", "value_error")
	}
	return n, nil
}

func retryIn(d time.Duration) string {
	secs := int(math.Ceil(d.Seconds()))
	if secs <= 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", secs)
}

func rateLimited(detail string, after time.Duration) *Error {
	if after < time.Second {
		after = time.Second
	}
	return &Error{Kind: ErrRateLimited, Detail: detail + "; try again in " + retryIn(after), RetryAfter: after}
}

// Send sends a code for purpose to the phone. resend=false starts a new challenge (the wrong-guess
// count starts over); resend=true replaces the live code but keeps the count. The answer is the same
// whether or not a code went out: for login and reset only active accounts get one, for signup only
// numbers without an account (an existing owner gets a notice instead). It returns the reference id.
func (s *CodeService) Send(ctx context.Context, purpose, rawPhone string, resend bool) (string, error) {
	n, err := s.parseSMSPhone(rawPhone)
	if err != nil {
		return "", err
	}
	phone := n.E164
	req := sendRequest{phone: phone, purpose: purpose, resend: resend}
	// Who the number belongs to is read in the send's transaction, the one that stores the code.
	req.decide = func(ctx context.Context, r *sendRequest) error {
		u, err := s.d.Users.ByPhone(ctx, phone)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		exists := err == nil
		active := exists && u.IsActive
		r.user, r.eligible = userID(u), active
		if purpose == PurposeSignup {
			r.eligible, r.user = !exists, uuid.Nil
			if active {
				r.notice, r.noticeTo = noticeSignupExists, u.ID
			}
		}
		return nil
	}
	return s.send(ctx, req)
}

// sendRequest is one code request, its eligibility decided by the caller or by decide.
type sendRequest struct {
	phone    string    // E.164, allowed to receive SMS
	purpose  string    // maybe bound to a user (boundPurpose)
	user     uuid.UUID // who the code is for, for the audit trail (uuid.Nil: nobody known)
	eligible bool      // a code goes out; otherwise a decoy challenge no code answers
	// notice, for an ineligible number, is the notice its owner noticeTo gets instead of a code ("":
	// none).
	notice   string
	noticeTo uuid.UUID
	resend   bool
	// decide, when set, fills in user, eligible and the notice, inside the transaction that stores
	// the challenge.
	decide func(ctx context.Context, r *sendRequest) error
}

// send applies the cooldown and the budgets, then stores a live code and texts it, or stores a decoy
// (and maybe texts a notice): every answer is the same whether or not a code went out.
//
// It commits twice at most, and never holds a transaction open across the SMS provider's call: one
// transaction decides who the number belongs to, claims the cooldown and stores the challenge (the
// budgets are reserved in it too, so that a refusal rolls the claim back); the provider is called; a
// second one records what happened to the message: its entry in the message log and its audit event,
// and, when the provider failed, the compensation (the code is killed and the cooldown released, so
// that the client may retry at once).
func (s *CodeService) send(ctx context.Context, r sendRequest) (string, error) {
	phone, purpose, label := r.phone, r.purpose, purposeLabel(r.purpose)
	n, err := s.d.Phones.Parse(phone) // E.164 already: for the region the guard and the caps count by
	if err != nil {
		return "", err
	}
	now := s.env.Clock.Now()
	ref := "otp_" + randomToken(12)
	decide := func(ctx context.Context) error {
		if r.decide == nil {
			return nil
		}
		return r.decide(ctx, &r)
	}

	if code, ok := s.cfg.TestCodes[phone]; ok {
		// Test numbers: no SMS and no budgets, but the same expiry, attempts and single use.
		if err := s.env.InTx(ctx, func(ctx context.Context) error {
			if err := decide(ctx); err != nil {
				return err
			}
			h := s.decoyHash(phone, purpose)
			if r.eligible {
				h = s.codeHash(phone, purpose, code)
			}
			return s.d.Challenges.SetCode(ctx, phone, purpose, h, ref, now.Add(s.cfg.TTL), !r.resend)
		}); err != nil {
			return "", err
		}
		s.env.Logger.InfoContext(ctx, "otp test number", "reference_id", ref, "purpose", label)
		return ref, nil
	}

	// Every limit applies whether or not the number has an account, so a 429 reveals nothing. The SMS
	// guard and the CAPTCHA come first: they refuse before anything is spent (smsdefence.go).
	cancelIP, err := s.screen(ctx, n)
	if err != nil {
		return "", err
	}
	if ip := ClientFrom(ctx).IP; ip != "" {
		ok, after, cancel, err := s.d.Limiter.Reserve(ctx, "otp:ip:"+ip, s.cfg.IPHourlyLimit, time.Hour)
		if err == nil && !ok {
			err = rateLimited("Too many code requests from your network", after)
		}
		if err != nil {
			cancelIP()
			return "", err
		}
		release := cancelIP
		cancelIP = func() { release(); cancel() }
	}
	cancelPhone, cancelCaps := func() {}, func() {}
	var (
		previous time.Time // the send the claim replaced, for the compensation
		code, h  string    // the code texted (eligible only) and the hash stored
	)
	err = s.env.InTx(ctx, func(ctx context.Context) error {
		if err := decide(ctx); err != nil {
			return err
		}
		ok, prev, err := s.d.Challenges.ClaimSend(ctx, phone, purpose, now, s.cfg.ResendInterval)
		if err != nil {
			return err
		}
		if !ok {
			return rateLimited("Please wait before requesting another code", prev.Add(s.cfg.ResendInterval).Sub(now))
		}
		previous = prev
		// The budgets are in the Limiter (this process's memory, or Redis), never the SMS provider: a
		// refusal here rolls the claim back with the transaction.
		ok, after, cancel, err := s.d.Limiter.Reserve(ctx, "otp:phone:"+phone, s.cfg.PhoneHourlyLimit, time.Hour)
		if err == nil && !ok {
			err = rateLimited("Too many codes requested for this number", after)
		}
		if err != nil {
			return err
		}
		cancelPhone = cancel
		if cancelCaps, err = s.reserveCaps(ctx, n.Region); err != nil {
			return err
		}
		h = s.decoyHash(phone, purpose)
		if r.eligible {
			code = newCode()
			h = s.codeHash(phone, purpose, code)
		}
		// A decoy challenge is stored as a code would be, so that a verify for a number that got no
		// code answers exactly as for one that did and a wrong guess: the same detail, the same
		// countdown of attempts, the same lockout (README: no enumeration).
		return s.d.Challenges.SetCode(ctx, phone, purpose, h, ref, now.Add(s.cfg.TTL), !r.resend)
	})
	cancelBudgets := func() {
		cancelIP()
		cancelPhone()
		cancelCaps()
	}
	if err != nil {
		cancelBudgets()
		return "", err
	}

	switch {
	case r.eligible:
		sent := s.callProvider(ctx, n, s.codeText(label, code), label, ref)
		if err := sent.answer(); err != nil {
			s.env.Observer.Code(label, "send_failed")
			cancelBudgets()
			s.afterSend(ctx, sent, func(ctx context.Context) error {
				s.env.Record(ctx, EventOTPSendFailed, r.user, uuid.Nil, ref, map[string]string{"purpose": label, "phone": maskPhone(phone), "error": errorKind(err)})
				// The compensation: the request failed, so its code must not stay live, and its cooldown
				// must not hold back an immediate retry.
				if err := s.d.Challenges.ClearCode(ctx, phone, purpose, h); err != nil {
					return err
				}
				return s.d.Challenges.ReleaseSend(ctx, phone, purpose, now, previous)
			})
			return "", err
		}
		s.afterSend(ctx, sent, func(ctx context.Context) error {
			s.env.Record(ctx, EventOTPSent, r.user, uuid.Nil, ref, map[string]string{"purpose": label, "phone": maskPhone(phone)})
			return nil
		})
		s.env.Observer.Code(label, "sent")
	case r.notice != "":
		// Tell the owner, without a code; a failure here must look like any other answer.
		sent := s.callProvider(ctx, n, s.noticeText(r.notice), purposeNotice, ref)
		if err := sent.answer(); err != nil {
			s.env.Logger.WarnContext(ctx, "sending a notice", "notice", r.notice, "reference_id", ref, "err", err)
			s.afterSend(ctx, sent, nil)
			break
		}
		s.afterSend(ctx, sent, func(ctx context.Context) error {
			s.env.Record(ctx, EventOTPSent, r.noticeTo, uuid.Nil, ref, map[string]string{"purpose": purposeNotice, "notice": r.notice})
			return nil
		})
		s.env.Observer.Code(purposeNotice, "sent")
	default:
		s.padLikeASend(ctx)
	}
	s.env.Logger.InfoContext(ctx, "otp requested", "reference_id", ref, "purpose", label, "phone", maskPhone(phone), "resend", r.resend)
	return ref, nil
}

// afterSend records what became of a message in one transaction: its entry in the message log, and
// what also (its audit event, a compensation) writes. The message has gone, or failed, already: a
// failure here is logged, not returned.
func (s *CodeService) afterSend(ctx context.Context, sent smsCall, also func(ctx context.Context) error) {
	ctx = context.WithoutCancel(ctx)
	err := s.env.InTx(ctx, func(ctx context.Context) error {
		if err := s.logMessage(ctx, sent); err != nil {
			return err
		}
		if also == nil {
			return nil
		}
		return also(ctx)
	})
	if err != nil {
		s.env.Logger.ErrorContext(ctx, "recording a sent message", "reference_id", sent.ref, "err", err)
	}
}

// notify texts a notice (no code) to phone; a failure is logged, never returned: what it tells of has
// already happened.
func (s *CodeService) notify(ctx context.Context, e164, kind, ref string) {
	n, err := s.d.Phones.Parse(e164)
	if err == nil {
		err = s.sendSMS(context.WithoutCancel(ctx), n, s.noticeText(kind), purposeNotice, ref)
	}
	if err != nil {
		s.env.Logger.WarnContext(ctx, "sending a notice", "notice", kind, "reference_id", ref, "err", err)
	}
}

// sendSMS calls the provider with the configured deadline, records the message in the log, and turns
// failures into 502/503.
func (s *CodeService) sendSMS(ctx context.Context, to phone.Number, text, purpose, ref string) error {
	sent := s.callProvider(ctx, to, text, purpose, ref)
	if err := s.logMessage(context.WithoutCancel(ctx), sent); err != nil {
		s.env.Logger.ErrorContext(ctx, "writing the message log", "reference_id", ref, "err", err)
	}
	return sent.answer()
}

// smsCall is one message handed to the SMS provider (or not: configured is false without one).
type smsCall struct {
	to           phone.Number
	purpose, ref string
	provider, id string
	err          error
	configured   bool
	answerErr    error // the error for the client
}

// callProvider calls the provider with the configured deadline; it writes nothing.
func (s *CodeService) callProvider(ctx context.Context, to phone.Number, text, purpose, ref string) smsCall {
	c := smsCall{to: to, purpose: purpose, ref: ref}
	if s.d.SMS == nil {
		c.answerErr = &Error{Kind: ErrUnavailable, Detail: "SMS delivery is not configured"}
		return c
	}
	c.configured = true
	sctx, cancel := context.WithTimeout(ctx, s.cfg.SMSTimeout)
	defer cancel()
	start := time.Now()
	c.provider, c.id, c.err = s.d.SMS.Send(sctx, to.E164, text, purpose, ref)
	took := time.Since(start)
	s.env.Observer.SMS(purpose, took, c.err)
	switch err := c.err; {
	case err == nil:
		// Moving average (1/8 weight) of a successful call, used to pad answers that send nothing.
		old := s.sendNano.Load()
		s.sendNano.Store(old + (int64(took)-old)/8)
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		c.answerErr = &Error{Kind: ErrUnavailable, Detail: "SMS provider timed out; please try again", RetryAfter: time.Second, Cause: err}
	case ctx.Err() != nil:
		c.answerErr = ctx.Err()
	default:
		c.answerErr = &Error{Kind: ErrProviderFailed, Detail: "SMS provider failed; please try again", Cause: err}
	}
	return c
}

// answer is nil when the provider took the message, else the 502/503 (or the cancellation) to answer.
func (c smsCall) answer() error { return c.answerErr }

// padLikeASend waits about as long as a provider call takes, so that answers for numbers that get no
// SMS cannot be told apart by their timing.
func (s *CodeService) padLikeASend(ctx context.Context) {
	d := time.Duration(s.sendNano.Load())
	if d <= 0 {
		return
	}
	t := time.NewTimer(min(d, s.cfg.SMSTimeout))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// check proves the caller holds the live code of phone and purpose without consuming it: it counts
// the guess (atomically, so concurrent guesses cannot exceed the limit) and compares in constant
// time. It returns the challenge's hash and reference id, for consume.
//
// It is one transaction (or joins the caller's): a refused guess commits, counted and audited, and
// check returns the refusal; an unexpected error rolls the guess back.
func (s *CodeService) check(ctx context.Context, phone, purpose, code string) (hash, ref string, err error) {
	err = s.env.InTx(ctx, func(ctx context.Context) error {
		var err error
		hash, ref, err = s.checkOnce(ctx, phone, purpose, code)
		if err != nil && s.recordFailure(ctx, phone, purpose, ref, err) {
			return keep(err)
		}
		return err
	})
	if err != nil {
		return "", "", err
	}
	return hash, ref, nil
}

// recordFailure audits and counts a refused guess; false when err is no such refusal (unexpected).
func (s *CodeService) recordFailure(ctx context.Context, phone, purpose, ref string, err error) bool {
	typ, reason, event := EventOTPFailed, "invalid", "failed"
	switch {
	case errors.Is(err, ErrRateLimited):
		typ, reason, event = EventOTPLocked, "too_many_attempts", "locked"
	case err == errCodeExpired:
		reason = "expired"
	case errors.Is(err, ErrBadRequest):
		reason = "wrong_or_no_code"
	default:
		return false
	}
	label := purposeLabel(purpose)
	s.env.Record(ctx, typ, PurposeOwner(purpose), uuid.Nil, ref, map[string]string{"purpose": label, "phone": maskPhone(phone), "reason": reason})
	s.env.Observer.Code(label, event)
	return true
}

// wrongCode is the answer to a wrong guess that leaves left attempts.
func wrongCode(left int) error {
	if left <= 0 {
		return errTooMany
	}
	return newError(ErrBadRequest, fmt.Sprintf("Invalid code; %d attempt%s left", left, map[bool]string{true: "", false: "s"}[left == 1]))
}

// refuseAsWrong answers a right code, which check has counted, exactly as a wrong guess: the attempt
// stays counted, the code stays live, and the answer and the audit trail are a wrong guess's. For a
// request refused for what the code may not reveal (the number it would move an account to was taken
// meanwhile).
func (s *CodeService) refuseAsWrong(ctx context.Context, phone, purpose string) error {
	ch, err := s.d.Challenges.Get(ctx, phone, purpose)
	switch {
	case errors.Is(err, ErrNotFound):
		err = errCodeInvalid
	case err == nil:
		err = wrongCode(s.cfg.MaxAttempts - ch.Attempts) // check counted this guess already
	default:
		return err
	}
	s.recordFailure(ctx, phone, purpose, "", err)
	return err
}

func (s *CodeService) checkOnce(ctx context.Context, phone, purpose, code string) (hash, ref string, err error) {
	now := s.env.Clock.Now()
	ch, err := s.d.Challenges.Get(ctx, phone, purpose)
	if errors.Is(err, ErrNotFound) {
		return "", "", errCodeInvalid
	} else if err != nil {
		return "", "", err
	}
	switch {
	case ch.Attempts >= s.cfg.MaxAttempts:
		return "", "", errTooMany
	case ch.CodeHash == "":
		return "", "", errCodeInvalid
	case !now.Before(ch.ExpiresAt):
		return "", "", errCodeExpired
	}
	ok, err := s.d.Challenges.ReserveAttempt(ctx, phone, purpose, ch.CodeHash, s.cfg.MaxAttempts, now)
	if err != nil {
		return "", "", err
	}
	if !ok {
		// Replaced, consumed, expired or out of attempts since we read it: say which, as of now.
		if again, err := s.d.Challenges.Get(ctx, phone, purpose); err == nil && again.Attempts >= s.cfg.MaxAttempts {
			return "", "", errTooMany
		}
		return "", "", errCodeInvalid
	}
	want, _ := hex.DecodeString(ch.CodeHash)
	got, _ := hex.DecodeString(s.codeHash(phone, purpose, code))
	if !hmac.Equal(got, want) {
		return "", "", wrongCode(s.cfg.MaxAttempts - ch.Attempts - 1)
	}
	return ch.CodeHash, ch.ReferenceID, nil
}

// consume makes a checked code single use: of concurrent verifies of one code, one wins.
func (s *CodeService) consume(ctx context.Context, phone, purpose, hash string) error {
	ok, err := s.d.Challenges.Consume(ctx, phone, purpose, hash)
	if err != nil {
		return err
	}
	if !ok {
		return errCodeInvalid
	}
	label := purposeLabel(purpose)
	s.env.Record(ctx, EventOTPVerified, PurposeOwner(purpose), uuid.Nil, "", map[string]string{"purpose": label, "phone": maskPhone(phone)})
	s.env.Observer.Code(label, "verified")
	if _, test := s.cfg.TestCodes[phone]; s.d.Guard != nil && !test {
		if n, err := s.d.Phones.Parse(phone); err == nil {
			s.d.Guard.CountVerified(n)
		}
	}
	return nil
}

// release gives back the guess check counted for a right code when the request is then refused for
// another reason (a taken email, a busy hashing gate): nothing is spent on a refused request. A
// failure only costs the user that one guess, so it is logged.
func (s *CodeService) release(ctx context.Context, phone, purpose, hash string) {
	if err := s.d.Challenges.ReleaseAttempt(context.WithoutCancel(ctx), phone, purpose, hash); err != nil {
		s.env.Logger.WarnContext(ctx, "giving back a code attempt", "purpose", purposeLabel(purpose), "err", err)
	}
}

// verify checks and consumes a code at once; it returns the code's reference id.
func (s *CodeService) verify(ctx context.Context, phone, purpose, code string) (string, error) {
	hash, ref, err := s.check(ctx, phone, purpose, code)
	if err != nil {
		return "", err
	}
	return ref, s.consume(ctx, phone, purpose, hash)
}

func userID(u *User) uuid.UUID {
	if u == nil {
		return uuid.Nil
	}
	return u.ID
}

// errorKind names a failure for the audit log without its text.
func errorKind(err error) string {
	switch {
	case errors.Is(err, ErrProviderFailed):
		return "provider_failed"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	}
	return "error"
}
