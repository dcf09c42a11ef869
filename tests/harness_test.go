package tests

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	_ "github.com/glebarez/go-sqlite"  // database/sql driver "sqlite", for test set-up
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for test set-up

	"github.com/phoneauth/phoneauth"
	"github.com/phoneauth/phoneauth/store/storetest"
)

var (
	binary string // the phoneauth binary under test
	router routers.Router
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "phoneauth-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "phoneauth")
	_, file, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", binary, "./cmd/phoneauth")
	build.Dir = filepath.Join(filepath.Dir(file), "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building phoneauth:", err)
		os.Exit(1)
	}
	spec, err := openapi3.NewLoader().LoadFromData(phoneauth.OpenAPIYAML())
	if err == nil {
		router, err = gorillamux.NewRouter(spec)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loading spec:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// forEachDB runs fn, in parallel, once per available database dialect.
func forEachDB(t *testing.T, fn func(t *testing.T, dialect string)) {
	t.Helper()
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

// forEachDialect runs fn against a default server on each available database.
func forEachDialect(t *testing.T, fn func(t *testing.T, s *server)) {
	t.Helper()
	forEachDB(t, func(t *testing.T, d string) { fn(t, start(t, d)) })
}

// server is one running phoneauth process.
type server struct {
	t       *testing.T
	bin     string // the binary to run ("": the one TestMain built)
	URL     string
	dbURL   string
	dialect string
	env     []string
	cmd     *exec.Cmd
	logs    *logBuffer
}

type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// start runs the binary on a fresh database; extra are additional KEY=VALUE settings.
func start(t *testing.T, dialect string, extra ...string) *server {
	t.Helper()
	s := &server{t: t, dialect: dialect, dbURL: storetest.URL(t, dialect), logs: &logBuffer{}}
	s.env = append([]string{"PHONEAUTH_DATABASE_URL=" + s.dbURL, "PATH=" + os.Getenv("PATH")}, extra...)
	s.launch()
	return s
}

// launch starts the process and waits until it listens.
func (s *server) launch() {
	t := s.t
	t.Helper()
	bin := s.bin
	if bin == "" {
		bin = binary
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append([]string{"PHONEAUTH_ADDR=127.0.0.1:0"}, s.env...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.cmd = cmd
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			_, _ = s.logs.Write([]byte(line + "\n"))
			var rec struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if !sent && json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); _ = pw.Close() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("server did not stop within 20s of SIGTERM")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.logs.String())
		}
	})
	select {
	case a := <-addr:
		s.URL = "http://" + a
	case err := <-done:
		t.Fatalf("server exited before listening: %v\n%s", err, s.logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not listen within 30s\n%s", s.logs.String())
	}
}

// cli runs a phoneauth subcommand against the server's database.
func (s *server) cli(stdin string, args ...string) (stdout, stderr string, code int) {
	s.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = s.env
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// createUser makes a user with the CLI and returns its id.
func (s *server) createUser(phone, name, password string, flags ...string) string {
	s.t.Helper()
	out, errOut, code := s.cli(password+"\n", append([]string{"users", "create", "--phone", phone, "--name", name, "--password-stdin"}, flags...)...)
	if code != 0 {
		s.t.Fatalf("users create %s: exit %d: %s", phone, code, errOut)
	}
	return strings.TrimSpace(out)
}

// exec runs SQL against the server's database (test set-up only, e.g. deactivating a user before
// the admin API exists).
func (s *server) exec(query string, args ...any) {
	s.t.Helper()
	driver, dsn := "sqlite", s.dbURL
	if s.dialect == "postgres" {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	if s.dialect == "postgres" {
		query = rebind(query)
	}
	if _, err := db.ExecContext(context.Background(), query, args...); err != nil {
		s.t.Fatalf("%s: %v", query, err)
	}
}

// queryRow reads one row from the server's database.
func (s *server) queryRow(query string, args []any, dest ...any) {
	s.t.Helper()
	driver := "sqlite"
	if s.dialect == "postgres" {
		driver = "pgx"
		query = rebind(query)
	}
	db, err := sql.Open(driver, s.dbURL)
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRowContext(context.Background(), query, args...).Scan(dest...); err != nil {
		s.t.Fatalf("%s: %v", query, err)
	}
}

func rebind(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// response is a validated HTTP response.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r *response) JSON(t *testing.T) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// do sends a request and validates the response against openapi.yaml: an undocumented status, header
// or body fails the test.
func (s *server) do(method, path string, body any, headers ...string) *response {
	s.t.Helper()
	var rd io.Reader
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			s.t.Fatal(err)
		}
	}
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	r := &response{Status: resp.StatusCode, Header: resp.Header, Body: respBody}
	validateResponse(s.t, req, r)
	return r
}

// bearer is the header pair for a token.
func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

func validateResponse(t *testing.T, req *http.Request, r *response) {
	t.Helper()
	vreq := req.Clone(context.Background())
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		// Only Echo's own 404/405 answer paths the spec lacks; they still use FastAPI's shape.
		if (r.Status == 404 || r.Status == 405) && strings.HasPrefix(string(r.Body), `{"detail":`) {
			return
		}
		t.Fatalf("%s %s: not in openapi.yaml (%v), got %d", req.Method, req.URL.Path, err, r.Status)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route},
		Status:                 r.Status,
		Header:                 r.Header,
		Body:                   io.NopCloser(bytes.NewReader(r.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s %s → %d does not match openapi.yaml: %v\nbody: %s", req.Method, req.URL.Path, r.Status, err, r.Body)
	}
	if r.Header.Get("X-Request-ID") == "" {
		t.Errorf("%s %s: no X-Request-ID", req.Method, req.URL.Path)
	}
}

// decode unmarshals a response body into v.
func decode(t *testing.T, r *response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("body: %v: %s", err, r.Body)
	}
}

// writeEd25519PEM writes a fresh PKCS #8 Ed25519 private key to path.
func writeEd25519PEM(t *testing.T, path string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
