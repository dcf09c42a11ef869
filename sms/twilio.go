package sms

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// DefaultTwilioBaseURL is where Twilio's REST API lives; TwilioConfig.BaseURL overrides it for
// tests and regional edges.
const DefaultTwilioBaseURL = "https://api.twilio.com"

// TwilioConfig configures a Twilio provider.
type TwilioConfig struct {
	AccountSID          string // "AC…"; also the basic-auth user
	AuthToken           string // basic-auth password
	From                string // sender number or alphanumeric ID; exclusive with MessagingServiceSID
	MessagingServiceSID string // "MG…"; exclusive with From
	BaseURL             string // empty: DefaultTwilioBaseURL
	// StatusCallback, when set, is the URL Twilio posts each message's delivery status to
	// (phoneauth's /api/v1/sms/status/twilio under its public URL).
	StatusCallback string
	Client         *http.Client // nil: a client with a 30s timeout that does not follow redirects
}

// Validate reports what is wrong with the configuration, never quoting the token.
func (c TwilioConfig) Validate() error {
	if c.AccountSID == "" {
		return errors.New("sms: TwilioConfig.AccountSID is required")
	}
	// The SID becomes a path segment; real SIDs are "AC" and 32 hex digits, and allowing only
	// letters and digits keeps a typo from escaping into another path.
	for _, r := range c.AccountSID {
		if (r < '0' || r > '9') && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return errors.New("sms: TwilioConfig.AccountSID may hold only letters and digits")
		}
	}
	if c.AuthToken == "" {
		return errors.New("sms: TwilioConfig.AuthToken is required")
	}
	switch {
	case c.From == "" && c.MessagingServiceSID == "":
		return errors.New("sms: TwilioConfig needs From or MessagingServiceSID")
	case c.From != "" && c.MessagingServiceSID != "":
		return errors.New("sms: TwilioConfig takes From or MessagingServiceSID, not both")
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil {
			return errors.New("sms: TwilioConfig.BaseURL is not a valid URL")
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("sms: TwilioConfig.BaseURL must be an absolute http or https URL")
		}
	}
	return nil
}

// Twilio sends through Twilio's Messages API. It is safe for concurrent use.
type Twilio struct {
	endpoint            string
	accountSID          string
	authToken           string
	from                string
	messagingServiceSID string
	statusCallback      string
	client              *http.Client
}

// NewTwilio validates cfg and returns a Twilio provider for it.
func NewTwilio(cfg TwilioConfig) (*Twilio, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultTwilioBaseURL
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, errors.New("sms: TwilioConfig.BaseURL is not a valid URL")
	}
	t := &Twilio{
		endpoint:            u.JoinPath("2010-04-01", "Accounts", cfg.AccountSID, "Messages.json").String(),
		accountSID:          cfg.AccountSID,
		authToken:           cfg.AuthToken,
		from:                cfg.From,
		messagingServiceSID: cfg.MessagingServiceSID,
		statusCallback:      cfg.StatusCallback,
		client:              cfg.Client,
	}
	if t.client == nil {
		t.client = newDefaultClient()
	}
	return t, nil
}

// twilioAnswer is the JSON body Twilio answers with: the Message's sid on success, an error code on
// failure.
type twilioAnswer struct {
	SID  string `json:"sid"`
	Code int    `json:"code"`
}

// Send creates a Message and returns its sid. Twilio has no field for referenceID, so it is not
// sent; the caller logs it next to any error, and the message log ties the sid to it.
func (t *Twilio) Send(ctx context.Context, to, text, purpose, referenceID string) (string, error) {
	if t == nil || t.client == nil {
		return "", fmt.Errorf("sms: twilio: %w: not configured (use NewTwilio)", ErrProviderFailed)
	}
	form := url.Values{"To": {to}, "Body": {text}}
	if t.statusCallback != "" {
		form.Set("StatusCallback", t.statusCallback)
	}
	if t.messagingServiceSID != "" {
		form.Set("MessagingServiceSid", t.messagingServiceSID)
	} else {
		form.Set("From", t.from)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("sms: twilio: %w: building the request", ErrProviderFailed)
	}
	req.SetBasicAuth(t.accountSID, t.authToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "phoneauth")
	resp, err := t.client.Do(req)
	if err != nil {
		return "", transportError(ctx, "twilio", err)
	}
	body := readBody(resp.Body)
	var a twilioAnswer
	_ = json.Unmarshal(body, &a)
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated {
		return cleanMessageID(a.SID), nil
	}
	// Only the numeric code is kept: Twilio's message text can quote request parameters such as
	// the recipient's number, which does not belong in logs.
	e := &StatusError{Provider: "twilio", Status: resp.StatusCode}
	if a.Code != 0 {
		e.Code = strconv.Itoa(a.Code)
	}
	return "", e
}

// VerifyTwilioSignature checks the X-Twilio-Signature of a request Twilio made to fullURL (the URL
// exactly as Twilio called it, scheme, host, path and query) with the POST parameters form, per
// Twilio's algorithm: HMAC-SHA1, keyed with the auth token, of the URL followed by each parameter's
// name and value in the order of the names, base64-encoded. The comparison is in constant time.
func VerifyTwilioSignature(authToken, fullURL string, form url.Values, signature string) bool {
	if authToken == "" || signature == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return false
	}
	return hmac.Equal(got, twilioSignature(authToken, fullURL, form))
}

// SignTwilio returns the X-Twilio-Signature Twilio would send (for tests and fakes).
func SignTwilio(authToken, fullURL string, form url.Values) string {
	return base64.StdEncoding.EncodeToString(twilioSignature(authToken, fullURL, form))
}

func twilioSignature(authToken, fullURL string, form url.Values) []byte {
	m := hmac.New(sha1.New, []byte(authToken))
	m.Write([]byte(fullURL))
	names := make([]string, 0, len(form))
	for k := range form {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range form[k] {
			m.Write([]byte(k))
			m.Write([]byte(v))
		}
	}
	return m.Sum(nil)
}

// TwilioStatus maps a MessageStatus of Twilio's status callback to the message log's statuses: ""
// for one that says nothing new (queued, sending, accepted, scheduled).
func TwilioStatus(s string) string {
	switch s {
	case "sent":
		return "sent"
	case "delivered", "read":
		return "delivered"
	case "undelivered":
		return "undelivered"
	case "failed", "canceled":
		return "failed"
	}
	return ""
}
