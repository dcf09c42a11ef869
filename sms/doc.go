// Package sms delivers text messages: one file per provider (log, webhook, twilio), each a concrete
// type with the Sender method set, and Failover, which tries them in order with a circuit breaker per
// provider and satisfies auth's sender interface. The providers report their own id of each message
// (Twilio's sid, the webhook receiver's answer) for the message log, and this package checks the
// signatures of their delivery receipts. It imports only the standard library and auth/webhook (the
// Standard Webhooks signing it shares with the event dispatcher and the token hook).
package sms
