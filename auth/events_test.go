package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/auth/webhook"
	"github.com/phoneauth/phoneauth/store"
)

const (
	hookSecret   = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	signupPhone  = "+14155550142"
	signupCode   = "424242"
	passphrase   = "a long passphrase"
	passphrase2  = "another long passphrase"
	eventsIssuer = "test"
)

// eventFixture is the services with outbound events on (and a token hook when asked for).
type eventFixture struct {
	*fixture
	outbox auth.Outbox
}

// failingOutbox is an outbox whose appends fail.
type failingOutbox struct{ auth.Outbox }

func (failingOutbox) Append(context.Context, *auth.OutboundEvent) error {
	return errors.New("outbox down")
}

func newEventFixture(t *testing.T, cfg auth.EventConfig, hook auth.TokenHookConfig, outbox func(*store.DB) auth.Outbox) *eventFixture {
	t.Helper()
	db := openDB(t)
	clock := &fakeClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	ob := auth.Outbox(db.Events())
	if outbox != nil {
		ob = outbox(db)
	}
	events, err := auth.NewEvents(clock, cfg, ob)
	if err != nil {
		t.Fatal(err)
	}
	h, err := password.NewHasher(password.Config{Params: weak})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{hasher: h, db: db, clock: clock, sms: &recorder{}}
	env := auth.Env{Clock: clock, Logger: slog.New(slog.DiscardHandler), Audit: db.Audit(), Atomic: db, Events: events}
	ctx, policy, phones := context.Background(), password.NewPolicy(), phone.Parser{}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	otp := auth.DefaultOTPConfig()
	otp.TestCodes = map[string]string{signupPhone: signupCode}
	f.keys, err = auth.NewKeyService(ctx, env, auth.KeyConfig{Issuer: eventsIssuer, AccessTokenTTL: 15 * time.Minute, Hook: hook}, db.Keys())
	must(err)
	f.sessions, err = auth.NewSessionService(env, auth.SessionConfig{MaxAge: 24 * time.Hour, RefreshReuseInterval: 10 * time.Second},
		db.Sessions(), db.Users(), f.keys)
	must(err)
	f.codes, err = auth.NewCodeService(ctx, env, otp, auth.CodeDeps{Challenges: db.Challenges(), Secrets: db.Secrets(),
		Users: db.Users(), SMS: f.sms, Phones: phones})
	must(err)
	f.logins, err = auth.NewLoginService(env, auth.LockoutConfig{}, auth.LoginDeps{Users: db.Users(), Hasher: h,
		Throttle: db.Throttle(), Phones: phones, Codes: f.codes, Sessions: f.sessions})
	must(err)
	f.accounts, err = auth.NewAccountService(env, auth.LockoutConfig{}, auth.AccountDeps{Users: db.Users(), Hasher: h, Policy: policy,
		Throttle: db.Throttle(), Phones: phones, Codes: f.codes, Sessions: f.sessions})
	must(err)
	f.lifecycle, err = auth.NewLifecycleService(env, auth.LifecycleConfig{ReauthWindow: 10 * time.Minute}, auth.LifecycleDeps{
		Users: db.Users(), Sessions: db.Sessions(), Erasure: db.Users(), Phones: phones, Accounts: f.accounts, Codes: f.codes})
	must(err)
	f.admin, err = auth.NewAdminService(env, auth.AdminDeps{Users: db.Users(), Admin: db.Users(), Sessions: db.Sessions(),
		Throttle: db.Throttle(), Hasher: h, Policy: policy, Phones: phones, Accounts: f.accounts, Lifecycle: f.lifecycle, Outbox: db.Events()})
	must(err)
	return &eventFixture{fixture: f, outbox: db.Events()}
}

