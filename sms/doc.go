// Package sms delivers text messages: one file per provider (log, webhook, twilio), each a concrete
// type whose Send satisfies auth's sender interface. It imports only the standard library.
package sms
