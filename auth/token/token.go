// Package token signs and verifies phoneauth's access tokens: EdDSA (Ed25519) JWTs with a kid, and the
// JSON Web Key Set that publishes their public keys. Verification pins the algorithm to the key's,
// so alg:none, HMAC-with-the-public-key and other algorithm confusions cannot verify.
//
// It imports only the standard library and github.com/lestrrat-go/jwx/v2; never phoneauth's other
// packages. Keys are plain values: where they are stored is the caller's business.
package token

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// Algorithm is the only signing algorithm phoneauth issues or accepts.
const Algorithm = "EdDSA"

// Errors returned by Verify. ErrUnknownKey tells the caller to reload keys (another instance may have
// rotated); every other failure is ErrInvalid or ErrExpired.
var (
	ErrInvalid    = errors.New("invalid token")
	ErrExpired    = errors.New("token expired")
	ErrUnknownKey = errors.New("token signed by an unknown key")
)

// Key is one signing key.
type Key struct {
	ID        string
	Private   ed25519.PrivateKey
	CreatedAt time.Time
}

// GenerateKey makes a new Ed25519 key from crypto/rand; its ID is its RFC 7638 thumbprint.
func GenerateKey(now time.Time) (Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Key{}, err
	}
	return newKey(priv, now)
}

func newKey(priv ed25519.PrivateKey, now time.Time) (Key, error) {
	pub, err := jwk.FromRaw(priv.Public())
	if err != nil {
		return Key{}, err
	}
	tp, err := pub.Thumbprint(cryptoSHA256)
	if err != nil {
		return Key{}, err
	}
	return Key{ID: base64.RawURLEncoding.EncodeToString(tp), Private: priv, CreatedAt: now}, nil
}

// MarshalPEM encodes the private key as PKCS #8 PEM, for storage.
func (k Key) MarshalPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePEM reads a PKCS #8 PEM Ed25519 private key. With id empty the thumbprint is used.
func ParsePEM(id string, data []byte, createdAt time.Time) (Key, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return Key{}, errors.New("token: not a PKCS #8 PEM private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return Key{}, fmt.Errorf("token: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return Key{}, fmt.Errorf("token: key is %T, want Ed25519", k)
	}
	key, err := newKey(priv, createdAt)
	if err != nil {
		return Key{}, err
	}
	if id != "" {
		key.ID = id
	}
	return key, nil
}

// Claims are what phoneauth puts in an access token.
type Claims struct {
	Subject   string    // user id
	SessionID string    // "sid"
	Roles     []string  // "roles"
	AMR       []string  // "amr": how the user authenticated ("pwd", "otp", "webauthn", "totp", "recovery")
	AAL       int       // "aal": the assurance level, 1 or 2 (0: the claim is absent)
	ID        string    // "jti"
	IssuedAt  time.Time // "iat"
	ExpiresAt time.Time // "exp"
	// Extra are further claims (an operator's, from the token hook). Sign writes the claims above over
	// them, so none of those can be replaced; Verify does not read them back.
	Extra map[string]any
}

// Set is an immutable snapshot of the keys: one signs, all verify. Build a new Set to rotate.
type Set struct {
	issuer  string
	signer  jwk.Key
	signKID string
	public  jwk.Set
	skew    time.Duration
}

// NewSet returns a Set that signs with the key whose ID is signKID and verifies with any of keys.
func NewSet(issuer string, keys []Key, signKID string) (*Set, error) {
	s := &Set{issuer: issuer, public: jwk.NewSet(), skew: 5 * time.Second}
	for _, k := range keys {
		pub, err := jwk.FromRaw(k.Private.Public())
		if err != nil {
			return nil, err
		}
		for name, v := range map[string]any{jwk.KeyIDKey: k.ID, jwk.AlgorithmKey: jwa.EdDSA, jwk.KeyUsageKey: "sig"} {
			if err := pub.Set(name, v); err != nil {
				return nil, err
			}
		}
		if err := s.public.AddKey(pub); err != nil {
			return nil, err
		}
		if k.ID == signKID {
			priv, err := jwk.FromRaw(k.Private)
			if err != nil {
				return nil, err
			}
			if err := priv.Set(jwk.KeyIDKey, k.ID); err != nil {
				return nil, err
			}
			s.signer, s.signKID = priv, k.ID
		}
	}
	if s.signer == nil {
		return nil, fmt.Errorf("token: signing key %q is not in the set", signKID)
	}
	return s, nil
}

