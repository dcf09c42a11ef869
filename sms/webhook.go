package sms

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/phoneauth/phoneauth/auth/webhook"
)

// ErrInvalidSignature is wrapped by every VerifyWebhook error that concerns the delivery rather
// than the receiver's own secret: missing or malformed headers, a timestamp outside the tolerance,
// or no matching signature.
var ErrInvalidSignature = webhook.ErrInvalidSignature

// WebhookConfig configures a Webhook.
type WebhookConfig struct {
	URL    string       // absolute http or https URL that receives the POST
	Secret string       // "whsec_" + standard base64 of 24–64 bytes; empty: deliveries are unsigned
	Client *http.Client // nil: a client with a 30s timeout that does not follow redirects
}

// Validate reports what is wrong with the configuration. Its messages never quote the secret or
// the URL, since either may hold a credential.
func (c WebhookConfig) Validate() error {
	if c.URL == "" {
		return errors.New("sms: WebhookConfig.URL is required")
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return errors.New("sms: WebhookConfig.URL is not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("sms: WebhookConfig.URL must be an absolute http or https URL")
	}
	if u.Host == "" {
		return errors.New("sms: WebhookConfig.URL has no host")
	}
	if c.Secret != "" {
		if _, err := decodeSecret(c.Secret); err != nil {
			return fmt.Errorf("sms: WebhookConfig.Secret: %w", err)
		}
	}
	return nil
}

// decodeSecret returns the HMAC key inside a "whsec_" secret (the Standard Webhooks signing is
// auth/webhook's, shared with the event dispatcher and the token hook).
func decodeSecret(secret string) ([]byte, error) { return webhook.ParseSecret(secret) }

// Webhook delivers messages by POSTing JSON to a URL the operator controls, signed per the
// Standard Webhooks spec (https://www.standardwebhooks.com) when a secret is set. It is safe for
// concurrent use once Now is no longer being changed.
type Webhook struct {
	// Now supplies webhook-timestamp; nil means time.Now. Tests replace it.
	Now func() time.Time

	url    string
	key    []byte // nil: deliveries are unsigned
	client *http.Client
}

// NewWebhook validates cfg and returns a Webhook for it.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	w := &Webhook{Now: time.Now, url: cfg.URL, client: cfg.Client}
	if cfg.Secret != "" {
		// Validate has accepted the secret, so this cannot fail.
		w.key, _ = decodeSecret(cfg.Secret)
	}
	if w.client == nil {
		w.client = newDefaultClient()
	}
	return w, nil
}

// webhookPayload is the JSON body receivers parse; its field names are a public contract.
type webhookPayload struct {
	To          string `json:"to"`
	Message     string `json:"message"`
	Purpose     string `json:"purpose"`
	ReferenceID string `json:"reference_id"`
}

// webhookAnswer is what a receiver may answer a delivery with: its own id of the message.
type webhookAnswer struct {
	MessageID string `json:"message_id"`
	ID        string `json:"id"`
}

// Send POSTs the message. Any 2xx answer is success; when its body is a JSON object with a string
// "message_id" (or "id"), that is the message id returned, else "".
func (w *Webhook) Send(ctx context.Context, to, text, purpose, referenceID string) (string, error) {
	if w == nil || w.client == nil {
		return "", fmt.Errorf("sms: webhook: %w: not configured (use NewWebhook)", ErrProviderFailed)
	}
	body, err := json.Marshal(webhookPayload{To: to, Message: text, Purpose: purpose, ReferenceID: referenceID})
	if err != nil {
		return "", fmt.Errorf("sms: webhook: %w: encoding the payload", ErrProviderFailed)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		// The URL was validated, so a nil ctx is the likely cause; the error itself is not wrapped
		// because it may quote the URL.
		return "", fmt.Errorf("sms: webhook: %w: building the request", ErrProviderFailed)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "phoneauth")
	if w.key != nil {
		now := time.Now
		if w.Now != nil {
			now = w.Now
		}
		webhook.SetHeaders(req.Header, w.key, newWebhookID(), now(), body)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return "", transportError(ctx, "webhook", err)
	}
	answer := readBody(resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// The answer's body is not quoted: a receiver may echo the request, code included.
		return "", &StatusError{Provider: "webhook", Status: resp.StatusCode}
	}
	var a webhookAnswer
	if len(answer) > 0 && json.Unmarshal(answer, &a) == nil {
		if a.MessageID == "" {
			a.MessageID = a.ID
		}
		return cleanMessageID(a.MessageID), nil
	}
	return "", nil
}

// newWebhookID returns a fresh webhook-id. The spec requires it to be unique per delivery so that
// receivers can drop replays; 128 random bits make collisions negligible.
func newWebhookID() string {
	var b [16]byte
	// crypto/rand.Read never fails: the runtime aborts instead when the OS source is broken.
	_, _ = rand.Read(b[:])
	return "msg_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// SignWebhook returns the webhook-signature header value ("v1,<base64>") that a delivery with this
// id, timestamp and body carries when signed with secret ("whsec_…").
func SignWebhook(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", fmt.Errorf("sms: SignWebhook: %w", err)
	}
	return webhook.SignatureHeader(key, id, ts.Unix(), body), nil
}

// VerifyWebhook checks a delivery's webhook-id, webhook-timestamp and webhook-signature headers
// against body, as a receiver would. The timestamp must lie within tolerance of now in either
// direction (tolerance <= 0: the spec's five minutes), which bounds how long a captured delivery
// can be replayed. Any one matching v1 signature among the space-separated list passes, so that
// senders can rotate secrets. Failures wrap ErrInvalidSignature, except a malformed secret.
func VerifyWebhook(secret string, header http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if err := webhook.Verify(secret, header, body, now, tolerance); err != nil {
		return fmt.Errorf("sms: VerifyWebhook: %w", err)
	}
	return nil
}
