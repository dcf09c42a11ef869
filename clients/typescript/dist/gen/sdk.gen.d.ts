import { type Client, type ClientMeta, type Options as Options2, type RequestResult, type TDataShape } from './client/index.js';
import type { ActivateTotpData, ActivateTotpErrors, ActivateTotpResponses, AdminActivateUserData, AdminActivateUserErrors, AdminActivateUserResponses, AdminClearSmsGuardData, AdminClearSmsGuardErrors, AdminClearSmsGuardResponses, AdminCreateUserData, AdminCreateUserErrors, AdminCreateUserResponses, AdminDeactivateUserData, AdminDeactivateUserErrors, AdminDeactivateUserResponses, AdminDeleteUserData, AdminDeleteUserErrors, AdminDeleteUserPasskeyData, AdminDeleteUserPasskeyErrors, AdminDeleteUserPasskeyResponses, AdminDeleteUserResponses, AdminDisableUserTotpData, AdminDisableUserTotpErrors, AdminDisableUserTotpResponses, AdminEndUserSessionsData, AdminEndUserSessionsErrors, AdminEndUserSessionsResponses, AdminGetSmsGuardData, AdminGetSmsGuardErrors, AdminGetSmsGuardResponses, AdminGetUserData, AdminGetUserErrors, AdminGetUserResponses, AdminGrantRoleData, AdminGrantRoleErrors, AdminGrantRoleResponses, AdminListAuditEventsData, AdminListAuditEventsErrors, AdminListAuditEventsResponses, AdminListEventsData, AdminListEventsErrors, AdminListEventsResponses, AdminListSmsMessagesData, AdminListSmsMessagesErrors, AdminListSmsMessagesResponses, AdminListUserPasskeysData, AdminListUserPasskeysErrors, AdminListUserPasskeysResponses, AdminListUsersData, AdminListUsersErrors, AdminListUsersResponses, AdminRedeliverEventData, AdminRedeliverEventErrors, AdminRedeliverEventResponses, AdminRevokeRoleData, AdminRevokeRoleErrors, AdminRevokeRoleResponses, AdminUnlockUserData, AdminUnlockUserErrors, AdminUnlockUserResponses, AdminUpdateUserData, AdminUpdateUserErrors, AdminUpdateUserResponses, ChangePasswordData, ChangePasswordErrors, ChangePasswordResponses, ConfirmPasswordResetData, ConfirmPasswordResetErrors, ConfirmPasswordResetResponses, DeleteAccountData, DeleteAccountErrors, DeleteAccountResponses, DeletePasskeyData, DeletePasskeyErrors, DeletePasskeyResponses, DeleteSessionData, DeleteSessionErrors, DeleteSessionResponses, DisableTotpData, DisableTotpErrors, DisableTotpResponses, EnrollTotpData, EnrollTotpErrors, EnrollTotpResponses, ExportMyDataData, ExportMyDataErrors, ExportMyDataResponses, GetJwksData, GetJwksErrors, GetJwksResponses, GetMfaStatusData, GetMfaStatusErrors, GetMfaStatusResponses, GetOpenidConfigurationData, GetOpenidConfigurationErrors, GetOpenidConfigurationResponses, HealthzData, HealthzResponses, InitiatePasswordResetData, InitiatePasswordResetErrors, InitiatePasswordResetResponses, ListPasskeysData, ListPasskeysErrors, ListPasskeysResponses, ListSessionsData, ListSessionsErrors, ListSessionsResponses, LoginForAccessTokenData, LoginForAccessTokenErrors, LoginForAccessTokenResponses, LoginWithPasskeyData, LoginWithPasskeyErrors, LoginWithPasskeyResponses, LogoutData, LogoutErrors, LogoutResponses, MetricsData, MetricsErrors, MetricsResponses, PasskeyLoginOptionsData, PasskeyLoginOptionsErrors, PasskeyLoginOptionsResponses, PasskeyRegistrationOptionsData, PasskeyRegistrationOptionsErrors, PasskeyRegistrationOptionsResponses, ReadUsersMeData, ReadUsersMeErrors, ReadUsersMeResponses, ReadyzData, ReadyzErrors, ReadyzResponses, RefreshAccessTokenData, RefreshAccessTokenErrors, RefreshAccessTokenResponses, RegenerateRecoveryCodesData, RegenerateRecoveryCodesErrors, RegenerateRecoveryCodesResponses, RegisterPasskeyData, RegisterPasskeyErrors, RegisterPasskeyResponses, RenamePasskeyData, RenamePasskeyErrors, RenamePasskeyResponses, ResendLoginOtpData, ResendLoginOtpErrors, ResendLoginOtpResponses, ResendSignupOtpData, ResendSignupOtpErrors, ResendSignupOtpResponses, ResetPasswordData, ResetPasswordErrors, ResetPasswordResponses, SendLoginOtpData, SendLoginOtpErrors, SendLoginOtpResponses, SendReauthenticationCodeData, SendReauthenticationCodeErrors, SendReauthenticationCodeResponses, SendSignupOtpData, SendSignupOtpErrors, SendSignupOtpResponses, StartPhoneChangeData, StartPhoneChangeErrors, StartPhoneChangeResponses, TwilioStatusCallbackData, TwilioStatusCallbackErrors, TwilioStatusCallbackResponses, UpdateUsersMeData, UpdateUsersMeErrors, UpdateUsersMeResponses, VerifyLoginOtpData, VerifyLoginOtpErrors, VerifyLoginOtpResponses, VerifyMfaData, VerifyMfaErrors, VerifyMfaResponses, VerifyPhoneChangeData, VerifyPhoneChangeErrors, VerifyPhoneChangeResponses, VerifySignupOtpData, VerifySignupOtpErrors, VerifySignupOtpResponses, WebhookStatusCallbackData, WebhookStatusCallbackErrors, WebhookStatusCallbackResponses } from './types.gen.js';
export type Options<TData extends TDataShape = TDataShape, ThrowOnError extends boolean = boolean, TResponse = unknown> = Options2<TData, ThrowOnError, TResponse> & {
    /**
     * You can provide a client instance returned by `createClient()` instead of
     * individual options. This might be also useful if you want to implement a
     * custom client.
     */
    client?: Client;
    /**
     * You can pass arbitrary values through the `meta` object. This can be
     * used to access values that aren't defined as part of the SDK function.
     */
    meta?: keyof ClientMeta extends never ? Record<string, unknown> : ClientMeta;
};
/**
 * Login For Access Token
 *
 * Authenticate user and return access token.
 */
