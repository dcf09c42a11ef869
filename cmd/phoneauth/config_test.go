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

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig(envOf())
	if err != nil {
		t.Fatal(err)
	}
	if c.addr != "127.0.0.1:8000" || c.db.URL != "phoneauth.db" || c.auth.AccessTokenTTL != 15*time.Minute ||
		c.auth.Issuer != "phoneauth" || c.defaultRegion != "" || len(c.server.TrustedProxies) != 0 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestConfigValues(t *testing.T) {
	c, err := loadConfig(envOf("PHONEAUTH_ACCESS_TOKEN_TTL", "600", "PHONEAUTH_DEFAULT_REGION", "gb",
		"PHONEAUTH_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1, ::1", "PHONEAUTH_JWT_ISSUER", "https://auth.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if c.auth.AccessTokenTTL != 10*time.Minute || c.defaultRegion != "GB" || len(c.server.TrustedProxies) != 3 ||
		c.server.TrustedProxies[1].String() != "192.0.2.1/32" || c.auth.Issuer != "https://auth.example.com" {
		t.Fatalf("%+v", c)
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
