package passkey_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/phoneauth/phoneauth/auth/passkey"
	"github.com/phoneauth/phoneauth/auth/passkey/passkeytest"
)

var cfg = passkey.Config{RPID: "localhost", Origins: []string{"http://localhost:8000"}, DisplayName: "phoneauth"}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  passkey.Config
		ok   bool
	}{
		{"localhost", cfg, true},
		{"https within the RP ID", passkey.Config{RPID: "example.com", Origins: []string{"https://app.example.com", "https://example.com:8443"}, DisplayName: "x"}, true},
		{"android", passkey.Config{RPID: "example.com", Origins: []string{"https://example.com", "android:apk-key-hash:abc123"}, DisplayName: "x"}, true},
		{"no origins", passkey.Config{RPID: "example.com", DisplayName: "x"}, false},
		{"no RP ID", passkey.Config{Origins: []string{"https://example.com"}, DisplayName: "x"}, false},
		{"RP ID with a scheme", passkey.Config{RPID: "https://example.com", Origins: []string{"https://example.com"}, DisplayName: "x"}, false},
		{"origin outside the RP ID", passkey.Config{RPID: "example.com", Origins: []string{"https://example.org"}, DisplayName: "x"}, false},
		{"plain http elsewhere", passkey.Config{RPID: "example.com", Origins: []string{"http://example.com"}, DisplayName: "x"}, false},
		{"origin with a path", passkey.Config{RPID: "example.com", Origins: []string{"https://example.com/app"}, DisplayName: "x"}, false},
		{"empty android hash", passkey.Config{RPID: "example.com", Origins: []string{"android:apk-key-hash:"}, DisplayName: "x"}, false},
		{"no display name", passkey.Config{RPID: "localhost", Origins: []string{"http://localhost"}}, false},
	} {
		if err := tc.cfg.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

// register runs a registration with a and returns the credential.
func register(t *testing.T, rp *passkey.RP, a *passkeytest.Authenticator) passkey.Credential {
	t.Helper()
	u := passkey.User{Handle: []byte("0123456789abcdef"), Name: "+14155550100", DisplayName: "Test"}
	opts, c, err := rp.BeginRegistration(u)
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		PublicKey struct {
			AuthenticatorSelection struct {
				ResidentKey      string `json:"residentKey"`
				UserVerification string `json:"userVerification"`
			} `json:"authenticatorSelection"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(opts, &o); err != nil || o.PublicKey.AuthenticatorSelection.ResidentKey != "required" ||
		o.PublicKey.AuthenticatorSelection.UserVerification != "preferred" {
		t.Fatalf("creation options %s: want a required resident key and preferred user verification", opts)
	}
	resp, err := a.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := passkey.ParseRegistration(resp)
	if err != nil {
		t.Fatal(err)
	}
	if r.Challenge() != c.Challenge {
		t.Fatalf("challenge %q, want %q", r.Challenge(), c.Challenge)
	}
	cred, err := rp.FinishRegistration(u, c, r)
	if err != nil {
		t.Fatal(err)
	}
	if string(cred.ID) != string(a.ID) || len(cred.PublicKey) == 0 || strings.Join(cred.Transports, ",") != "internal" {
		t.Fatalf("credential %+v", cred)
	}
	return cred
}

func login(t *testing.T, rp *passkey.RP, a *passkeytest.Authenticator, cred passkey.Credential) (passkey.Assertion, error) {
	t.Helper()
	opts, c, err := rp.BeginLogin()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Get(opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := passkey.ParseLogin(resp)
	if err != nil {
		return passkey.Assertion{}, err
	}
	return rp.FinishLogin(c, l, a.Handle, cred)
}

func TestCeremonies(t *testing.T) {
	rp, err := passkey.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := passkeytest.New("localhost", "http://localhost:8000")
	cred := register(t, rp, a)

	got, err := login(t, rp, a, cred)
	if err != nil || !got.CounterOK || got.SignCount != 1 || !got.UserVerified {
		t.Fatalf("login = %+v, %v; want counter 1, ok, user verified", got, err)
	}
	cred.SignCount = got.SignCount

	a.UV = false
	if got, err := login(t, rp, a, cred); err != nil || got.UserVerified {
		t.Fatalf("login without UV = %+v, %v; want it verified, without UV", got, err)
	}

	a.Counter = 0 // goes to 1 again: not past the stored 1
	if got, err := login(t, rp, a, cred); err != nil || got.CounterOK {
		t.Fatalf("a counter that went back = %+v, %v; want CounterOK false", got, err)
	}

	for _, tc := range []struct {
		name         string
		origin, rpID string
	}{
		{"wrong origin", "http://localhost:9999", "localhost"},
		{"wrong RP ID", "http://localhost:8000", "evil.example"},
	} {
		wrong := *a
		wrong.Origin, wrong.RPID, wrong.Counter = tc.origin, tc.rpID, 100
		if _, err := login(t, rp, &wrong, cred); !errors.Is(err, passkey.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tc.name, err)
		}
	}

	// An answer for another ceremony's challenge does not verify.
	opts, _, _ := rp.BeginLogin()
	_, other, _ := rp.BeginLogin()
	a.Counter = 200
	resp, _ := a.Get(opts)
	l, err := passkey.ParseLogin(resp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rp.FinishLogin(other, l, a.Handle, cred); !errors.Is(err, passkey.ErrInvalid) {
		t.Errorf("another ceremony's answer: err = %v, want ErrInvalid", err)
	}
}

func TestMalformedResponses(t *testing.T) {
	for _, body := range []string{"", "null", "[]", `{"id":"x"}`, `{"id":"!!","rawId":"!!","type":"public-key","response":{}}`,
		`{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}`,
		`{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"` + strings.Repeat("A", passkey.MaxResponse) + `"}}`} {
		if _, err := passkey.ParseRegistration([]byte(body)); !errors.Is(err, passkey.ErrInvalid) {
			t.Errorf("ParseRegistration(%.60q) = %v, want ErrInvalid", body, err)
		}
		if _, err := passkey.ParseLogin([]byte(body)); !errors.Is(err, passkey.ErrInvalid) {
			t.Errorf("ParseLogin(%.60q) = %v, want ErrInvalid", body, err)
		}
	}
}
