// Package webhook signs and verifies deliveries per the Standard Webhooks spec
// (https://www.standardwebhooks.com) and POSTs signed JSON with the care an outbound call to an
// operator's URL needs: a deadline, no redirects followed, a bounded answer. The SMS webhook provider,
// the event dispatcher and the access-token hook share it.
//
// It imports only the standard library.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidSignature is wrapped by every Verify error that concerns the delivery rather than the
// receiver's own secret: missing or malformed headers, a timestamp outside the tolerance, or no
// matching signature.
var ErrInvalidSignature = errors.New("webhook signature invalid")

const (
	secretPrefix = "whsec_"
	// The spec asks for 24 to 64 bytes of key: fewer is guessable, and HMAC-SHA256 gains nothing from
	// more than its block size.
	minSecretBytes = 24
	maxSecretBytes = 64
	// DefaultTolerance is the spec's recommended window for webhook-timestamp.
	DefaultTolerance = 5 * time.Minute
)

// ParseSecret returns the HMAC key inside a "whsec_" secret. Its errors describe the problem without
// echoing any part of the secret.
func ParseSecret(secret string) ([]byte, error) {
	enc, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok {
		return nil, errors.New(`secret must start with "whsec_"`)
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, errors.New(`the part after "whsec_" is not standard base64`)
	}
	if len(key) < minSecretBytes || len(key) > maxSecretBytes {
		return nil, fmt.Errorf(`the part after "whsec_" decodes to %d bytes; want %d to %d`, len(key), minSecretBytes, maxSecretBytes)
	}
	return key, nil
}

// signature is the raw HMAC-SHA256 the spec defines over "id.timestamp.body".
func signature(key []byte, id string, ts int64, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write(strconv.AppendInt(nil, ts, 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// SignatureHeader is the webhook-signature value ("v1,<base64>") of a delivery with this id, unix
// timestamp and body, signed with key (from ParseSecret).
func SignatureHeader(key []byte, id string, ts int64, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(signature(key, id, ts, body))
}

// SetHeaders sets the three headers of a signed delivery on h.
func SetHeaders(h http.Header, key []byte, id string, at time.Time, body []byte) {
	ts := at.Unix()
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	h.Set("webhook-signature", SignatureHeader(key, id, ts, body))
}

// Verify checks a delivery's webhook-id, webhook-timestamp and webhook-signature headers against
// body, as a receiver would. The timestamp must lie within tolerance of now in either direction
// (tolerance <= 0: DefaultTolerance), which bounds how long a captured delivery can be replayed. Any
// one matching v1 signature among the space-separated list passes, so that senders can rotate
// secrets. Failures wrap ErrInvalidSignature, except a malformed secret.
func Verify(secret string, header http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	key, err := ParseSecret(secret)
	if err != nil {
		return err
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	id := header.Get("webhook-id")
	tsText := header.Get("webhook-timestamp")
	sigs := header.Get("webhook-signature")
	if id == "" || tsText == "" || sigs == "" {
		return fmt.Errorf("%w: missing webhook-id, webhook-timestamp or webhook-signature header", ErrInvalidSignature)
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: webhook-timestamp is not a decimal unix time", ErrInvalidSignature)
	}
	// Compared in whole seconds, not as a time.Time, because time.Unix wraps around for absurd values
	// an attacker may send.
	if ts < now.Add(-tolerance).Unix() || ts > now.Add(tolerance).Unix() {
		return fmt.Errorf("%w: webhook-timestamp is outside the %s tolerance", ErrInvalidSignature, tolerance)
	}
	want := signature(key, id, ts, body)
	for _, s := range strings.Fields(sigs) {
		version, enc, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("%w: no v1 signature matches", ErrInvalidSignature)
}

// ValidateURL reports whether raw is an absolute http or https URL with a host. Its messages never
// quote the URL, which may hold a credential.
func ValidateURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return errors.New("the URL is required")
	case err != nil:
		return errors.New("not a valid URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must be an absolute http or https URL")
	case u.Host == "":
		return errors.New("the URL has no host")
	}
	return nil
}

// Errors of Sender.Post besides the transport's: the answer was larger than the limit, or a redirect
// (which is never followed: it would carry the signed body wherever the endpoint points).
var (
	ErrTooLarge = errors.New("webhook answer larger than the limit")
	ErrRedirect = errors.New("webhook answered with a redirect")
)

// Sender POSTs signed JSON to one URL. It is safe for concurrent use.
type Sender struct {
	url     string
	key     []byte // nil: unsigned
	client  *http.Client
	maxBody int64
	now     func() time.Time
}

// SenderConfig configures a Sender.
type SenderConfig struct {
	URL    string
	Secret string // "whsec_…"; "" sends unsigned
	// MaxAnswer bounds the answer's body that is read (default 64 KiB); a longer one is ErrTooLarge.
	MaxAnswer int64
	// Timeout bounds a whole delivery, the answer included, when the caller's context has no earlier
	// deadline (default 30s).
	Timeout time.Duration
	// Transport is the round tripper (nil: a clone of http.DefaultTransport).
	Transport http.RoundTripper
	Now       func() time.Time // nil: time.Now
}

// NewSender validates c and returns its Sender.
func NewSender(c SenderConfig) (*Sender, error) {
	if err := ValidateURL(c.URL); err != nil {
		return nil, err
	}
	s := &Sender{url: c.URL, maxBody: c.MaxAnswer, now: c.Now}
	if c.Secret != "" {
		key, err := ParseSecret(c.Secret)
		if err != nil {
			return nil, err
		}
		s.key = key
	}
	if s.maxBody <= 0 {
		s.maxBody = 64 << 10
	}
	if s.now == nil {
		s.now = time.Now
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	tr := c.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns, t.MaxIdleConnsPerHost = 64, 64
		tr = t
	}
	s.client = &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return s, nil
}

// Answer is a receiver's answer.
type Answer struct {
	Status     int
	Body       []byte        // at most the limit
	RetryAfter time.Duration // from a Retry-After header (seconds or an HTTP date); 0 when none
}

// OK reports a 2xx status.
func (a Answer) OK() bool { return a.Status >= 200 && a.Status <= 299 }

// Post sends body with webhook-id id (stable across retries of one message, so that receivers can
// de-duplicate by it). The error is a transport failure (wrapping context.DeadlineExceeded on a
// timeout), ErrRedirect or ErrTooLarge (with the Answer's status); its text never quotes the URL.
func (s *Sender) Post(ctx context.Context, id string, body []byte) (Answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return Answer{}, errors.New("webhook: building the request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "phoneauth")
	if s.key != nil {
		SetHeaders(req.Header, s.key, id, s.now(), body)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the *url.Error quotes the URL
		}
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return Answer{}, fmt.Errorf("webhook: request timed out: %w", context.DeadlineExceeded)
		}
		return Answer{}, fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	a := Answer{Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), s.now())}
	a.Body, err = io.ReadAll(io.LimitReader(resp.Body, s.maxBody+1))
	switch {
	case err != nil:
		if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
			return a, fmt.Errorf("webhook: reading the answer timed out: %w", context.DeadlineExceeded)
		}
		return a, fmt.Errorf("webhook: reading the answer: %w", err)
	case int64(len(a.Body)) > s.maxBody:
		a.Body = a.Body[:s.maxBody]
		return a, ErrTooLarge
	case resp.StatusCode >= 300 && resp.StatusCode <= 399:
		return a, ErrRedirect
	}
	return a, nil
}

// retryAfter reads a Retry-After value: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, int64(7*24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), 7*24*time.Hour)
	}
	return 0
}
