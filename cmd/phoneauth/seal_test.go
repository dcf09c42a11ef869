package main

import (
	"context"
	"encoding/base64"
	"log/slog"
	"strings"
	"testing"

	"github.com/phoneauth/phoneauth/store/storetest"
)

func TestEncryptionKeyConfig(t *testing.T) {
	const bad = "c2VjcmV0LWJ1dC10b28tc2hvcnQ" // base64, 21 bytes
	_, err := loadConfig(envOf("PHONEAUTH_ENCRYPTION_KEY", bad))
	if err == nil || !strings.Contains(err.Error(), "PHONEAUTH_ENCRYPTION_KEY") || strings.Contains(err.Error(), bad) {
		t.Fatalf("a short key: %v; want an error naming the variable and not showing the value", err)
	}
	good := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	c, err := loadConfig(envOf("PHONEAUTH_ENCRYPTION_KEY", good))
	if err != nil || c.db.Box == nil {
		t.Fatalf("a good key: box %v, %v", c.db.Box, err)
	}
}

// TestEncryptionKeyNeededOnceSet: once an instance has sealed the database's secrets, one started
// without the key refuses to start and says which variable it needs; with the key it starts.
func TestEncryptionKeyNeededOnceSet(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t, "sqlite")
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	start := func(env ...string) error {
		cfg, err := loadConfig(envOf(append([]string{"PHONEAUTH_DATABASE_URL", url}, env...)...))
		if err != nil {
			t.Fatal(err)
		}
		db, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = newServices(ctx, cfg, db, slog.New(slog.DiscardHandler), runtimeDeps{})
		return err
	}
	if err := start(); err != nil { // first start, in the clear
		t.Fatal(err)
	}
	if err := start("PHONEAUTH_ENCRYPTION_KEY", key); err != nil { // seals what the first wrote
		t.Fatal(err)
	}
	err := start()
	if err == nil || !strings.Contains(err.Error(), "set PHONEAUTH_ENCRYPTION_KEY") {
		t.Fatalf("start without the key after sealing: %v; want an error naming PHONEAUTH_ENCRYPTION_KEY", err)
	}
	if err := start("PHONEAUTH_ENCRYPTION_KEY", key); err != nil {
		t.Fatal(err)
	}
}
