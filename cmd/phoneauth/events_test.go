package main

import (
	"strings"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth"
)

// TestEventsConfig: the defaults, and each bad value named by its variable.
func TestEventsConfig(t *testing.T) {
	c, err := loadConfig(envOf("PHONEAUTH_EVENTS_WEBHOOK_URL", "https://hooks.example.com/phoneauth", "PHONEAUTH_EVENTS_WEBHOOK_SECRET", testSecret,
		"PHONEAUTH_EVENTS_TYPES", "user.created, user.deleted"))
	if err != nil {
		t.Fatal(err)
	}
	if c.events.events.MaxAge != 24*time.Hour || c.retention.EventRetention != 168*time.Hour || c.keys.Hook.URL != "" ||
		strings.Join(c.events.events.Types, ",") != "user.created,user.deleted" || c.events.dispatch.Timeout != 10*time.Second {
		t.Fatalf("events config %+v, retention %s", c.events, c.retention.EventRetention)
	}
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"PHONEAUTH_EVENTS_TYPES", "user.created,user.exploded"}, "PHONEAUTH_EVENTS_TYPES=user.created,user.exploded: unknown event type user.exploded"},
		{[]string{"PHONEAUTH_EVENTS_WEBHOOK_URL", "ftp://x"}, "PHONEAUTH_EVENTS_WEBHOOK_URL: must be an absolute http or https URL"},
		{[]string{"PHONEAUTH_EVENTS_WEBHOOK_SECRET", "whsec_short"}, "PHONEAUTH_EVENTS_WEBHOOK_SECRET:"},
		{[]string{"PHONEAUTH_EVENTS_MAX_AGE", "forever"}, "PHONEAUTH_EVENTS_MAX_AGE=forever"},
		{[]string{"PHONEAUTH_EVENTS_BACKOFF_MIN", "1m", "PHONEAUTH_EVENTS_BACKOFF_MAX", "1s"}, "PHONEAUTH_EVENTS_BACKOFF_MAX=1s: must be at least"},
		{[]string{"PHONEAUTH_TOKEN_HOOK_URL", "https://hook.example.com"}, "PHONEAUTH_TOKEN_HOOK_FAILURE is not set"},
		{[]string{"PHONEAUTH_TOKEN_HOOK_URL", "https://hook.example.com", "PHONEAUTH_TOKEN_HOOK_FAILURE", "ignore"}, "PHONEAUTH_TOKEN_HOOK_FAILURE=ignore: must be fail or omit"},
		{[]string{"PHONEAUTH_TOKEN_HOOK_TIMEOUT", "2m"}, "PHONEAUTH_TOKEN_HOOK_TIMEOUT=2m"},
	} {
		_, err := loadConfig(envOf(tc.env...))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.env, err, tc.want)
		}
	}
	c, err = loadConfig(envOf("PHONEAUTH_TOKEN_HOOK_URL", "https://hook.example.com", "PHONEAUTH_TOKEN_HOOK_FAILURE", "OMIT"))
	if err != nil || c.keys.Hook.Failure != auth.HookOmit || c.keys.Hook.Timeout != 2*time.Second {
		t.Fatalf("hook %+v, %v", c.keys.Hook, err)
	}
}

// TestProductionRefusesUnsafeHooks: an unsigned hook, or one in the clear off this machine, is one
// of production's reasons.
func TestProductionRefusesUnsafeHooks(t *testing.T) {
	safe := safeProduction(t)
	for _, tc := range []struct {
		set  []string
		want []string
	}{
		{[]string{"PHONEAUTH_EVENTS_WEBHOOK_URL=https://hooks.example.com", "PHONEAUTH_EVENTS_WEBHOOK_SECRET=" + testSecret}, nil},
		{[]string{"PHONEAUTH_EVENTS_WEBHOOK_URL=http://127.0.0.1:9000", "PHONEAUTH_EVENTS_WEBHOOK_SECRET=" + testSecret}, nil},
		{[]string{"PHONEAUTH_EVENTS_WEBHOOK_URL=http://hooks.internal", "PHONEAUTH_EVENTS_WEBHOOK_SECRET=" + testSecret}, []string{"PHONEAUTH_EVENTS_WEBHOOK_URL is an http:// URL"}},
		{[]string{"PHONEAUTH_EVENTS_WEBHOOK_URL=https://hooks.example.com"}, []string{"PHONEAUTH_EVENTS_WEBHOOK_SECRET is not set"}},
		{[]string{"PHONEAUTH_TOKEN_HOOK_URL=http://hook.internal", "PHONEAUTH_TOKEN_HOOK_FAILURE=fail"},
			[]string{"PHONEAUTH_TOKEN_HOOK_URL is an http:// URL", "PHONEAUTH_TOKEN_HOOK_SECRET is not set"}},
	} {
		c, _, err := readConfig(lookupIn(append(tc.set, safe...)))
		if err != nil {
			t.Fatal(err)
		}
		u := unsafeSettings(c)
		if len(u) != len(tc.want) {
			t.Errorf("%v: %v, want %q", tc.set, u, tc.want)
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(u[i].text, w) {
				t.Errorf("%v: reason %q, want %q", tc.set, u[i].text, w)
			}
		}
	}
}
