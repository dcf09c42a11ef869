package totp

import (
	"strings"
	"testing"
	"time"
)

func TestNewKeyAndMatch(t *testing.T) {
	k, err := NewKey("phoneauth", "+14155550100")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.URI, "otpauth://totp/phoneauth:+14155550100?") || !strings.Contains(k.URI, "secret="+k.Secret) {
		t.Fatalf("URI %q does not name the issuer, account and secret", k.URI)
	}
	if !strings.HasPrefix(k.QRCode, "data:image/png;base64,iVBORw0KGgo") {
		t.Fatalf("QR code %.40q is not a PNG data URI", k.QRCode)
	}
	now := time.Date(2026, 11, 25, 12, 0, 10, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		at    time.Time
		match bool
		step  int64
	}{
		{"this step", now, true, Step(now)},
		{"previous step", now.Add(-Period), true, Step(now) - 1},
		{"next step", now.Add(Period), true, Step(now) + 1},
		{"two steps back", now.Add(-2 * Period), false, 0},
		{"two steps ahead", now.Add(2 * Period), false, 0},
	} {
		code, err := Code(k.Secret, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		step, ok, err := Match(k.Secret, code, now, 1)
		if err != nil || ok != tc.match || (ok && step != tc.step) {
			t.Errorf("%s: Match = %d, %v, %v; want %d, %v", tc.name, step, ok, err, tc.step, tc.match)
		}
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok, _ := Match(k.Secret, bad, now, 1); ok {
			t.Errorf("Match(%q) = true", bad)
		}
	}
	if _, _, err := Match("not base32!", "123456", now, 1); err == nil {
		t.Error("a malformed secret matched without an error")
	}
}