// signup signs signupPhone up by code and returns its login.
func (f *eventFixture) signup(t *testing.T) *auth.Login {
	t.Helper()
	ctx := context.Background()
	if _, err := f.codes.Send(ctx, auth.PurposeSignup, signupPhone, false); err != nil {
		t.Fatal(err)
	}
	l, err := f.accounts.SignupWithCode(ctx, auth.Signup{Phone: signupPhone, Code: signupCode, Name: "Nina", Password: passphrase})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// events returns every event in the outbox, oldest first.
func (f *eventFixture) events(t *testing.T) []auth.OutboundEvent {
	t.Helper()
	list, err := f.outbox.List(context.Background(), auth.OutboundFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(list)
	return list
}

func types(events []auth.OutboundEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

func as(p *auth.Principal) context.Context { return auth.WithPrincipal(context.Background(), p) }

// TestEventsOfAnAccount follows one account through its life: each change writes its event, with only
// the data its type needs, and deleting the account empties the data of all of them.
func TestEventsOfAnAccount(t *testing.T) {
	f := newEventFixture(t, auth.EventConfig{}, auth.TokenHookConfig{}, nil)
	admin := f.user(t, "+14155550101", auth.RoleAdmin)
	al, err := f.logins.PasswordLogin(context.Background(), "+14155550101", passphrase)
	if err != nil {
		t.Fatal(err)
	}
	adminCtx := as(&auth.Principal{User: admin, Session: al.Session})

	l := f.signup(t)
	me := as(&auth.Principal{User: l.User, Session: l.Session})
	if err := f.accounts.ChangePassword(me, passphrase, passphrase2); err != nil {
		t.Fatal(err)
	}
	if _, err := f.lifecycle.UpdateProfile(me, auth.ProfileChange{Name: ptr("Nina K"), Consent: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.admin.SetRole(adminCtx, l.User.ID, auth.RoleAdmin, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.admin.EndSessions(adminCtx, l.User.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.admin.EndSessions(adminCtx, l.User.ID); err != nil { // none left: no event
		t.Fatal(err)
	}
	if _, err := f.admin.SetActive(adminCtx, l.User.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.admin.SetActive(adminCtx, l.User.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.admin.UpdateUser(adminCtx, l.User.ID, auth.ProfileChange{Phone: ptr("+14155550143")}); err != nil {
		t.Fatal(err)
	}

	all := f.events(t)
	var mine []auth.OutboundEvent
	for _, e := range all {
		if e.UserID == l.User.ID {
			mine = append(mine, e)
		}
	}
	want := []string{auth.TypeUserCreated, auth.TypeSessionStarted, auth.TypePasswordChanged, auth.TypeUserUpdated, auth.TypeRoleChanged,
		auth.TypeSessionEnded, auth.TypeUserDeactivated, auth.TypeUserActivated, auth.TypePhoneChanged}
	if got := types(mine); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	data := func(i int) map[string]any {
		m := map[string]any{}
		if err := json.Unmarshal(mine[i].Data, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	for i, check := range []struct{ key, want string }{
		{"phone", signupPhone}, {"session_id", l.Session.ID.String()}, {"by", "user"}, {"fields", "[consent name]"},
		{"roles", "[user admin]"}, {"count", "1"}, {"actor_id", admin.ID.String()}, {"actor_id", admin.ID.String()},
		{"phone", "+14155550143"},
	} {
		if got := fmt.Sprint(data(i)[check.key]); got != check.want {
			t.Errorf("%s: %s = %s, want %s (data %s)", mine[i].Type, check.key, got, check.want, mine[i].Data)
		}
	}
	if v := data(0)["via"]; v != "signup" {
		t.Errorf("user.created via %v, want signup", v)
	}
	// Nothing secret in any event, whatever it is about.
	for _, e := range all {
		body := string(e.Body())
		for _, secret := range []string{passphrase, passphrase2, signupCode, l.AccessToken, l.RefreshToken, "argon2", "$2"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s event holds %q: %s", e.Type, secret, body)
			}
		}
	}

	if err := f.admin.DeleteUser(adminCtx, l.User.ID); err != nil {
		t.Fatal(err)
	}
	after := f.events(t)
	last := after[len(after)-1]
	if last.Type != auth.TypeUserDeleted || last.UserID != l.User.ID || string(last.Data) != `{"by":"admin"}` {
		t.Fatalf("last event %s %s %s, want user.deleted by admin, with nothing else", last.Type, last.UserID, last.Data)
	}
	for _, e := range after {
		if e.UserID == l.User.ID && e.Type != auth.TypeUserDeleted && string(e.Data) != "{}" {
			t.Errorf("%s of the deleted user still holds %s", e.Type, e.Data)
		}
	}
	var envelope map[string]any
	if err := json.Unmarshal(last.Body(), &envelope); err != nil {
		t.Fatal(err)
	}
	if envelope["id"] != last.ID.String() || envelope["type"] != auth.TypeUserDeleted || envelope["user_id"] != l.User.ID.String() || envelope["timestamp"] == nil {
		t.Fatalf("body %s: want id, type, timestamp, user_id and data", last.Body())
	}
}

func ptr[T any](v T) *T { return &v }

// TestEventsFilteredOrFailing: only the types configured are written; an event that cannot be
// written fails the change it reports, which is then not made.
func TestEventsFilteredOrFailing(t *testing.T) {
	f := newEventFixture(t, auth.EventConfig{Types: []string{auth.TypeUserCreated}}, auth.TokenHookConfig{}, nil)
	f.signup(t)
	if got := types(f.events(t)); !slices.Equal(got, []string{auth.TypeUserCreated}) {
		t.Fatalf("events %v, want user.created alone", got)
	}
	if _, err := auth.NewEvents(nil, auth.EventConfig{Types: []string{"user.exploded"}}, f.outbox); err == nil {
		t.Fatal("an unknown type was accepted")
	}

	f = newEventFixture(t, auth.EventConfig{}, auth.TokenHookConfig{}, func(db *store.DB) auth.Outbox { return failingOutbox{db.Events()} })
	if _, err := f.accounts.CreateUser(context.Background(), auth.NewUser{Phone: "+14155550177", Name: "X"}); err == nil {
		t.Fatal("CreateUser succeeded without its event")
	}
	if _, err := f.db.Users().ByPhone(context.Background(), "+14155550177"); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("the user was stored without its event: %v", err)
	}
}

// receiver is an event receiver inside the test: it records what arrives and answers as told.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []map[string]any
	answer func(body []byte, r *http.Request, w http.ResponseWriter) bool // false: the delivery failed
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(hookSecret, r.Header, body, time.Now(), 0); err != nil {
			t.Errorf("delivery does not verify: %v", err)
		}
		rc.mu.Lock()
		answer := rc.answer
		rc.mu.Unlock()
		if answer != nil && !answer(body, r, w) {
			return
		}
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		if m["id"] != r.Header.Get("webhook-id") {
			t.Errorf("webhook-id %s, event id %v", r.Header.Get("webhook-id"), m["id"])
		}
		rc.mu.Lock()
		rc.got = append(rc.got, m)
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) received() []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

func (rc *receiver) dispatcher(t *testing.T, f *eventFixture, cfg auth.DispatchConfig) (*auth.Dispatcher, *observer) {
	t.Helper()
	s, err := webhook.NewSender(webhook.SenderConfig{URL: rc.srv.URL, Secret: hookSecret})
	if err != nil {
		t.Fatal(err)
	}
	obs := &observer{}
	d, err := auth.NewDispatcher(auth.Env{Clock: f.clock, Logger: slog.New(slog.DiscardHandler), Observer: obs}, cfg, f.outbox, s)
	if err != nil {
		t.Fatal(err)
	}
	return d, obs
}

// observer counts deliveries by outcome.
type observer struct {
	guardEvents // the other reports, ignored
	mu          sync.Mutex
	outcomes    []string
}

func (o *observer) EventDelivery(outcome string, _ time.Duration) {
	o.mu.Lock()
	o.outcomes = append(o.outcomes, outcome)
	o.mu.Unlock()
}

// TestDispatcherRetriesInOrder: a failing receiver gets each event again after a backoff that grows
// (and honours Retry-After), a user's later events wait for the earlier one, and an event that fails
// for its whole maximum age goes dead and no longer holds its user's next ones back.
func TestDispatcherRetriesInOrder(t *testing.T) {
	f := newEventFixture(t, auth.EventConfig{MaxAge: time.Hour}, auth.TokenHookConfig{}, nil)
	rc := newReceiver(t)
	d, obs := rc.dispatcher(t, f, auth.DispatchConfig{BackoffMin: time.Second, BackoffMax: time.Minute})
	ctx := context.Background()
	f.signup(t) // user.created, session.started
	failing := true
	rc.answer = func(_ []byte, _ *http.Request, w http.ResponseWriter) bool {
		if failing {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusServiceUnavailable)
			return false
		}
		return true
	}
	run := func(wantClaimed int) {
		t.Helper()
		n, err := d.RunOnce(ctx)
		if err != nil || n != wantClaimed {
			t.Fatalf("RunOnce = %d, %v; want %d claimed", n, err, wantClaimed)
		}
	}
	run(1) // user.created only: session.started waits for it
	ev := f.events(t)
	if ev[0].State != auth.EventPending || ev[0].Attempts != 1 || ev[0].LastError != "HTTP 503" {
		t.Fatalf("after a 503: %+v", ev[0])
	}
	if wait := ev[0].NextAttemptAt.Sub(f.clock.Now()); wait < 30*time.Second {
		t.Fatalf("retry in %s, want at least the Retry-After of 30s", wait)
	}
	run(0) // not due yet, and its user's next event waits
	f.clock.Add(31 * time.Second)
	failing = false
	run(1)
	run(1)
	got := rc.received()
	if len(got) != 2 || got[0]["type"] != auth.TypeUserCreated || got[1]["type"] != auth.TypeSessionStarted {
		t.Fatalf("received %v, want user.created then session.started", got)
	}
	if !slices.Equal(obs.outcomes, []string{"failed", "delivered", "delivered"}) {
		t.Fatalf("outcomes %v", obs.outcomes)
	}

	// A receiver that keeps failing: the event goes dead after an hour, and its user's next event is
	// delivered then.
	failing = true
	rc.answer = func(body []byte, _ *http.Request, w http.ResponseWriter) bool {
		if failing && strings.Contains(string(body), auth.TypePasswordChanged) {
			w.WriteHeader(http.StatusInternalServerError)
			return false
		}
		return true
	}
	l, err := f.logins.PasswordLogin(ctx, signupPhone, passphrase)
	if err != nil {
		t.Fatal(err)
	}
	me := as(&auth.Principal{User: l.User, Session: l.Session})
	run(1) // session.started of this login
	if err := f.accounts.ChangePassword(me, passphrase, passphrase2); err != nil {
		t.Fatal(err)
	}
	if err := f.sessions.Logout(me, auth.ScopeLocal); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		f.clock.Add(5 * time.Minute)
		if _, err := d.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	dead, err := f.outbox.List(ctx, auth.OutboundFilter{State: auth.EventDead, Limit: 10})
	if err != nil || len(dead) != 1 || dead[0].Type != auth.TypePasswordChanged {
		t.Fatalf("dead events %v, %v; want password.changed", types(dead), err)
	}
	got = rc.received()
	if last := got[len(got)-1]; last["type"] != auth.TypeSessionEnded {
		t.Fatalf("last received %v, want session.ended once password.changed was dead", last["type"])
	}

	// Redelivered by an admin: delivered once the receiver takes it.
	admin := f.user(t, "+14155550101", auth.RoleAdmin)
	adminCtx := as(&auth.Principal{User: admin, Session: &auth.Session{}})
	re, err := f.admin.Redeliver(adminCtx, dead[0].ID)
	if err != nil || re.State != auth.EventPending {
		t.Fatalf("Redeliver = %+v, %v", re, err)
	}
	failing = false
	for range 3 {
		if _, err := d.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if list, _ := f.outbox.List(ctx, auth.OutboundFilter{State: auth.EventPending, Limit: 10}); len(list) != 0 {
		t.Fatalf("still pending: %v", types(list))
	}
	if _, err := f.admin.Redeliver(adminCtx, uuid.New()); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("Redeliver(unknown) = %v", err)
	}
}

// TestDispatcherTimeout: a receiver that does not answer in time is an attempt that failed; the
// dispatcher goes on.
func TestDispatcherTimeout(t *testing.T) {
	f := newEventFixture(t, auth.EventConfig{}, auth.TokenHookConfig{}, nil)
	rc := newReceiver(t)
	rc.answer = func(_ []byte, r *http.Request, _ http.ResponseWriter) bool {
		<-r.Context().Done()
		return false
	}
	d, obs := rc.dispatcher(t, f, auth.DispatchConfig{Timeout: 50 * time.Millisecond})
	f.signup(t)
	if n, err := d.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	ev := f.events(t)[0]
	if ev.State != auth.EventPending || ev.Attempts != 1 || ev.LastError != "timeout" || !slices.Equal(obs.outcomes, []string{"timeout"}) {
		t.Fatalf("after a timeout: %+v, outcomes %v", ev, obs.outcomes)
	}
}

// hookServer is a token hook inside the test.
func hookServer(t *testing.T, answer func(w http.ResponseWriter, call map[string]any)) (url string, calls func() []map[string]any) {
	var mu sync.Mutex
	var got []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(hookSecret, r.Header, body, time.Now(), 0); err != nil {
			t.Errorf("hook call does not verify: %v", err)
		}
		var call map[string]any
		_ = json.Unmarshal(body, &call)
		mu.Lock()
		got = append(got, call)
		mu.Unlock()
		answer(w, call)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []map[string]any { mu.Lock(); defer mu.Unlock(); return slices.Clone(got) }
}

func tokenClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestTokenHookAddsClaims: the hook is asked at sign-up, login and refresh, with the claims about to be
// signed, and its claims go into the token, except the reserved ones.
func TestTokenHookAddsClaims(t *testing.T) {
	url, calls := hookServer(t, func(w http.ResponseWriter, call map[string]any) {
		_, _ = fmt.Fprintf(w, `{"claims": {"tenant_id": "t-%s", "sub": "someone-else", "roles": ["root"], "exp": 1}}`, call["user_id"])
	})
	f := newEventFixture(t, auth.EventConfig{}, auth.TokenHookConfig{URL: url, Secret: hookSecret, Failure: auth.HookFail}, nil)
	l := f.signup(t)
	l2, err := f.logins.PasswordLogin(context.Background(), signupPhone, passphrase)
	if err != nil {
		t.Fatal(err)
	}
	l3, err := f.sessions.Refresh(context.Background(), l2.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{l.AccessToken, l2.AccessToken, l3.AccessToken} {
		c := tokenClaims(t, tok)
		if c["tenant_id"] != "t-"+l.User.ID.String() || c["sub"] != l.User.ID.String() || fmt.Sprint(c["roles"]) != "[user]" || c["exp"] == 1.0 {
			t.Fatalf("claims %v: want the hook's tenant_id, and phoneauth's sub, roles and exp", c)
		}
		if _, err := f.sessions.Authenticate(context.Background(), "Bearer "+tok); err != nil {
			t.Fatalf("a token with the hook's claims does not authenticate: %v", err)
		}
	}
	got := calls()
	if len(got) != 3 {
		t.Fatalf("%d hook calls, want 3 (sign-up, login, refresh)", len(got))
	}
	claims, _ := got[1]["claims"].(map[string]any)
	if got[1]["user_id"] != l.User.ID.String() || fmt.Sprint(got[1]["amr"]) != "[pwd]" || fmt.Sprint(got[1]["roles"]) != "[user]" ||
		claims["iss"] != eventsIssuer || claims["sid"] != l2.Session.ID.String() || claims["jti"] == nil {
		t.Fatalf("hook call %v: want the user, amr, roles and the claims about to be signed", got[1])
	}
}

// TestTokenHookFailures: whatever goes wrong with the hook follows the failure policy: 503 under
// fail, a token without the extra claims under omit; nothing is stored for a refused login.
func TestTokenHookFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request)
	}{
		{"garbage", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>oops")) }},
		{"claims not an object", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"claims": [1]}`)) }},
		{"huge", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = fmt.Fprintf(w, `{"claims": {"x": "%s"}}`, strings.Repeat("a", 100<<10))
		}},
		{"claims too large", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = fmt.Fprintf(w, `{"claims": {"x": "%s"}}`, strings.Repeat("a", 4<<10))
		}},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		}},
		{"error status", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }},
		{"timeout", func(_ http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(r.Body) // then the server notices the client hanging up
			<-r.Context().Done()
		}},
	} {
		for _, policy := range []string{auth.HookFail, auth.HookOmit} {
			t.Run(tc.name+"/"+policy, func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(tc.answer))
				t.Cleanup(srv.Close)
				f := newEventFixture(t, auth.EventConfig{}, auth.TokenHookConfig{URL: srv.URL, Secret: hookSecret, Failure: policy,
					Timeout: 100 * time.Millisecond}, nil)
				f.user(t, signupPhone)
				l, err := f.logins.PasswordLogin(context.Background(), signupPhone, passphrase)
				if policy == auth.HookFail {
					var ae *auth.Error
					if !errors.As(err, &ae) || ae.Kind != auth.ErrUnavailable || ae.RetryAfter <= 0 {
						t.Fatalf("login = %v, want a 503 with Retry-After", err)
					}
					if n := len(f.events(t)); n != 1 { // user.created only: no session started
						t.Fatalf("%d events after a refused login, want no session.started", n)
					}
					return
				}
				if err != nil {
					t.Fatalf("login = %v, want a token without the extra claims", err)
				}
				if c := tokenClaims(t, l.AccessToken); c["x"] != nil || c["sub"] != l.User.ID.String() {
					t.Fatalf("claims %v", c)
				}
			})
		}
	}
}

// TestTokenHookRefusedSignup: a sign-up the hook refuses (policy fail) creates no account and leaves
// its code usable for the retry.
func TestTokenHookRefusedSignup(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	url, _ := hookServer(t, func(w http.ResponseWriter, _ map[string]any) {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	f := newEventFixture(t, auth.EventConfig{}, auth.TokenHookConfig{URL: url, Secret: hookSecret, Failure: auth.HookFail}, nil)
	ctx := context.Background()
	if _, err := f.codes.Send(ctx, auth.PurposeSignup, signupPhone, false); err != nil {
		t.Fatal(err)
	}
	in := auth.Signup{Phone: signupPhone, Code: signupCode, Name: "Nina", Password: passphrase}
	if _, err := f.accounts.SignupWithCode(ctx, in); !errors.Is(err, auth.ErrUnavailable) {
		t.Fatalf("sign-up with the hook down = %v, want 503", err)
	}
	if _, err := f.db.Users().ByPhone(ctx, signupPhone); !errors.Is(err, auth.ErrNotFound) || len(f.events(t)) != 0 {
		t.Fatalf("a refused sign-up stored its user (%v) or events (%d)", err, len(f.events(t)))
	}
	down.Store(false)
	if _, err := f.accounts.SignupWithCode(ctx, in); err != nil {
		t.Fatalf("the retry with the same code = %v", err)
	}
}

// TestTokenHookNeverInATransaction: a token issued inside a transaction does not call the hook (it
// would hold the transaction's locks for its whole deadline); that is the failure policy's case.
func TestTokenHookNeverInATransaction(t *testing.T) {
	url, calls := hookServer(t, func(w http.ResponseWriter, _ map[string]any) { _, _ = w.Write([]byte(`{"claims": {"t": 1}}`)) })
	f := newEventFixture(t, auth.EventConfig{}, auth.TokenHookConfig{URL: url, Secret: hookSecret, Failure: auth.HookFail}, nil)
	f.user(t, signupPhone)
	err := f.db.InTx(context.Background(), func(ctx context.Context) error {
		_, err := f.logins.PasswordLogin(ctx, signupPhone, passphrase)
		return err
	})
	if !errors.Is(err, auth.ErrUnavailable) || len(calls()) != 0 {
		t.Fatalf("login inside a transaction = %v with %d hook calls; want the failure policy and no call", err, len(calls()))
	}
}
