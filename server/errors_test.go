package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/phoneauth/phoneauth/auth"
)

// logLines decodes the JSON lines written to buf.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	dec := json.NewDecoder(buf)
	for dec.More() {
		var line map[string]any
		if err := dec.Decode(&line); err != nil {
			t.Fatalf("log line: %v", err)
		}
		lines = append(lines, line)
	}
	return lines
}

// TestExpectedFailuresAreLoggedSampled: a burst of 503s with one cause writes one line per interval,
// carrying the count held back; another cause has its own line; unexpected errors are logged every time.
func TestExpectedFailuresAreLoggedSampled(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	handle := errorHandlerSampled(log, newLogSampler(10*time.Second, func() time.Time { return now }))
	e := echo.New()
	fail := func(err error) int {
		t.Helper()
		rec := httptest.NewRecorder()
		handle(err, e.NewContext(httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", nil), rec))
		return rec.Code
	}
	busy := fmt.Errorf("%w: password hashing is saturated", auth.ErrUnavailable)

	for range 100 {
		if code := fail(busy); code != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503", code)
		}
	}
	lines := logLines(t, &buf)
	if len(lines) != 1 || lines[0]["level"] != "WARN" || lines[0]["suppressed_since_last"] != 0.0 {
		t.Fatalf("100 identical 503s in one interval logged %v, want one WARN line with suppressed_since_last 0", lines)
	}

	fail(fmt.Errorf("%w: provider answered 500", auth.ErrProviderFailed))
	if lines := logLines(t, &buf); len(lines) != 1 || lines[0]["status"] != 502.0 {
		t.Fatalf("a 502 in the same interval logged %v, want its own line", lines)
	}

	now = now.Add(10 * time.Second)
	fail(busy)
	fail(busy)
	lines = logLines(t, &buf)
	if len(lines) != 1 || lines[0]["suppressed_since_last"] != 99.0 {
		t.Fatalf("after the interval logged %v, want one line with suppressed_since_last 99", lines)
	}

	for range 3 {
		if code := fail(errors.New("bug")); code != http.StatusInternalServerError {
			t.Fatalf("status %d, want 500", code)
		}
	}
	if lines := logLines(t, &buf); len(lines) != 3 || lines[0]["level"] != "ERROR" {
		t.Fatalf("3 unexpected errors logged %v, want 3 ERROR lines", lines)
	}
}

func TestLogSamplerBoundsItsKeys(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := newLogSampler(10*time.Second, func() time.Time { return now })
	for i := range maxSampledKeys + 50 {
		key := fmt.Sprintf("503 dial tcp 10.0.0.%d:5432: connection refused", i)
		ok, _ := s.allow(key)
		if want := i <= maxSampledKeys; ok != want { // the first key past the bound opens "(other)"
			t.Fatalf("key %d: allow = %v, want %v", i, ok, want)
		}
	}
	if len(s.keys) != maxSampledKeys+1 {
		t.Fatalf("%d keys, want %d and the shared one", len(s.keys), maxSampledKeys)
	}
	// Once the interval is over, keys with nothing held back make room for new ones.
	now = now.Add(10 * time.Second)
	if ok, _ := s.allow("503 something new"); !ok {
		t.Fatal("a new key after the interval was held back")
	}
	if _, ok := s.keys["503 something new"]; !ok {
		t.Fatal("the new key did not get a slot of its own after the old ones expired")
	}
}
