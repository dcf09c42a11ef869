package auth

import (
	"crypto/hmac"
	"encoding/hex"
	"testing"
)

// BenchmarkCodeHashAndCheck is the per-verify cost of a one-time code: its keyed hash and the
// constant-time comparison with the stored one.
func BenchmarkCodeHashAndCheck(b *testing.B) {
	s := &CodeService{key: make([]byte, 32)}
	stored, _ := hex.DecodeString(s.codeHash("+14155550100", PurposeLogin, "123456"))
	for b.Loop() {
		got, _ := hex.DecodeString(s.codeHash("+14155550100", PurposeLogin, "123456"))
		if !hmac.Equal(got, stored) {
			b.Fatal("mismatch")
		}
	}
}

func BenchmarkNewCode(b *testing.B) {
	for b.Loop() {
		_ = newCode()
	}
}