export declare const loginForAccessToken: <ThrowOnError extends boolean = false>(options: Options<LoginForAccessTokenData, ThrowOnError>) => RequestResult<LoginForAccessTokenResponses, LoginForAccessTokenErrors, ThrowOnError>;
/**
 * Read Users Me
 *
 * Get current user information, with the assurance (`aal`, `amr_values`) of the caller's session.
 */
export declare const readUsersMe: <ThrowOnError extends boolean = false>(options?: Options<ReadUsersMeData, ThrowOnError>) => RequestResult<ReadUsersMeResponses, ReadUsersMeErrors, ThrowOnError>;
/**
 * Update Users Me
 *
 * Change the caller's profile. Only the fields sent change; `null` clears an optional field
 * (`email`, `gender`, `date_of_birth`, `place`); `name` cannot be cleared. Unknown fields are ignored.
 * Giving consent records the time; withdrawing it clears the flag and the time. A taken email is a
 * 409; every invalid field is reported in one 422.
 *
 */
export declare const updateUsersMe: <ThrowOnError extends boolean = false>(options: Options<UpdateUsersMeData, ThrowOnError>) => RequestResult<UpdateUsersMeResponses, UpdateUsersMeErrors, ThrowOnError>;
/**
 * Export My Data
 *
 * Everything phoneauth holds about the caller, as one JSON document to save (`Content-Disposition:
 * attachment`): the profile, the sessions (times, IP, user agent, how they ended) and the audit events
 * about the caller. Never a password hash, token or code. Needs a fresh proof in the body (see
 * Reauthentication); the export is audited.
 *
 */
export declare const exportMyData: <ThrowOnError extends boolean = false>(options?: Options<ExportMyDataData, ThrowOnError>) => RequestResult<ExportMyDataResponses, ExportMyDataErrors, ThrowOnError>;
/**
 * Send Reauthentication Code
 *
 * Text a code to the caller's own phone number, to prove a sensitive request (`otp_code` in the body of
 * phone-change, delete-account or me/export); the way for an account without a password. The usual
 * cooldown, budgets and attempt limit apply.
 *
 */
export declare const sendReauthenticationCode: <ThrowOnError extends boolean = false>(options?: Options<SendReauthenticationCodeData, ThrowOnError>) => RequestResult<SendReauthenticationCodeResponses, SendReauthenticationCodeErrors, ThrowOnError>;
/**
 * Start Phone Change
 *
 * Text a code to the new number, bound to the caller and that number; `phone-change/verify` then moves
 * the account. Needs a fresh proof (see Reauthentication). The new number is normalized and checked as
 * at signup; the current number is a 400. The answer is the same whether or not the new number belongs
 * to another account: such a number gets a notice that someone tried to move an account to it, and no
 * code.
 *
 */
