package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/auth/token"
	"github.com/phoneauth/phoneauth/store"
	"github.com/phoneauth/phoneauth/store/storetest"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	keys      *auth.KeyService
	sessions  *auth.SessionService
	codes     *auth.CodeService
	logins    *auth.LoginService
	accounts  *auth.AccountService
	lifecycle *auth.LifecycleService
	admin     *auth.AdminService
	retention *auth.RetentionService
	hasher    *password.Hasher
	db        *store.DB
	clock     *fakeClock
	hashes    *atomic.Int64 // argon2 computations so far
	sms       *recorder
}

// recorder is an SMS sender that keeps what it was asked to send, or fails as told.
type recorder struct {
	mu   sync.Mutex
	sent []sent
	fail error // returned by Send when set
	wait bool  // block until the context is done
}

type sent struct{ to, text, purpose, ref string }

func (r *recorder) Send(ctx context.Context, to, text, purpose, ref string) (string, string, error) {
	r.mu.Lock()
	fail, wait := r.fail, r.wait
	r.mu.Unlock()
	if wait {
		<-ctx.Done()
		return "recorder", "", ctx.Err()
	}
	if fail != nil {
		return "recorder", "", fail
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, sent{to, text, purpose, ref})
	return "recorder", "", nil
}

func (r *recorder) all() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sent(nil), r.sent...)
}

var weak = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// hashCounter counts the hashes that passed the gate.
type hashCounter struct{ n *atomic.Int64 }

func (c hashCounter) HashWait(time.Duration) { c.n.Add(1) }

func newFixture(t *testing.T, params password.Params) *fixture {
	return newFixtureOTP(t, params, auth.DefaultOTPConfig())
}

// openDB returns a fresh, migrated SQLite database, closed when t ends.
func openDB(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: storetest.URL(t, "sqlite")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func newFixtureOTP(t *testing.T, params password.Params, otp auth.OTPConfig) *fixture {
	t.Helper()
	db := openDB(t)
	return newServiceOTP(t, db, params, &fakeClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}, otp)
}

func newService(t *testing.T, db *store.DB, params password.Params, clock *fakeClock) *fixture {
	return newServiceOTP(t, db, params, clock, auth.DefaultOTPConfig())
}

func newServiceOTP(t *testing.T, db *store.DB, params password.Params, clock *fakeClock, otp auth.OTPConfig) *fixture {
	t.Helper()
	hashes := &atomic.Int64{}
	h, err := password.NewHasher(password.Config{Params: params, Observer: hashCounter{hashes}})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	f := &fixture{hasher: h, db: db, clock: clock, hashes: hashes, sms: rec}
	env := auth.Env{Clock: clock, Logger: slog.New(slog.DiscardHandler), Audit: db.Audit(), Atomic: db}
	ctx, policy, phones := context.Background(), password.NewPolicy(), phone.Parser{}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f.keys, err = auth.NewKeyService(ctx, env, auth.KeyConfig{Issuer: "test", AccessTokenTTL: 15 * time.Minute}, db.Keys())
	must(err)
	f.sessions, err = auth.NewSessionService(env, auth.SessionConfig{MaxAge: 24 * time.Hour, IdleTimeout: 6 * time.Hour,
		RefreshReuseInterval: 10 * time.Second}, db.Sessions(), db.Users(), f.keys)
	must(err)
	f.codes, err = auth.NewCodeService(ctx, env, otp, auth.CodeDeps{Challenges: db.Challenges(), Secrets: db.Secrets(),
		Users: db.Users(), SMS: rec, Phones: phones})
	must(err)
	f.logins, err = auth.NewLoginService(env, auth.LockoutConfig{Threshold: 3}, auth.LoginDeps{Users: db.Users(), Hasher: h,
		Throttle: db.Throttle(), Phones: phones, Codes: f.codes, Sessions: f.sessions})
	must(err)
	f.accounts, err = auth.NewAccountService(env, auth.LockoutConfig{Threshold: 3}, auth.AccountDeps{Users: db.Users(), Hasher: h, Policy: policy,
		Throttle: db.Throttle(), Phones: phones, Codes: f.codes, Sessions: f.sessions})
	must(err)
	f.lifecycle, err = auth.NewLifecycleService(env, auth.LifecycleConfig{ReauthWindow: 10 * time.Minute}, auth.LifecycleDeps{
		Users: db.Users(), Sessions: db.Sessions(), Erasure: db.Users(), Phones: phones, Accounts: f.accounts, Codes: f.codes})
	must(err)
	f.admin, err = auth.NewAdminService(env, auth.AdminDeps{Users: db.Users(), Admin: db.Users(), Sessions: db.Sessions(),
		Throttle: db.Throttle(), Hasher: h, Policy: policy, Phones: phones, Accounts: f.accounts, Lifecycle: f.lifecycle})
	must(err)
	f.retention, err = auth.NewRetentionService(env, auth.RetentionConfig{SessionRetention: 48 * time.Hour}, db.Purger())
	must(err)
	return f
}

