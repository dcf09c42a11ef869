// Package totp makes and checks time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30-second
// steps, the parameters every authenticator app takes from an otpauth:// URI), and draws the QR code
// of a secret's URI.
//
// It imports only the standard library and github.com/pquerna/otp; never phoneauth's other packages.
// Checking a code tells the caller which time step it matched, so that the caller can accept each step
// once (RFC 6238 §5.2: no replay).
package totp

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"image/png"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Parameters of every secret this package makes.
const (
	Period     = 30 * time.Second
	Digits     = 6
	secretSize = 20 // 160 bits, RFC 4226's recommendation for HMAC-SHA-1
	qrSize     = 256
)

var opts = totp.ValidateOpts{Period: uint(Period / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Key is a new secret: Secret in base32 (for typing it in), URI its otpauth:// form, QRCode the URI as
// a PNG image in a data: URI (for scanning it).
type Key struct {
	Secret string
	URI    string
	QRCode string
}

// NewKey makes a secret from crypto/rand for account at issuer, the two names an authenticator app
// shows next to its codes.
func NewKey(issuer, account string) (Key, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: opts.Period,
		SecretSize: secretSize, Digits: opts.Digits, Algorithm: opts.Algorithm, Rand: rand.Reader})
	if err != nil {
		return Key{}, err
	}
	img, err := k.Image(qrSize, qrSize)
	if err != nil {
		return Key{}, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Key{}, err
	}
	return Key{Secret: k.Secret(), URI: k.URL(),
		QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// Step is the number of the time step t falls in.
func Step(t time.Time) int64 { return t.Unix() / int64(Period/time.Second) }

// ErrMalformed is a secret that is not base32.
var ErrMalformed = errors.New("totp: malformed secret")

// Match reports whether code is the code of secret for the step of now or of one of the skew steps on
// either side of it, and which step it matched (the latest, when several do). Every candidate is
// compared in constant time.
func Match(secret, code string, now time.Time, skew int) (step int64, ok bool, err error) {
	if len(code) != Digits {
		return 0, false, nil
	}
	current := Step(now)
	for s := current - int64(skew); s <= current+int64(skew); s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*int64(Period/time.Second), 0), opts)
		if err != nil {
			return 0, false, ErrMalformed
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			step, ok = s, true
		}
	}
	return step, ok, nil
}

// Code is the code of secret at t: what an authenticator app shows (tests use it).
func Code(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, opts)
}
