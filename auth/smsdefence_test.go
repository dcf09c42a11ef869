package auth_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/store"
)

// fakeCaptcha answers every token as told and counts the calls.
type fakeCaptcha struct {
	mu    sync.Mutex
	good  string // the one token that passes
	err   error  // the provider is down
	calls int
	ips   []string
}

func (c *fakeCaptcha) Verify(_ context.Context, token, ip string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	c.ips = append(c.ips, ip)
	if c.err != nil {
		return false, c.err
	}
	return token == c.good, nil
}

// guardEvents records the SMS guard's and caps' reports.
type guardEvents struct {
	nopObserver
	mu     sync.Mutex
	events []string
	caps   map[string]float64
}

type nopObserver struct{}

func (nopObserver) Login(string, string)                     {}
func (nopObserver) Code(string, string)                      {}
func (nopObserver) SMS(string, time.Duration, error)         {}
func (nopObserver) HashWait(time.Duration)                   {}
func (nopObserver) SMSAttempt(string, string, time.Duration) {}
func (nopObserver) SMSReceipt(string, string)                {}
func (nopObserver) EventDelivery(string, time.Duration)      {}

func (o *guardEvents) SMSGuard(country, event string) {
	o.mu.Lock()
	o.events = append(o.events, country+":"+event)
	o.mu.Unlock()
}

func (o *guardEvents) SMSCap(c string, used float64) {
	o.mu.Lock()
	if o.caps == nil {
		o.caps = map[string]float64{}
	}
	o.caps[c] = used
	o.mu.Unlock()
}

func (o *guardEvents) count(event string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, e := range o.events {
		if e == event {
			n++
		}
	}
	return n
}

type defenceFixture struct {
	*fixture
	guard   *auth.SMSGuard
	captcha *fakeCaptcha
	obs     *guardEvents
}

// newDefenceFixture is newFixture with the SMS defences: a guard on the database (cfg), the CAPTCHA
// in otp.CaptchaMode with a fake provider, and the message log.
func newDefenceFixture(t testing.TB, otp auth.OTPConfig, cfg *auth.SMSGuardConfig) *defenceFixture {
	t.Helper()
	ctx := context.Background()
	db := openDB(t)
	clock := &fakeClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	h, err := password.NewHasher(password.Config{Params: weak})
	if err != nil {
		t.Fatal(err)
	}
	obs := &guardEvents{}
	env := auth.Env{Clock: clock, Logger: slog.New(slog.DiscardHandler), Audit: db.Audit(), Atomic: db, Observer: obs}
	d := &defenceFixture{fixture: &fixture{hasher: h, db: db, clock: clock, hashes: &atomic.Int64{}, sms: &recorder{}},
		captcha: &fakeCaptcha{good: "good-token"}, obs: obs}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if cfg != nil {
		d.guard, err = auth.NewSMSGuard(env, *cfg, db.SMSGuard())
		must(err)
	}
	policy, phones := password.NewPolicy(), phone.Parser{}
	f := d.fixture
	f.keys, err = auth.NewKeyService(ctx, env, auth.KeyConfig{Issuer: "test", AccessTokenTTL: 15 * time.Minute}, db.Keys())
	must(err)
	f.sessions, err = auth.NewSessionService(env, auth.SessionConfig{MaxAge: 24 * time.Hour}, db.Sessions(), db.Users(), f.keys)
	must(err)
	f.codes, err = auth.NewCodeService(ctx, env, otp, auth.CodeDeps{Challenges: db.Challenges(), Secrets: db.Secrets(),
		Users: db.Users(), SMS: f.sms, Phones: phones, Guard: d.guard, Captcha: d.captcha, Messages: db.Messages()})
	must(err)
	f.logins, err = auth.NewLoginService(env, auth.LockoutConfig{}, auth.LoginDeps{Users: db.Users(), Hasher: h,
		Phones: phones, Codes: f.codes, Sessions: f.sessions})
	must(err)
	f.accounts, err = auth.NewAccountService(env, auth.LockoutConfig{}, auth.AccountDeps{Users: db.Users(), Hasher: h, Policy: policy,
		Phones: phones, Codes: f.codes, Sessions: f.sessions})
	must(err)
	f.lifecycle, err = auth.NewLifecycleService(env, auth.LifecycleConfig{ReauthWindow: 10 * time.Minute}, auth.LifecycleDeps{
		Users: db.Users(), Sessions: db.Sessions(), Erasure: db.Users(), Phones: phones, Accounts: f.accounts, Codes: f.codes})
	must(err)
	f.admin, err = auth.NewAdminService(env, auth.AdminDeps{Users: db.Users(), Admin: db.Users(), Sessions: db.Sessions(),
		Hasher: h, Policy: policy, Phones: phones, Guard: d.guard, Messages: db.Messages(), Accounts: f.accounts, Lifecycle: f.lifecycle})
	must(err)
	return d
}