export declare const startPhoneChange: <ThrowOnError extends boolean = false>(options: Options<StartPhoneChangeData, ThrowOnError>) => RequestResult<StartPhoneChangeResponses, StartPhoneChangeErrors, ThrowOnError>;
/**
 * Verify Phone Change
 *
 * Move the caller's account to the new number with the code texted to it. Every other session ends,
 * the old number gets a notice, and the answer is the profile. A wrong or expired code is a 400, as at
 * login; a number that belongs to another account fails exactly as a wrong code does.
 *
 */
export declare const verifyPhoneChange: <ThrowOnError extends boolean = false>(options: Options<VerifyPhoneChangeData, ThrowOnError>) => RequestResult<VerifyPhoneChangeResponses, VerifyPhoneChangeErrors, ThrowOnError>;
/**
 * Delete Account
 *
 * Delete the caller's account at once: the user, every session and refresh token (the token of this
 * request stops working), the code challenges and lockout counter of its number. The audit trail keeps
 * the events about the account under its id, without its phone number, IP addresses or user agents
 * (see the README). The number gets a notice and can sign up again, as a new account. Needs a fresh
 * proof (see Reauthentication).
 *
 */
export declare const deleteAccount: <ThrowOnError extends boolean = false>(options?: Options<DeleteAccountData, ThrowOnError>) => RequestResult<DeleteAccountResponses, DeleteAccountErrors, ThrowOnError>;
/**
 * Second Factors
 *
 * What the caller has turned on.
 */
export declare const getMfaStatus: <ThrowOnError extends boolean = false>(options?: Options<GetMfaStatusData, ThrowOnError>) => RequestResult<GetMfaStatusResponses, GetMfaStatusErrors, ThrowOnError>;
/**
 * Turn Off TOTP
 *
 * Turn off TOTP and delete the recovery codes; the account's number gets a notice. Audited. Needs a fresh
 * proof (see Reauthentication). 404 when TOTP is not on.
 *
 */
export declare const disableTotp: <ThrowOnError extends boolean = false>(options?: Options<DisableTotpData, ThrowOnError>) => RequestResult<DisableTotpResponses, DisableTotpErrors, ThrowOnError>;
/**
 * Enrol TOTP
 *
 * Start turning on TOTP (an authenticator app) as a second factor: a new secret, shown this once as
 * `secret` (base32, to type in), `otpauth_uri` and `qr_code` (a PNG image of the URI as a `data:` URI, for
 * an `<img src>`). Nothing changes at login until POST /api/v1/auth/mfa/totp/verify confirms it with a
 * code; enrolling again before that replaces the secret. 409 when TOTP is on already. Needs a fresh proof
 * (see Reauthentication).
 *
 */
export declare const enrollTotp: <ThrowOnError extends boolean = false>(options?: Options<EnrollTotpData, ThrowOnError>) => RequestResult<EnrollTotpResponses, EnrollTotpErrors, ThrowOnError>;
/**
 * Confirm TOTP
 *
 * Turn on the TOTP secret of POST /api/v1/auth/mfa/totp with a first code from the app. Answers 10
 * recovery codes, shown this once: each logs in once in place of a TOTP code. From now on a password or
 * code login answers `mfa_required`. The account's number gets a notice. Audited.
 *
 */
export declare const activateTotp: <ThrowOnError extends boolean = false>(options: Options<ActivateTotpData, ThrowOnError>) => RequestResult<ActivateTotpResponses, ActivateTotpErrors, ThrowOnError>;
/**
 * New Recovery Codes
 *
 * Replace the recovery codes with 10 new ones, shown this once; the old ones stop working. The account's
 * number gets a notice. Audited. Needs a fresh proof (see Reauthentication). 404 when TOTP is not on.
 *
 */
export declare const regenerateRecoveryCodes: <ThrowOnError extends boolean = false>(options?: Options<RegenerateRecoveryCodesData, ThrowOnError>) => RequestResult<RegenerateRecoveryCodesResponses, RegenerateRecoveryCodesErrors, ThrowOnError>;
/**
 * Verify Second Factor
 *
 * Complete a login that answered `mfa_required`: its `mfa_token` with a TOTP `code` or a `recovery_code`
 * (one of them). The tokens are those of a session at `aal` 2. The `mfa_token` works once, for 5 minutes,
 * and dies after 5 wrong codes (401, or 429 on the last one: log in again); each TOTP code works once,
 * within one 30-second step of the server's clock. Wrong codes count toward the phone's login lockout
 * (429 while locked).
 *
 */
