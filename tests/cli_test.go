package tests

import (
	"os/exec"
	"strings"
	"testing"
)

func TestConfigErrorsNameTheVariable(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"PHONEAUTH_ACCESS_TOKEN_TTL=soon", "PHONEAUTH_ACCESS_TOKEN_TTL"},
		{"PHONEAUTH_ACCESS_TOKEN_TTL=1s", "PHONEAUTH_ACCESS_TOKEN_TTL"},
		{"PHONEAUTH_DEFAULT_REGION=XX", "PHONEAUTH_DEFAULT_REGION"},
		{"PHONEAUTH_ADDR=nonsense", "PHONEAUTH_ADDR"},
		{"PHONEAUTH_DATABASE_URL=mysql://u:hunter2@h/db", "PHONEAUTH_DATABASE_URL"},
		{"PHONEAUTH_TRUSTED_PROXIES=10.0.0.0/33", "PHONEAUTH_TRUSTED_PROXIES"},
		{"PHONEAUTH_LOG_LEVEL=loud", "PHONEAUTH_LOG_LEVEL"},
		{"PHONEAUTH_OTP_TTL=11m", "PHONEAUTH_OTP_TTL"},
		{"PHONEAUTH_OTP_MAX_ATTEMPTS=0", "PHONEAUTH_OTP_MAX_ATTEMPTS"},
		{"PHONEAUTH_OTP_IP_HOURLY_LIMIT=-1", "PHONEAUTH_OTP_IP_HOURLY_LIMIT"},
		{"PHONEAUTH_SMS_PROVIDER=pigeon", "PHONEAUTH_SMS_PROVIDER"},
		{"PHONEAUTH_SMS_ALLOWED_COUNTRIES=US,XX", "PHONEAUTH_SMS_ALLOWED_COUNTRIES"},
		{"PHONEAUTH_TEST_OTPS=+14155550100", "PHONEAUTH_TEST_OTPS"},
		{"PHONEAUTH_TEST_OTPS=+14155550100=12ab", "PHONEAUTH_TEST_OTPS"},
		{"PHONEAUTH_SMS_TIMEOUT=2m", "PHONEAUTH_SMS_TIMEOUT"},
		{"PHONEAUTH_DEBUG_ADDR=6060", "PHONEAUTH_DEBUG_ADDR"},
		{"PHONEAUTH_CORS_ALLOWED_ORIGINS=app.example.com", "PHONEAUTH_CORS_ALLOWED_ORIGINS"},
		{"PHONEAUTH_CORS_ALLOWED_ORIGINS=https://app.example.com/path", "PHONEAUTH_CORS_ALLOWED_ORIGINS"},
		{"PHONEAUTH_LOGIN_LOCKOUT_THRESHOLD=101", "PHONEAUTH_LOGIN_LOCKOUT_THRESHOLD"},
		{"PHONEAUTH_REQUEST_TIMEOUT=0s", "PHONEAUTH_REQUEST_TIMEOUT"},
		{"PHONEAUTH_DB_STATEMENT_TIMEOUT=forever", "PHONEAUTH_DB_STATEMENT_TIMEOUT"},
		{"PHONEAUTH_SESSION_IDLE_TIMEOUT=-1h", "PHONEAUTH_SESSION_IDLE_TIMEOUT"},
		{"PHONEAUTH_REFRESH_REUSE_INTERVAL=5m", "PHONEAUTH_REFRESH_REUSE_INTERVAL"},
		{"PHONEAUTH_JWT_PRIVATE_KEY_FILE=/nonexistent.pem", "PHONEAUTH_JWT_PRIVATE_KEY_FILE"},
		{"PHONEAUTH_SESSION_RETENTION=-1h", "PHONEAUTH_SESSION_RETENTION"},
		{"PHONEAUTH_PURGE_INTERVAL=10s", "PHONEAUTH_PURGE_INTERVAL"},
		{"PHONEAUTH_PURGE_INTERVAL=48h", "PHONEAUTH_PURGE_INTERVAL"},
		{"PHONEAUTH_ENCRYPTION_KEY=c2hvcnQ=", "PHONEAUTH_ENCRYPTION_KEY"},
		{"PHONEAUTH_METRICS_TOKEN=short", "PHONEAUTH_METRICS_TOKEN"},
		{"PHONEAUTH_METRICS_TOKEN=long enough but has spaces", "PHONEAUTH_METRICS_TOKEN"},
		{"PHONEAUTH_PUBLIC_URL=auth.example.com", "PHONEAUTH_PUBLIC_URL"},
		{"PHONEAUTH_PUBLIC_URL=https://auth.example.com/?x=1", "PHONEAUTH_PUBLIC_URL"},
		{"PHONEAUTH_PUBLIC_URL=ftp://auth.example.com", "PHONEAUTH_PUBLIC_URL"},
	} {
		env := []string{tc.env, "PHONEAUTH_DATABASE_URL=" + t.TempDir() + "/x.db"}
		if strings.HasPrefix(tc.env, "PHONEAUTH_DATABASE_URL") {
			env = []string{tc.env}
		}
		wantConfigError(t, env, tc.want)
	}
}

