package auth

import (
	"fmt"
	"time"
)

// The texts phoneauth sends by SMS. None carries anything but the code itself and the app's name.

// Notices: SMS that carry no code.
const (
	noticeSignupExists  = "signup_exists"
	noticePasswordReset = "password_reset"
	// noticePhoneTaken goes to a number another account asked to move to, when it has an account.
	noticePhoneTaken = "phone_change_taken"
	// noticePhoneMoved goes to the number an account moved away from; noticePhoneAssigned to the one an
	// admin moved it to.
	noticePhoneMoved    = "phone_changed"
	noticePhoneAssigned = "phone_assigned"
	noticeDeleted       = "account_deleted"
	// Changes to how the account logs in.
	noticeTOTPEnabled   = "totp_enabled"
	noticeTOTPDisabled  = "totp_disabled"
	noticeRecoveryCodes = "recovery_codes"
	noticePasskeyAdded  = "passkey_added"
)

// codeText is the SMS of a code of purpose (a label: not bound to a user).
func (s *CodeService) codeText(purpose, code string) string {
	what := map[string]string{PurposeLogin: "login", PurposeSignup: "sign-up", PurposeReset: "password reset",
		PurposeReauth: "confirmation", PurposePhoneChange: "phone number change"}[purpose]
	text := fmt.Sprintf("%s is your %s %s code. It expires in %s. Never share it with anyone.",
		code, s.cfg.AppName, what, humanDuration(s.cfg.TTL))
	if s.cfg.SMSDomain != "" {
		// WebOTP and iOS security-code autofill read the last line.
		text += "\n\n@" + s.cfg.SMSDomain + " #" + code
	}
	return text
}

func (s *CodeService) noticeText(kind string) string {
	switch kind {
	case noticeSignupExists:
		return fmt.Sprintf("Someone tried to sign up for %s with this number, which already has an account. If it was you, log in instead. If not, you can ignore this message.", s.cfg.AppName)
	case noticePhoneTaken:
		return fmt.Sprintf("Someone tried to move a %s account to this number, which already has an account. Nothing was changed. If it was you, log in with this number instead. If not, you can ignore this message.", s.cfg.AppName)
	case noticePhoneMoved:
		return fmt.Sprintf("Your %s account was moved to another phone number and no longer uses this one. If this wasn't you, contact support at once.", s.cfg.AppName)
	case noticePhoneAssigned:
		return fmt.Sprintf("This number is now the phone number of your %s account. If you didn't expect this, contact support.", s.cfg.AppName)
	case noticeTOTPEnabled:
		return fmt.Sprintf("Two-factor authentication was turned on for your %s account. If this wasn't you, contact support at once.", s.cfg.AppName)
	case noticeTOTPDisabled:
		return fmt.Sprintf("Two-factor authentication was turned off for your %s account. If this wasn't you, contact support at once.", s.cfg.AppName)
	case noticeRecoveryCodes:
		return fmt.Sprintf("New recovery codes were made for your %s account; the old ones no longer work. If this wasn't you, contact support at once.", s.cfg.AppName)
	case noticePasskeyAdded:
		return fmt.Sprintf("A passkey was added to your %s account. If this wasn't you, delete it and contact support at once.", s.cfg.AppName)
	case noticeDeleted:
		return fmt.Sprintf("Your %s account has been deleted. If this wasn't you, contact support at once.", s.cfg.AppName)
	default: // noticePasswordReset
		return fmt.Sprintf("Your %s password was just reset and you were logged out everywhere. If this wasn't you, contact support at once.", s.cfg.AppName)
	}
}

func humanDuration(d time.Duration) string {
	if d%time.Minute == 0 {
		if m := int(d / time.Minute); m == 1 {
			return "1 minute"
		} else {
			return fmt.Sprintf("%d minutes", m)
		}
	}
	return fmt.Sprintf("%d seconds", int(d.Seconds()))
}