export declare const verifyMfa: <ThrowOnError extends boolean = false>(options: Options<VerifyMfaData, ThrowOnError>) => RequestResult<VerifyMfaResponses, VerifyMfaErrors, ThrowOnError>;
/**
 * Change Password
 *
 * Change current user's password. The new password must differ from the current one and pass the
 * password policy. Every other session of the user ends (its tokens stop working at once); the
 * caller's session goes on. The check of the current password counts toward the phone's login
 * lockout: while locked, 429 with Retry-After.
 *
 */
export declare const changePassword: <ThrowOnError extends boolean = false>(options: Options<ChangePasswordData, ThrowOnError>) => RequestResult<ChangePasswordResponses, ChangePasswordErrors, ThrowOnError>;
/**
 * Reset Password
 *
 * Reset user password (admin functionality). Requires the `admin` role.
 */
export declare const resetPassword: <ThrowOnError extends boolean = false>(options: Options<ResetPasswordData, ThrowOnError>) => RequestResult<ResetPasswordResponses, ResetPasswordErrors, ThrowOnError>;
/**
 * Send Login Otp
 *
 * Send OTP to phone number for login via SMS. The answer is the same whether or not the phone has an
 * account; a code is only sent to an existing, active account.
 *
 */
export declare const sendLoginOtp: <ThrowOnError extends boolean = false>(options: Options<SendLoginOtpData, ThrowOnError>) => RequestResult<SendLoginOtpResponses, SendLoginOtpErrors, ThrowOnError>;
/**
 * Verify Login Otp
 *
 * Verify OTP for login and generate JWT token. A wrong or expired code is a 400; after too many wrong
 * codes (counted across resends) the code is dead and the answer is 429 until a new code is sent.
 *
 */
export declare const verifyLoginOtp: <ThrowOnError extends boolean = false>(options: Options<VerifyLoginOtpData, ThrowOnError>) => RequestResult<VerifyLoginOtpResponses, VerifyLoginOtpErrors, ThrowOnError>;
/**
 * Resend Login Otp
 *
 * Resend OTP to phone number for login. The new code replaces the previous one but keeps the count of
 * wrong guesses; after too many wrong codes, start over with send-otp.
 *
 */
export declare const resendLoginOtp: <ThrowOnError extends boolean = false>(options: Options<ResendLoginOtpData, ThrowOnError>) => RequestResult<ResendLoginOtpResponses, ResendLoginOtpErrors, ThrowOnError>;
/**
 * Initiate Password Reset
 *
 * Initiate password reset process by sending OTP to user's phone. The answer is the same whether or
 * not the phone has an account.
 *
 */
export declare const initiatePasswordReset: <ThrowOnError extends boolean = false>(options: Options<InitiatePasswordResetData, ThrowOnError>) => RequestResult<InitiatePasswordResetResponses, InitiatePasswordResetErrors, ThrowOnError>;
/**
 * Confirm Password Reset
 *
 * Confirm password reset with OTP and set new password. Ends every existing token of the user and
 * does not log in.
 *
 */
export declare const confirmPasswordReset: <ThrowOnError extends boolean = false>(options: Options<ConfirmPasswordResetData, ThrowOnError>) => RequestResult<ConfirmPasswordResetResponses, ConfirmPasswordResetErrors, ThrowOnError>;
/**
 * Send Signup Otp
 *
 * Send OTP to phone number for signup (no user registration required). A number that already has an
 * account gets a notice instead of a code; the answer is the same.
 *
 */
export declare const sendSignupOtp: <ThrowOnError extends boolean = false>(options: Options<SendSignupOtpData, ThrowOnError>) => RequestResult<SendSignupOtpResponses, SendSignupOtpErrors, ThrowOnError>;
/**
 * Verify Signup Otp
 *
 * Verify OTP and create new user account
 */
export declare const verifySignupOtp: <ThrowOnError extends boolean = false>(options: Options<VerifySignupOtpData, ThrowOnError>) => RequestResult<VerifySignupOtpResponses, VerifySignupOtpErrors, ThrowOnError>;
/**
 * Resend Signup Otp
 *
 * Resend OTP to phone number for signup. The new code replaces the previous one but keeps the count of
 * wrong guesses; after too many wrong codes, start over with send-otp.
 *
 */
