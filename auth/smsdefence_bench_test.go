package auth_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth"
)

// BenchmarkSendGuard is a code request with and without the SMS guard (on SQLite, the provider a
// recorder): the difference is the guard's cost per request. The clock moves 1ms a request, so the
// guard syncs with its store once per 1,000 requests, as at 1,000 requests a second.
func BenchmarkSendGuard(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(map[bool]string{false: "off", true: "on"}[on], func(b *testing.B) {
			var cfg *auth.SMSGuardConfig
			if on {
				c := auth.DefaultSMSGuardConfig()
				c.Exempt = []string{"+1415"} // counted, never blocked: the guard does all its work
				cfg = &c
			}
			d := newDefenceFixture(b, openOTP(), cfg)
			ctx := auth.WithClient(context.Background(), auth.ClientInfo{IP: "198.51.100.1"})
			i := 0
			for b.Loop() {
				d.clock.Add(time.Millisecond)
				if _, err := d.codes.Send(ctx, auth.PurposeSignup, fmt.Sprintf("+1415555%04d", i%10000), false); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
