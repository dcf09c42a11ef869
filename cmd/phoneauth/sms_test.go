package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func TestSMSDefaults(t *testing.T) {
	c, err := loadConfig(envOf())
	if err != nil {
		t.Fatal(err)
	}
	s := c.sms
	if !slices.Equal(s.providers, []string{"log"}) || s.guard == nil || s.guard.MinSends != 20 || s.guard.MinRate != 0.2 ||
		s.guard.Window != time.Hour || s.guard.Block != time.Hour || s.hourlyLimit != 0 || s.captcha.provider != "" ||
		c.otp.CaptchaMode != "" || c.retention.SMSLogRetention != 720*time.Hour || s.failover.Threshold != 3 {
		t.Fatalf("defaults %+v, guard %+v", s, s.guard)
	}
}

func TestSMSSettings(t *testing.T) {
	c, err := loadConfig(envOf(
		"PHONEAUTH_SMS_PROVIDER", "twilio, webhook,webhook",
		"PHONEAUTH_SMS_WEBHOOK_URL", "https://a.example.com/sms, https://b.example.com/sms",
		"PHONEAUTH_SMS_WEBHOOK_SECRET", testSecret,
		"PHONEAUTH_TWILIO_ACCOUNT_SID", "AC123", "PHONEAUTH_TWILIO_AUTH_TOKEN", "tok", "PHONEAUTH_TWILIO_FROM", "+15005550006",
		"PHONEAUTH_SMS_FAILOVER_THRESHOLD", "5", "PHONEAUTH_SMS_FAILOVER_COOLDOWN", "1m",
		"PHONEAUTH_SMS_GUARD_MIN_SENDS", "50", "PHONEAUTH_SMS_GUARD_MIN_RATE", "35%", "PHONEAUTH_SMS_GUARD_WINDOW", "2h",
		"PHONEAUTH_SMS_GUARD_BLOCK", "30m", "PHONEAUTH_SMS_GUARD_EXEMPT", "1415, +44207",
		"PHONEAUTH_SMS_HOURLY_LIMIT", "1000", "PHONEAUTH_SMS_COUNTRY_HOURLY_LIMITS", "us=500, IN=100,*=50",
		"PHONEAUTH_CAPTCHA_PROVIDER", "hcaptcha", "PHONEAUTH_CAPTCHA_SECRET", "s", "PHONEAUTH_CAPTCHA_MODE", "always",
		"PHONEAUTH_SMS_LOG_RETENTION", "48h", "PHONEAUTH_PUBLIC_URL", "https://auth.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.sms
	if !slices.Equal(s.providers, []string{"twilio", "webhook", "webhook"}) || len(s.webhooks) != 2 || s.webhooks[1].URL != "https://b.example.com/sms" ||
		s.failover.Threshold != 5 || s.failover.Cooldown != time.Minute {
		t.Fatalf("providers %+v", s)
	}
	if g := s.guard; g.MinSends != 50 || g.MinRate != 0.35 || g.Window != 2*time.Hour || g.Block != 30*time.Minute ||
		!slices.Equal(g.Exempt, []string{"+1415", "+44207"}) {
		t.Fatalf("guard %+v", g)
	}
	if c.otp.SMSHourlyLimit != 1000 || c.otp.SMSCountryHourlyLimits["US"] != 500 || c.otp.SMSCountryHourlyLimits["*"] != 50 ||
		c.otp.CaptchaMode != "always" || c.retention.SMSLogRetention != 48*time.Hour {
		t.Fatalf("otp %+v", c.otp)
	}
	if c.server.SMSCallbacks.TwilioAuthToken != "tok" || c.server.SMSCallbacks.WebhookSecret != testSecret {
		t.Fatalf("callbacks %+v", c.server.SMSCallbacks)
	}
	sender, err := newSender(c, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := sender.(interface{ Providers() []string }); !ok || !slices.Equal(f.Providers(), []string{"twilio", "webhook", "webhook-2"}) {
		t.Fatalf("sender %T", sender)
	}
}

func TestSMSGuardOff(t *testing.T) {
	c, err := loadConfig(envOf("PHONEAUTH_SMS_GUARD_MIN_SENDS", "0"))
	if err != nil || c.sms.guard != nil {
		t.Fatalf("guard %+v, %v; want off", c.sms.guard, err)
	}
}

func TestSMSSettingsRejected(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"PHONEAUTH_SMS_PROVIDER", "sns"}, "PHONEAUTH_SMS_PROVIDER"},
		{[]string{"PHONEAUTH_SMS_PROVIDER", "twilio,twilio"}, "twilio may be listed once"},
		{[]string{"PHONEAUTH_SMS_PROVIDER", "webhook,webhook", "PHONEAUTH_SMS_WEBHOOK_URL", "https://a.example.com"}, "one URL per webhook"},
		{[]string{"PHONEAUTH_SMS_GUARD_MIN_RATE", "2"}, "PHONEAUTH_SMS_GUARD_MIN_RATE"},
		{[]string{"PHONEAUTH_SMS_GUARD_EXEMPT", "+1x"}, "PHONEAUTH_SMS_GUARD_EXEMPT"},
		{[]string{"PHONEAUTH_SMS_COUNTRY_HOURLY_LIMITS", "XX=5"}, "PHONEAUTH_SMS_COUNTRY_HOURLY_LIMITS"},
		{[]string{"PHONEAUTH_SMS_COUNTRY_HOURLY_LIMITS", "US=-1"}, "PHONEAUTH_SMS_COUNTRY_HOURLY_LIMITS"},
		{[]string{"PHONEAUTH_CAPTCHA_PROVIDER", "friendly", "PHONEAUTH_CAPTCHA_SECRET", "s"}, "PHONEAUTH_CAPTCHA_PROVIDER"},
		{[]string{"PHONEAUTH_CAPTCHA_PROVIDER", "turnstile"}, "secret"},
		{[]string{"PHONEAUTH_CAPTCHA_PROVIDER", "turnstile", "PHONEAUTH_CAPTCHA_SECRET", "s", "PHONEAUTH_CAPTCHA_MODE", "sometimes"}, "PHONEAUTH_CAPTCHA_MODE"},
	} {
		_, err := loadConfig(envOf(tc.env...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %q", tc.env, err, tc.want)
		}
	}
}
