package importer_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/phoneauth/phoneauth/auth/importer"
)

// readAllRecords reads a whole input the way the import does, rendering each record compactly.
func readAllRecords(t *testing.T, format, input string) ([]string, error) {
	t.Helper()
	records, err := importer.Read(format, strings.NewReader(input))
	if err != nil {
		return nil, err
	}
	var out []string
	for rec, err := range records {
		if err != nil {
			return out, err
		}
		out = append(out, renderRecord(rec))
	}
	return out, nil
}

func renderRecord(r *importer.Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:", r.Line)
	for _, f := range importer.Fields {
		if f == "roles" {
			if r.Roles != nil {
				fmt.Fprintf(&b, " roles=%q", r.Roles)
			}
			continue
		}
		ir := importRecord(*r)
		if v := *ir.fieldPtr(f); v != "" {
			fmt.Fprintf(&b, " %s=%q", f, v)
		}
	}
	if len(r.Problems) > 0 {
		fmt.Fprintf(&b, " problems=[%s]", importer.Describe(r.Problems))
	}
	return b.String()
}

// importRecord adds a test-only way to read a field back by name.
type importRecord importer.Record

func (r *importRecord) fieldPtr(name string) *string {
	m := map[string]*string{
		"id": &r.ID, "phone": &r.Phone, "name": &r.Name, "email": &r.Email, "gender": &r.Gender,
		"date_of_birth": &r.DateOfBirth, "place": &r.Place, "is_active": &r.IsActive, "has_given_consent": &r.HasGivenConsent,
		"consent_given_at": &r.ConsentGivenAt, "created_at": &r.CreatedAt, "updated_at": &r.UpdatedAt,
		"last_login_at": &r.LastLoginAt, "password_hash": &r.PasswordHash,
	}
	return m[name]
}

