package main

import (
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/phoneauth/phoneauth/store"
)

// unsafeSetting is a default or a value fit for development only: each says what is wrong and how to
// fix it, naming the variable.
type unsafeSetting struct {
	text string
	// data is true for the settings about the data itself, which every command that opens the
	// database checks in production; the rest concern only serve.
	data bool
}

// unsafeSettings lists what would be wrong in production. With PHONEAUTH_ENV=production each is a
// reason serve refuses to start (and the data ones stop every command that opens the database);
// otherwise serve prints them as one warning (app.configure does both).
func unsafeSettings(c config) []unsafeSetting {
	var u []unsafeSetting
	add := func(data bool, text string) { u = append(u, unsafeSetting{text: text, data: data}) }
	if slices.Contains(c.sms.providers, "log") {
		add(false, "PHONEAUTH_SMS_PROVIDER="+strings.Join(c.sms.providers, ",")+": log writes every one-time code to the log and sends nothing: "+
			"set PHONEAUTH_SMS_PROVIDER to twilio or webhook (a list, e.g. twilio,webhook, fails over in order)")
	}
	if dialect, _ := store.DialectOf(c.db.URL); dialect == store.SQLite && !c.allowSQLite {
		add(true, "PHONEAUTH_DATABASE_URL is a SQLite file, which one machine holds and several instances cannot share: "+
			"set it to postgres://…, or set PHONEAUTH_ALLOW_SQLITE=true to run a single instance on SQLite")
	}
	if c.db.Box == nil {
		add(true, "PHONEAUTH_ENCRYPTION_KEY is not set, so the signing keys, the code-hashing key and the TOTP secrets are stored in the clear: "+
			"set it to the output of openssl rand -base64 32, kept in your secret manager")
	}
	if c.server.MetricsToken == "" && !isLoopback(c.addr) {
		add(false, "/metrics is open to anyone who reaches PHONEAUTH_ADDR="+c.addr+" (not a loopback address): "+
			"set PHONEAUTH_METRICS_TOKEN (openssl rand -hex 24) and give it to Prometheus, or listen on 127.0.0.1")
	}
	if c.publicURL == "" {
		add(false, "PHONEAUTH_PUBLIC_URL is not set, so discovery names the listen address: set it to the service's external URL, e.g. https://auth.example.com")
	}
	eventsUnsafe(c, add) // events.go
	if !isHTTPSURL(c.keys.Issuer) {
		add(false, "the token issuer "+c.keys.Issuer+" is not an https URL (it is PHONEAUTH_JWT_ISSUER, else PHONEAUTH_PUBLIC_URL): "+
			"set PHONEAUTH_PUBLIC_URL to https://…, or PHONEAUTH_JWT_ISSUER to an https URL")
	}
	return u
}

// isLoopback reports whether the listen address addr only accepts connections from this machine.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isHTTPSURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Hostname() != ""
}
