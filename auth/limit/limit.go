// Package limit is phoneauth's in-process rate limiter: a sliding-window log per key, with
// reservations that can be given back (a send that failed at the SMS provider must not use up the
// caller's budget). One instance's memory is one instance's limit; several instances share a limit
// through the Redis implementation of the same contract.
//
// It imports only the standard library.
package limit

import (
	"context"
	"sync"
	"time"
)

// Memory is a sliding-window limiter kept in memory. It is safe for concurrent use.
type Memory struct {
	now func() time.Time

	mu      sync.Mutex
	log     map[string][]time.Time
	sweeps  int
	maxKeys int
}

// NewMemory returns a limiter reading time from now (nil: time.Now). maxKeys bounds memory (default
// 1,000,000 keys).
func NewMemory(now func() time.Time, maxKeys int) *Memory {
	if now == nil {
		now = time.Now
	}
	if maxKeys <= 0 {
		maxKeys = 1_000_000
	}
	return &Memory{now: now, log: map[string][]time.Time{}, maxKeys: maxKeys}
}

// Reserve takes one unit of key's budget of limit per window. When the budget is spent it returns
// ok=false and how long until a unit frees up. cancel returns the unit (a no-op when !ok). A limit
// of 0 or less means unlimited.
func (m *Memory) Reserve(_ context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, cancel func(), err error) {
	if limit <= 0 {
		return true, 0, func() {}, nil
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now, window)
	events := prune(m.log[key], now.Add(-window))
	if len(events) >= limit {
		m.log[key] = events
		return false, events[len(events)-limit].Add(window).Sub(now), func() {}, nil
	}
	events = append(events, now)
	m.log[key] = events
	return true, 0, func() { m.cancel(key, now) }, nil
}

// Used returns how many units of key are taken in the rolling window ending now.
func (m *Memory) Used(_ context.Context, key string, window time.Duration) (int, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	events := prune(m.log[key], now.Add(-window))
	m.log[key] = events
	return len(events), nil
}

func (m *Memory) cancel(key string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	events := m.log[key]
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Equal(at) {
			m.log[key] = append(events[:i], events[i+1:]...)
			return
		}
	}
}

// prune drops events at or before cutoff (events are in time order).
func prune(events []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(events) && !events[i].After(cutoff) {
		i++
	}
	if i == 0 {
		return events
	}
	return append(events[:0:0], events[i:]...)
}

// sweep drops expired keys every so often. When more than maxKeys are live (a flood of distinct
// keys, e.g. spoofed addresses) it also drops about a tenth of them, arbitrarily: amortized O(1) per
// call, at the price of forgetting some budgets under such a flood rather than running out of memory.
func (m *Memory) sweep(now time.Time, window time.Duration) {
	m.sweeps++
	if m.sweeps%1024 != 0 && len(m.log) < m.maxKeys {
		return
	}
	for k, ev := range m.log {
		if len(ev) == 0 || !ev[len(ev)-1].After(now.Add(-window)) {
			delete(m.log, k)
		}
	}
	if len(m.log) < m.maxKeys {
		return
	}
	drop := len(m.log) - m.maxKeys*9/10
	for k := range m.log { // map order is random
		if drop <= 0 {
			break
		}
		delete(m.log, k)
		drop--
	}
}
