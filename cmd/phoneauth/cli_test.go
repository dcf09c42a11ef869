package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/phoneauth/phoneauth/internal/buildinfo"
	"github.com/phoneauth/phoneauth/store/storetest"
)

// runCLI runs the command line with environ and returns its exit status and outputs.
func runCLI(t *testing.T, environ []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, environ, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// logRecords decodes the JSON lines a command wrote to stderr; every line must be one.
func logRecords(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for line := range strings.Lines(stderr) {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("stderr line is not a JSON log record: %q", line)
		}
		recs = append(recs, r)
	}
	return recs
}

// brokenEnv would stop any command that loads the configuration.
var brokenEnv = []string{"PHONEAUTH_ENV=production", "PHONEAUTH_OTP_TTL=forever", "PHONEAUTH_NONSENSE=1"}

// TestHelpOnEveryCommand: --help and -h on every command, subcommand and group exit 0 with that
// command's own usage on stdout, whatever the configuration holds (none is loaded).
func TestHelpOnEveryCommand(t *testing.T) {
	topics := []string{""}
	for _, c := range commands {
		topics = append(topics, c.name)
	}
	for g := range groups {
		topics = append(topics, g)
	}
	for _, topic := range topics {
		words := strings.Fields(topic)
		for _, args := range [][]string{append(slices.Clone(words), "--help"), append(slices.Clone(words), "-h"), append([]string{"help"}, words...)} {
			code, out, errOut := runCLI(t, brokenEnv, args...)
			want := "usage: phoneauth " + topic
			if topic == "" {
				want = "usage: phoneauth [COMMAND]"
			}
			if code != 0 || !strings.HasPrefix(out, want) || errOut != "" {
				t.Errorf("%v: exit %d, stdout %.80q, stderr %q; want 0 and %q", args, code, out, errOut, want)
			}
		}
	}
	// Flags and help after other flags; every flag is listed.
	code, out, _ := runCLI(t, nil, "users", "create", "--phone", "+14155550100", "--help")
	for _, flag := range []string{"--phone", "--name", "--email", "--role", "--password-stdin", "--consent", "-h, --help"} {
		if code != 0 || !strings.Contains(out, flag) {
			t.Errorf("users create --help: exit %d, no %s in\n%s", code, flag, out)
		}
	}
	_, out, _ = runCLI(t, nil, "--help")
	for _, c := range commands {
		if !strings.Contains(out, "  "+c.name+" ") {
			t.Errorf("phoneauth --help does not list %s:\n%s", c.name, out)
		}
	}
}

func TestUnknownCommandIsNamed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "unknown command: frobnicate"},
		{[]string{"users", "delete"}, "unknown command: users delete"},
		{[]string{"keys"}, "keys needs a subcommand: rotate or list"},
		{[]string{"--frob"}, "unknown flag: --frob"},
		{[]string{"migrate", "--frob"}, "flag provided but not defined: -frob"},
		{[]string{"purge", "now"}, "unexpected arguments: now"},
		{[]string{"help", "frobnicate"}, "no help for frobnicate"},
	} {
		code, out, errOut := runCLI(t, nil, tc.args...)
		recs := logRecords(t, errOut)
		if code != 2 || out != "" || len(recs) != 1 || !strings.Contains(recs[0]["msg"].(string), tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", tc.args, code, out, errOut, tc.want)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	want := buildinfo.Get().String() + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errOut := runCLI(t, brokenEnv, args...)
		if code != 0 || out != want || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", args, code, out, errOut, want)
		}
	}
}

// TestEveryCommandLogsTheSameWay: whichever command fails, it says so in one JSON record on stderr,
// the format serve logs in.
func TestEveryCommandLogsTheSameWay(t *testing.T) {
	env := environOf("PHONEAUTH_DATABASE_URL", "/nonexistent-folder/phoneauth.db")
	for _, args := range [][]string{{"serve"}, {"migrate"}, {"purge"}, {"keys", "list"}, {"keys", "rotate"},
		{"users", "import", "-"}, {"users", "create", "--phone", "+14155550100", "--name", "N", "--password-stdin"}} {
		var out, errOut bytes.Buffer
		code := run(args, env, strings.NewReader("a passphrase of some length\n"), &out, &errOut)
		recs := logRecords(t, errOut.String())
		if code != 2 || len(recs) != 1 || recs[0]["level"] != "ERROR" || !strings.Contains(errOut.String(), "PHONEAUTH_DATABASE_URL") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one ERROR record naming PHONEAUTH_DATABASE_URL", args, code, errOut.String())
		}
	}
}

