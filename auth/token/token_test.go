package token

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newSet(t *testing.T, issuer string) (*Set, Key) {
	t.Helper()
	k, err := GenerateKey(t0)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSet(issuer, []Key{k}, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s, k
}

func claims() Claims {
	return Claims{Subject: "user-1", SessionID: "sess-1", Roles: []string{"user", "admin"}, AMR: []string{"pwd", "totp"}, AAL: 2,
		ID: "jti-1", IssuedAt: t0, ExpiresAt: t0.Add(15 * time.Minute)}
}

func TestSignVerify(t *testing.T) {
	s, k := newSet(t, "phoneauth")
	raw, err := s.Sign(claims())
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Verify(raw, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "user-1" || got.SessionID != "sess-1" || got.ID != "jti-1" || strings.Join(got.Roles, ",") != "user,admin" ||
		strings.Join(got.AMR, ",") != "pwd,totp" || got.AAL != 2 || !got.ExpiresAt.Equal(t0.Add(15*time.Minute)) {
		t.Fatalf("claims = %+v", got)
	}
	hdr := decodeSegment(t, raw, 0)
	if hdr["kid"] != k.ID || hdr["alg"] != "EdDSA" || hdr["typ"] != "at+jwt" {
		t.Fatalf("header = %v", hdr)
	}
}

func TestVerifyRejects(t *testing.T) {
	s, k := newSet(t, "phoneauth")
	other, _ := newSet(t, "phoneauth")
	good, _ := s.Sign(claims())

	// alg:none with the same kid and claims.
	payload := strings.Split(good, ".")[1]
	noneHdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"` + k.ID + `","typ":"at+jwt"}`))
	algNone := noneHdr + "." + payload + "."

	// HS256 keyed with the public key: the classic algorithm-confusion attack.
	hsHdr := jws.NewHeaders()
	_ = hsHdr.Set(jws.KeyIDKey, k.ID)
	tok, _ := jwt.ParseInsecure([]byte(good))
	hs, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256, []byte(k.Private.Public().(ed25519.PublicKey)), jws.WithProtectedHeaders(hsHdr)))
	if err != nil {
		t.Fatal(err)
	}

	// Tampered payload: roles raised to admin under the original signature.
	c := claims()
	c.Roles = []string{"user"}
	plain, _ := s.Sign(c)
	parts := strings.Split(plain, ".")
	evil := decodeSegment(t, plain, 1)
	evil["roles"] = []string{"user", "admin"}
	b, _ := json.Marshal(evil)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]

	forged, _ := other.Sign(claims()) // right shape, wrong key (unknown kid)
	wrongIss, _ := newSetWithKey(t, "someone-else", k).Sign(claims())
	noSID := claims()
	noSID.SessionID = ""
	noSIDTok, _ := s.Sign(noSID)

	tests := []struct {
		name string
		raw  string
		now  time.Time
		want error
	}{
		{"expired", good, t0.Add(16 * time.Minute), ErrExpired},
		{"not yet issued", good, t0.Add(-time.Minute), ErrInvalid},
		{"alg none", algNone, t0, ErrInvalid},
		{"hs256 confusion", string(hs), t0, ErrInvalid},
		{"tampered", tampered, t0, ErrInvalid},
		{"other key", forged, t0, ErrUnknownKey},
		{"wrong issuer", wrongIss, t0, ErrInvalid},
		{"empty sid", noSIDTok, t0, ErrInvalid},
		{"garbage", "not.a.jwt", t0, ErrInvalid},
		{"empty", "", t0, ErrInvalid},
		{"huge", strings.Repeat("a", 10000), t0, ErrInvalid},
	}
	for _, tt := range tests {
		if _, err := s.Verify(tt.raw, tt.now); !errors.Is(err, tt.want) {
			t.Errorf("%s: Verify error = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestRotationKeepsOldKeysVerifying(t *testing.T) {
	old, _ := GenerateKey(t0)
	s1, _ := NewSet("phoneauth", []Key{old}, old.ID)
	tokOld, _ := s1.Sign(claims())

	next, _ := GenerateKey(t0.Add(time.Hour))
	s2, err := NewSet("phoneauth", []Key{old, next}, next.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Verify(tokOld, t0); err != nil {
		t.Fatalf("token of the old key after rotation: %v", err)
	}
	tokNew, _ := s2.Sign(claims())
	if kid := decodeSegment(t, tokNew, 0)["kid"]; kid != next.ID {
		t.Fatalf("new token kid = %v, want %v", kid, next.ID)
	}
	var jwks struct {
		Keys []map[string]any `json:"keys"`
	}
	b, _ := s2.JWKS()
	if err := json.Unmarshal(b, &jwks); err != nil || len(jwks.Keys) != 2 {
		t.Fatalf("JWKS = %s, %v", b, err)
	}
	for _, k := range jwks.Keys {
		if _, private := k["d"]; private || k["alg"] != "EdDSA" || k["kty"] != "OKP" {
			t.Fatalf("JWKS entry %v", k)
		}
	}
}

func TestPEMRoundTrip(t *testing.T) {
	k, _ := GenerateKey(t0)
	p, err := k.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePEM("", p, t0)
	if err != nil || back.ID != k.ID || !back.Private.Equal(k.Private) {
		t.Fatalf("ParsePEM = %+v, %v", back.ID, err)
	}
	if _, err := ParsePEM("", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), t0); err == nil {
		t.Fatal("ParsePEM accepted garbage")
	}
}

func newSetWithKey(t *testing.T, issuer string, k Key) *Set {
	t.Helper()
	s, err := NewSet(issuer, []Key{k}, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func decodeSegment(t *testing.T, raw string, i int) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func BenchmarkSign(b *testing.B) {
	k, _ := GenerateKey(t0)
	s, _ := NewSet("phoneauth", []Key{k}, k.ID)
	for b.Loop() {
		if _, err := s.Sign(claims()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	k, _ := GenerateKey(t0)
	s, _ := NewSet("phoneauth", []Key{k}, k.ID)
	raw, _ := s.Sign(claims())
	for b.Loop() {
		if _, err := s.Verify(raw, t0); err != nil {
			b.Fatal(err)
		}
	}
}
