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
	"strings"
	"sync/atomic"
	"time"
)

// Purposes a one-time code is bound to. A code of one purpose never verifies for another.
const (
	PurposeLogin  = "login"
	PurposeSignup = "signup"
	PurposeReset  = "password_reset"
	purposeNotice = "notice" // an SMS that carries no code
)

// Challenge is the state of the codes of one phone and purpose.
type Challenge struct {
	Phone       string
	Purpose     string
	CodeHash    string // hex HMAC of the live code; "" when there is none
	ReferenceID string
	ExpiresAt   time.Time
	Attempts    int // wrong guesses, counted across resends
	LastSentAt  time.Time
}

// Challenges stores code challenges. Each method is atomic on its own.
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
	// Consume kills the live code if it is still hash and zeroes the count; ok=false when it is not.
	Consume(ctx context.Context, phone, purpose, hash string) (bool, error)
}

// Secrets stores server-side secrets shared by every instance.
type Secrets interface {
	// GetOrCreate returns the named secret, storing fresh first when there is none (of racing
	// instances the first wins and all return its value).
	GetOrCreate(ctx context.Context, name, fresh string, now time.Time) (string, error)
}

// SMSSender delivers text messages. Errors wrap context.DeadlineExceeded on a timeout.
type SMSSender interface {
	Send(ctx context.Context, to, text, purpose, referenceID string) error
}

// Limiter enforces budgets of limit events per rolling window (0: unlimited). cancel gives the
// reserved unit back.
type Limiter interface {
	Reserve(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, cancel func(), err error)
}

// OTPConfig holds the one-time-code rules.
type OTPConfig struct {
	TTL              time.Duration     // how long a code is valid (≤ 10m)
	MaxAttempts      int               // wrong guesses per phone and purpose before the code dies
	ResendInterval   time.Duration     // minimum time between two sends for one phone and purpose
	PhoneHourlyLimit int               // codes per phone per rolling hour, all purposes (0: unlimited)
	IPHourlyLimit    int               // codes per client IP per rolling hour (0: unlimited)
	AllowedCountries []string          // ISO regions SMS may go to; empty: all
	TestCodes        map[string]string // E.164 → fixed code: no SMS, same rules otherwise
	SMSTimeout       time.Duration     // deadline of one provider call
	SMSDomain        string            // for the WebOTP / iOS autofill line "@domain #code"
	AppName          string            // named in the messages
}

// DefaultOTPConfig is the configuration when nothing is set.
func DefaultOTPConfig() OTPConfig {
	return OTPConfig{TTL: 5 * time.Minute, MaxAttempts: 5, ResendInterval: 60 * time.Second, PhoneHourlyLimit: 5,
		IPHourlyLimit: 30, SMSTimeout: 10 * time.Second, AppName: "phoneauth"}
}

// Validate reports the first bad rule.
func (c OTPConfig) Validate() error {
	switch {
	case c.TTL < 30*time.Second || c.TTL > 10*time.Minute:
		return fmt.Errorf("code lifetime %s must be between 30s and 10m", c.TTL)
	case c.MaxAttempts < 1 || c.MaxAttempts > 20:
		return fmt.Errorf("max attempts %d must be between 1 and 20", c.MaxAttempts)
	case c.ResendInterval < 0 || c.ResendInterval > time.Hour:
		return fmt.Errorf("resend interval %s must be between 0 and 1h", c.ResendInterval)
	case c.PhoneHourlyLimit < 0 || c.IPHourlyLimit < 0:
		return errors.New("hourly limits must not be negative")
	case c.SMSTimeout <= 0 || c.SMSTimeout > time.Minute:
		return fmt.Errorf("SMS timeout %s must be between 0 and 1m", c.SMSTimeout)
	}
	for p, code := range c.TestCodes {
		if len(code) < 4 || len(code) > 10 || strings.Trim(code, "0123456789") != "" {
			return fmt.Errorf("test code for %s must be 4 to 10 digits", p)
		}
	}
	return nil
}

const codeDigits = 6

var (
	errCodeInvalid = newError(ErrBadRequest, "Invalid or expired code")
	errCodeExpired = newError(ErrBadRequest, "Code has expired; request a new one")
	errTooMany     = newError(ErrRateLimited, "Too many wrong codes; request a new code")
)

// otpState is the service's code machinery.
type otpState struct {
	key      []byte       // HMAC key, from Secrets
	sendNano atomic.Int64 // moving average of a provider call, for timing parity
}

