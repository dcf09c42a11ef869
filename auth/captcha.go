package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// CAPTCHA modes (OTPConfig.CaptchaMode).
const (
	CaptchaOff      = ""         // never asked for
	CaptchaAlways   = "always"   // every code request needs a solved CAPTCHA
	CaptchaAdaptive = "adaptive" // only requests the SMS guard flags, or from an IP past its soft budget
)

// The answers a frontend acts on: "captcha required" means show the widget and send its token as
// captcha_token; "captcha invalid" means the token was wrong, expired or used before, so solve again.
var (
	errCaptchaRequired    = newError(ErrBadRequest, "captcha required")
	errCaptchaInvalid     = newError(ErrBadRequest, "captcha invalid")
	errCaptchaUnavailable = &Error{Kind: ErrUnavailable, Detail: "CAPTCHA verification is unavailable; please retry", RetryAfter: 2 * time.Second}
)

type captchaKey struct{}

// WithCaptchaToken returns ctx carrying the CAPTCHA token of the request ("" when it has none).
func WithCaptchaToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, captchaKey{}, token)
}

// CaptchaTokenFrom returns the request's CAPTCHA token ("" when there is none).
func CaptchaTokenFrom(ctx context.Context) string {
	t, _ := ctx.Value(captchaKey{}).(string)
	return t
}

// CaptchaVerifyURLs are the providers' own siteverify endpoints.
var CaptchaVerifyURLs = map[string]string{
	"turnstile": "https://challenges.cloudflare.com/turnstile/v0/siteverify",
	"hcaptcha":  "https://api.hcaptcha.com/siteverify",
	"recaptcha": "https://www.google.com/recaptcha/api/siteverify",
}

// maxCaptchaToken bounds a token (Turnstile's are at most 2048 characters).
const maxCaptchaToken = 4096

// SiteVerify is a CaptchaVerifier for Cloudflare Turnstile, hCaptcha and Google reCAPTCHA, which share
// one protocol: a form POST of secret, response and remoteip to the provider's siteverify URL, answered
// with {"success": bool, "error-codes": [...]}.
type SiteVerify struct {
	url     string
	secret  string
	timeout time.Duration
	client  *http.Client
}

// NewSiteVerify returns the verifier of provider ("turnstile", "hcaptcha" or "recaptcha"). verifyURL ""
// is the provider's own; timeout bounds each call (default 5s).
func NewSiteVerify(provider, secret, verifyURL string, timeout time.Duration) (*SiteVerify, error) {
	def, ok := CaptchaVerifyURLs[provider]
	if !ok {
		return nil, fmt.Errorf("CAPTCHA provider %q is not turnstile, hcaptcha or recaptcha", provider)
	}
	if secret == "" {
		return nil, errors.New("the CAPTCHA provider needs its secret")
	}
	if verifyURL == "" {
		verifyURL = def
	}
	if u, err := url.Parse(verifyURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("the CAPTCHA verify URL must be an absolute http(s) URL")
	}
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	client := &http.Client{Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &SiteVerify{url: verifyURL, secret: secret, timeout: timeout, client: client}, nil
}

// siteverifyAnswer is the providers' common answer.
type siteverifyAnswer struct {
	Success    bool     `json:"success"`
	ErrorCodes []string `json:"error-codes"`
}

// ourFault are error codes that say the service, not the client, is wrong: an outage for the client.
var ourFault = []string{"missing-input-secret", "invalid-input-secret", "sitekey-secret-mismatch", "internal-error",
	"invalid-or-already-seen-response-secret", "bad-request"}

// Verify implements CaptchaVerifier.
func (v *SiteVerify) Verify(ctx context.Context, token, remoteIP string) (bool, error) {
	if token == "" || len(token) > maxCaptchaToken {
		return false, nil
	}
	form := url.Values{"secret": {v.secret}, "response": {token}}
	if remoteIP != "" {
		form.Set("remoteip", remoteIP)
	}
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.url, strings.NewReader(form.Encode()))
	if err != nil {
		return false, errors.New("captcha: building the request")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "phoneauth")
	resp, err := v.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL is not quoted: it may carry credentials
		}
		return false, fmt.Errorf("captcha: siteverify: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("captcha: siteverify answered HTTP %d", resp.StatusCode)
	}
	var a siteverifyAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return false, errors.New("captcha: siteverify answered no JSON")
	}
	if a.Success {
		return true, nil
	}
	for _, c := range a.ErrorCodes {
		if slices.Contains(ourFault, c) {
			return false, fmt.Errorf("captcha: siteverify refused our request: %s", c)
		}
	}
	return false, nil
}

// verifyCaptcha checks the request's token: missing, invalid, or the provider down (503). It spends
// nothing: the caller has taken nothing yet.
func (s *CodeService) verifyCaptcha(ctx context.Context) error {
	token := CaptchaTokenFrom(ctx)
	if token == "" {
		return errCaptchaRequired
	}
	ok, err := s.d.Captcha.Verify(ctx, token, ClientFrom(ctx).IP)
	if err != nil {
		s.env.Logger.WarnContext(ctx, "CAPTCHA verification failed", "err", err)
		e := *errCaptchaUnavailable
		e.Cause = err
		return &e
	}
	if !ok {
		return errCaptchaInvalid
	}
	return nil
}
