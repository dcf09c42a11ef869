package auth_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth"
)

var codeRE = regexp.MustCompile(`^(\d{6}) is your`)

// lastCode is the code of the last SMS to phone.
func (f *fixture) lastCode(t *testing.T, phone string) string {
	t.Helper()
	msgs := f.sms.all()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].to == phone {
			if m := codeRE.FindStringSubmatch(msgs[i].text); m != nil {
				return m[1]
			}
			t.Fatalf("last SMS to %s has no code: %q", phone, msgs[i].text)
		}
	}
	t.Fatalf("no SMS to %s", phone)
	return ""
}

// sendCode sends a code for purpose to ph (resend or not) and returns the code the SMS carried.
func (f *fixture) sendCode(t *testing.T, purpose string, resend bool) string {
	t.Helper()
	if _, err := f.codes.Send(auth.WithClient(context.Background(), ci), purpose, ph, resend); err != nil {
		t.Fatal(err)
	}
	return f.lastCode(t, ph)
}

func wantKind(t *testing.T, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want %v", err, kind)
	}
}

var ci = auth.ClientInfo{IP: "198.51.100.7"}

const ph = "+14155550100"

func TestLoginCodeFlow(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, ph)
	ctx := context.Background()
	ref, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeLogin, "+1 415 555 0100", false)
	if err != nil || !strings.HasPrefix(ref, "otp_") {
		t.Fatalf("SendCode = %q, %v", ref, err)
	}
	msgs := f.sms.all()
	if len(msgs) != 1 || msgs[0].ref != ref || msgs[0].purpose != "login" || !strings.Contains(msgs[0].text, "expires in 5 minutes") {
		t.Fatalf("sent %+v", msgs)
	}
	code := f.lastCode(t, ph)
	l, err := f.logins.CodeLogin(auth.WithClient(ctx, ci), ph, code)
	if err != nil || l.Session.AMR != auth.AMROTP {
		t.Fatalf("LoginWithCode = %+v, %v", l, err)
	}
	// Single use.
	_, err = f.logins.CodeLogin(auth.WithClient(ctx, ci), ph, code)
	wantKind(t, err, auth.ErrBadRequest)
}

func TestCodeExpires(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, ph)
	ctx := context.Background()
	code := f.sendCode(t, auth.PurposeLogin, false)
	f.clock.Add(5*time.Minute + time.Millisecond)
	_, err := f.logins.CodeLogin(auth.WithClient(ctx, ci), ph, code)
	var ae *auth.Error
	if !errors.As(err, &ae) || !strings.Contains(ae.Detail, "expired") {
		t.Fatalf("expired code: %v", err)
	}
}

func TestPurposeBinding(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, ph)
	ctx := context.Background()
	code := f.sendCode(t, auth.PurposeReset, false)
	_, err := f.logins.CodeLogin(auth.WithClient(ctx, ci), ph, code)
	wantKind(t, err, auth.ErrBadRequest)
	if _, err := f.accounts.ResetWithCode(ctx, ph, code, "the new passphrase", "the new passphrase"); err != nil {
		t.Fatalf("the reset code for its own purpose: %v", err)
	}
}

func TestAttemptLimitUnderConcurrency(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, ph)
	ctx := context.Background()
	code := f.sendCode(t, auth.PurposeLogin, false)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	badRequests, limited := 0, 0
	for range 20 {
		wg.Go(func() {
			_, err := f.logins.CodeLogin(auth.WithClient(ctx, ci), ph, wrong)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, auth.ErrRateLimited):
				limited++
			case errors.Is(err, auth.ErrBadRequest):
				badRequests++
			default:
				t.Errorf("unexpected %v", err)
			}
		})
	}
	wg.Wait()
	ch, _ := f.db.Challenges().Get(ctx, ph, auth.PurposeLogin)
	if ch.Attempts != 5 {
		t.Fatalf("attempts = %d, want exactly 5 (%d 400s, %d 429s)", ch.Attempts, badRequests, limited)
	}
	// The right code no longer works: the code is dead.
	_, err := f.logins.CodeLogin(auth.WithClient(ctx, ci), ph, code)
	wantKind(t, err, auth.ErrRateLimited)
	// A resend keeps the count (still dead); a new send starts over.
	f.clock.Add(time.Minute)
	if _, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeLogin, ph, true); err != nil {
		t.Fatal(err)
	}
	_, err = f.logins.CodeLogin(auth.WithClient(ctx, ci), ph, f.lastCode(t, ph))
	wantKind(t, err, auth.ErrRateLimited)
	f.clock.Add(time.Minute)
	if _, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeLogin, ph, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.logins.CodeLogin(auth.WithClient(ctx, ci), ph, f.lastCode(t, ph)); err != nil {
		t.Fatalf("after a new send: %v", err)
	}
}

