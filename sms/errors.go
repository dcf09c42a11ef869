package sms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ErrProviderFailed is wrapped by every Send error that is not a timeout or cancellation: the
// provider refused the message, answered with an unexpected status, or could not be reached.
var ErrProviderFailed = errors.New("SMS provider failed")

// StatusError is a provider's answer with an HTTP status other than success. It wraps
// ErrProviderFailed; Status tells a refusal of the message (4xx: a bad number, which no other provider
// would take either) from a failure of the provider (5xx, a redirect), and Code is the provider's own
// error code when it gives one (Twilio's numeric code), for the message log.
type StatusError struct {
	Provider string
	Status   int
	Code     string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("sms: %s: %s: HTTP %d", e.Provider, ErrProviderFailed, e.Status)
	if e.Code != "" {
		msg += ", " + e.Provider + " error " + e.Code
	}
	return msg
}

func (e *StatusError) Unwrap() error { return ErrProviderFailed }

// ErrorCode is the provider's error code, else "http_" and the status, for the message log.
func (e *StatusError) ErrorCode() string {
	if e.Code != "" {
		return e.Code
	}
	return "http_" + strconv.Itoa(e.Status)
}

// Rejected reports whether the provider refused the message itself (a 4xx other than 408 and 429):
// trying another provider would not help, and the provider is up.
func (e *StatusError) Rejected() bool {
	return e.Status >= 400 && e.Status < 500 && e.Status != http.StatusRequestTimeout && e.Status != http.StatusTooManyRequests
}

// maxMessageID bounds a provider's message id as phoneauth keeps it.
const maxMessageID = 128

// cleanMessageID keeps a provider's message id when it is short and printable ASCII, else "".
func cleanMessageID(id string) string {
	if len(id) == 0 || len(id) > maxMessageID {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return ""
		}
	}
	return id
}

// maxResponseBody bounds how much of a provider's answer is read, so that a misbehaving endpoint
// cannot make us buffer without limit; draining up to it lets the connection be reused.
const maxResponseBody = 64 << 10

// defaultTimeout is a backstop for callers that forget a context deadline; callers are expected to
// set a much shorter one.
const defaultTimeout = 30 * time.Second

// newDefaultClient does not follow redirects: a redirect would carry the one-time code (and, for
// the webhook, a valid signature) to wherever the endpoint points, so a 3xx is reported as a
// failure instead.
func newDefaultClient() *http.Client {
	// One provider host takes every message: keep enough idle connections to it that a burst of
	// sends reuses them instead of opening (and TLS-handshaking) a new one each time.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 256
	tr.IdleConnTimeout = 90 * time.Second
	return &http.Client{
		Transport: tr,
		Timeout:   defaultTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// transportError turns an http.Client error into one that is safe to log. The client's *url.Error
// quotes the full request URL, which may carry credentials in its query, so only the inner cause
// is kept.
func transportError(ctx context.Context, provider string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("sms: %s: request abandoned: %w", provider, cerr)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	// An http.Client.Timeout is a timeout like a context deadline, and callers treat both alike.
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("sms: %s: request timed out: %w", provider, context.DeadlineExceeded)
	}
	return fmt.Errorf("sms: %s: %w: %w", provider, ErrProviderFailed, err)
}

// readBody reads at most maxResponseBody bytes and closes the body. Whatever lies beyond the limit
// is left unread: the connection is then not reused, which is cheaper than reading an unbounded
// answer.
func readBody(body io.ReadCloser) []byte {
	defer body.Close()
	b, _ := io.ReadAll(io.LimitReader(body, maxResponseBody))
	return b
}
