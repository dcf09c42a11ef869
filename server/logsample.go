package server

import (
	"sync"
	"time"
)

// logSampler lets one log line per key through per interval and counts the rest. The expected 5xx
// answers (the hashing gate's 503s during a login flood, 502s while the SMS provider is down) come
// in bursts that an attacker controls; written one per request, they would make the log grow with the
// attack. The access log still has every request, and the metrics count every status.
type logSampler struct {
	interval time.Duration
	now      func() time.Time

	mu   sync.Mutex
	keys map[string]*sampledKey
}

type sampledKey struct {
	logged     time.Time // when a line for the key was last let through
	suppressed int       // lines held back since then
}

// maxSampledKeys bounds the table: keys come from error texts, which a failing dependency may vary
// (addresses, ports). Past the bound, new keys share one.
const maxSampledKeys = 128

func newLogSampler(interval time.Duration, now func() time.Time) *logSampler {
	return &logSampler{interval: interval, now: now, keys: map[string]*sampledKey{}}
}

// allow reports whether a line for key may be written now and, if so, how many were held back since
// the last one.
func (s *logSampler) allow(key string) (ok bool, suppressed int) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys[key]
	if k == nil {
		if len(s.keys) >= maxSampledKeys {
			s.forget(now)
		}
		if len(s.keys) >= maxSampledKeys {
			key = "(other)"
			k = s.keys[key]
		}
		if k == nil {
			s.keys[key] = &sampledKey{logged: now}
			return true, 0
		}
	}
	if now.Sub(k.logged) < s.interval {
		k.suppressed++
		return false, 0
	}
	suppressed, k.logged, k.suppressed = k.suppressed, now, 0
	return true, suppressed
}

// forget drops the keys with nothing held back whose interval is over: their next line would be let
// through anyway.
func (s *logSampler) forget(now time.Time) {
	for key, k := range s.keys {
		if k.suppressed == 0 && now.Sub(k.logged) >= s.interval {
			delete(s.keys, key)
		}
	}
}
