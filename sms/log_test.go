package sms

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestLogSend(t *testing.T) {
	var buf bytes.Buffer
	p := NewLog(slog.New(slog.NewJSONHandler(&buf, nil)))
	if _, err := p.Send(t.Context(), "+15551234567", "Your code is 123456", "login", "ref-1"); err != nil {
		t.Fatalf("Send() = %v, want nil", err)
	}
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("log output %q is not one JSON record: %v", buf.String(), err)
	}
	want := map[string]string{
		"level":        "WARN",
		"msg":          "SMS NOT SENT: log provider (development only)",
		"to":           "+15551234567",
		"purpose":      "login",
		"reference_id": "ref-1",
		"text":         "Your code is 123456",
	}
	for k, v := range want {
		if got := rec[k]; got != v {
			t.Errorf("record[%q] = %v, want %q", k, got, v)
		}
	}
}

func TestLogSendDefaultLogger(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	for _, tc := range []struct {
		name string
		p    *Log
	}{
		{"nil Logger", &Log{}},
		{"NewLog(nil)", NewLog(nil)},
		{"nil *Log", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf.Reset()
			if _, err := tc.p.Send(t.Context(), "+15551234567", "code 1", "signup", "ref-2"); err != nil {
				t.Fatalf("Send() = %v, want nil", err)
			}
			if !bytes.Contains(buf.Bytes(), []byte(`"reference_id":"ref-2"`)) {
				t.Errorf("default logger got %q, want a record with reference_id ref-2", buf.String())
			}
		})
	}
}