// TestProductionRefusesEveryReason: with PHONEAUTH_ENV=production and nothing else, serve lists all six
// reasons in one record; a safe configuration has none.
func TestProductionRefusesEveryReason(t *testing.T) {
	code, out, errOut := runCLI(t, environOf("PHONEAUTH_ENV", "production", "PHONEAUTH_ADDR", ":8000", "PHONEAUTH_DATABASE_URL", t.TempDir()+"/x.db"), "serve")
	recs := logRecords(t, errOut)
	if code != 2 || out != "" || len(recs) != 1 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	problems := recs[0]["problems"].([]any)
	for i, want := range []string{"PHONEAUTH_SMS_PROVIDER=log", "PHONEAUTH_DATABASE_URL is a SQLite file", "PHONEAUTH_ENCRYPTION_KEY is not set",
		"/metrics is open", "PHONEAUTH_PUBLIC_URL is not set", "issuer phoneauth is not an https URL"} {
		if len(problems) <= i || !strings.Contains(problems[i].(string), want) {
			t.Errorf("problem %d: want %q in %v", i, want, problems)
		}
	}
	if len(problems) != 6 {
		t.Errorf("%d problems, want 6: %v", len(problems), problems)
	}

	safe := safeProduction(t)
	c, _, err := readConfig(lookupIn(safe))
	if err != nil {
		t.Fatal(err)
	}
	if u := unsafeSettings(c); len(u) != 0 {
		t.Errorf("a safe production configuration: %v", u)
	}
	// Each relaxation alone brings back its reason.
	for _, tc := range []struct{ set, want string }{
		{"PHONEAUTH_ADDR=0.0.0.0:8000", "/metrics is open"},
		{"PHONEAUTH_JWT_ISSUER=http://auth.example.com", "is not an https URL"},
		{"PHONEAUTH_ALLOW_SQLITE=false", "SQLite"},
	} {
		env := append([]string{tc.set}, safe...)
		if tc.set == "PHONEAUTH_ADDR=0.0.0.0:8000" {
			env = slices.DeleteFunc(append([]string{tc.set}, safe...), func(kv string) bool { return strings.HasPrefix(kv, "PHONEAUTH_METRICS_TOKEN=") })
		}
		c, _, err := readConfig(lookupIn(env))
		if err != nil {
			t.Fatal(err)
		}
		u := unsafeSettings(c)
		if len(u) != 1 || !strings.Contains(u[0].text, tc.want) {
			t.Errorf("%s: %v, want one reason with %q", tc.set, u, tc.want)
		}
	}
	// One-shot commands check only what concerns the data.
	code, _, errOut = runCLI(t, environOf("PHONEAUTH_ENV", "production", "PHONEAUTH_DATABASE_URL", t.TempDir()+"/x.db"), "migrate")
	recs = logRecords(t, errOut)
	if code != 2 || len(recs) != 1 || len(recs[0]["problems"].([]any)) != 2 || strings.Contains(errOut, "PHONEAUTH_SMS_PROVIDER") {
		t.Errorf("migrate in production on SQLite without a key: exit %d, %s; want the two data reasons", code, errOut)
	}
}

// safeProduction is a production environment serve accepts (SQLite allowed, the database in t's
// temporary folder).
func safeProduction(t *testing.T) []string {
	return environOf("PHONEAUTH_ENV", "production", "PHONEAUTH_DATABASE_URL", t.TempDir()+"/x.db", "PHONEAUTH_ALLOW_SQLITE", "true",
		"PHONEAUTH_SMS_PROVIDER", "webhook", "PHONEAUTH_SMS_WEBHOOK_URL", "https://sms.example.com/send",
		"PHONEAUTH_ENCRYPTION_KEY", base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")),
		"PHONEAUTH_METRICS_TOKEN", "0123456789abcdef0123", "PHONEAUTH_ADDR", "127.0.0.1:0", "PHONEAUTH_PUBLIC_URL", "https://auth.example.com")
}

