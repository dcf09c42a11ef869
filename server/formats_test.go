package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/server"
	"github.com/phoneauth/phoneauth/server/servertest"
)

// TestFormatsAnswerAsAuthDoes: the schema's formats phone, new-password and display-name refuse what
// the auth services refuse, in their words, so moving the checks into the 422 of the schema changed no
// message. Each body is sent over HTTP and its fields given to AccountService.SignupWithCode directly
// (as the CLI would); the two must name the same fields with the same msg and type.
func TestFormatsAnswerAsAuthDoes(t *testing.T) {
	phones := []string{"+14155550177", "+1 (415) 555-0177", "0014155550177", "4155550177", "(415) 555-0177", "12", "abc",
		"1-800-FLOWERS", "+14155550177 ext 2", "+1 415 555 01", "", "   ", "+44 20 7946 0958", "020 7946 0958"}
	passwords := []string{"a long passphrase", "password", "PassWord", "iloveyou123", "        ", "\t\t\t\t\t\t\t\t", "short"}
	// "" is left out: the schema's minLength answers it ("at least 1 character"), as it did before.
	names := []string{"Nina", " Nina ", " ", "\u3000\u00a0", "\u2003"}

	for _, region := range []string{"", "US"} {
		t.Run("region "+region, func(t *testing.T) {
			s := servertest.New(t, servertest.Options{Server: server.Config{Phones: phone.Parser{DefaultRegion: region}}})
			check := func(ph, pw, name string) {
				t.Helper()
				body, _ := json.Marshal(map[string]string{"phone_number": ph, "otp_code": "123456", "name": name, "password": pw})
				f := &fixture{Server: s}
				rec := f.do(t, call{method: "POST", path: "/api/v1/auth/signup/verify-otp", body: string(body)})
				got := map[string]string{}
				if rec.Code == 422 {
					var vb struct {
						Detail []struct {
							Loc       []any
							Msg, Type string
						}
					}
					if err := json.Unmarshal(rec.Body.Bytes(), &vb); err != nil {
						t.Fatal(err)
					}
					for _, d := range vb.Detail {
						got[fmt.Sprint(d.Loc[1])] = d.Msg + " (" + d.Type + ")"
					}
				}
				_, err := s.Services.Accounts.SignupWithCode(context.Background(), auth.Signup{Phone: ph, Code: "123456", Name: name, Password: pw})
				want := map[string]string{}
				var verr *auth.ValidationError
				if errors.As(err, &verr) {
					for _, f := range verr.Fields {
						if f.Field == "phone" {
							f.Field = "phone_number"
						}
						want[f.Field] = f.Msg + " (" + f.Type + ")"
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("phone %q, password %q, name %q:\n HTTP %d %v\n auth %v", ph, pw, name, rec.Code, got, want)
				}
			}
			for _, ph := range phones {
				check(ph, "a long passphrase", "Nina")
			}
			for _, pw := range passwords {
				check("+14155550177", pw, "Nina")
			}
			for _, name := range names {
				check("+14155550177", "a long passphrase", name)
			}
			check("12", "password", " ") // all three at once
		})
	}
}

// TestConfigPhoneRegion: a default region the phone parser does not know is a configuration error.
func TestConfigPhoneRegion(t *testing.T) {
	for region, ok := range map[string]bool{"": true, "US": true, "gb": true, "XX": false, "USA": false} {
		err := server.Config{PublicURL: "http://phoneauth.test", Phones: phone.Parser{DefaultRegion: region}}.Validate()
		if (err == nil) != ok {
			t.Errorf("region %q: %v", region, err)
		}
	}
}