export declare const resendSignupOtp: <ThrowOnError extends boolean = false>(options: Options<ResendSignupOtpData, ThrowOnError>) => RequestResult<ResendSignupOtpResponses, ResendSignupOtpErrors, ThrowOnError>;
/**
 * Refresh Access Token
 *
 * Exchange a refresh token for a new access token and a new refresh token (rotation: each refresh
 * token works once). Presenting an already-used refresh token again ends its whole session, except
 * within a short grace period so that a client's concurrent refreshes do not log it out.
 *
 */
export declare const refreshAccessToken: <ThrowOnError extends boolean = false>(options: Options<RefreshAccessTokenData, ThrowOnError>) => RequestResult<RefreshAccessTokenResponses, RefreshAccessTokenErrors, ThrowOnError>;
/**
 * Logout
 *
 * End the current session (`local`, the default), every other session of the user (`others`), or all
 * of them (`global`). Access tokens of an ended session stop working at once.
 *
 */
export declare const logout: <ThrowOnError extends boolean = false>(options?: Options<LogoutData, ThrowOnError>) => RequestResult<LogoutResponses, LogoutErrors, ThrowOnError>;
/**
 * Passkey Registration Options
 *
 * The options for `navigator.credentials.create()` of a new passkey of the caller
 * (`PublicKeyCredential.parseCreationOptionsFromJSON(answer.publicKey)`): a discoverable credential
 * (resident key required), user verification preferred, the caller's passkeys excluded. Its challenge is
 * good once, for 5 minutes, for this session. Needs a fresh proof (see Reauthentication).
 *
 */
export declare const passkeyRegistrationOptions: <ThrowOnError extends boolean = false>(options?: Options<PasskeyRegistrationOptionsData, ThrowOnError>) => RequestResult<PasskeyRegistrationOptionsResponses, PasskeyRegistrationOptionsErrors, ThrowOnError>;
/**
 * Register Passkey
 *
 * Store the passkey the browser made from the options of POST /api/v1/auth/passkeys/register/options:
 * `credential` is its `PublicKeyCredential.toJSON()`. Attestation `none` is accepted. The account's number
 * gets a notice. Audited. A wrong, used or expired challenge, or an answer that does not verify, is a 400;
 * a passkey registered already a 409.
 *
 */
export declare const registerPasskey: <ThrowOnError extends boolean = false>(options: Options<RegisterPasskeyData, ThrowOnError>) => RequestResult<RegisterPasskeyResponses, RegisterPasskeyErrors, ThrowOnError>;
/**
 * List Passkeys
 *
 * The caller's passkeys, oldest first.
 */
export declare const listPasskeys: <ThrowOnError extends boolean = false>(options?: Options<ListPasskeysData, ThrowOnError>) => RequestResult<ListPasskeysResponses, ListPasskeysErrors, ThrowOnError>;
/**
 * Delete Passkey
 *
 * Delete one of the caller's passkeys; it logs nobody in any more. Audited.
 */
export declare const deletePasskey: <ThrowOnError extends boolean = false>(options: Options<DeletePasskeyData, ThrowOnError>) => RequestResult<DeletePasskeyResponses, DeletePasskeyErrors, ThrowOnError>;
/**
 * Rename Passkey
 *
 * Rename one of the caller's passkeys. Audited.
 */
export declare const renamePasskey: <ThrowOnError extends boolean = false>(options: Options<RenamePasskeyData, ThrowOnError>) => RequestResult<RenamePasskeyResponses, RenamePasskeyErrors, ThrowOnError>;
/**
 * Passkey Login Options
 *
 * The options for `navigator.credentials.get()` of a passwordless login
 * (`PublicKeyCredential.parseRequestOptionsFromJSON(answer.publicKey)`), with or without conditional
 * mediation (the browser's passkey autofill). No account is named: any discoverable passkey of the service
 * answers them. The challenge is good once, for 5 minutes.
 *
 */
export declare const passkeyLoginOptions: <ThrowOnError extends boolean = false>(options?: Options<PasskeyLoginOptionsData, ThrowOnError>) => RequestResult<PasskeyLoginOptionsResponses, PasskeyLoginOptionsErrors, ThrowOnError>;
/**
 * Login With Passkey
 *
 * Log in with the browser's answer to the options of POST /api/v1/auth/passkeys/login/options
 * (`credential`: its `PublicKeyCredential.toJSON()`). The session's `amr` is `["webauthn"]`; it is `aal` 2
 * when this assertion verified the user (PIN or biometrics: its UV flag), else `aal` 1, and then a user
 * with TOTP gets `mfa_required` instead of tokens. An answer that does not verify, for an unknown, used or
 * expired challenge, an unknown or deleted passkey, a deactivated account, or a signature counter that
 * went backwards (audited as a possible clone) is the same 401; failures count against a budget per
 * client address (429).
 *
 */