func (s *Service) loadOTPKey(ctx context.Context) error {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return err
	}
	v, err := s.Secrets.GetOrCreate(ctx, "otp_hmac_key", hex.EncodeToString(fresh), s.Clock.Now())
	if err != nil {
		return fmt.Errorf("loading the code key: %w", err)
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 32 {
		return errors.New("the stored code key is malformed")
	}
	s.otp.key = key
	return nil
}

// codeHash binds a code to its phone and purpose.
func (s *Service) codeHash(phone, purpose, code string) string {
	m := hmac.New(sha256.New, s.otp.key)
	m.Write([]byte(purpose + "\x00" + phone + "\x00" + code))
	return hex.EncodeToString(m.Sum(nil))
}

func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(math.Pow10(codeDigits))))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%0*d", codeDigits, n.Int64())
}

// parseSMSPhone normalizes a phone that is to receive an SMS and applies the country allow-list.
func (s *Service) parseSMSPhone(raw string) (string, error) {
	n, err := s.Phones.Parse(raw)
	if err != nil {
		return "", invalidField("phone", "Value error, "+err.Error(), "value_error")
	}
	if len(s.cfg.OTP.AllowedCountries) > 0 && !slices.Contains(s.cfg.OTP.AllowedCountries, n.Region) {
		return "", invalidField("phone", "Value error, SMS to numbers of this country ("+n.Region+") is not supported", "value_error")
	}
	return n.E164, nil
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

// SendCode sends a code for purpose to the phone. resend=false starts a new challenge (the wrong-guess
// count starts over); resend=true replaces the live code but keeps the count. The answer is the same
// whether or not a code went out: for login and reset only active accounts get one, for signup only
// numbers without an account (an existing owner gets a notice instead). It returns the reference id.
func (s *Service) SendCode(ctx context.Context, purpose, rawPhone string, resend bool, ci ClientInfo) (string, error) {
	phone, err := s.parseSMSPhone(rawPhone)
	if err != nil {
		return "", err
	}
	now := s.Clock.Now()
	ref := "otp_" + randomToken(12)
	u, err := s.Users.ByPhone(ctx, phone)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", err
	}
	exists := err == nil
	active := exists && u.IsActive
	eligible := active
	if purpose == PurposeSignup {
		eligible = !exists
	}

	if code, ok := s.cfg.OTP.TestCodes[phone]; ok {
		// Test numbers: no SMS and no budgets, but the same expiry, attempts and single use.
		if eligible {
			h := s.codeHash(phone, purpose, code)
			if err := s.Challenges.SetCode(ctx, phone, purpose, h, ref, now.Add(s.cfg.OTP.TTL), !resend); err != nil {
				return "", err
			}
		}
		s.Logger.InfoContext(ctx, "otp test number", "reference_id", ref, "purpose", purpose)
		return ref, nil
	}

	// Every limit applies whether or not the number has an account, so a 429 reveals nothing.
	cancelIP := func() {}
	if ci.IP != "" {
		ok, after, cancel, err := s.Limiter.Reserve(ctx, "otp:ip:"+ci.IP, s.cfg.OTP.IPHourlyLimit, time.Hour)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", rateLimited("Too many code requests from your network", after)
		}
		cancelIP = cancel
	}
	ok, previous, err := s.Challenges.ClaimSend(ctx, phone, purpose, now, s.cfg.OTP.ResendInterval)
	if err != nil {
		cancelIP()
		return "", err
	}
	if !ok {
		cancelIP()
		return "", rateLimited("Please wait before requesting another code", previous.Add(s.cfg.OTP.ResendInterval).Sub(now))
	}
	ok, after, cancelPhone, err := s.Limiter.Reserve(ctx, "otp:phone:"+phone, s.cfg.OTP.PhoneHourlyLimit, time.Hour)
	if err == nil && !ok {
		err = rateLimited("Too many codes requested for this number", after)
	}
	if err != nil {
		cancelIP()
		_ = s.Challenges.ReleaseSend(ctx, phone, purpose, now, previous)
		return "", err
	}
	undo := func() {
		cancelIP()
		cancelPhone()
		// The request failed: its cooldown must not hold back an immediate retry.
		if err := s.Challenges.ReleaseSend(context.WithoutCancel(ctx), phone, purpose, now, previous); err != nil {
			s.Logger.WarnContext(ctx, "releasing the send cooldown", "reference_id", ref, "err", err)
		}
	}

	switch {
	case eligible:
		code := newCode()
		h := s.codeHash(phone, purpose, code)
		if err := s.Challenges.SetCode(ctx, phone, purpose, h, ref, now.Add(s.cfg.OTP.TTL), !resend); err != nil {
			undo()
			return "", err
		}
		if err := s.sendSMS(ctx, phone, s.codeText(purpose, code), purpose, ref); err != nil {
			s.audit(ctx, EventOTPSendFailed, userID(u), "", ref, map[string]string{"purpose": purpose, "phone": maskPhone(phone), "error": errorKind(err)})
			if cerr := s.Challenges.ClearCode(context.WithoutCancel(ctx), phone, purpose, h); cerr != nil {
				s.Logger.ErrorContext(ctx, "clearing an undelivered code", "reference_id", ref, "err", cerr)
			}
			undo()
			return "", err
		}
		s.audit(ctx, EventOTPSent, userID(u), "", ref, map[string]string{"purpose": purpose, "phone": maskPhone(phone)})
	case purpose == PurposeSignup && active:
		// Tell the owner, without a code; a failure here must look like any other answer.
		if err := s.sendSMS(ctx, phone, s.noticeText("signup_exists"), purposeNotice, ref); err != nil {
			s.Logger.WarnContext(ctx, "sending the account-exists notice", "reference_id", ref, "err", err)
		} else {
			s.audit(ctx, EventOTPSent, u.ID, "", ref, map[string]string{"purpose": purposeNotice, "notice": "signup_exists"})
		}
	default:
		s.padLikeASend(ctx)
	}
	s.Logger.InfoContext(ctx, "otp requested", "reference_id", ref, "purpose", purpose, "phone", maskPhone(phone), "resend", resend)
	return ref, nil
}

