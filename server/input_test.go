package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBodyItems(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       string // the items as JSON; "null" for none
	}{
		{"clean", `{"name":"Nina","password":"p\tw\nd"}`, `null`},
		{"not JSON", `{"name":"\u0000"`, `null`},
		{"escaped NUL", `{"name":"a\u0000b"}`, `[{"loc":["body","name"],"msg":"` + msgNUL + `","type":"value_error"}]`},
		{"raw invalid UTF-8", "{\"password\":\"\xff\"}", `[{"loc":["body","password"],"msg":"` + msgUnicode + `","type":"string_unicode"}]`},
		{"lone high surrogate", `{"password":"\ud800x"}`, `[{"loc":["body","password"],"msg":"` + msgUnicode + `","type":"string_unicode"}]`},
		{"high surrogate at the end", `{"password":"\udbff"}`, `[{"loc":["body","password"],"msg":"` + msgUnicode + `","type":"string_unicode"}]`},
		{"two high surrogates", `{"password":"\ud800\ud800"}`, `[{"loc":["body","password"],"msg":"` + msgUnicode + `","type":"string_unicode"}]`},
		{"lone low surrogate", `{"password":"\uDC00"}`, `[{"loc":["body","password"],"msg":"` + msgUnicode + `","type":"string_unicode"}]`},
		{"a pair", `{"name":"\ud83d\ude00","password":"\uD83D\uDE00"}`, `null`},
		{"high then NUL", `{"password":"\ud800\u0000"}`, `[{"loc":["body","password"],"msg":"` + msgUnicode + `","type":"string_unicode"}]`},
		{"replacement character", `{"name":"\ufffd` + "\uFFFD" + `"}`, `null`},
		{"controls in a password", `{"password":"\u0001\u001f\u007f\u0085"}`, `null`},
		{"control in a name", `{"name":"a\u0085"}`, `[{"loc":["body","name"],"msg":"` + msgControl + `","type":"value_error"}]`},
		{"raw DEL in a name", "{\"name\":\"a\x7f\"}", `[{"loc":["body","name"],"msg":"` + msgControl + `","type":"value_error"}]`},
		{"tab in a place", `{"Place":"a\tb"}`, `[{"loc":["body","Place"],"msg":"` + msgControl + `","type":"value_error"}]`},
		{"control deep in a name", `{"name":{"x":["\n"]}}`, `[{"loc":["body","name","x",0],"msg":"` + msgControl + `","type":"value_error"}]`},
		{"keys are not judged", `{"\u0000":"ok","na\u0000me":1}`, `null`},
		{"escaped key in the loc", `{"a\"b":["x", 1, null, true, {"c": "\u0000"}]}`, `[{"loc":["body","a\"b",4,"c"],"msg":"` + msgNUL + `","type":"value_error"}]`},
		{"a bare string", ` "\u0000" `, `[{"loc":["body"],"msg":"` + msgNUL + `","type":"value_error"}]`},
		{"every one at once", `{"name":"\u0000","email":"\u0007","password":"\udfff"}`, `[` +
			`{"loc":["body","name"],"msg":"` + msgNUL + `","type":"value_error"},` +
			`{"loc":["body","email"],"msg":"` + msgControl + `","type":"value_error"},` +
			`{"loc":["body","password"],"msg":"` + msgUnicode + `","type":"string_unicode"}]`},
		{"empty containers", ` { "a" : [ ] , "b" : { } , "c" : [ [ ] , { } ] } `, `null`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader(tc.body))
			got, _ := json.Marshal(bodyItems(req))
			if string(got) != tc.want {
				t.Fatalf("items\n got %s\nwant %s", got, tc.want)
			}
			rest, _ := io.ReadAll(req.Body)
			if string(rest) != tc.body {
				t.Fatalf("the body was not put back: %q", rest)
			}
		})
	}
}

func TestQueryItems(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/api/v1/admin/users?q=%00&cursor=%FF&type=%07&limit=1&x=%ED%A0%80", nil)
	got, _ := json.Marshal(queryItems(req))
	want := `[{"loc":["query","cursor"],"msg":"` + msgUnicode + `","type":"string_unicode"},` +
		`{"loc":["query","q"],"msg":"` + msgNUL + `","type":"value_error"},` +
		`{"loc":["query","x"],"msg":"` + msgUnicode + `","type":"string_unicode"}]`
	if string(got) != want {
		t.Fatalf("items\n got %s\nwant %s", got, want)
	}
}

func TestMergeItems(t *testing.T) {
	base := []validationItem{{Loc: []any{"body", "otp_code"}, Msg: "Field required", Type: "missing"},
		{Loc: []any{"body", "name"}, Msg: "String should have at most 200 characters", Type: "string_too_long"}}
	extra := []validationItem{{Loc: []any{"body", "name"}, Msg: msgNUL, Type: "value_error"},
		{Loc: []any{"body", "name"}, Msg: msgNUL, Type: "value_error"}} // a key given twice
	got, _ := json.Marshal(mergeItems(base, extra))
	want := `[{"loc":["body","otp_code"],"msg":"Field required","type":"missing"},{"loc":["body","name"],"msg":"` + msgNUL + `","type":"value_error"}]`
	if string(got) != want {
		t.Fatalf("merged\n got %s\nwant %s", got, want)
	}
}

func TestSafeHeader(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		want  string
	}{
		{"curl/8.5.0", 512, "curl/8.5.0"},
		{"a\xff\xfeb", 512, "a\uFFFDb"},
		{"a\x00b\tc\r\n\x7fd\u0085e", 512, "ab cde"},
		{"\xed\xa0\x80", 512, "\uFFFD"},
		{"ab€", 4, "ab"},  // never half a character
		{"€\xff", 3, "€"}, // the replacement does not push it over
		{"", 512, ""},
	} {
		got := safeHeader(tc.in, tc.limit)
		if got != tc.want || !utf8.ValidString(got) || len(got) > tc.limit {
			t.Errorf("safeHeader(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
		}
	}
}
