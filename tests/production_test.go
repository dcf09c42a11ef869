package tests

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// logLines decodes a process's stderr: every line must be a JSON log record.
func logLines(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	sc := bufio.NewScanner(strings.NewReader(stderr))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("stderr line is not a JSON record: %q", sc.Text())
		}
		recs = append(recs, r)
	}
	return recs
}

// runBinary runs phoneauth with exactly env (plus PATH) and returns its exit status and outputs.
func runBinary(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, o.String(), e.String()
}

// TestProductionRefusesListingEveryReason: PHONEAUTH_ENV=production on the defaults refuses to start
// and names all six reasons at once, in one record, without listening.
func TestProductionRefusesListingEveryReason(t *testing.T) {
	code, out, errOut := runBinary(t, []string{"PHONEAUTH_ENV=production", "PHONEAUTH_ADDR=0.0.0.0:0",
		"PHONEAUTH_DATABASE_URL=" + filepath.Join(t.TempDir(), "x.db")}, "serve")
	recs := logLines(t, errOut)
	if code != 2 || out != "" || len(recs) != 1 || recs[0]["level"] != "ERROR" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	problems, _ := recs[0]["problems"].([]any)
	joined := ""
	for _, p := range problems {
		joined += p.(string) + "\n"
	}
	for _, want := range []string{"PHONEAUTH_SMS_PROVIDER=log", "PHONEAUTH_DATABASE_URL is a SQLite file", "PHONEAUTH_ALLOW_SQLITE=true",
		"PHONEAUTH_ENCRYPTION_KEY is not set", "PHONEAUTH_METRICS_TOKEN", "PHONEAUTH_PUBLIC_URL is not set", "is not an https URL"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no %q among the reasons:\n%s", want, joined)
		}
	}
	if len(problems) != 6 {
		t.Errorf("%d reasons, want 6:\n%s", len(problems), joined)
	}
}

// productionEnv is a production configuration serve accepts: SQLite allowed, a webhook provider,
// a sealing key, a metrics token, an https public URL.
func productionEnv(sk *sink) []string {
	return append(sk.env(), "PHONEAUTH_ENV=production", "PHONEAUTH_ALLOW_SQLITE=true",
		"PHONEAUTH_ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")),
		"PHONEAUTH_METRICS_TOKEN=scrape-0123456789abcdef", "PHONEAUTH_PUBLIC_URL=https://auth.example.com")
}

// TestProductionStartsWhenSafe: a safe production configuration starts without a warning; a
// misspelt variable then stops it, with the nearest known name.
func TestProductionStartsWhenSafe(t *testing.T) {
	sk := newWebhookSink(t, "")
	s := start(t, "sqlite", productionEnv(sk)...)
	wantStatus(t, s.do("GET", "/readyz", nil), 200, "")
	for _, r := range logLines(t, s.logs.String()) {
		if r["level"] != "INFO" {
			t.Errorf("a safe production start logged %v", r)
		}
	}
	code, _, errOut := runBinary(t, append(productionEnv(sk), "PHONEAUTH_DATABASE_URL="+s.dbURL, "PHONEAUTH_OTP_TTLL=5m"), "serve")
	if code != 2 || !strings.Contains(errOut, "PHONEAUTH_OTP_TTLL is not a phoneauth setting and is ignored: did you mean PHONEAUTH_OTP_TTL?") {
		t.Errorf("production with a misspelt variable: exit %d, %s", code, errOut)
	}
}

// TestDevelopmentWarnsOnce: outside production serve starts on the unsafe defaults and logs one
// warning that names each of them.
func TestDevelopmentWarnsOnce(t *testing.T) {
	s := start(t, "sqlite")
	var blocks []map[string]any
	for _, r := range logLines(t, s.logs.String()) {
		if r["level"] == "WARN" {
			blocks = append(blocks, r)
		}
	}
	if len(blocks) != 1 || !strings.HasPrefix(blocks[0]["msg"].(string), "development mode") {
		t.Fatalf("want one warning, got %v", blocks)
	}
	unsafe := blocks[0]["unsafe"].([]any)
	joined := ""
	for _, u := range unsafe {
		joined += u.(string) + "\n"
	}
	// The tests listen on 127.0.0.1, so /metrics is not open to the network.
	for _, want := range []string{"PHONEAUTH_SMS_PROVIDER=log", "SQLite", "PHONEAUTH_ENCRYPTION_KEY", "PHONEAUTH_PUBLIC_URL is not set", "https"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the warning does not name %q:\n%s", want, joined)
		}
	}
	if len(unsafe) != 5 || strings.Contains(joined, "/metrics") {
		t.Errorf("%d unsafe settings, want 5 (not /metrics on a loopback address):\n%s", len(unsafe), joined)
	}
}