func TestSingleUseUnderConcurrency(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, ph)
	ctx := context.Background()
	code := f.sendCode(t, auth.PurposeLogin, false)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 10 {
		wg.Go(func() {
			if _, err := f.logins.CodeLogin(auth.WithClient(ctx, ci), ph, code); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d logins with one code, want 1", wins)
	}
}

func TestResendReplacesAndCooldown(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, ph)
	ctx := context.Background()
	old := f.sendCode(t, auth.PurposeLogin, false)
	f.clock.Add(30 * time.Second)
	_, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeLogin, ph, true)
	var ae *auth.Error
	if !errors.As(err, &ae) || !errors.Is(err, auth.ErrRateLimited) || ae.RetryAfter != 30*time.Second || !strings.Contains(ae.Detail, "30 seconds") {
		t.Fatalf("resend within the interval: %v", err)
	}
	// Another purpose has its own cooldown.
	if _, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeReset, ph, false); err != nil {
		t.Fatalf("other purpose: %v", err)
	}
	f.clock.Add(30 * time.Second)
	fresh := f.sendCode(t, auth.PurposeLogin, true)
	if fresh == old {
		t.Skip("the two random codes collided (one in a million)")
	}
	_, err = f.logins.CodeLogin(auth.WithClient(ctx, ci), ph, old)
	wantKind(t, err, auth.ErrBadRequest)
	if _, err := f.logins.CodeLogin(auth.WithClient(ctx, ci), ph, fresh); err != nil {
		t.Fatalf("the resent code: %v", err)
	}
}

func TestBudgets(t *testing.T) {
	otp := auth.DefaultOTPConfig()
	otp.ResendInterval = 0
	otp.PhoneHourlyLimit = 3
	otp.IPHourlyLimit = 5
	f := newFixtureOTP(t, weak, otp)
	ctx := context.Background()
	for i := range 3 {
		if _, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeSignup, ph, false); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	_, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeLogin, ph, false) // all purposes share the budget
	var ae *auth.Error
	if !errors.As(err, &ae) || !errors.Is(err, auth.ErrRateLimited) || ae.RetryAfter != time.Hour {
		t.Fatalf("4th code for the phone: %v", err)
	}
	// The IP budget counts every request, whatever the phone.
	for _, p := range []string{"+14155550101", "+14155550102"} {
		if _, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeSignup, p, false); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeSignup, "+14155550103", false)
	wantKind(t, err, auth.ErrRateLimited)
	if _, err := f.codes.Send(auth.WithClient(ctx, auth.ClientInfo{IP: "203.0.113.9"}), auth.PurposeSignup, "+14155550103", false); err != nil {
		t.Fatalf("another IP: %v", err)
	}
	f.clock.Add(time.Hour)
	if _, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeLogin, ph, false); err != nil {
		t.Fatalf("after the hour: %v", err)
	}
}

func TestAllowedCountries(t *testing.T) {
	otp := auth.DefaultOTPConfig()
	otp.AllowedCountries = []string{"GB"}
	f := newFixtureOTP(t, weak, otp)
	_, err := f.codes.Send(auth.WithClient(context.Background(), ci), auth.PurposeSignup, ph, false)
	var verr *auth.ValidationError
	if !errors.As(err, &verr) || verr.Fields[0].Field != "phone" || !strings.Contains(verr.Fields[0].Msg, "US") {
		t.Fatalf("US number with GB only: %v", err)
	}
	if _, err := f.codes.Send(auth.WithClient(context.Background(), ci), auth.PurposeSignup, "+442079460958", false); err != nil {
		t.Fatalf("GB number: %v", err)
	}
}

func TestTestNumbers(t *testing.T) {
	otp := auth.DefaultOTPConfig()
	otp.TestCodes = map[string]string{ph: "123456"}
	otp.PhoneHourlyLimit = 1
	f := newFixtureOTP(t, weak, otp)
	ctx := context.Background()
	for range 3 { // no cooldown or budget for test numbers
		if _, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeSignup, ph, false); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.sms.all()); n != 0 {
		t.Fatalf("%d SMS sent to a test number", n)
	}
	_, err := f.accounts.SignupWithCode(auth.WithClient(ctx, ci), auth.Signup{Phone: ph, Code: "654321", Name: "T", Password: "a long passphrase"})
	wantKind(t, err, auth.ErrBadRequest)
	l, err := f.accounts.SignupWithCode(auth.WithClient(ctx, ci), auth.Signup{Phone: ph, Code: "123456", Name: "T", Password: "a long passphrase"})
	if err != nil || l.User.Phone != ph {
		t.Fatalf("signup with the fixed code: %v", err)
	}
	// Expiry still applies.
	if _, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeLogin, ph, false); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(6 * time.Minute)
	_, err = f.logins.CodeLogin(auth.WithClient(ctx, ci), ph, "123456")
	wantKind(t, err, auth.ErrBadRequest)
}

