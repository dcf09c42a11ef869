package main

import (
	"strings"
	"testing"
	"time"
)

func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// environOf is envOf as run takes it: KEY=VALUE pairs.
func environOf(kv ...string) []string {
	var env []string
	for i := 0; i+1 < len(kv); i += 2 {
		env = append(env, kv[i]+"="+kv[i+1])
	}
	return env
}

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig(envOf())
	if err != nil {
		t.Fatal(err)
	}
	if c.addr != "127.0.0.1:8000" || c.db.URL != "phoneauth.db" || c.keys.AccessTokenTTL != 15*time.Minute ||
		c.keys.Issuer != "phoneauth" || c.defaultRegion != "" || len(c.server.TrustedProxies) != 0 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestConfigValues(t *testing.T) {
	c, err := loadConfig(envOf("PHONEAUTH_ACCESS_TOKEN_TTL", "600", "PHONEAUTH_DEFAULT_REGION", "gb",
		"PHONEAUTH_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1, ::1", "PHONEAUTH_JWT_ISSUER", "https://auth.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if c.keys.AccessTokenTTL != 10*time.Minute || c.defaultRegion != "GB" || len(c.server.TrustedProxies) != 3 ||
		c.server.TrustedProxies[1].String() != "192.0.2.1/32" || c.keys.Issuer != "https://auth.example.com" {
		t.Fatalf("%+v", c)
	}
}

// TestConfigAuthSettings: each auth setting lands in the config of the service that uses it.
func TestConfigAuthSettings(t *testing.T) {
	c, err := loadConfig(envOf("PHONEAUTH_SESSION_MAX_AGE", "48h", "PHONEAUTH_SESSION_IDLE_TIMEOUT", "0",
		"PHONEAUTH_REFRESH_REUSE_INTERVAL", "5s", "PHONEAUTH_SESSION_RETENTION", "72h", "PHONEAUTH_LOGIN_LOCKOUT_THRESHOLD", "3",
		"PHONEAUTH_OTP_TTL", "2m"))
	if err != nil {
		t.Fatal(err)
	}
	if c.sessions.MaxAge != 48*time.Hour || c.sessions.IdleTimeout != 0 || c.sessions.RefreshReuseInterval != 5*time.Second ||
		c.retention.SessionRetention != 72*time.Hour || c.lockout.Threshold != 3 || c.otp.TTL != 2*time.Minute {
		t.Fatalf("sessions %+v, retention %+v, lockout %+v, otp TTL %s", c.sessions, c.retention, c.lockout, c.otp.TTL)
	}
}

func TestConfigErrorsListEveryBadVariable(t *testing.T) {
	_, err := loadConfig(envOf("PHONEAUTH_ACCESS_TOKEN_TTL", "-5m", "PHONEAUTH_DEFAULT_REGION", "ZZ", "PHONEAUTH_ADDR", "8000"))
	if err == nil {
		t.Fatal("accepted bad configuration")
	}
	for _, name := range []string{"PHONEAUTH_ACCESS_TOKEN_TTL", "PHONEAUTH_DEFAULT_REGION", "PHONEAUTH_ADDR"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestConfigPublicURL(t *testing.T) {
	for _, tc := range []struct {
		env               []string
		issuer, publicURL string
	}{
		{nil, "phoneauth", ""}, // serve names the listen address
		{[]string{"PHONEAUTH_PUBLIC_URL", "https://auth.example.com/"}, "https://auth.example.com", "https://auth.example.com"},
		{[]string{"PHONEAUTH_PUBLIC_URL", "http://10.0.0.5:8000/auth"}, "http://10.0.0.5:8000/auth", "http://10.0.0.5:8000/auth"},
		{[]string{"PHONEAUTH_PUBLIC_URL", "https://auth.example.com", "PHONEAUTH_JWT_ISSUER", "urn:example:auth"}, "urn:example:auth", "https://auth.example.com"},
		// As before PHONEAUTH_PUBLIC_URL: an issuer that is a URL names where the keys are.
		{[]string{"PHONEAUTH_JWT_ISSUER", "https://issuer.example.com/"}, "https://issuer.example.com/", "https://issuer.example.com"},
	} {
		c, err := loadConfig(envOf(tc.env...))
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if c.keys.Issuer != tc.issuer || c.server.PublicURL != tc.publicURL {
			t.Errorf("%v: issuer %q, public URL %q; want %q, %q", tc.env, c.keys.Issuer, c.server.PublicURL, tc.issuer, tc.publicURL)
		}
	}
	for _, bad := range []string{"auth.example.com", "/auth", "https://", "ftp://auth.example.com", "https://auth.example.com?x=1",
		"https://auth.example.com/?", "https://auth.example.com/#top", "https://user:pw@auth.example.com", "https://auth.example.com:port"} {
		_, err := loadConfig(envOf("PHONEAUTH_PUBLIC_URL", bad))
		if err == nil || !strings.Contains(err.Error(), "PHONEAUTH_PUBLIC_URL") {
			t.Errorf("PHONEAUTH_PUBLIC_URL=%q: %v, want an error naming the variable", bad, err)
		}
	}
}

func TestListenURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8000": "http://127.0.0.1:8000",
		":8000":          "http://127.0.0.1:8000",
		"0.0.0.0:8000":   "http://127.0.0.1:8000",
		"[::]:8000":      "http://127.0.0.1:8000",
		"[::1]:9000":     "http://[::1]:9000",
		"10.1.2.3:80":    "http://10.1.2.3:80",
		"localhost:8000": "http://localhost:8000",
	} {
		if got := listenURL(addr); got != want {
			t.Errorf("listenURL(%q) = %q, want %q", addr, got, want)
		}
	}
}

// TestConfigLifecycleSettings: the re-authentication window and the audit retention, with their
// defaults and limits.
func TestConfigLifecycleSettings(t *testing.T) {
	c, err := loadConfig(envOf())
	if err != nil || c.lifecycle.ReauthWindow != 10*time.Minute || c.retention.AuditRetention != 0 {
		t.Fatalf("defaults: %+v %+v %v", c.lifecycle, c.retention, err)
	}
	c, err = loadConfig(envOf("PHONEAUTH_REAUTH_WINDOW", "0", "PHONEAUTH_AUDIT_RETENTION", "2160h"))
	if err != nil || c.lifecycle.ReauthWindow != 0 || c.retention.AuditRetention != 90*24*time.Hour {
		t.Fatalf("values: %+v %+v %v", c.lifecycle, c.retention, err)
	}
	for _, bad := range [][]string{{"PHONEAUTH_AUDIT_RETENTION", "12h"}, {"PHONEAUTH_AUDIT_RETENTION", "forever"}, {"PHONEAUTH_REAUTH_WINDOW", "48h"}} {
		if _, err := loadConfig(envOf(bad...)); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%v: %v, want an error naming %s", bad, err, bad[0])
		}
	}
}

// TestConfigStrongAuthentication: passkeys are off without both WebAuthn variables and on with both;
// each bad value stops start-up naming its variable.
func TestConfigStrongAuthentication(t *testing.T) {
	c, err := loadConfig(envOf())
	if err != nil || c.passkeys.Enabled() || len(c.sessions.MFARequiredRoles) != 0 {
		t.Fatalf("defaults: %+v %v %v", c.passkeys, c.sessions.MFARequiredRoles, err)
	}
	c, err = loadConfig(envOf("PHONEAUTH_WEBAUTHN_RP_ID", "example.com", "PHONEAUTH_WEBAUTHN_ORIGINS", "https://app.example.com, https://example.com/",
		"PHONEAUTH_SMS_APP_NAME", "Acme", "PHONEAUTH_MFA_REQUIRED_ROLES", "Admin"))
	if err != nil || c.passkeys.RPID != "example.com" || strings.Join(c.passkeys.Origins, " ") != "https://app.example.com https://example.com" ||
		c.passkeys.DisplayName != "Acme" || strings.Join(c.sessions.MFARequiredRoles, ",") != "admin" {
		t.Fatalf("values: %+v %v %v", c.passkeys, c.sessions.MFARequiredRoles, err)
	}
	for _, tc := range []struct{ set, want string }{
		{"PHONEAUTH_WEBAUTHN_RP_ID", "PHONEAUTH_WEBAUTHN_ORIGINS is not set"},
		{"PHONEAUTH_WEBAUTHN_ORIGINS", "PHONEAUTH_WEBAUTHN_RP_ID is not set"},
	} {
		if _, err := loadConfig(envOf(tc.set, "example.com")); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("only %s: %v, want %q", tc.set, err, tc.want)
		}
	}
	for _, bad := range [][]string{
		{"PHONEAUTH_WEBAUTHN_RP_ID", "https://example.com", "PHONEAUTH_WEBAUTHN_ORIGINS", "https://example.com"},
		{"PHONEAUTH_WEBAUTHN_ORIGINS", "https://evil.example", "PHONEAUTH_WEBAUTHN_RP_ID", "example.com"},
		{"PHONEAUTH_WEBAUTHN_ORIGINS", "http://example.com", "PHONEAUTH_WEBAUTHN_RP_ID", "example.com"},
		{"PHONEAUTH_MFA_REQUIRED_ROLES", "admin,root"},
	} {
		if _, err := loadConfig(envOf(bad...)); err == nil || !strings.Contains(err.Error(), bad[0]+"=") {
			t.Errorf("%v: %v, want an error naming %s", bad, err, bad[0])
		}
	}
}