// TestProductionRefusesUnknownVariables: a misspelt variable is a warning with a suggestion, and in
// production an error; Kubernetes' service links and the test suite's own variables are neither.
func TestProductionRefusesUnknownVariables(t *testing.T) {
	env := append(environOf("PHONEAUTH_OTP_TTLL", "5m", "PHONEAUTH_SERVICE_HOST", "10.0.0.1", "PHONEAUTH_PORT", "tcp://10.0.0.1:8000",
		"PHONEAUTH_PORT_8000_TCP_ADDR", "10.0.0.1", storetest.EnvURL, "postgres://x", storetest.EnvRedisURL, "redis://x"), safeProduction(t)...)
	code, _, errOut := runCLI(t, env, "migrate")
	recs := logRecords(t, errOut)
	if code != 2 || len(recs) != 1 || !strings.Contains(errOut, "PHONEAUTH_OTP_TTLL is not a phoneauth setting and is ignored: did you mean PHONEAUTH_OTP_TTL?") {
		t.Fatalf("production: exit %d, stderr %s", code, errOut)
	}
	if p := recs[0]["problems"].([]any); len(p) != 1 {
		t.Errorf("problems %v: only PHONEAUTH_OTP_TTLL is unknown", p)
	}
	env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "PHONEAUTH_ENV=") })
	code, _, errOut = runCLI(t, env, "migrate")
	recs = logRecords(t, errOut)
	if code != 0 || len(recs) != 2 || recs[0]["level"] != "WARN" || recs[0]["variable"] != "PHONEAUTH_OTP_TTLL" || recs[0]["suggestion"] != "PHONEAUTH_OTP_TTL" {
		t.Fatalf("development: exit %d, stderr %s; want a warning, then migrations applied", code, errOut)
	}
}

func TestUnknownVariables(t *testing.T) {
	_, known, err := readConfig(envOf())
	if err != nil {
		t.Fatal(err)
	}
	got := unknownVariables([]string{"PATH=/bin", "PHONEAUTH_ADDR=:1", "PHONEAUTH_DATABASE=x", "PHONEAUTH_TWILLIO_FROM=+1", "PHONEAUTH_FOO=1",
		"PHONEAUTH_PORT=8000", "PHONEAUTH_SERVICE_PORT_HTTP=8000", "PHONEAUTH_PORT_8000_TCP=tcp://10.0.0.1:8000", "PHONEAUTH_FOO=2",
		"PHONEAUTH_BENCH_DATABASE_URL=x"}, known)
	want := []unknownVar{{"PHONEAUTH_DATABASE", "PHONEAUTH_DATABASE_URL"}, {"PHONEAUTH_FOO", ""},
		{"PHONEAUTH_PORT", "PHONEAUTH_ADDR"}, {"PHONEAUTH_TWILLIO_FROM", "PHONEAUTH_TWILIO_FROM"}}
	if !slices.Equal(got, want) {
		t.Errorf("unknownVariables = %v, want %v", got, want)
	}
	if !slices.Contains(otherPrograms, storetest.EnvURL) || !slices.Contains(otherPrograms, storetest.EnvRedisURL) {
		t.Errorf("otherPrograms %v lacks the test suite's variables", otherPrograms)
	}
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"PHONEAUTH_OTP_TTLL", "PHONEAUTH_OTP_TTL", 1}} {
		if d := editDistance(tc.a, tc.b); d != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, d, tc.d)
		}
	}
}

// TestKnownVariablesAreDocumented: the variables phoneauth reads are exactly those of the Configuration table of docs/configuration.md
// Configuration table.
func TestKnownVariablesAreDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	name := regexp.MustCompile("`(PHONEAUTH_[A-Z0-9_]+)`")
	for line := range strings.Lines(string(readme)) {
		if first, _, ok := strings.Cut(strings.TrimPrefix(line, "| "), " |"); ok && strings.HasPrefix(line, "| `PHONEAUTH_") {
			for _, m := range name.FindAllStringSubmatch(first, -1) {
				documented[m[1]] = true
			}
		}
	}
	_, known, err := readConfig(envOf())
	if err != nil {
		t.Fatal(err)
	}
	for n := range known {
		if !documented[n] {
			t.Errorf("%s is read but not in the Configuration table of docs/configuration.md", n)
		}
	}
	for n := range documented {
		if !known[n] {
			t.Errorf("%s is in the Configuration table of docs/configuration.md but never read", n)
		}
	}
}