func TestUsersCreateCLI(t *testing.T) {
	s := start(t, "sqlite", "PHONEAUTH_DEFAULT_REGION=US")
	// National format works with a default region.
	id := s.createUser("(415) 555-0101", "Uma User", userPW)
	if len(id) != 36 {
		t.Fatalf("printed id %q", id)
	}
	s.login("+14155550101", userPW)
	for _, tc := range []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{userPW + "\n", []string{"users", "create", "--phone", "+14155550101", "--name", "Dup", "--password-stdin"}, 1, "already exists"},
		{"password\n", []string{"users", "create", "--phone", "+14155550102", "--name", "N", "--password-stdin"}, 2, "too common"},
		{userPW + "\n", []string{"users", "create", "--phone", "12", "--name", "N", "--password-stdin"}, 2, "--phone"},
		{userPW + "\n", []string{"users", "create", "--phone", "+14155550102", "--name", "N", "--email", "x@", "--password-stdin"}, 2, "--email"},
		{userPW + "\n", []string{"users", "create", "--phone", "+14155550102", "--name", "N", "--role", "root", "--password-stdin"}, 2, "--role"},
		{"", []string{"users", "create", "--phone", "+14155550102", "--name", "N", "--password-stdin"}, 2, "no password"},
		{userPW + "\n", []string{"users", "create", "--phone", "+14155550102", "--name", "N"}, 2, "--password-stdin"},
		{"", []string{"frobnicate"}, 2, "unknown command: frobnicate"},
	} {
		_, errOut, code := s.cli(tc.stdin, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want %q)", tc.args, code, tc.code, errOut, tc.want)
		}
		if strings.Contains(errOut, userPW) {
			t.Errorf("%v: password echoed", tc.args)
		}
	}
	out, _, code := s.cli("", "migrate")
	if code != 0 {
		t.Fatalf("migrate: exit %d %s", code, out)
	}
}

func TestSMSProviderConfig(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"PHONEAUTH_SMS_PROVIDER=webhook"}, "PHONEAUTH_SMS_WEBHOOK_URL"},
		{[]string{"PHONEAUTH_SMS_PROVIDER=webhook", "PHONEAUTH_SMS_WEBHOOK_URL=ftp://x"}, "PHONEAUTH_SMS_WEBHOOK_URL"},
		{[]string{"PHONEAUTH_SMS_PROVIDER=webhook", "PHONEAUTH_SMS_WEBHOOK_URL=https://sms.example.com", "PHONEAUTH_SMS_WEBHOOK_SECRET=hunter2-not-whsec"}, "PHONEAUTH_SMS_WEBHOOK_SECRET"},
		{[]string{"PHONEAUTH_SMS_PROVIDER=twilio", "PHONEAUTH_TWILIO_ACCOUNT_SID=AC1"}, "PHONEAUTH_TWILIO"},
	} {
		wantConfigError(t, append(tc.env, "PHONEAUTH_DATABASE_URL="+t.TempDir()+"/x.db"), tc.want)
	}
}

// wantConfigError starts serve with env and expects exit 2 naming want, with no secret ("hunter2") shown.
func wantConfigError(t *testing.T, env []string, want string) {
	t.Helper()
	cmd := exec.Command(binary, "serve")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), want) {
		t.Errorf("%v: exit %v, output %q", env, err, out)
	}
	if strings.Contains(string(out), "hunter2") {
		t.Errorf("%v: a secret was printed", env)
	}
}

func TestPurgeCLI(t *testing.T) {
	s := start(t, "sqlite")
	out, errOut, code := s.cli("", "purge")
	if code != 0 || !strings.Contains(out, "purged 0 sessions, 0 code challenges, 0 lockout counters") {
		t.Fatalf("purge: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, _, code := s.cli("", "purge", "now"); code != 2 {
		t.Fatalf("purge with an argument: exit %d, want 2 (usage)", code)
	}
}