export declare const loginWithPasskey: <ThrowOnError extends boolean = false>(options: Options<LoginWithPasskeyData, ThrowOnError>) => RequestResult<LoginWithPasskeyResponses, LoginWithPasskeyErrors, ThrowOnError>;
/**
 * List Sessions
 *
 * The caller's active sessions, newest first, with the current one marked.
 */
export declare const listSessions: <ThrowOnError extends boolean = false>(options?: Options<ListSessionsData, ThrowOnError>) => RequestResult<ListSessionsResponses, ListSessionsErrors, ThrowOnError>;
/**
 * End Session
 *
 * End one of the caller's own sessions. Another user's session, or an unknown id, is a 404.
 */
export declare const deleteSession: <ThrowOnError extends boolean = false>(options: Options<DeleteSessionData, ThrowOnError>) => RequestResult<DeleteSessionResponses, DeleteSessionErrors, ThrowOnError>;
/**
 * List Users
 *
 * Users, newest first, optionally filtered by a search over phone, name and email
 * (case-insensitive substring). A search that is a phone number (in any format accepted at
 * login; a national number in the server's default region) finds the one account with that
 * number. Cursor pagination: pass `next_cursor` back as `cursor`.
 *
 */
export declare const adminListUsers: <ThrowOnError extends boolean = false>(options?: Options<AdminListUsersData, ThrowOnError>) => RequestResult<AdminListUsersResponses, AdminListUsersErrors, ThrowOnError>;
/**
 * Create User
 *
 * Create an active user. Without a `password` the user logs in by code, and can set a password through
 * forgot-password; a password login for such a user fails as a wrong password does. 409 when the phone
 * or email is taken. Audited with the acting admin.
 *
 */
export declare const adminCreateUser: <ThrowOnError extends boolean = false>(options: Options<AdminCreateUserData, ThrowOnError>) => RequestResult<AdminCreateUserResponses, AdminCreateUserErrors, ThrowOnError>;
/**
 * Delete User
 *
 * Delete a user as delete-account does (every session, token, code challenge and lockout counter;
 * the audit trail keeps the events under the user's id, without phone number, IP addresses or user
 * agents), recording the acting admin. The number gets a notice. Admins cannot delete their own
 * account this way (400): they use delete-account.
 *
 */
export declare const adminDeleteUser: <ThrowOnError extends boolean = false>(options: Options<AdminDeleteUserData, ThrowOnError>) => RequestResult<AdminDeleteUserResponses, AdminDeleteUserErrors, ThrowOnError>;
/**
 * Get User
 *
 * One user, with its login-lockout state.
 */
export declare const adminGetUser: <ThrowOnError extends boolean = false>(options: Options<AdminGetUserData, ThrowOnError>) => RequestResult<AdminGetUserResponses, AdminGetUserErrors, ThrowOnError>;
/**
 * Update User
 *
 * Change a user's profile fields and phone number, as PATCH /api/v1/auth/me does (absent: unchanged;
 * `null`: cleared). Consent is the user's to give and is not here. A new `phone` ends every session of
 * the user, and both the old and the new number get a notice. 409 when the phone or email is taken.
 * Audited with the acting admin.
 *
 */
export declare const adminUpdateUser: <ThrowOnError extends boolean = false>(options: Options<AdminUpdateUserData, ThrowOnError>) => RequestResult<AdminUpdateUserResponses, AdminUpdateUserErrors, ThrowOnError>;
/**
 * Activate User
 *
 * Let the user log in again.
 */
export declare const adminActivateUser: <ThrowOnError extends boolean = false>(options: Options<AdminActivateUserData, ThrowOnError>) => RequestResult<AdminActivateUserResponses, AdminActivateUserErrors, ThrowOnError>;
/**
 * Deactivate User
 *
 * Stop the user from logging in and end all of its sessions at once. Admins cannot deactivate themselves (400).
 */
export declare const adminDeactivateUser: <ThrowOnError extends boolean = false>(options: Options<AdminDeactivateUserData, ThrowOnError>) => RequestResult<AdminDeactivateUserResponses, AdminDeactivateUserErrors, ThrowOnError>;
/**
 * Revoke Role
 *
 * Revoke a role (idempotent). Every session of the user ends, so no token keeps the role. Admins cannot revoke their own admin role (400).
 */
