package memprofile

import "testing"

func TestWanted(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"nothing set", nil, false},
		{"debug listener", map[string]string{"PHONEAUTH_DEBUG_ADDR": "127.0.0.1:6060"}, true},
		{"debug listener empty", map[string]string{"PHONEAUTH_DEBUG_ADDR": ""}, false},
		{"GODEBUG rate", map[string]string{"GODEBUG": "memprofilerate=1"}, true},
		{"GODEBUG rate among others", map[string]string{"GODEBUG": "inittrace=1, memprofilerate=4096"}, true},
		{"GODEBUG other settings", map[string]string{"GODEBUG": "inittrace=1,gctrace=1"}, false},
		{"GODEBUG lookalike", map[string]string{"GODEBUG": "xmemprofilerate=1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			if got := Wanted(getenv); got != tt.want {
				t.Errorf("Wanted(%v) = %v, want %v", tt.env, got, tt.want)
			}
		})
	}
}
