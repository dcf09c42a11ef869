package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthcheckFlags is "phoneauth healthcheck": GET /readyz on PHONEAUTH_ADDR, for a container's
// health check (the image has no curl). It reads no other setting, so that it works whatever else the
// environment holds, and it exits 1 (never 2, which Docker reserves) when the server is not ready.
func healthcheckFlags(fs *flag.FlagSet) action {
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer (a `duration`: 3s, 500ms)")
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) > 0 {
			return usageError{"unexpected arguments: " + strings.Join(args, " ")}
		}
		e := newEnv(a.getenv)
		addr := e.str("PHONEAUTH_ADDR", "127.0.0.1:8000")
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("PHONEAUTH_ADDR=%s: must be host:port", addr)
		}
		url := listenURL(addr) + "/readyz"
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("not ready: %w", err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if resp.StatusCode != http.StatusOK {
			var r struct {
				Detail string `json:"detail"`
			}
			_ = json.Unmarshal(body, &r)
			if r.Detail == "" {
				r.Detail = strings.TrimSpace(string(body))
			}
			return fmt.Errorf("not ready: %s answered %d: %s", url, resp.StatusCode, r.Detail)
		}
		fmt.Fprintln(a.stdout, "ready")
		return nil
	}
}