// SigningKeyID is the kid new tokens carry.
func (s *Set) SigningKeyID() string { return s.signKID }

// Sign returns a compact JWT for c.
func (s *Set) Sign(c Claims) (string, error) {
	t := jwt.New()
	for name, v := range c.Extra {
		if err := t.Set(name, v); err != nil {
			return "", err
		}
	}
	for name, v := range map[string]any{
		jwt.IssuerKey: s.issuer, jwt.SubjectKey: c.Subject, jwt.JwtIDKey: c.ID,
		jwt.IssuedAtKey: c.IssuedAt, jwt.ExpirationKey: c.ExpiresAt,
		"sid": c.SessionID, "roles": nonNil(c.Roles), "amr": nonNil(c.AMR),
	} {
		if err := t.Set(name, v); err != nil {
			return "", err
		}
	}
	if c.AAL != 0 {
		if err := t.Set("aal", c.AAL); err != nil {
			return "", err
		}
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, "at+jwt"); err != nil {
		return "", err
	}
	b, err := jwt.Sign(t, jwt.WithKey(jwa.EdDSA, s.signer, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

// Verify checks signature, algorithm, issuer and times (at now) and returns the claims.
func (s *Set) Verify(raw string, now time.Time) (Claims, error) {
	if len(raw) > 4096 {
		return Claims{}, ErrInvalid
	}
	t, err := jwt.ParseString(raw,
		jwt.WithKeySet(s.public, jws.WithInferAlgorithmFromKey(false), jws.WithRequireKid(true), jws.WithUseDefault(false)),
		jwt.WithValidate(true),
		jwt.WithIssuer(s.issuer),
		jwt.WithRequiredClaim(jwt.SubjectKey),
		jwt.WithRequiredClaim(jwt.IssuedAtKey),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithRequiredClaim("sid"),
		jwt.WithClock(clockFunc(func() time.Time { return now })),
		jwt.WithAcceptableSkew(s.skew),
	)
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenExpired()):
		return Claims{}, ErrExpired
	case s.unknownKID(raw):
		return Claims{}, ErrUnknownKey
	default:
		return Claims{}, ErrInvalid
	}
	c := Claims{Subject: t.Subject(), ID: t.JwtID(), IssuedAt: t.IssuedAt(), ExpiresAt: t.Expiration()}
	var ok bool
	if v, found := t.Get("sid"); found {
		if c.SessionID, ok = v.(string); !ok || c.SessionID == "" {
			return Claims{}, ErrInvalid
		}
	}
	c.Roles = stringList(t, "roles")
	c.AMR = stringList(t, "amr")
	if v, found := t.Get("aal"); found {
		n, ok := v.(float64)
		if !ok || n != float64(int(n)) {
			return Claims{}, ErrInvalid
		}
		c.AAL = int(n)
	}
	return c, nil
}

// unknownKID reports whether raw is a well-formed EdDSA JWS whose kid this Set lacks.
func (s *Set) unknownKID(raw string) bool {
	msg, err := jws.ParseString(raw)
	if err != nil || len(msg.Signatures()) != 1 {
		return false
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	if h.Algorithm() != jwa.EdDSA || h.KeyID() == "" {
		return false
	}
	_, found := s.public.LookupKeyID(h.KeyID())
	return !found
}

// JWKS returns the public key set as JSON.
func (s *Set) JWKS() ([]byte, error) { return json.Marshal(s.public) }

func stringList(t jwt.Token, name string) []string {
	v, ok := t.Get(name)
	if !ok {
		return nil
	}
	items, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