// sendSMS calls the provider with the configured deadline and turns failures into 502/503.
func (s *Service) sendSMS(ctx context.Context, to, text, purpose, ref string) error {
	if s.SMS == nil {
		return &Error{Kind: ErrUnavailable, Detail: "SMS delivery is not configured"}
	}
	sctx, cancel := context.WithTimeout(ctx, s.cfg.OTP.SMSTimeout)
	defer cancel()
	start := time.Now()
	err := s.SMS.Send(sctx, to, text, purpose, ref)
	took := time.Since(start)
	if s.OnSMS != nil {
		s.OnSMS(purpose, took, err)
	}
	switch {
	case err == nil:
		// Moving average (1/8 weight) of a successful call, used to pad answers that send nothing.
		old := s.otp.sendNano.Load()
		s.otp.sendNano.Store(old + (int64(took)-old)/8)
		return nil
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return &Error{Kind: ErrUnavailable, Detail: "SMS provider timed out; please try again", RetryAfter: time.Second, Cause: err}
	case ctx.Err() != nil:
		return ctx.Err()
	default:
		return &Error{Kind: ErrProviderFailed, Detail: "SMS provider failed; please try again", Cause: err}
	}
}

// padLikeASend waits about as long as a provider call takes, so that answers for numbers that get no
// SMS cannot be told apart by their timing.
func (s *Service) padLikeASend(ctx context.Context) {
	d := time.Duration(s.otp.sendNano.Load())
	if d <= 0 {
		return
	}
	t := time.NewTimer(min(d, s.cfg.OTP.SMSTimeout))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (s *Service) codeText(purpose, code string) string {
	what := map[string]string{PurposeLogin: "login", PurposeSignup: "sign-up", PurposeReset: "password reset"}[purpose]
	text := fmt.Sprintf("%s is your %s %s code. It expires in %s. Never share it with anyone.",
		code, s.cfg.OTP.AppName, what, humanDuration(s.cfg.OTP.TTL))
	if s.cfg.OTP.SMSDomain != "" {
		// WebOTP and iOS security-code autofill read the last line.
		text += "\n\n@" + s.cfg.OTP.SMSDomain + " #" + code
	}
	return text
}

func (s *Service) noticeText(kind string) string {
	switch kind {
	case "signup_exists":
		return fmt.Sprintf("Someone tried to sign up for %s with this number, which already has an account. If it was you, log in instead. If not, you can ignore this message.", s.cfg.OTP.AppName)
	default: // "password_reset"
		return fmt.Sprintf("Your %s password was just reset and you were logged out everywhere. If this wasn't you, contact support at once.", s.cfg.OTP.AppName)
	}
}

func humanDuration(d time.Duration) string {
	if d%time.Minute == 0 {
		if m := int(d / time.Minute); m == 1 {
			return "1 minute"
		} else {
			return fmt.Sprintf("%d minutes", m)
		}
	}
	return fmt.Sprintf("%d seconds", int(d.Seconds()))
}

// maskPhone keeps a number recognizable in logs without writing it whole.
func maskPhone(p string) string {
	if len(p) < 7 {
		return "***"
	}
	return p[:4] + strings.Repeat("*", len(p)-6) + p[len(p)-2:]
}

// checkCode proves the caller holds the live code of phone and purpose without consuming it: it
// counts the guess (atomically, so concurrent guesses cannot exceed the limit) and compares in
// constant time. It returns the challenge's hash and reference id, for consumeCode.
func (s *Service) checkCode(ctx context.Context, phone, purpose, code string) (hash, ref string, err error) {
	hash, ref, err = s.checkCodeOnce(ctx, phone, purpose, code)
	if err != nil {
		typ, reason := EventOTPFailed, "invalid"
		switch {
		case errors.Is(err, ErrRateLimited):
			typ, reason = EventOTPLocked, "too_many_attempts"
		case err == errCodeExpired:
			reason = "expired"
		case errors.Is(err, ErrBadRequest):
			reason = "wrong_or_no_code"
		default:
			return "", "", err
		}
		s.audit(ctx, typ, "", "", ref, map[string]string{"purpose": purpose, "phone": maskPhone(phone), "reason": reason})
	}
	return hash, ref, err
}

func (s *Service) checkCodeOnce(ctx context.Context, phone, purpose, code string) (hash, ref string, err error) {
	now := s.Clock.Now()
	ch, err := s.Challenges.Get(ctx, phone, purpose)
	if errors.Is(err, ErrNotFound) {
		return "", "", errCodeInvalid
	} else if err != nil {
		return "", "", err
	}
	switch {
	case ch.Attempts >= s.cfg.OTP.MaxAttempts:
		return "", "", errTooMany
	case ch.CodeHash == "":
		return "", "", errCodeInvalid
	case !now.Before(ch.ExpiresAt):
		return "", "", errCodeExpired
	}
	ok, err := s.Challenges.ReserveAttempt(ctx, phone, purpose, ch.CodeHash, s.cfg.OTP.MaxAttempts, now)
	if err != nil {
		return "", "", err
	}
	if !ok {
		// Replaced, consumed, expired or out of attempts since we read it: say which, as of now.
		if again, err := s.Challenges.Get(ctx, phone, purpose); err == nil && again.Attempts >= s.cfg.OTP.MaxAttempts {
			return "", "", errTooMany
		}
		return "", "", errCodeInvalid
	}
	want, _ := hex.DecodeString(ch.CodeHash)
	got, _ := hex.DecodeString(s.codeHash(phone, purpose, code))
	if !hmac.Equal(got, want) {
		left := s.cfg.OTP.MaxAttempts - ch.Attempts - 1
		if left <= 0 {
			return "", "", errTooMany
		}
		return "", "", newError(ErrBadRequest, fmt.Sprintf("Invalid code; %d attempt%s left", left, map[bool]string{true: "", false: "s"}[left == 1]))
	}
	return ch.CodeHash, ch.ReferenceID, nil
}

// consumeCode makes a checked code single use: of concurrent verifies of one code, one wins.
func (s *Service) consumeCode(ctx context.Context, phone, purpose, hash string) error {
	ok, err := s.Challenges.Consume(ctx, phone, purpose, hash)
	if err != nil {
		return err
	}
	if !ok {
		return errCodeInvalid
	}
	s.audit(ctx, EventOTPVerified, "", "", "", map[string]string{"purpose": purpose, "phone": maskPhone(phone)})
	return nil
}

func (s *Service) verifyCode(ctx context.Context, phone, purpose, code string) (string, error) {
	hash, ref, err := s.checkCode(ctx, phone, purpose, code)
	if err != nil {
		return "", err
	}
	return ref, s.consumeCode(ctx, phone, purpose, hash)
}

// LoginWithCode logs in an active user with a login code.
func (s *Service) LoginWithCode(ctx context.Context, rawPhone, code string, ci ClientInfo) (*Login, error) {
	phone, err := s.ParsePhone("phone", rawPhone)
	if err != nil {
		return nil, err
	}
	if _, err := s.verifyCode(ctx, phone, PurposeLogin, code); err != nil {
		return nil, err
	}
	u, err := s.Users.ByPhone(ctx, phone)
	if errors.Is(err, ErrNotFound) || (err == nil && !u.IsActive) {
		return nil, errCodeInvalid
	} else if err != nil {
		return nil, err
	}
	// Proving the phone clears a password lockout: a lockout must not shut its owner out.
	s.clearThrottle(ctx, phone)
	return s.startSession(ctx, u, AMROTP, ci, "")
}

// Signup is what SignupWithCode needs.
type Signup struct {
	Phone           string
	Code            string
	Name            string
	Email           *string
	Password        string
	HasGivenConsent bool
}

// SignupWithCode creates the account of a phone that proved itself with a signup code, and logs it in.
func (s *Service) SignupWithCode(ctx context.Context, in Signup, ci ClientInfo) (*Login, error) {
	phone, err := s.ParsePhone("phone", in.Phone)
	fields := fieldsOf(nil, err)
	name := strings.TrimSpace(in.Name)
	if name == "" {
		fields = append(fields, FieldError{Field: "name", Msg: "Value error, name must not be blank", Type: "value_error"})
	}
	var email *string
	if in.Email != nil && strings.TrimSpace(*in.Email) != "" {
		e := strings.TrimSpace(*in.Email)
		if !ValidEmail(e) {
			fields = append(fields, FieldError{Field: "email", Msg: "value is not a valid email address", Type: "value_error"})
		}
		email = &e
	}
	fields = fieldsOf(fields, s.checkPassword("password", in.Password, phone, name))
	if len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	// Prove the code first, so that an email probe without it learns nothing; consume it only once
	// the email is known to be free, so a taken email does not cost the user their code.
	hash, _, err := s.checkCode(ctx, phone, PurposeSignup, in.Code)
	if err != nil {
		return nil, err
	}
	if email != nil {
		if _, err := s.Users.ByEmail(ctx, *email); err == nil {
			return nil, newError(ErrConflict, "Email already registered")
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	pwHash, err := s.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, hashErr(err)
	}
	if err := s.consumeCode(ctx, phone, PurposeSignup, hash); err != nil {
		return nil, err
	}
	u, err := s.insertUser(ctx, &User{Phone: phone, Name: name, Email: email, PasswordHash: pwHash, HasGivenConsent: in.HasGivenConsent})
	if err != nil {
		return nil, err
	}
	s.audit(ctx, EventSignup, u.ID, "", "", map[string]string{"method": AMROTP, "consent": fmt.Sprint(u.HasGivenConsent)})
	return s.startSession(ctx, u, AMROTP, ci, "")
}

// ResetWithCode sets a new password for the holder of a password-reset code, ends every session of
// the user, and tells them by SMS. It does not log in. It returns the code's reference id.
func (s *Service) ResetWithCode(ctx context.Context, rawPhone, code, next, confirm string) (string, error) {
	phone, err := s.ParsePhone("phone", rawPhone)
	fields := fieldsOf(nil, err)
	fields = fieldsOf(fields, s.checkPassword("new_password", next, phone))
	if next != confirm {
		fields = append(fields, FieldError{Field: "confirm_password", Msg: "Value error, passwords do not match", Type: "value_error"})
	}
	if len(fields) > 0 {
		return "", &ValidationError{Fields: fields}
	}
	hash, ref, err := s.checkCode(ctx, phone, PurposeReset, code)
	if err != nil {
		return "", err
	}
	u, err := s.Users.ByPhone(ctx, phone)
	if errors.Is(err, ErrNotFound) || (err == nil && !u.IsActive) {
		return "", errCodeInvalid
	} else if err != nil {
		return "", err
	}
	pwHash, err := s.Hasher.Hash(ctx, next)
	if err != nil {
		return "", hashErr(err)
	}
	if err := s.consumeCode(ctx, phone, PurposeReset, hash); err != nil {
		return "", err
	}
	if err := s.Users.SetPassword(ctx, u.ID, pwHash, s.Clock.Now(), ""); err != nil {
		return "", err
	}
	s.clearThrottle(ctx, phone)
	s.audit(ctx, EventPasswordReset, u.ID, "", ref, map[string]string{"by": "code"})
	if err := s.sendSMS(context.WithoutCancel(ctx), phone, s.noticeText("password_reset"), purposeNotice, ref); err != nil {
		s.Logger.WarnContext(ctx, "sending the password-changed notice", "reference_id", ref, "err", err)
	}
	return ref, nil
}

func userID(u *User) string {
	if u == nil {
		return ""
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