// TestUnknownVariableWarns: a misspelt variable is named in a warning with the nearest known name,
// and the server starts (development).
func TestUnknownVariableWarns(t *testing.T) {
	s := start(t, "sqlite", "PHONEAUTH_OTP_TTLL=2m", "PHONEAUTH_TEST_DATABASE_URL=postgres://ignored")
	var found []map[string]any
	for _, r := range logLines(t, s.logs.String()) {
		if r["variable"] != nil {
			found = append(found, r)
		}
	}
	if len(found) != 1 || found[0]["level"] != "WARN" || found[0]["variable"] != "PHONEAUTH_OTP_TTLL" || found[0]["suggestion"] != "PHONEAUTH_OTP_TTL" ||
		!strings.Contains(found[0]["msg"].(string), "did you mean PHONEAUTH_OTP_TTL?") {
		t.Fatalf("want one warning about PHONEAUTH_OTP_TTLL, got %v\n%s", found, s.logs.String())
	}
}

// TestHelpOnEveryCommand: --help and -h exit 0 with the command's own usage, even where the
// configuration would stop the command.
func TestHelpOnEveryCommand(t *testing.T) {
	env := []string{"PHONEAUTH_ENV=production", "PHONEAUTH_OTP_TTL=forever"}
	for _, cmd := range []string{"", "serve", "migrate", "purge", "users", "users create", "users import", "keys", "keys rotate", "keys list",
		"healthcheck", "version"} {
		for _, flag := range []string{"--help", "-h"} {
			args := append(strings.Fields(cmd), flag)
			code, out, errOut := runBinary(t, env, args...)
			want := strings.TrimSpace("usage: phoneauth " + cmd)
			if cmd == "" {
				want = "usage: phoneauth [COMMAND]"
			}
			if code != 0 || !strings.HasPrefix(out, want) || errOut != "" {
				t.Errorf("phoneauth %s: exit %d, stdout %.60q, stderr %q", strings.Join(args, " "), code, out, errOut)
			}
		}
	}
	code, _, errOut := runBinary(t, nil, "frobnicate")
	if code != 2 || !strings.Contains(errOut, "unknown command: frobnicate") {
		t.Errorf("an unknown command: exit %d, %s", code, errOut)
	}
}

var versionLine = regexp.MustCompile(`^phoneauth (\S+) \(commit (\S+), (go\S+)\)\n$`)

// TestVersion: version and --version print the version and commit; a build stamped with -ldflags -X
// reports what it was stamped with, there and in phoneauth_build_info.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := runBinary(t, nil, args...)
		if code != 0 || !versionLine.MatchString(out) {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	stamped := filepath.Join(t.TempDir(), "phoneauth")
	_, file, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", stamped, "-ldflags",
		"-X github.com/phoneauth/phoneauth/internal/buildinfo.version=v9.8.7-test -X github.com/phoneauth/phoneauth/internal/buildinfo.commit=0123456789abcdef",
		"./cmd/phoneauth")
	build.Dir = filepath.Join(filepath.Dir(file), "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(stamped, "version").Output()
	m := versionLine.FindStringSubmatch(string(out))
	if err != nil || m == nil || m[1] != "v9.8.7-test" || m[2] != "0123456789abcdef" || m[3] != runtime.Version() {
		t.Fatalf("stamped version: %v %q", err, out)
	}
	s := &server{t: t, bin: stamped, dialect: "sqlite", dbURL: filepath.Join(t.TempDir(), "x.db"), logs: &logBuffer{}}
	s.env = []string{"PHONEAUTH_DATABASE_URL=" + s.dbURL, "PATH=" + os.Getenv("PATH")}
	s.launch()
	metrics := string(s.do("GET", "/metrics", nil).Body)
	want := `phoneauth_build_info{commit="0123456789abcdef",goversion="` + runtime.Version() + `",version="v9.8.7-test"} 1`
	if !strings.Contains(metrics, want) {
		t.Errorf("metrics lack %s", want)
	}
	if !strings.Contains(s.logs.String(), `"version":"v9.8.7-test","commit":"0123456789abcdef"`) {
		t.Errorf("the listening line does not name the build:\n%s", s.logs.String())
	}
}

// TestHealthcheckCommand: exit 0 against a ready server, 1 against one that is not, or nothing.
func TestHealthcheckCommand(t *testing.T) {
	s := start(t, "sqlite")
	host := strings.TrimPrefix(s.URL, "http://")
	_, port, _ := net.SplitHostPort(host)
	for _, addr := range []string{host, ":" + port, "0.0.0.0:" + port} {
		code, out, errOut := runBinary(t, []string{"PHONEAUTH_ADDR=" + addr}, "healthcheck")
		if code != 0 || out != "ready\n" {
			t.Errorf("PHONEAUTH_ADDR=%s: exit %d, %q %q", addr, code, out, errOut)
		}
	}
	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(503)
		_, _ = w.Write([]byte(`{"status":"unavailable","detail":"database unreachable"}`))
	}))
	code, _, errOut := runBinary(t, []string{"PHONEAUTH_ADDR=" + strings.TrimPrefix(notReady.URL, "http://")}, "healthcheck")
	if code != 1 || !strings.Contains(errOut, "database unreachable") {
		t.Errorf("a server that is not ready: exit %d, %s", code, errOut)
	}
	addr := strings.TrimPrefix(notReady.URL, "http://")
	notReady.Close()
	if code, _, errOut := runBinary(t, []string{"PHONEAUTH_ADDR=" + addr}, "healthcheck", "--timeout", "1s"); code != 1 {
		t.Errorf("nothing listening: exit %d, %s", code, errOut)
	}
}