export declare const adminRevokeRole: <ThrowOnError extends boolean = false>(options: Options<AdminRevokeRoleData, ThrowOnError>) => RequestResult<AdminRevokeRoleResponses, AdminRevokeRoleErrors, ThrowOnError>;
/**
 * Grant Role
 *
 * Grant a role (idempotent). Tokens issued from now on carry it.
 */
export declare const adminGrantRole: <ThrowOnError extends boolean = false>(options: Options<AdminGrantRoleData, ThrowOnError>) => RequestResult<AdminGrantRoleResponses, AdminGrantRoleErrors, ThrowOnError>;
/**
 * End User Sessions
 *
 * End every session of the user; their tokens stop working at once.
 */
export declare const adminEndUserSessions: <ThrowOnError extends boolean = false>(options: Options<AdminEndUserSessionsData, ThrowOnError>) => RequestResult<AdminEndUserSessionsResponses, AdminEndUserSessionsErrors, ThrowOnError>;
/**
 * List User Passkeys
 *
 * A user's passkeys, oldest first (whether or not passkeys are enabled now).
 */
export declare const adminListUserPasskeys: <ThrowOnError extends boolean = false>(options: Options<AdminListUserPasskeysData, ThrowOnError>) => RequestResult<AdminListUserPasskeysResponses, AdminListUserPasskeysErrors, ThrowOnError>;
/**
 * Delete User Passkey
 *
 * Delete a user's passkey. Audited with the acting admin.
 */
export declare const adminDeleteUserPasskey: <ThrowOnError extends boolean = false>(options: Options<AdminDeleteUserPasskeyData, ThrowOnError>) => RequestResult<AdminDeleteUserPasskeyResponses, AdminDeleteUserPasskeyErrors, ThrowOnError>;
/**
 * Turn Off User TOTP
 *
 * Turn off a user's TOTP and delete the recovery codes, for a user who lost both; the user's number gets a
 * notice. Audited with the acting admin. 404 when the user has no TOTP.
 *
 */
export declare const adminDisableUserTotp: <ThrowOnError extends boolean = false>(options: Options<AdminDisableUserTotpData, ThrowOnError>) => RequestResult<AdminDisableUserTotpResponses, AdminDisableUserTotpErrors, ThrowOnError>;
/**
 * Unlock User
 *
 * Clear the lockout that consecutive wrong passwords put on the phone number of the user.
 */
export declare const adminUnlockUser: <ThrowOnError extends boolean = false>(options: Options<AdminUnlockUserData, ThrowOnError>) => RequestResult<AdminUnlockUserResponses, AdminUnlockUserErrors, ThrowOnError>;
/**
 * List Audit Events
 *
 * Security events, newest first, filtered and paginated with a cursor.
 */
export declare const adminListAuditEvents: <ThrowOnError extends boolean = false>(options?: Options<AdminListAuditEventsData, ThrowOnError>) => RequestResult<AdminListAuditEventsResponses, AdminListAuditEventsErrors, ThrowOnError>;
/**
 * SMS Guard
 *
 * The SMS guard's settings and the destination prefixes it watches: the blocked ones first, then those
 * with code sends in the window (up to 200), most sends first. A prefix is the country calling code and
 * the first three digits of the national number (`+996700`, `+1415`).
 *
 */
export declare const adminGetSmsGuard: <ThrowOnError extends boolean = false>(options?: Options<AdminGetSmsGuardData, ThrowOnError>) => RequestResult<AdminGetSmsGuardResponses, AdminGetSmsGuardErrors, ThrowOnError>;
/**
 * Clear an SMS Guard Block
 *
 * Lifts the block of a prefix and forgets its counts, so that it starts over. The `+` may be left out
 * (`/api/v1/admin/sms/guard/996700`), or written as `%2B`; a literal `+` in a path is a plus, not a space.
 *
 */
export declare const adminClearSmsGuard: <ThrowOnError extends boolean = false>(options: Options<AdminClearSmsGuardData, ThrowOnError>) => RequestResult<AdminClearSmsGuardResponses, AdminClearSmsGuardErrors, ThrowOnError>;
/**
 * List SMS Messages
 *
 * The message log, newest first, filtered and paginated with a cursor: every SMS handed to a provider,
 * with its delivery status. Never the text or the code; the number is masked.
 *
 */