func TestReadJSONL(t *testing.T) {
	long := `{"phone":"+14155550100","name":"` + strings.Repeat("x", importer.MaxLine) + `"}`
	for _, tc := range []struct {
		name, input string
		want        []string
	}{
		{
			"values, nulls and blank lines",
			"{\"phone\":\"+14155550100\",\"name\":\"Ada\",\"email\":null,\"is_active\":false,\"has_given_consent\":true,\"roles\":[\"admin\"],\"password_hash\":\"$2b$x\"}\n" +
				"\n   \n" +
				`{"id":"0190a000-0000-7000-8000-000000000001","phone":"+14155550101","name":"Bo","date_of_birth":"1990-05-17","created_at":"2024-01-02T03:04:05Z","roles":null}` + "\n",
			[]string{
				`1: phone="+14155550100" name="Ada" is_active="false" has_given_consent="true" password_hash="$2b$x" roles=["admin"]`,
				`4: id="0190a000-0000-7000-8000-000000000001" phone="+14155550101" name="Bo" date_of_birth="1990-05-17" created_at="2024-01-02T03:04:05Z"`,
			},
		},
		{
			"BOM, CRLF, no final newline",
			"\xEF\xBB\xBF{\"phone\":\"+14155550100\",\"name\":\"Ada\"}\r\n{\"phone\":\"+14155550101\",\"name\":\"Bo\"}",
			[]string{`1: phone="+14155550100" name="Ada"`, `2: phone="+14155550101" name="Bo"`},
		},
		{
			"escapes",
			`{"name":"Ada \"the first\" Lovelace\n","place":"Zürich \u00e9"}`,
			[]string{`1: name="Ada \"the first\" Lovelace\n" place="Zürich é"`},
		},
		{
			"wrong types and unknown keys",
			`{"phone":14155550100,"name":["Ada"],"is_active":"yes","has_given_consent":1,"roles":"admin","hashed_password":"$2b$secret","we ird":1}` + "\n",
			[]string{`1: problems=[has_given_consent: must be true or false; hashed_password: unknown field; is_active: must be true or false; name: must be a string; phone: must be a string; roles: must be a list of strings; "we ird": unknown field]`},
		},
		{
			"unreadable lines are bad rows, the next line goes on",
			"{\"phone\":\n[1,2]\nnull\n\"text\"\n{\"phone\":\"+14155550100\"}\n",
			[]string{
				"1: problems=[not valid JSON (at byte 9)]",
				"2: problems=[not a JSON object]",
				"3: problems=[not a JSON object]",
				"4: problems=[not a JSON object]",
				`5: phone="+14155550100"`,
			},
		},
		{
			"a line too long is skipped without holding it",
			"{\"phone\":\"+14155550100\"}\n" + long + "\n{\"phone\":\"+14155550101\"}\n" + long,
			[]string{
				`1: phone="+14155550100"`,
				fmt.Sprintf("2: problems=[line longer than %d bytes]", importer.MaxLine),
				`3: phone="+14155550101"`,
				fmt.Sprintf("4: problems=[line longer than %d bytes]", importer.MaxLine),
			},
		},
		{"empty", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAllRecords(t, importer.FormatJSONL, tc.input)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

func TestReadCSV(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		want        []string
	}{
		{
			"columns in any order, empty cells absent, roles split on ;",
			"password_hash,Name , phone,roles,email,is_active\n" +
				"$2b$x,Ada,+14155550100,admin; user,,False\n" +
				"$2b$y,Bo,+14155550101,,bo@example.com,\n",
			[]string{
				`2: phone="+14155550100" name="Ada" is_active="False" password_hash="$2b$x" roles=["admin" "user"]`,
				`3: phone="+14155550101" name="Bo" email="bo@example.com" password_hash="$2b$y"`,
			},
		},
		{
			"quoting: commas, doubled quotes and newlines inside a field keep the line numbers right",
			"phone,name,place,password_hash\n" +
				"+14155550100,\"Lovelace, Ada\",\"a \"\"quoted\"\" place\",h\n" +
				"+14155550101,Bo,\"two\nlines\",h\n" +
				"\n" +
				"+14155550102,Cy,,h\n",
			[]string{
				`2: phone="+14155550100" name="Lovelace, Ada" place="a \"quoted\" place" password_hash="h"`,
				`3: phone="+14155550101" name="Bo" place="two\nlines" password_hash="h"`,
				`6: phone="+14155550102" name="Cy" password_hash="h"`,
			},
		},
		{
			"BOM and CRLF",
			"\xEF\xBB\xBFphone,name,password_hash\r\n+14155550100,Ada,h\r\n\"+14155550101\",\"Bo\r\nB\",h\r\n",
			[]string{
				`2: phone="+14155550100" name="Ada" password_hash="h"`,
				`3: phone="+14155550101" name="Bo\nB" password_hash="h"`,
			},
		},
		{
			"a row of the wrong width is a bad row",
			"phone,name,password_hash\n+14155550100,Ada\n+14155550101,Bo,h,extra\n+14155550102,Cy,h\n",
			[]string{
				"2: problems=[has 2 fields, the header has 3]",
				"3: problems=[has 4 fields, the header has 3]",
				`4: phone="+14155550102" name="Cy" password_hash="h"`,
			},
		},
		{"header only", "phone,name,password_hash\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAllRecords(t, importer.FormatCSV, tc.input)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

func TestReadCSVFileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, input, want string
		read              int // records read before the error
	}{
		{"empty file", "", "empty file: a CSV import starts with a header row naming its columns", 0},
		{"missing columns", "phone,email\n", "header: missing required columns: name, password_hash", 0},
		{"unknown columns", "phone,name,password_hash,hashed_password,Nick Name\n", `header: unknown columns: hashed_password, "Nick Name" (known: `, 0},
		{"column twice", "phone,name,password_hash,Phone\n", "header: columns given twice: phone", 0},
		{"bad quote in header", "phone,\"name,password_hash\n", "header: ", 0},
		{"bare quote in a row", "phone,name,password_hash\n+14155550100,Ada,h\n+14155550101,B\"o,h\n+14155550102,Cy,h\n", "line 3: not valid CSV: bare \" in non-quoted-field", 1},
		{"unterminated quote", "phone,name,password_hash\n+14155550100,\"Ada,h\n+14155550101,Bo,h\n", "line 2: not valid CSV: extraneous or missing \" in quoted-field", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readAllRecords(t, importer.FormatCSV, tc.input)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q…", err, tc.want)
			}
			if len(got) != tc.read {
				t.Errorf("read %d records before the error, want %d: %v", len(got), tc.read, got)
			}
			var fe *importer.FileError
			if strings.HasPrefix(tc.want, "line ") && !errors.As(err, &fe) {
				t.Errorf("a row error is %T, want *importer.FileError", err)
			}
		})
	}
}
