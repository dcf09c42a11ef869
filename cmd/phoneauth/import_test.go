package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/phoneauth/phoneauth/auth/importer"
)

func TestImportFormat(t *testing.T) {
	for _, tc := range []struct{ flag, name, want string }{
		{"", "users.jsonl", importer.FormatJSONL}, {"", "USERS.NDJSON", importer.FormatJSONL}, {"", "x/users.csv", importer.FormatCSV},
		{"csv", "users.txt", importer.FormatCSV}, {"JSONL", "-", importer.FormatJSONL}, {"ndjson", "users.csv", importer.FormatJSONL},
		{"", "users.json", ""}, {"", "-", ""}, {"xml", "users.csv", ""},
	} {
		got, err := importFormat(tc.flag, tc.name)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("importFormat(%q, %q) = %q, %v; want %q", tc.flag, tc.name, got, err, tc.want)
		}
	}
}

// TestImportCommand runs the command through run, on SQLite: exit codes, output, and what is stored.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	dbURL := filepath.Join(dir, "phoneauth.db")
	env := environOf("PHONEAUTH_DATABASE_URL", dbURL, "PHONEAUTH_DEFAULT_REGION", "US")
	h, err := bcrypt.GenerateFromPassword([]byte("old password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	hash := "$2b$" + string(h[4:])
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	csvFile := write("users.csv", "phone,name,email,password_hash\n"+
		"(415) 555-0100,Ada,ada@example.com,"+hash+"\n"+
		"+14155550101,Bo,bo@,not-a-hash\n"+
		"+1 415 555 0100,Dup,,"+hash+"\n"+
		"+14155550103,Cy,,"+hash+"\n")
	cli := func(stdin string, args ...string) (string, string, int) {
		var out, errOut bytes.Buffer
		code := run(args, env, strings.NewReader(stdin), &out, &errOut)
		return out.String(), errOut.String(), code
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"users", "import"}, "needs one FILE"},
		{[]string{"users", "import", "a.csv", "b.csv"}, "needs one FILE"},
		{[]string{"users", "import", "--format", "xml", csvFile}, "--format"},
		{[]string{"users", "import", "users.json"}, "cannot tell the format"},
		{[]string{"users", "import", "-"}, "cannot tell the format of -"},
		{[]string{"users", "import", filepath.Join(dir, "missing.csv")}, "no such file"},
		{[]string{"users", "import", "--bogus", csvFile}, "flag provided but not defined"},
		{[]string{"users", "import", write("bad.csv", "phone,name\n")}, "missing required columns: password_hash"},
	} {
		out, errOut, code := cli("", tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", tc.args, code, out, errOut, tc.want)
		}
	}

	wantErr := "line 3: email: value is not a valid email address; password_hash: not a bcrypt or argon2id hash\n" +
		"line 4: phone: already registered (line 2 of this file)\n"
	// Flags may follow the file.
	out, errOut, code := cli("", "users", "import", csvFile, "--dry-run")
	if code != 1 || out != "would import 2, rejected 2\n" || !strings.HasPrefix(errOut, wantErr) {
		t.Fatalf("dry run: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, errOut, code = cli("", "users", "import", csvFile)
	if code != 1 || out != "imported 2, rejected 2\n" || !strings.HasPrefix(errOut, wantErr) {
		t.Fatalf("import: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if strings.Contains(errOut, hash[7:]) || strings.Contains(errOut, "not-a-hash") {
		t.Errorf("a hash was printed: %s", errOut)
	}
	// Again, from stdin: everything is now taken.
	content, _ := os.ReadFile(csvFile)
	out, errOut, code = cli(string(content), "users", "import", "--format", "csv", "-")
	if code != 1 || out != "imported 0, rejected 4\n" || !strings.Contains(errOut, "line 2: phone: already registered; email: already registered\n") {
		t.Fatalf("re-import: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, errOut, code = cli(`{"phone":"+14155550104","name":"Di","password_hash":"`+hash+`"}`+"\n", "users", "import", "--format", "jsonl", "-")
	if code != 0 || out != "imported 1, rejected 0\n" || errOut != "" {
		t.Fatalf("clean import: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// A file broken midway: the rows before are handled, then exit 2.
	broken := write("broken.csv", "phone,name,password_hash\n+14155550105,Ed,"+hash+"\n+14155550106,F\"o,"+hash+"\n+14155550107,Gil,"+hash+"\n")
	out, errOut, code = cli("", "users", "import", broken)
	if code != 2 || out != "imported 1, rejected 0\n" || !strings.Contains(errOut, "line 3: not valid CSV") {
		t.Fatalf("broken file: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