export declare const adminListSmsMessages: <ThrowOnError extends boolean = false>(options?: Options<AdminListSmsMessagesData, ThrowOnError>) => RequestResult<AdminListSmsMessagesResponses, AdminListSmsMessagesErrors, ThrowOnError>;
/**
 * List Outbound Events
 *
 * The outbox of the events delivered to `PHONEAUTH_EVENTS_WEBHOOK_URL`, newest first, filtered and
 * paginated with a cursor, with each one's delivery state. Delivered events are kept for
 * `PHONEAUTH_EVENTS_RETENTION`; dead ones until they are redelivered. See docs/events.md.
 *
 */
export declare const adminListEvents: <ThrowOnError extends boolean = false>(options?: Options<AdminListEventsData, ThrowOnError>) => RequestResult<AdminListEventsResponses, AdminListEventsErrors, ThrowOnError>;
/**
 * Redeliver an Outbound Event
 *
 * Makes the event pending again and due at once: a dead event is retried for another
 * `PHONEAUTH_EVENTS_MAX_AGE`, a delivered one is sent again (the receiver lost it; it de-duplicates by
 * the id if not), a pending one is tried now. It keeps its place in its user's order: that user's later
 * pending events wait for it.
 *
 */
export declare const adminRedeliverEvent: <ThrowOnError extends boolean = false>(options: Options<AdminRedeliverEventData, ThrowOnError>) => RequestResult<AdminRedeliverEventResponses, AdminRedeliverEventErrors, ThrowOnError>;
/**
 * Twilio Status Callback
 *
 * Twilio's status callback of a message phoneauth sent (its `StatusCallback`, set when
 * `PHONEAUTH_PUBLIC_URL` is). `X-Twilio-Signature` must be Twilio's signature of
 * `PHONEAUTH_PUBLIC_URL` + this path and the form's parameters with the auth token; a bad or missing
 * one is a 401 and changes nothing. A message the log does not know (purged, or another deployment's)
 * is answered 204 as well, so that nothing retries it.
 *
 */
export declare const twilioStatusCallback: <ThrowOnError extends boolean = false>(options: Options<TwilioStatusCallbackData, ThrowOnError>) => RequestResult<TwilioStatusCallbackResponses, TwilioStatusCallbackErrors, ThrowOnError>;
/**
 * Webhook Status Callback
 *
 * A delivery status from the receiver of the webhook provider, signed per Standard Webhooks
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with `PHONEAUTH_SMS_WEBHOOK_SECRET`, the
 * secret phoneauth signs its deliveries with. A bad or missing signature is a 401 and changes nothing.
 * It updates the newest message of `reference_id`; an unknown one is answered 204 as well.
 *
 */
export declare const webhookStatusCallback: <ThrowOnError extends boolean = false>(options: Options<WebhookStatusCallbackData, ThrowOnError>) => RequestResult<WebhookStatusCallbackResponses, WebhookStatusCallbackErrors, ThrowOnError>;
/**
 * Liveness
 *
 * The process is up and serving. Never touches the database.
 */
export declare const healthz: <ThrowOnError extends boolean = false>(options?: Options<HealthzData, ThrowOnError>) => RequestResult<HealthzResponses, unknown, ThrowOnError>;
/**
 * Readiness
 *
 * The database answers and its schema is current; 503 otherwise (take the instance out of rotation).
 */
export declare const readyz: <ThrowOnError extends boolean = false>(options?: Options<ReadyzData, ThrowOnError>) => RequestResult<ReadyzResponses, ReadyzErrors, ThrowOnError>;
/**
 * Prometheus Metrics
 *
 * Metrics in the Prometheus text exposition format. Open unless the operator sets
 * `PHONEAUTH_METRICS_TOKEN`; then the scraper must send it as a bearer token.
 *
 */
export declare const metrics: <ThrowOnError extends boolean = false>(options?: Options<MetricsData, ThrowOnError>) => RequestResult<MetricsResponses, MetricsErrors, ThrowOnError>;
/**
 * OpenID Provider Metadata
 *
 * Names the issuer and where its keys are, so API gateways and other services can verify phoneauth's
 * access tokens on their own.
 *
 */
export declare const getOpenidConfiguration: <ThrowOnError extends boolean = false>(options?: Options<GetOpenidConfigurationData, ThrowOnError>) => RequestResult<GetOpenidConfigurationResponses, GetOpenidConfigurationErrors, ThrowOnError>;
/**
 * JSON Web Key Set
 *
 * The public keys that verify phoneauth's access tokens, selected by the token's `kid`.
 */
export declare const getJwks: <ThrowOnError extends boolean = false>(options?: Options<GetJwksData, ThrowOnError>) => RequestResult<GetJwksResponses, GetJwksErrors, ThrowOnError>;
//# sourceMappingURL=sdk.gen.d.ts.map