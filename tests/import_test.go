package tests

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// passlibBcrypt hashes pw as the FastAPI service's passlib did: bcrypt, "$2b$" prefix.
func passlibBcrypt(t *testing.T, pw string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return "$2b$" + strings.TrimPrefix(string(h), "$2a$")
}

// argon2idPHC hashes pw as an argon2id PHC string with phoneauth's default parameters.
func argon2idPHC(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, 2, 19456, 1, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=19456,t=2,p=1$%s$%s", argon2.Version, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func jsonLine(t *testing.T, m map[string]any) string {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// rejectedLines returns the "line N: …" lines of an import's stderr.
func rejectedLines(stderr string) []string {
	var out []string
	for l := range strings.Lines(stderr) {
		if strings.HasPrefix(l, "line ") {
			out = append(out, strings.TrimSuffix(l, "\n"))
		}
	}
	return out
}

func TestUsersImport(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		s := start(t, dialect, "PHONEAUTH_DEFAULT_REGION=US")
		const (
			adaID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301" // a FastAPI (UUIDv4) id to keep
			adaPW = "ada's old fastapi password"
			boPW  = "bo's old fastapi password"
			cyPW  = "cy's old fastapi password"
		)
		adaHash, boArgon, cyHash := passlibBcrypt(t, adaPW), argon2idPHC(boPW), passlibBcrypt(t, cyPW)
		countUsers := func() int {
			var n int
			s.queryRow("SELECT count(*) FROM users", nil, &n)
			return n
		}

		jsonl := writeFile(t, "users.jsonl",
			jsonLine(t, map[string]any{"id": adaID, "phone": "(415) 555-0100", "name": "Ada", "email": "Ada@Example.com",
				"roles": []string{"admin"}, "is_active": true, "has_given_consent": true, "consent_given_at": "2023-04-05T06:07:08Z",
				"created_at": "2023-01-02T03:04:05.123456+00:00", "date_of_birth": "1990-05-17", "password_hash": adaHash})+
				jsonLine(t, map[string]any{"phone": "+14155550101", "name": "Plain", "email": "plain@", "password_hash": "hunter2-plain"})+
				"\n"+
				jsonLine(t, map[string]any{"phone": "+14155550102", "name": "Bo", "password_hash": boArgon, "gender": nil})+
				jsonLine(t, map[string]any{"phone": "+14155550103", "name": "Typo", "is_active": "yes", "hashed_password": adaHash})+
				jsonLine(t, map[string]any{"phone": "+1 415 555 0100", "name": "Ada again", "password_hash": adaHash})+
				jsonLine(t, map[string]any{"id": "42", "phone": "+14155550105", "name": "Bad id", "password_hash": adaHash}))
		csvFile := writeFile(t, "users.csv", "\xEF\xBB\xBFname,phone,email,password_hash,roles,is_active\r\n"+
			"\"Cy, the third\",+14155550106,cy@example.com,"+cyHash+",,True\r\n"+
			"Taken,+14155550107,ADA@example.com,"+cyHash+",,\r\n"+
			",+14155550108,,"+cyHash+",admin;root,\r\n"+
			"Di,+14155550109,,"+cyHash+",,false\r\n")

		// A dry run reports what the import would do and writes nothing.
		out, errOut, code := s.cli("", "users", "import", "--dry-run", jsonl)
		if code != 1 || out != "would import 2, rejected 4\n" {
			t.Fatalf("dry run: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if n := countUsers(); n != 0 {
			t.Fatalf("a dry run wrote %d users", n)
		}

		out, errOut, code = s.cli("", "users", "import", jsonl)
		wantJSONL := []string{
			"line 2: email: value is not a valid email address; password_hash: not a bcrypt or argon2id hash",
			"line 5: is_active: must be true or false; password_hash: required; hashed_password: unknown field",
			"line 6: phone: already registered (line 1 of this file)",
			"line 7: id: not a UUID",
		}
		if code != 1 || out != "imported 2, rejected 4\n" || !slices.Equal(rejectedLines(errOut), wantJSONL) {
			t.Fatalf("jsonl: exit %d, stdout %q, stderr:\n%s", code, out, errOut)
		}

		out, errOut, code = s.cli("", "users", "import", csvFile)
		wantCSV := []string{
			"line 3: email: already registered",
			"line 4: name: required; roles: unknown role root",
		}
		if code != 1 || out != "imported 2, rejected 2\n" || !slices.Equal(rejectedLines(errOut), wantCSV) {
			t.Fatalf("csv: exit %d, stdout %q, stderr:\n%s", code, out, errOut)
		}
		for _, secret := range []string{adaHash, cyHash, boArgon, "hunter2-plain"} {
			if strings.Contains(errOut+out, secret) {
				t.Fatal("a password hash was printed")
			}
		}

		// Only the good rows were written, and no part of a bad one.
		if n := countUsers(); n != 4 {
			t.Fatalf("%d users stored, want 4", n)
		}
		var bad int
		s.queryRow("SELECT count(*) FROM users WHERE phone IN (?, ?, ?, ?, ?) OR name IN (?, ?)", []any{
			"+14155550101", "+14155550103", "+14155550105", "+14155550107", "+14155550108", "Ada again", "Taken",
		}, &bad)
		if bad != 0 {
			t.Fatalf("%d bad rows were written", bad)
		}

		// Ada logs in with her old password and keeps her id; the login upgrades her hash to argon2id.
		tok := s.login("+14155550100", adaPW)
		var me map[string]any
		decode(t, s.do("GET", "/api/v1/auth/me", nil, bearer(tok)...), &me)
		if me["id"] != adaID || me["email"] != "Ada@Example.com" || me["date_of_birth"] != "1990-05-17" ||
			!slices.Equal(anyStrings(me["roles"]), []string{"user", "admin"}) || me["has_given_consent"] != true {
			t.Fatalf("me = %v", me)
		}
		var hash string
		s.queryRow("SELECT password_hash FROM users WHERE phone = ?", []any{"+14155550100"}, &hash)
		if !strings.HasPrefix(hash, "$argon2id$") {
			t.Fatalf("hash after login starts %.8q, want $argon2id$", hash)
		}
		s.login("+14155550100", adaPW)

		// Bo's argon2id hash (default parameters) works as imported and is kept.
		s.login("+14155550102", boPW)
		s.queryRow("SELECT password_hash FROM users WHERE phone = ?", []any{"+14155550102"}, &hash)
		if hash != boArgon {
			t.Fatal("an argon2id hash with current parameters was replaced")
		}
		// CSV users too; an inactive one cannot log in.
		s.login("+14155550106", cyPW)
		r := s.do("POST", "/api/v1/auth/login", map[string]string{"phone": "+14155550109", "password": cyPW})
		wantStatus(t, r, 401, "Incorrect phone number or password")

		// Importing the same file again rejects every row: nothing is imported twice.
		out, errOut, code = s.cli("", "users", "import", csvFile)
		if code != 1 || out != "imported 0, rejected 4\n" || !strings.Contains(errOut, "line 2: phone: already registered; email: already registered\n") {
			t.Fatalf("re-import: exit %d, stdout %q, stderr:\n%s", code, out, errOut)
		}
		if n := countUsers(); n != 4 {
			t.Fatalf("%d users after re-import, want 4", n)
		}
	})
}

func anyStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, x := range l {
		out[i], _ = x.(string)
	}
	return out
}

func TestUsersImportUsage(t *testing.T) {
	s := start(t, "sqlite")
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"users", "import"}, "needs one FILE"},
		{"", []string{"users", "import", "users.txt"}, "cannot tell the format"},
		{"", []string{"users", "import", "--format", "csv", "/nonexistent/users.csv"}, "no such file"},
		{"phone,name\n", []string{"users", "import", "--format", "csv", "-"}, "missing required columns: password_hash"},
		{"phone,name,password_hash,nick\n", []string{"users", "import", "--format", "csv", "-"}, "unknown columns: nick"},
	} {
		out, errOut, code := s.cli(tc.stdin, tc.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, out, errOut, tc.want)
		}
	}
	// All good rows: exit 0.
	line := fmt.Sprintf(`{"phone":"+14155550100","name":"Ada","password_hash":%q}`, passlibBcrypt(t, "x"))
	out, errOut, code := s.cli(line+"\n", "users", "import", "--format", "jsonl", "-")
	if code != 0 || out != "imported 1, rejected 0\n" || errOut != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