// smallGuard judges a prefix after 5 sends and blocks it below a 50% verification rate.
func smallGuard() *auth.SMSGuardConfig {
	c := auth.DefaultSMSGuardConfig()
	c.MinSends, c.MinRate = 5, 0.5
	return &c
}

func openOTP() auth.OTPConfig {
	o := auth.DefaultOTPConfig()
	o.ResendInterval, o.PhoneHourlyLimit, o.IPHourlyLimit = 0, 0, 0
	return o
}

func (d *defenceFixture) send(purpose, phone string, ip string) (string, error) {
	ctx := auth.WithClient(context.Background(), auth.ClientInfo{IP: ip})
	return d.codes.Send(ctx, purpose, phone, false)
}

func (d *defenceFixture) sendWith(purpose, phone, ip, token string) (string, error) {
	ctx := auth.WithCaptchaToken(auth.WithClient(context.Background(), auth.ClientInfo{IP: ip}), token)
	return d.codes.Send(ctx, purpose, phone, false)
}

func (d *defenceFixture) adminCtx(t *testing.T) context.Context {
	t.Helper()
	u := d.user(t, "+14155550999", auth.RoleAdmin)
	l, err := d.logins.PasswordLogin(context.Background(), u.Phone, "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	return auth.WithPrincipal(context.Background(), &auth.Principal{User: l.User, Session: l.Session})
}

func auditTypes(t *testing.T, db *store.DB, typ string) []auth.AuditEvent {
	t.Helper()
	ev, err := db.Audit().List(context.Background(), auth.AuditFilter{Type: typ, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestGuardBlocksAPumpedPrefix(t *testing.T) {
	d := newDefenceFixture(t, openOTP(), smallGuard())
	owner := d.user(t, "+996700000001") // a number of the prefix with an account
	for i := range 5 {
		if _, err := d.send(auth.PurposeSignup, fmt.Sprintf("+99670012345%d", i), fmt.Sprintf("203.0.113.%d", i)); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	// The 6th finds 5 sends, none verified: blocked, and so is everything after it, with one answer
	// whatever the number and whether it has an account.
	var details []string
	for _, tc := range []struct{ purpose, phone string }{
		{auth.PurposeSignup, "+996700123460"}, {auth.PurposeLogin, owner.Phone}, {auth.PurposeSignup, owner.Phone}, {auth.PurposeReset, "+996700999999"},
	} {
		_, err := d.send(tc.purpose, tc.phone, "203.0.113.99")
		var ae *auth.Error
		if !errors.As(err, &ae) || !errors.Is(err, auth.ErrRateLimited) || ae.RetryAfter < 59*time.Minute || ae.RetryAfter > time.Hour {
			t.Fatalf("%s %s: %v (retry %v), want 429 for about an hour", tc.purpose, tc.phone, err, ae)
		}
		details = append(details, strings.Split(ae.Detail, ";")[0])
	}
	for _, det := range details[1:] {
		if det != details[0] {
			t.Fatalf("the 429's detail depends on the number: %q", details)
		}
	}
	if n := len(d.sms.all()); n != 5 {
		t.Fatalf("%d SMS went out, want 5", n)
	}
	// Another prefix is not concerned.
	if _, err := d.send(auth.PurposeSignup, "+14155550123", "203.0.113.99"); err != nil {
		t.Fatalf("another prefix: %v", err)
	}
	ev := auditTypes(t, d.db, auth.EventSMSGuardBlocked)
	if len(ev) != 1 || ev[0].Details["prefix"] != "+996700" || ev[0].Details["country"] != "KG" || ev[0].Details["sends"] != "5" {
		t.Fatalf("audit %+v", ev)
	}
	if d.obs.count("KG:blocked") != 1 || d.obs.count("KG:refused") != 4 || d.obs.count("KG:sent") != 5 {
		t.Fatalf("observer %v", d.obs.events)
	}
	// The block ends by itself, and the prefix starts over.
	d.clock.Add(time.Hour)
	if _, err := d.send(auth.PurposeSignup, "+996700123461", "203.0.113.99"); err != nil {
		t.Fatalf("after the block: %v", err)
	}
}

func TestGuardVerifiedPrefixStaysOpen(t *testing.T) {
	d := newDefenceFixture(t, openOTP(), smallGuard())
	ctx := context.Background()
	for i := range 12 {
		p := fmt.Sprintf("+1415555%04d", i)
		d.user(t, p)
		if _, err := d.send(auth.PurposeLogin, p, "198.51.100.1"); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		if i%3 == 2 {
			continue // two in three verify: above the 50% minimum
		}
		if _, err := d.logins.CodeLogin(ctx, p, d.lastCode(t, p)); err != nil {
			t.Fatal(err)
		}
	}
	if len(auditTypes(t, d.db, auth.EventSMSGuardBlocked)) != 0 {
		t.Fatal("a prefix with real users was blocked")
	}
	if d.obs.count("US:verified") != 8 {
		t.Fatalf("observer %v", d.obs.events)
	}
}

// Decoys count as sends, so numbers without an account cannot be told apart through the guard, and
// test numbers are never counted.
func TestGuardCountsDecoysNotTestNumbers(t *testing.T) {
	otp := openOTP()
	otp.TestCodes = map[string]string{"+996700000000": "123456"}
	d := newDefenceFixture(t, otp, smallGuard())
	for range 10 {
		if _, err := d.send(auth.PurposeLogin, "+996700000000", "198.51.100.1"); err != nil {
			t.Fatalf("test number: %v", err)
		}
	}
	for i := range 5 {
		if _, err := d.send(auth.PurposeLogin, fmt.Sprintf("+99670055500%d", i), "198.51.100.1"); err != nil {
			t.Fatalf("decoy %d: %v", i, err)
		}
	}
	if len(d.sms.all()) != 0 {
		t.Fatal("an SMS went out")
	}
	if _, err := d.send(auth.PurposeLogin, "+996700555009", "198.51.100.1"); !errors.Is(err, auth.ErrRateLimited) {
		t.Fatalf("after 5 decoys: %v, want blocked", err)
	}
	if _, err := d.send(auth.PurposeLogin, "+996700000000", "198.51.100.1"); err != nil {
		t.Fatalf("a test number in a blocked prefix: %v", err)
	}
}

func TestGuardExemptAndClear(t *testing.T) {
	cfg := smallGuard()
	cfg.Exempt = []string{"+44791"}
	d := newDefenceFixture(t, openOTP(), cfg)
	for i := range 10 {
		if _, err := d.send(auth.PurposeSignup, fmt.Sprintf("+44791112345%d", i), "198.51.100.1"); err != nil {
			t.Fatalf("exempt prefix, send %d: %v", i, err)
		}
	}
	for i := range 6 {
		_, _ = d.send(auth.PurposeSignup, fmt.Sprintf("+99670012345%d", i), "198.51.100.1")
	}
	admin := d.adminCtx(t)
	st, err := d.admin.SMSGuard(admin)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, p := range st.Prefixes {
		states[p.Prefix] = p.State
	}
	if states["+996700"] != auth.GuardBlocked || states["+44791"] != auth.GuardExempt || fmt.Sprint(st.Config.Exempt) != "[+44791]" {
		t.Fatalf("guard list %+v", st.Prefixes)
	}
	if _, err := d.admin.SMSGuard(context.Background()); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("anonymous list: %v", err)
	}
	if err := d.admin.ClearSMSGuard(admin, "996700"); err != nil {
		t.Fatalf("clear: %v", err)
	}
	if err := d.admin.ClearSMSGuard(admin, "+996700"); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("clear again: %v, want 404", err)
	}
	var verr *auth.ValidationError
	if err := d.admin.ClearSMSGuard(admin, "+12x"); !errors.As(err, &verr) {
		t.Fatalf("clear a bad prefix: %v", err)
	}
	// Cleared: the counts start over, so the next sends go out.
	if _, err := d.send(auth.PurposeSignup, "+996700123499", "198.51.100.1"); err != nil {
		t.Fatalf("after clear: %v", err)
	}
	ev := auditTypes(t, d.db, auth.EventSMSGuardCleared)
	if len(ev) != 1 || ev[0].Details["prefix"] != "+996700" || ev[0].ActorID == [16]byte{} {
		t.Fatalf("audit %+v", ev)
	}
}

// sentTo counts the SMS to phone.
func sentTo(d *defenceFixture, phone string) int {
	n := 0
	for _, m := range d.sms.all() {
		if m.to == phone {
			n++
		}
	}
	return n
}

func TestCaptchaAlways(t *testing.T) {
	otp := auth.DefaultOTPConfig() // cooldown and budgets on: a refused request must spend none of them
	otp.PhoneHourlyLimit = 1
	otp.CaptchaMode = auth.CaptchaAlways
	d := newDefenceFixture(t, otp, smallGuard())
	const p = "+14155550123"
	for _, tc := range []struct {
		token   string
		outage  bool
		kind    error
		wantMsg string
	}{
		{"", false, auth.ErrBadRequest, "captcha required"},
		{"bad-token", false, auth.ErrBadRequest, "captcha invalid"},
		{"good-token", true, auth.ErrUnavailable, "CAPTCHA verification is unavailable; please retry"},
	} {
		d.captcha.mu.Lock()
		d.captcha.err = map[bool]error{true: errors.New("siteverify down")}[tc.outage]
		d.captcha.mu.Unlock()
		_, err := d.sendWith(auth.PurposeSignup, p, "198.51.100.7", tc.token)
		var ae *auth.Error
		if !errors.Is(err, tc.kind) || !errors.As(err, &ae) || ae.Detail != tc.wantMsg {
			t.Fatalf("token %q outage %v: %v, want %q", tc.token, tc.outage, err, tc.wantMsg)
		}
	}
	d.captcha.err = nil
	// Nothing was consumed: no SMS, no cooldown, no unit of the 1-per-hour budget, no guard count.
	if sentTo(d, p) != 0 {
		t.Fatal("an SMS went out")
	}
	if _, err := d.sendWith(auth.PurposeSignup, p, "198.51.100.7", "good-token"); err != nil {
		t.Fatalf("with a good token: %v", err)
	}
	if sentTo(d, p) != 1 || d.obs.count("US:sent") != 1 {
		t.Fatalf("%d SMS, %d counted", sentTo(d, p), d.obs.count("US:sent"))
	}
	d.captcha.mu.Lock()
	defer d.captcha.mu.Unlock()
	if d.captcha.ips[len(d.captcha.ips)-1] != "198.51.100.7" {
		t.Errorf("remoteip %v", d.captcha.ips)
	}
}

func TestCaptchaAdaptive(t *testing.T) {
	otp := openOTP()
	otp.CaptchaMode, otp.CaptchaIPSoftLimit = auth.CaptchaAdaptive, 2
	d := newDefenceFixture(t, otp, smallGuard())
	// Within the IP's soft budget: no CAPTCHA (numbers of distinct prefixes, which the guard leaves be).
	for i, p := range []string{"+14155550120", "+12125550121"} {
		if _, err := d.send(auth.PurposeSignup, p, "198.51.100.7"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if _, err := d.send(auth.PurposeSignup, "+16505550129", "198.51.100.7"); err == nil || err.Error() != "captcha required" {
		t.Fatalf("past the soft budget: %v", err)
	}
	if _, err := d.sendWith(auth.PurposeSignup, "+16505550129", "198.51.100.7", "good-token"); err != nil {
		t.Fatalf("past the soft budget, with a token: %v", err)
	}
	if _, err := d.send(auth.PurposeSignup, "+13105550128", "198.51.100.8"); err != nil {
		t.Fatalf("another IP: %v", err)
	}
	// A suspect prefix (3 sends, none verified) asks for a CAPTCHA; a blocked one too, instead of a 429.
	for i := range 3 {
		if _, err := d.send(auth.PurposeSignup, fmt.Sprintf("+99670012345%d", i), fmt.Sprintf("203.0.113.%d", i)); err != nil {
			t.Fatalf("pumping %d: %v", i, err)
		}
	}
	if _, err := d.send(auth.PurposeSignup, "+996700123459", "203.0.113.50"); err == nil || err.Error() != "captcha required" {
		t.Fatalf("suspect prefix: %v", err)
	}
	for i := range 2 {
		if _, err := d.sendWith(auth.PurposeSignup, fmt.Sprintf("+99670012346%d", i), "203.0.113.51", "good-token"); err != nil {
			t.Fatalf("suspect prefix with a token: %v", err)
		}
	}
	_, err := d.send(auth.PurposeSignup, "+996700123470", "203.0.113.52")
	if err == nil || err.Error() != "captcha required" {
		t.Fatalf("blocked prefix in adaptive mode: %v, want captcha required", err)
	}
	if len(auditTypes(t, d.db, auth.EventSMSGuardBlocked)) != 1 {
		t.Fatal("not blocked")
	}
}

func TestSpendCaps(t *testing.T) {
	otp := openOTP()
	otp.SMSHourlyLimit = 4
	otp.SMSCountryHourlyLimits = map[string]int{"US": 2, "*": 1}
	d := newDefenceFixture(t, otp, nil)
	owner := d.user(t, "+14155550100")
	wantCap := func(err error) string {
		t.Helper()
		var ae *auth.Error
		if !errors.Is(err, auth.ErrUnavailable) || !errors.As(err, &ae) || ae.RetryAfter < 59*time.Minute {
			t.Fatalf("%v, want 503 with a Retry-After of about an hour", err)
		}
		return strings.Split(ae.Detail, ";")[0]
	}
	if _, err := d.send(auth.PurposeLogin, owner.Phone, "198.51.100.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.send(auth.PurposeLogin, "+14155550101", "198.51.100.1"); err != nil { // a decoy takes a unit too
		t.Fatal(err)
	}
	a := wantCap(func() error { _, err := d.send(auth.PurposeLogin, owner.Phone, "198.51.100.1"); return err }())
	b := wantCap(func() error { _, err := d.send(auth.PurposeLogin, "+14155550102", "198.51.100.1"); return err }())
	if a != b {
		t.Fatalf("the cap's detail depends on the account: %q vs %q", a, b)
	}
	// Each other country has a cap of 1.
	if _, err := d.send(auth.PurposeSignup, "+447400123456", "198.51.100.1"); err != nil {
		t.Fatal(err)
	}
	wantCap(func() error { _, err := d.send(auth.PurposeSignup, "+447400123457", "198.51.100.1"); return err }())
	if _, err := d.send(auth.PurposeSignup, "+33612345678", "198.51.100.1"); err != nil {
		t.Fatal(err)
	}
	// 4 of all: the cap of all destinations.
	wantCap(func() error { _, err := d.send(auth.PurposeSignup, "+4915112345678", "198.51.100.1"); return err }())
	if d.obs.caps["all"] != 1 || d.obs.caps["US"] != 1 {
		t.Fatalf("cap gauges %v", d.obs.caps)
	}
}

// A send the provider fails gives its cap unit back.
func TestSpendCapGivenBackOnFailure(t *testing.T) {
	otp := openOTP()
	otp.SMSHourlyLimit = 1
	d := newDefenceFixture(t, otp, nil)
	d.sms.fail = errors.New("provider down")
	if _, err := d.send(auth.PurposeSignup, "+14155550123", "198.51.100.1"); err == nil {
		t.Fatal("send succeeded")
	}
	d.sms.fail = nil
	if _, err := d.send(auth.PurposeSignup, "+14155550123", "198.51.100.1"); err != nil {
		t.Fatalf("the failed send kept its cap unit: %v", err)
	}
}

func TestMessageLogAndReceipts(t *testing.T) {
	d := newDefenceFixture(t, openOTP(), nil)
	ctx := context.Background()
	ref, err := d.send(auth.PurposeSignup, "+14155550123", "198.51.100.1")
	if err != nil {
		t.Fatal(err)
	}
	d.sms.fail = fmt.Errorf("wrapped: %w", context.DeadlineExceeded)
	_, _ = d.send(auth.PurposeSignup, "+447400123456", "198.51.100.1")
	d.sms.fail = nil
	admin := d.adminCtx(t)
	msgs, next, err := d.admin.SMSMessages(admin, auth.SMSMessageFilter{}, "")
	if err != nil || next != "" || len(msgs) != 2 {
		t.Fatalf("SMSMessages = %d, %q, %v", len(msgs), next, err)
	}
	failed, sent := msgs[0], msgs[1]
	if sent.ReferenceID != ref || sent.Purpose != "signup" || sent.Provider != "recorder" || sent.Country != "US" ||
		sent.Phone != "+141******23" || sent.Status != auth.SMSSent {
		t.Fatalf("sent %+v", sent)
	}
	if failed.Status != auth.SMSFailed || failed.ErrorCode != "timeout" || failed.Country != "GB" {
		t.Fatalf("failed %+v", failed)
	}
	if found, err := d.codes.DeliveryReceipt(ctx, auth.Receipt{Provider: "webhook", ReferenceID: ref, Status: auth.SMSDelivered}); err != nil || !found {
		t.Fatalf("receipt: %v, %v", found, err)
	}
	if found, err := d.codes.DeliveryReceipt(ctx, auth.Receipt{Provider: "webhook", ReferenceID: "otp_unknown", Status: auth.SMSDelivered}); err != nil || found {
		t.Fatalf("receipt of an unknown reference: %v, %v", found, err)
	}
	var verr *auth.ValidationError
	if _, err := d.codes.DeliveryReceipt(ctx, auth.Receipt{ReferenceID: ref, Status: "read"}); !errors.As(err, &verr) {
		t.Fatalf("bad status: %v", err)
	}
	msgs, _, _ = d.admin.SMSMessages(admin, auth.SMSMessageFilter{Status: auth.SMSDelivered}, "")
	if len(msgs) != 1 || msgs[0].ReferenceID != ref {
		t.Fatalf("delivered %+v", msgs)
	}
	msgs, next, _ = d.admin.SMSMessages(admin, auth.SMSMessageFilter{Limit: 1}, "")
	if len(msgs) != 1 || next == "" {
		t.Fatalf("page of 1: %d, %q", len(msgs), next)
	}
	if msgs, next, _ = d.admin.SMSMessages(admin, auth.SMSMessageFilter{Limit: 1}, next); len(msgs) != 1 || next != "" {
		t.Fatalf("second page: %d, %q", len(msgs), next)
	}
	if _, _, err := d.admin.SMSMessages(admin, auth.SMSMessageFilter{}, "x"); !errors.Is(err, auth.ErrBadRequest) {
		t.Fatalf("bad cursor: %v", err)
	}
}

// The guard on its own, with an injected clock: the rolling window forgets old sends.
func TestGuardWindowRolls(t *testing.T) {
	d := newDefenceFixture(t, openOTP(), smallGuard())
	for i := range 4 {
		if _, err := d.send(auth.PurposeSignup, fmt.Sprintf("+99670012345%d", i), "198.51.100.1"); err != nil {
			t.Fatal(err)
		}
	}
	d.clock.Add(61 * time.Minute) // the 4 sends leave the window
	for i := range 5 {
		if _, err := d.send(auth.PurposeSignup, fmt.Sprintf("+99670012346%d", i), "198.51.100.1"); err != nil {
			t.Fatalf("send %d after the window: %v", i, err)
		}
	}
	if _, err := d.send(auth.PurposeSignup, "+996700123470", "198.51.100.1"); !errors.Is(err, auth.ErrRateLimited) {
		t.Fatalf("6th in the window: %v", err)
	}
}

func TestSMSGuardConfigValidate(t *testing.T) {
	good := auth.DefaultSMSGuardConfig()
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*auth.SMSGuardConfig){
		"window":   func(c *auth.SMSGuardConfig) { c.Window = time.Second },
		"sends":    func(c *auth.SMSGuardConfig) { c.MinSends = 0 },
		"rate":     func(c *auth.SMSGuardConfig) { c.MinRate = 1.5 },
		"block":    func(c *auth.SMSGuardConfig) { c.Block = 0 },
		"exempt":   func(c *auth.SMSGuardConfig) { c.Exempt = []string{"1415"} },
		"exempt 0": func(c *auth.SMSGuardConfig) { c.Exempt = []string{"+0415"} },
	} {
		c := good
		mod(&c)
		if c.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