func (f *fixture) user(t *testing.T, ph string, roles ...string) *auth.User {
	t.Helper()
	u, err := f.accounts.CreateUser(context.Background(), auth.NewUser{Phone: ph, Name: "Test", Password: "a long passphrase", Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUnknownPhoneCostsAHash(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, "+14155550100")
	ctx := context.Background()
	for _, tc := range []struct{ phone, pw string }{{"+14155550100", "wrong passphrase"}, {"+14155550199", "a long passphrase"}} {
		before := f.hashes.Load()
		_, err := f.logins.PasswordLogin(ctx, tc.phone, tc.pw)
		if !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("%s: %v", tc.phone, err)
		}
		if n := f.hashes.Load() - before; n != 1 {
			t.Errorf("%s: %d hashes, want 1 (timing parity)", tc.phone, n)
		}
	}
}

func TestSessionLifetime(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, "+14155550100")
	ctx := context.Background()
	l, err := f.logins.PasswordLogin(auth.WithClient(ctx, auth.ClientInfo{IP: "192.0.2.7", UserAgent: "ua"}), "+14155550100", "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if l.Session.IP != "192.0.2.7" || l.Session.AMR != auth.AMRPassword || l.User.LastLoginAt == nil {
		t.Fatalf("session %+v", l.Session)
	}
	p, err := f.sessions.Authenticate(ctx, "Bearer "+l.AccessToken)
	if err != nil || p.User.ID != l.User.ID || p.Session.ID != l.Session.ID {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	f.clock.Add(16 * time.Minute) // past the access token's exp
	if _, err := f.sessions.Authenticate(ctx, "Bearer "+l.AccessToken); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("expired token: %v", err)
	}
	// A token whose session outlived its max age is refused even if the token itself is fresh.
	f.clock.Add(24 * time.Hour)
	l2, err := f.logins.PasswordLogin(ctx, "+14155550100", "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Sessions().EndAll(ctx, l2.User.ID, f.clock.Now(), uuid.Nil, auth.EndRevoked); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sessions.Authenticate(ctx, "Bearer "+l2.AccessToken); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("token of an ended session: %v", err)
	}
}

func TestKeysSharedAcrossInstances(t *testing.T) {
	a := newFixture(t, weak)
	a.user(t, "+14155550100")
	ctx := context.Background()
	// A second instance on the same database uses the same key: a token of one verifies on the other.
	b := newService(t, a.db, weak, a.clock)
	l, err := a.logins.PasswordLogin(ctx, "+14155550100", "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.sessions.Authenticate(ctx, "Bearer "+l.AccessToken); err != nil {
		t.Fatalf("instance b rejects a's token: %v", err)
	}
	// Another instance adds a newer key (a rotation); a, which has not seen it, reloads on the unknown
	// kid and accepts tokens signed with it.
	k, _ := token.GenerateKey(a.clock.Now().Add(time.Minute))
	if err := a.db.Keys().Add(ctx, k); err != nil {
		t.Fatal(err)
	}
	c := newService(t, a.db, weak, a.clock)
	l2, err := c.logins.PasswordLogin(ctx, "+14155550100", "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(l2.AccessToken, ".") {
		t.Fatal("no token")
	}
	a.clock.Add(2 * time.Second) // past the reload rate limit
	if _, err := a.sessions.Authenticate(ctx, "Bearer "+l2.AccessToken); err != nil {
		t.Fatalf("a rejects a token of the rotated key: %v", err)
	}
	if _, err := a.sessions.Authenticate(ctx, "Bearer "+l.AccessToken); err != nil {
		t.Fatalf("a rejects a token of the old key after reload: %v", err)
	}
}

func TestWeakHashUpgradedAtLogin(t *testing.T) {
	f := newFixture(t, weak)
	u := f.user(t, "+14155550100")
	stronger := password.Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	g := newService(t, f.db, stronger, f.clock)
	if _, err := g.logins.PasswordLogin(context.Background(), "+14155550100", "a long passphrase"); err != nil {
		t.Fatal(err)
	}
	after, _ := f.db.Users().ByID(context.Background(), u.ID)
	if !strings.Contains(after.PasswordHash, "m=128,t=2") {
		t.Fatalf("hash not upgraded: %s", after.PasswordHash)
	}
}

func TestCreateUserReportsEveryField(t *testing.T) {
	f := newFixture(t, weak)
	_, err := f.accounts.CreateUser(context.Background(), auth.NewUser{Phone: "x", Name: " ", Email: "no", Password: "short", Roles: []string{"root"}})
	var verr *auth.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v", err)
	}
	var fields []string
	for _, fe := range verr.Fields {
		fields = append(fields, fe.Field)
	}
	if got := strings.Join(fields, ","); got != "phone,name,email,password,roles" {
		t.Fatalf("fields %s", got)
	}
}

func TestValidEmail(t *testing.T) {
	for e, ok := range map[string]bool{
		"a@example.com": true, "A.B+tag@sub.example.co.uk": true, "a@localhost": false, "a@": false, "@x.com": false,
		"Ann <a@example.com>": false, "a b@example.com": false, "a@example.com.": false, strings.Repeat("a", 250) + "@x.com": false,
	} {
		if auth.ValidEmail(e) != ok {
			t.Errorf("ValidEmail(%q) = %v", e, !ok)
		}
	}
}

// jwsHeader returns the kid of a compact JWS.
func jwsHeader(tok string) (string, error) {
	seg, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return "", err
	}
	var h struct {
		Kid string `json:"kid"`
	}
	err = json.Unmarshal(b, &h)
	return h.Kid, err
}

func TestParseID(t *testing.T) {
	for s, ok := range map[string]bool{
		"0190a000-0000-7000-8000-000000000001": true, "0190A000-0000-7000-8000-00000000000A": true,
		"": false, "not-a-uuid": false, "{0190a000-0000-7000-8000-000000000001}": false,
		"urn:uuid:0190a000-0000-7000-8000-000000000001": false, "0190a000000070008000000000000001": false,
		"0190a000-0000-7000-8000-00000000000g": false, "0190a000x0000-7000-8000-000000000001": false,
	} {
		if _, got := auth.ParseID(s); got != ok {
			t.Errorf("ParseID(%q) ok = %v, want %v", s, got, ok)
		}
	}
}