func TestNoEnumeration(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, ph)
	ctx := context.Background()
	unknown := "+14155550199"
	for _, purpose := range []string{auth.PurposeLogin, auth.PurposeReset} {
		_, errKnown := f.codes.Send(auth.WithClient(ctx, ci), purpose, ph, false)
		_, errUnknown := f.codes.Send(auth.WithClient(ctx, ci), purpose, unknown, false)
		if errKnown != nil || errUnknown != nil {
			t.Fatalf("%s: known %v, unknown %v", purpose, errKnown, errUnknown)
		}
	}
	for _, m := range f.sms.all() {
		if m.to == unknown {
			t.Fatalf("an SMS went to a number without an account: %+v", m)
		}
	}
	// Signup for an existing number: same answer, a notice without a code.
	if _, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeSignup, ph, false); err != nil {
		t.Fatal(err)
	}
	msgs := f.sms.all()
	last := msgs[len(msgs)-1]
	if last.purpose != "notice" || codeRE.MatchString(last.text) || !strings.Contains(last.text, "already has an account") {
		t.Fatalf("notice %+v", last)
	}
}

func TestProviderFailureLeavesNothingBehind(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, ph)
	ctx := context.Background()
	f.sms.fail = errors.New("provider said 500")
	_, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeLogin, ph, false)
	wantKind(t, err, auth.ErrProviderFailed)
	ch, _ := f.db.Challenges().Get(ctx, ph, auth.PurposeLogin)
	if ch.CodeHash != "" {
		t.Fatal("an undelivered code is still live")
	}
	// A retry works at once: no cooldown or budget was consumed.
	f.sms.mu.Lock()
	f.sms.fail = nil
	f.sms.mu.Unlock()
	if _, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeLogin, ph, false); err != nil {
		t.Fatalf("retry after a failure: %v", err)
	}
}

func TestProviderTimeout(t *testing.T) {
	otp := auth.DefaultOTPConfig()
	otp.SMSTimeout = 50 * time.Millisecond
	f := newFixtureOTP(t, weak, otp)
	f.user(t, ph)
	ctx := context.Background()
	f.sms.wait = true
	_, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeLogin, ph, false)
	wantKind(t, err, auth.ErrUnavailable)
	f.sms.mu.Lock()
	f.sms.wait = false
	f.sms.mu.Unlock()
	if _, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeLogin, ph, false); err != nil {
		t.Fatalf("retry after a timeout: %v", err)
	}
}

func TestSignupAndReset(t *testing.T) {
	f := newFixture(t, weak)
	ctx := context.Background()
	taken := "taken@example.com"
	f.accounts.CreateUser(ctx, auth.NewUser{Phone: "+14155550111", Name: "Other", Email: taken, Password: "a long passphrase"})
	code := f.sendCode(t, auth.PurposeSignup, false)
	// A taken email is a 409 that does not cost the code.
	upper := "TAKEN@example.com"
	_, err := f.accounts.SignupWithCode(auth.WithClient(ctx, ci), auth.Signup{Phone: ph, Code: code, Name: "New", Email: &upper, Password: "a long passphrase"})
	wantKind(t, err, auth.ErrConflict)
	free := "new@example.com"
	l, err := f.accounts.SignupWithCode(auth.WithClient(ctx, ci), auth.Signup{Phone: ph, Code: code, Name: "New", Email: &free, Password: "a long passphrase", HasGivenConsent: true})
	if err != nil || l.User.ConsentGivenAt == nil || *l.User.Email != free {
		t.Fatalf("signup = %+v, %v", l, err)
	}
	// Forgot password: mismatch is a field error; success ends every session and sends a notice.
	f.clock.Add(time.Minute)
	rcode := f.sendCode(t, auth.PurposeReset, false)
	_, err = f.accounts.ResetWithCode(ctx, ph, rcode, "brand new passphrase", "brand new passphrasE")
	var verr *auth.ValidationError
	if !errors.As(err, &verr) || verr.Fields[0].Field != "confirm_password" {
		t.Fatalf("mismatch: %v", err)
	}
	if _, err := f.accounts.ResetWithCode(ctx, ph, rcode, "brand new passphrase", "brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sessions.Authenticate(ctx, "Bearer "+l.AccessToken); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("token after reset: %v", err)
	}
	msgs := f.sms.all()
	if last := msgs[len(msgs)-1]; last.purpose != "notice" || !strings.Contains(last.text, "password was just reset") {
		t.Fatalf("no notice: %+v", last)
	}
	if _, err := f.logins.PasswordLogin(auth.WithClient(ctx, ci), ph, "brand new passphrase"); err != nil {
		t.Fatal(err)
	}
}
