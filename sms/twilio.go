package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// DefaultTwilioBaseURL is where Twilio's REST API lives; TwilioConfig.BaseURL overrides it for
// tests and regional edges.
const DefaultTwilioBaseURL = "https://api.twilio.com"

// TwilioConfig configures a Twilio provider.
type TwilioConfig struct {
	AccountSID          string       // "AC…"; also the basic-auth user
	AuthToken           string       // basic-auth password
	From                string       // sender number or alphanumeric ID; exclusive with MessagingServiceSID
	MessagingServiceSID string       // "MG…"; exclusive with From
	BaseURL             string       // empty: DefaultTwilioBaseURL
	Client              *http.Client // nil: a client with a 30s timeout that does not follow redirects
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
		client:              cfg.Client,
	}
	if t.client == nil {
		t.client = newDefaultClient()
	}
	return t, nil
}

// twilioError is the JSON body Twilio answers failures with.
type twilioError struct {
	Code int `json:"code"`
}

// Send creates a Message. Twilio has no field for referenceID, so it is not sent; the caller logs
// it next to any error.
func (t *Twilio) Send(ctx context.Context, to, text, purpose, referenceID string) error {
	if t == nil || t.client == nil {
		return fmt.Errorf("sms: twilio: %w: not configured (use NewTwilio)", ErrProviderFailed)
	}
	form := url.Values{"To": {to}, "Body": {text}}
	if t.messagingServiceSID != "" {
		form.Set("MessagingServiceSid", t.messagingServiceSID)
	} else {
		form.Set("From", t.from)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("sms: twilio: %w: building the request", ErrProviderFailed)
	}
	req.SetBasicAuth(t.accountSID, t.authToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "phoneauth")
	resp, err := t.client.Do(req)
	if err != nil {
		return transportError(ctx, "twilio", err)
	}
	body := readBody(resp.Body)
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated {
		return nil
	}
	// Only the numeric code is kept: Twilio's message text can quote request parameters such as
	// the recipient's number, which does not belong in logs.
	var e twilioError
	if json.Unmarshal(body, &e) == nil && e.Code != 0 {
		return fmt.Errorf("sms: twilio: %w: HTTP %d, Twilio error %d", ErrProviderFailed, resp.StatusCode, e.Code)
	}
	return fmt.Errorf("sms: twilio: %w: HTTP %d", ErrProviderFailed, resp.StatusCode)
}