// TestConfigErrorsAllAtOnce: every problem in one run, each naming its variable; Twilio's settings
// one by one.
func TestConfigErrorsAllAtOnce(t *testing.T) {
	_, err := loadConfig(envOf("PHONEAUTH_SMS_PROVIDER", "twilio", "PHONEAUTH_OTP_TTL", "1h", "PHONEAUTH_ENV", "staging"))
	ce, ok := err.(*configError)
	if !ok {
		t.Fatalf("%v", err)
	}
	want := []string{"PHONEAUTH_ENV=staging", "PHONEAUTH_OTP_TTL=1h", "PHONEAUTH_TWILIO_ACCOUNT_SID is not set", "PHONEAUTH_TWILIO_AUTH_TOKEN is not set",
		"PHONEAUTH_TWILIO_FROM and PHONEAUTH_TWILIO_MESSAGING_SERVICE_SID are both unset"}
	if len(ce.problems) != len(want) {
		t.Fatalf("problems %q, want %d", ce.problems, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(ce.problems[i], w) {
			t.Errorf("problem %d = %q, want it to start with %q", i, ce.problems[i], w)
		}
	}
	for _, tc := range []struct{ env, want string }{
		{"PHONEAUTH_DATABASE_URL=postgres://u:hunter2@[::1/db", "PHONEAUTH_DATABASE_URL=[redacted]: not a PostgreSQL URL"},
		{"PHONEAUTH_DATABASE_URL=/nonexistent-folder/x.db", "folder /nonexistent-folder does not exist"},
		{"PHONEAUTH_ALLOW_SQLITE=perhaps", "PHONEAUTH_ALLOW_SQLITE=perhaps: must be true or false"},
		{"PHONEAUTH_SESSION_MAX_AGE=1h", "PHONEAUTH_SESSION_MAX_AGE=1h: must be at least PHONEAUTH_ACCESS_TOKEN_TTL (2h)"},
	} {
		k, v, _ := strings.Cut(tc.env, "=")
		_, err := loadConfig(envOf(k, v, "PHONEAUTH_ACCESS_TOKEN_TTL", "2h"))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: %v; want %q", tc.env, err, tc.want)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8000": true, "[::1]:8000": true, "localhost:8000": true, "127.1.2.3:1": true,
		":8000": false, "0.0.0.0:8000": false, "[::]:8000": false, "10.0.0.5:8000": false, "auth.internal:8000": false} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v", addr, got)
		}
	}
}

// TestHealthcheck: 0 when /readyz on PHONEAUTH_ADDR answers 200, 1 otherwise, even with a
// configuration serve would refuse.
func TestHealthcheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status != http.StatusOK {
			_, _ = w.Write([]byte(`{"status":"unavailable","detail":"database unreachable"}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, addr := range []string{"127.0.0.1:" + port, ":" + port, "0.0.0.0:" + port} {
		code, out, errOut := runCLI(t, append([]string{"PHONEAUTH_ADDR=" + addr}, brokenEnv...), "healthcheck")
		if code != 0 || out != "ready\n" || errOut != "" {
			t.Errorf("PHONEAUTH_ADDR=%s: exit %d, stdout %q, stderr %q", addr, code, out, errOut)
		}
	}
	status = http.StatusServiceUnavailable
	code, _, errOut := runCLI(t, []string{"PHONEAUTH_ADDR=127.0.0.1:" + port}, "healthcheck")
	if code != 1 || !strings.Contains(errOut, "answered 503: database unreachable") {
		t.Errorf("503: exit %d, stderr %q", code, errOut)
	}
	srv.Close()
	code, _, errOut = runCLI(t, []string{"PHONEAUTH_ADDR=127.0.0.1:" + port}, "healthcheck", "--timeout", "1s")
	if code != 1 || !strings.Contains(errOut, "not ready") {
		t.Errorf("nothing listening: exit %d, stderr %q", code, errOut)
	}
}
