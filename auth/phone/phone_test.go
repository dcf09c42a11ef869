package phone

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		region, in, want string
		err              error
	}{
		{"", "+14155550100", "+14155550100", nil},
		{"", "+1 415-555-0100", "+14155550100", nil},
		{"", "+1 (415) 555.0100", "+14155550100", nil},
		{"", "0014155550100", "+14155550100", nil},
		{"", " 00 1 415 555 0100 ", "+14155550100", nil},
		{"", "+919876543210", "+919876543210", nil},
		{"", "4155550100", "", ErrNeedsCountryCode},
		{"US", "4155550100", "+14155550100", nil},
		{"US", "(415) 555-0100", "+14155550100", nil},
		{"US", "011 44 20 7946 0958", "+442079460958", nil},
		{"GB", "020 7946 0958", "+442079460958", nil},
		{"", "", "", ErrInvalid},
		{"", "+", "", ErrInvalid},
		{"", "+1", "", ErrInvalid},
		{"", "+1415555010", "", ErrInvalid},     // too short
		{"", "+14155550100999", "", ErrInvalid}, // too long
		{"", "+99912345678", "", ErrInvalid},    // no such country
		{"", "+1415555abcd", "", ErrInvalid},
		{"", "not a phone", "", ErrInvalid},
		{"", "1-800-FLOWERS", "", ErrInvalid},
		{"", "+1 4155550100+1", "", ErrInvalid},
		{"", "+1 415 555 0100 ext 😀", "", ErrInvalid},
	}
	for _, tt := range tests {
		got, err := Parser{DefaultRegion: tt.region}.Parse(tt.in)
		if !errors.Is(err, tt.err) {
			t.Errorf("Parse(%q, region %q) error = %v, want %v", tt.in, tt.region, err, tt.err)
			continue
		}
		if got.E164 != tt.want {
			t.Errorf("Parse(%q, region %q) = %q, want %q", tt.in, tt.region, got.E164, tt.want)
		}
	}
}

func TestParseRegion(t *testing.T) {
	n, err := Parser{}.Parse("+442079460958")
	if err != nil || n.Region != "GB" {
		t.Fatalf("got %+v, %v; want region GB", n, err)
	}
}

func TestValidRegion(t *testing.T) {
	for r, want := range map[string]bool{"US": true, "gb": true, "IN": true, "XX": false, "": false} {
		if got := ValidRegion(r); got != want {
			t.Errorf("ValidRegion(%q) = %v, want %v", r, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"+14155550100", "0014155550100", "(415) 555-0100", "+", "00", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parser{DefaultRegion: "US"}.Parse(s)
		if err == nil {
			again, err := Parser{}.Parse(n.E164)
			if err != nil || again.E164 != n.E164 {
				t.Fatalf("E.164 %q does not round-trip: %q, %v", n.E164, again.E164, err)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	p := Parser{DefaultRegion: "US"}
	for b.Loop() {
		if _, err := p.Parse("+1 415-555-0100"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"+14155550100":  "+1415",
		"+996700123456": "+996700",
		"+442079460958": "+44207",
		"+919876543210": "+91987",
	} {
		n, err := Parser{}.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := n.Prefix(); got != want {
			t.Errorf("Prefix(%s) = %q, want %q", in, got, want)
		}
		if r := RegionOfPrefix(want); r == "" {
			t.Errorf("RegionOfPrefix(%s) is empty", want)
		}
	}
	for in, want := range map[string]string{"+1415": "US", "+996700": "KG", "+44207": "GB", "+x": "", "": ""} {
		if got := RegionOfPrefix(in); got != want {
			t.Errorf("RegionOfPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}
