export type ClientOptions = {
    baseUrl: `${string}://${string}` | (string & {});
};
export type LoginRequest = {
    phone: string;
    password: string;
};
export type Token = {
    access_token: string;
    token_type: string;
    /**
     * Seconds until the access token expires.
     */
    expires_in?: number;
    /**
     * Single-use token for POST /api/v1/auth/refresh; keep it secret.
     */
    refresh_token?: string;
};
export type UserResponse = {
    /**
     * E.164
     */
    phone: string;
    name: string;
    email: string | null;
    gender: string | null;
    date_of_birth: string | null;
    place: string | null;
    id: string;
    is_active: boolean;
    has_given_consent: boolean;
    consent_given_at: string | null;
    last_login_at: string | null;
    created_at: string;
    updated_at: string;
    roles: Array<string>;
};
/**
 * Profile fields of a partial update: an absent field is left alone, `null` clears an optional one.
 * Strings are trimmed; a `gender` or `place` that is blank is cleared. Unknown fields are ignored.
 *
 */
export type ProfileFields = {
    /**
     * Cannot be cleared or blank.
     */
    name?: string;
    /**
     * Unique across users, case-insensitively (409 when taken).
     */
    email?: string | null;
    gender?: string | null;
    /**
     * From 1900-01-01 to today.
     */
    date_of_birth?: string | null;
    place?: string | null;
};
export type UpdateProfileRequest = ProfileFields & {
    /**
     * `true` gives consent (`consent_given_at` becomes now, or stays when consent was already given);
     * `false` withdraws it (`consent_given_at` becomes null).
     *
     */
    has_given_consent?: boolean;
};
export type AdminUpdateUserRequest = ProfileFields & {
    /**
     * A new phone number; ends every session of the user and notifies both numbers.
     */
    phone?: string;
};
export type AdminCreateUserRequest = {
    phone: string;
    name: string;
    email?: string | null;
    gender?: string | null;
    /**
     * From 1900-01-01 to today.
     */
    date_of_birth?: string | null;
    place?: string | null;
    /**
     * Roles beyond `user`, which every user has.
     */
    roles?: Array<'user' | 'admin'>;
    password?: NewPassword;
};
/**
 * A fresh proof for a sensitive request: the account's `password`, or an `otp_code` texted by POST
 * /api/v1/auth/reauthenticate (the way for an account without a password); not both. None is needed
 * while the session's login (not its last refresh) is younger than `PHONEAUTH_REAUTH_WINDOW` (10
 * minutes by default). A missing or wrong proof is a 401 with `WWW-Authenticate: Bearer
 * error="insufficient_user_authentication"`; a wrong password counts toward the login lockout (429
 * while locked) and a wrong code toward the code's attempts.
 *
 */
export type Reauthentication = {
    password?: string;
    otp_code?: string;
};
/**
 * The new number, and a fresh proof as in Reauthentication.
 */
export type PhoneChangeRequest = {
    new_phone_number: string;
    password?: string;
    /**
     * A code from POST /api/v1/auth/reauthenticate (not the one texted to the new number).
     */
    otp_code?: string;
};
export type PhoneChangeVerifyRequest = {
    new_phone_number: string;
    /**
     * The code texted to the new number.
     */
    otp_code: string;
};
/**
 * Everything phoneauth holds about one user; never a password hash, token or code.
 */
export type AccountExport = {
    exported_at: string;
    user: UserResponse;
    /**
     * Every session still on record (ended ones are kept for `PHONEAUTH_SESSION_RETENTION`), newest first.
     */
    sessions: Array<ExportedSession>;
    /**
     * The audit events about the user, newest first.
     */
    audit_events: Array<AuditEvent>;
    /**
     * Whether there were more audit events than the 50,000 newest given here.
     */
    audit_events_truncated: boolean;
    /**
     * The user's passkeys, oldest first (never a key).
     */
    passkeys: Array<Passkey>;
    /**
     * The user's TOTP factor (never its secret); null when there is none.
     */
    totp: {
        enabled: boolean;
        created_at: string;
        enabled_at: string | null;
    } | null;
};
export type ExportedSession = {
    id: string;
    created_at: string;
    last_used_at: string;
    expires_at: string;
    ended_at: string | null;
    /**
     * Why it ended: `logout`, `password_changed`, `refresh_token_reuse`, `revoked`, `user_deactivated`
     * or `phone_changed`; null while it has not.
     *
     */
    end_reason: string | null;
    ip: string;
    user_agent: string;
    /**
     * How the user authenticated first; `amr_values` lists every method.
     */
    amr: 'pwd' | 'otp' | 'webauthn';
    amr_values: AmrValues;
    aal: Aal;
};
/**
 * Every method the session's login used, in order, as the access token's `amr` claim (RFC 8176 names
 * where there is one): `pwd` (password), `otp` (login code by SMS), `webauthn` (passkey), `totp` (code of
 * an authenticator app), `recovery` (recovery code).
 *
 */
export type AmrValues = Array<'pwd' | 'otp' | 'webauthn' | 'totp' | 'recovery'>;
/**
 * The session's authentication assurance level (NIST SP 800-63B), as the access token's `aal` claim: `1`
 * for one factor, `2` for two (a password or login code followed by a TOTP or recovery code, or a passkey
 * whose assertion verified the user, with a PIN or biometrics).
 *
 */
export type Aal = 1 | 2;
/**
 * The caller, and how the caller's session was authenticated.
 */
export type MeResponse = UserResponse & {
    aal: Aal;
    amr_values: AmrValues;
};
/**
 * The tokens of a password login, or the second factor it needs first.
 */
export type LoginResult = Token | MfaRequired;
/**
 * The tokens of a code login, or the second factor it needs first.
 */
export type OtpLoginResult = OtpTokenResponse | MfaRequired;
/**
 * The first factor was right, and the user has turned on a second one: no tokens yet. Send `mfa_token`
 * with a code to POST /api/v1/auth/mfa/verify within `expires_in` seconds.
 *
 */
export type MfaRequired = {
    mfa_required: true;
    /**
     * Single use; keep it secret.
     */
    mfa_token: string;
    /**
     * The second factors the user can give.
     */
    factors: Array<'totp'>;
    /**
     * Seconds until `mfa_token` expires.
     */
    expires_in?: number;
};
/**
 * The `mfa_token` and one of `code` (from the authenticator app) and `recovery_code`.
 */
export type MfaVerifyRequest = {
    mfa_token: string;
    code?: string;
    recovery_code?: string;
};
export type TotpCode = {
    /**
     * The 6-digit code the authenticator app shows now.
     */
    code: string;
};
export type TotpEnrollment = {
    /**
     * The secret in base32, for typing it into an app.
     */
    secret: string;
    /**
     * The secret as an `otpauth://totp/…` URI (SHA-1, 6 digits, 30 seconds).
     */
    otpauth_uri: string;
    /**
     * A QR code of `otpauth_uri`, a 256×256 PNG image as a `data:image/png;base64,…` URI.
     */
    qr_code: string;
};
export type RecoveryCodes = {
    /**
     * Shown this once; each works once, in place of a TOTP code. Keep them somewhere safe.
     */
    recovery_codes: Array<string>;
};
export type MfaStatus = {
    /**
     * Whether TOTP is on (logins ask for a code).
     */
    totp: boolean;
    /**
     * Whether a TOTP secret waits for its first code (POST /api/v1/auth/mfa/totp/verify).
     */
    totp_pending: boolean;
    recovery_codes_left: number;
    totp_enabled_at: string | null;
};
/**
 * WebAuthn options, as `PublicKeyCredentialCreationOptionsJSON` or `PublicKeyCredentialRequestOptionsJSON`.
 */
export type PasskeyOptions = {
    publicKey: {
        /**
         * base64url
         */
        challenge: string;
        [key: string]: unknown;
    };
};
/**
 * What the browser answered, `PublicKeyCredential.toJSON()`: binary members base64url (no padding
 * needed). A registration's `response` has `clientDataJSON` and `attestationObject`; a login's
 * `clientDataJSON`, `authenticatorData`, `signature` and `userHandle`.
 *
 */
export type PasskeyCredential = {
    id: string;
    rawId: string;
    type: 'public-key';
    authenticatorAttachment?: string | null;
    clientExtensionResults?: {
        [key: string]: unknown;
    };
    response: {
        clientDataJSON?: string;
        attestationObject?: string;
        authenticatorData?: string;
        signature?: string;
        userHandle?: string | null;
        transports?: Array<string>;
        [key: string]: unknown;
    };
};
export type PasskeyRegistration = {
    credential: PasskeyCredential;
    /**
     * A name to tell it by, e.g. the device; `Passkey` when left out.
     */
    name?: string;
};
export type PasskeyLogin = {
    credential: PasskeyCredential;
};
export type PasskeyRename = {
    name: string;
};
/**
 * A registered passkey; its key never leaves the service.
 */
export type Passkey = {
    id: string;
    name: string;
    created_at: string;
    last_used_at: string | null;
    /**
     * How the browser reaches the authenticator (`internal`, `hybrid`, `usb`, `nfc`, `ble`), as it said at registration.
     */
    transports: Array<string>;
    /**
     * Whether the passkey can be synced (e.g. to a password manager or another device).
     */
    backup_eligible: boolean;
    /**
     * Whether it was synced, as of its last use.
     */
    backed_up: boolean;
};
export type PasskeyList = {
    passkeys: Array<Passkey>;
};
export type ChangePasswordRequest = {
    current_password: string;
    new_password: NewPassword;
};
export type ResetPasswordRequest = {
    phone: string;
    new_password: NewPassword;
};
/**
 * 8 to 1024 characters (Unicode code points); no composition rules; rejected when it is one of the
 * most common passwords, only whitespace, or the account's phone number or name.
 *
 */
export type NewPassword = string;
export type MessageResponse = {
    message: string;
};
export type OtpSendRequest = {
    phone_number: string;
    /**
     * The token of the CAPTCHA widget (Cloudflare Turnstile, hCaptcha or reCAPTCHA, as the service is
     * configured), when the service asks for one: with `PHONEAUTH_CAPTCHA_MODE=always` on every request,
     * with `adaptive` only after a 400 `captcha required`. Ignored when no CAPTCHA is configured.
     *
     */
    captcha_token?: string;
};
export type OtpResponse = {
    status: string;
    message: string;
    /**
     * Identifies this code request in logs, the SMS provider and support requests.
     */
    reference_id: string;
};
export type OtpVerifyRequest = {
    phone_number: string;
    otp_code: string;
};
export type OtpTokenResponse = {
    access_token: string;
    token_type: string;
    user_id: string;
    phone_number: string;
    roles: Array<string>;
    /**
     * Seconds until the access token expires.
     */
    expires_in?: number;
    /**
     * Single-use token for POST /api/v1/auth/refresh; keep it secret.
     */
    refresh_token?: string;
};
export type ForgotPasswordConfirmRequest = {
    phone_number: string;
    otp_code: string;
    new_password: NewPassword;
    /**
     * The new password again; it must equal `new_password`.
     */
    confirm_password: string;
};
export type SignupVerifyRequest = {
    phone_number: string;
    otp_code: string;
    /**
     * Not only whitespace; stored without leading and trailing whitespace.
     */
    name: string;
    email?: string | null;
    password: NewPassword;
    has_given_consent?: boolean;
};
export type RefreshRequest = {
    refresh_token: string;
};
export type LogoutRequest = {
    scope?: 'local' | 'others' | 'global';
};
export type SessionInfo = {
    id: string;
    created_at: string;
    /**
     * When the session last refreshed its tokens.
     */
    last_used_at: string;
    /**
     * When the session ends at the latest (its absolute lifetime).
     */
    expires_at: string;
    ip: string;
    user_agent: string;
    /**
     * How the user authenticated first: `pwd` (password), `otp` (login code by SMS) or `webauthn`
     * (passkey). `amr_values` lists every method.
     *
     */
    amr: 'pwd' | 'otp' | 'webauthn';
    amr_values: AmrValues;
    aal: Aal;
    /**
     * Whether this is the session of the token that made the request.
     */
    current: boolean;
};
export type SessionList = {
    sessions: Array<SessionInfo>;
};
export type OpenIdConfiguration = {
    issuer: string;
    jwks_uri: string;
    id_token_signing_alg_values_supported: Array<string>;
    subject_types_supported: Array<string>;
    response_types_supported: Array<string>;
    [key: string]: unknown;
};
export type AdminUser = UserResponse & {
    /**
     * Password logins for the phone of the user are refused until then.
     */
    locked_until: string | null;
    /**
     * Consecutive wrong passwords for the phone of the user.
     */
    failed_logins: number;
};
export type AdminUserList = {
    users: Array<UserResponse>;
    next_cursor: string | null;
};
export type SessionsEnded = {
    /**
     * How many sessions were ended.
     */
    ended: number;
};
export type AuditEvent = {
    id: number;
    at: string;
    /**
     * What happened: `user.signup`, `login.succeeded`, `login.failed`, `otp.sent`, `otp.send_failed`,
     * `otp.verified`, `otp.failed`, `otp.locked`, `password.changed`, `password.reset`, `session.ended`,
     * `role.granted`, `role.revoked`, `user.deactivated`, `user.activated`, `user.unlocked`,
     * `password.check_failed` (a wrong or locked-out password outside login, e.g. at change-password or
     * a re-authentication), `reauth.failed` (a sensitive request without the fresh proof it needs),
     * `user.created` (by an admin), `user.updated` (the names of the changed fields, never their values),
     * `consent.given`, `consent.withdrawn`, `phone.changed`, `user.deleted`, `data.exported`,
     * `key.rotated`, `users.imported` (counts), `data.purged` (counts), `sms.guard_blocked` (a destination
     * prefix blocked by the SMS guard: prefix, country, sends, verified, until) or `sms.guard_cleared` (an
     * admin lifted a block), `mfa.challenged` (a first factor passed for a user with TOTP), `mfa.failed` (a
     * wrong, replayed or locked-out second factor: reason), `totp.enabled`, `totp.disabled`,
     * `recovery_codes.regenerated`, `recovery_code.used` (left), `passkey.added`, `passkey.renamed`,
     * `passkey.deleted` (by user or admin) or `passkey.clone_suspected` (a passkey whose signature counter
     * went backwards; its login was refused). New types may be added.
     *
     */
    type: string;
    /**
     * The user the event is about.
     */
    user_id: string | null;
    /**
     * Who acted, when not the user (an admin).
     */
    actor_id: string | null;
    ip: string;
    user_agent: string;
    /**
     * The code request this event belongs to, if any.
     */
    reference_id: string;
    /**
     * Non-secret facts, e.g. the login method or why a session ended.
     */
    details: {
        [key: string]: string;
    };
};
export type AuditEventList = {
    events: Array<AuditEvent>;
    next_cursor: string | null;
};
export type Health = {
    status: 'ok' | 'unavailable';
    detail?: string;
};
export type JwkSet = {
    keys: Array<Jwk>;
};
export type Jwk = {
    kty: string;
    kid: string;
    alg?: string;
    use?: string;
    crv?: string;
    x?: string;
    [key: string]: unknown;
};
/**
 * `sent`: a provider took it; `delivered`: the handset has it; `failed`: no provider took it, or the
 * provider gave up; `undelivered`: the carrier could not deliver it. A final status is never replaced.
 *
 */
export type SmsStatus = 'sent' | 'delivered' | 'failed' | 'undelivered';
export type SmsMessage = {
    id: number;
    /**
     * The code request's (a notice shares the reference of its code).
     */
    reference_id: string;
    purpose: string;
    /**
     * The provider that took the message (or last refused it), as named in `PHONEAUTH_SMS_PROVIDER`.
     */
    provider: string;
    /**
     * The provider's id of the message (Twilio's sid); empty when it gave none.
     */
    provider_message_id: string;
    country: string;
    /**
     * The destination, masked.
     */
    phone: string;
    status: SmsStatus;
    /**
     * The provider's error code, or `timeout`, `unreachable`, `http_503` for a send that failed.
     */
    error_code: string;
    sent_at: string;
    /**
     * When the status last changed.
     */
    updated_at: string;
};
export type SmsMessageList = {
    messages: Array<SmsMessage>;
    next_cursor: string | null;
};
/**
 * `pending`: to be delivered, or being retried; `delivered`: the receiver answered 2xx; `dead`: it kept
 * failing for `PHONEAUTH_EVENTS_MAX_AGE` (redeliver it once the receiver is fixed).
 *
 */
export type EventState = 'pending' | 'delivered' | 'dead';
export type OutboundEvent = {
    /**
     * The event's id, the same on every delivery of it (`webhook-id`); receivers de-duplicate by it.
     */
    id: string;
    /**
     * The outbox's order; a user's events are delivered in it.
     */
    seq: number;
    /**
     * `user.created`, `user.updated`, `user.deleted`, `user.deactivated`, `user.activated`, `phone.changed`,
     * `password.changed`, `session.started`, `session.ended`, `role.changed`, `mfa.enabled`, `mfa.disabled`,
     * `passkey.added` or `passkey.deleted`. New types may be added.
     *
     */
    type: string;
    /**
     * When it happened.
     */
    timestamp: string;
    user_id: string | null;
    /**
     * What the type needs, never a secret, code, token or hash (docs/events.md); emptied when its user is deleted.
     */
    data: {
        [key: string]: unknown;
    };
    state: EventState;
    /**
     * Deliveries tried so far.
     */
    attempts: number;
    /**
     * When a pending event is due.
     */
    next_attempt_at: string | null;
    /**
     * When a failing event goes dead.
     */
    retry_until: string;
    /**
     * Why the last attempt failed (`HTTP 503`, `timeout` …); empty after a success.
     */
    last_error: string;
    delivered_at: string | null;
};
export type OutboundEventList = {
    events: Array<OutboundEvent>;
    next_cursor: string | null;
};
export type SmsGuardPrefix = {
    prefix: string;
    country: string;
    /**
     * Codes sent in the window (decoys included); for a blocked prefix, those that blocked it.
     */
    sends: number;
    verified: number;
    /**
     * verified / sends (1 when nothing was sent).
     */
    verification_rate: number;
    /**
     * `suspect`: half the sends needed to judge it and a rate below the minimum (the adaptive CAPTCHA
     * asks for a CAPTCHA); `blocked`: refused until `blocked_until`; `exempt`: never blocked.
     *
     */
    state: 'watching' | 'suspect' | 'blocked' | 'exempt';
    blocked_at?: string;
    blocked_until?: string;
};
export type SmsGuard = {
    window_seconds: number;
    min_sends: number;
    min_rate: number;
    block_seconds: number;
    exempt: Array<string>;
    prefixes: Array<SmsGuardPrefix>;
};
/**
 * The parameters phoneauth reads; Twilio sends more, which the signature covers too.
 */
export type TwilioStatusCallback = {
    MessageSid: string;
    /**
     * queued, sending, sent, delivered, read, undelivered, failed, canceled, …
     */
    MessageStatus: string;
    ErrorCode?: string;
};
export type WebhookStatusCallback = {
    reference_id: string;
    status: SmsStatus;
    error_code?: string;
};
export type HttpError = {
    detail: string;
};
export type HttpValidationError = {
    detail: Array<ValidationError>;
};
export type ValidationError = {
    loc: Array<string | number>;
    msg: string;
    type: string;
};
export type UserId = string;
export type PasskeyId = string;
export type Role = 'admin';
/**
 * Page size (1 to 200, default 50).
 */
export type Limit = number;
/**
 * The `next_cursor` of the previous page.
 */
export type Cursor = string;
export type Reauthentication2 = Reauthentication;
export type OtpSend = OtpSendRequest;
export type LoginForAccessTokenData = {
    body: LoginRequest;
    path?: never;
    query?: never;
    url: '/api/v1/auth/login';
};
export type LoginForAccessTokenErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type LoginForAccessTokenError = LoginForAccessTokenErrors[keyof LoginForAccessTokenErrors];
export type LoginForAccessTokenResponses = {
    /**
     * The tokens; or, for a user who turned on a second factor, `{"mfa_required": true, "mfa_token": …,
     * "factors": ["totp"]}` and no tokens: complete the login with POST /api/v1/auth/mfa/verify.
     *
     */
    200: LoginResult;
};
export type LoginForAccessTokenResponse = LoginForAccessTokenResponses[keyof LoginForAccessTokenResponses];
export type ReadUsersMeData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/api/v1/auth/me';
};
export type ReadUsersMeErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type ReadUsersMeError = ReadUsersMeErrors[keyof ReadUsersMeErrors];
export type ReadUsersMeResponses = {
    /**
     * Successful Response
     */
    200: MeResponse;
};
export type ReadUsersMeResponse = ReadUsersMeResponses[keyof ReadUsersMeResponses];
export type UpdateUsersMeData = {
    body: UpdateProfileRequest;
    path?: never;
    query?: never;
    url: '/api/v1/auth/me';
};
export type UpdateUsersMeErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The resource already exists (for example a phone or email in use).
     */
    409: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type UpdateUsersMeError = UpdateUsersMeErrors[keyof UpdateUsersMeErrors];
export type UpdateUsersMeResponses = {
    /**
     * The profile as it is now.
     */
    200: MeResponse;
};
export type UpdateUsersMeResponse = UpdateUsersMeResponses[keyof UpdateUsersMeResponses];
export type ExportMyDataData = {
    body?: Reauthentication2;
    path?: never;
    query?: never;
    url: '/api/v1/auth/me/export';
};
export type ExportMyDataErrors = {
    /**
     * Missing, invalid or expired token; or the request needs a fresh proof and has none, or a wrong one.
     * Then `WWW-Authenticate` is `Bearer error="insufficient_user_authentication"` (RFC 9470) and `detail`
     * says what to send (see Reauthentication).
     *
     */
    401: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type ExportMyDataError = ExportMyDataErrors[keyof ExportMyDataErrors];
export type ExportMyDataResponses = {
    /**
     * The caller's data.
     */
    200: AccountExport;
};
export type ExportMyDataResponse = ExportMyDataResponses[keyof ExportMyDataResponses];
export type SendReauthenticationCodeData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/api/v1/auth/reauthenticate';
};
export type SendReauthenticationCodeErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The SMS provider failed. Nothing was consumed; the request can be retried at once.
     */
    502: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type SendReauthenticationCodeError = SendReauthenticationCodeErrors[keyof SendReauthenticationCodeErrors];
export type SendReauthenticationCodeResponses = {
    /**
     * Successful Response
     */
    200: OtpResponse;
};
export type SendReauthenticationCodeResponse = SendReauthenticationCodeResponses[keyof SendReauthenticationCodeResponses];
export type StartPhoneChangeData = {
    body: PhoneChangeRequest;
    path?: never;
    query?: never;
    url: '/api/v1/auth/phone-change';
};
export type StartPhoneChangeErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * Missing, invalid or expired token; or the request needs a fresh proof and has none, or a wrong one.
     * Then `WWW-Authenticate` is `Bearer error="insufficient_user_authentication"` (RFC 9470) and `detail`
     * says what to send (see Reauthentication).
     *
     */
    401: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The SMS provider failed. Nothing was consumed; the request can be retried at once.
     */
    502: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type StartPhoneChangeError = StartPhoneChangeErrors[keyof StartPhoneChangeErrors];
export type StartPhoneChangeResponses = {
    /**
     * Successful Response
     */
    200: OtpResponse;
};
export type StartPhoneChangeResponse = StartPhoneChangeResponses[keyof StartPhoneChangeResponses];
export type VerifyPhoneChangeData = {
    body: PhoneChangeVerifyRequest;
    path?: never;
    query?: never;
    url: '/api/v1/auth/phone-change/verify';
};
export type VerifyPhoneChangeErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type VerifyPhoneChangeError = VerifyPhoneChangeErrors[keyof VerifyPhoneChangeErrors];
export type VerifyPhoneChangeResponses = {
    /**
     * The profile, with the new number.
     */
    200: UserResponse;
};
export type VerifyPhoneChangeResponse = VerifyPhoneChangeResponses[keyof VerifyPhoneChangeResponses];
export type DeleteAccountData = {
    body?: Reauthentication2;
    path?: never;
    query?: never;
    url: '/api/v1/auth/delete-account';
};
export type DeleteAccountErrors = {
    /**
     * Missing, invalid or expired token; or the request needs a fresh proof and has none, or a wrong one.
     * Then `WWW-Authenticate` is `Bearer error="insufficient_user_authentication"` (RFC 9470) and `detail`
     * says what to send (see Reauthentication).
     *
     */
    401: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type DeleteAccountError = DeleteAccountErrors[keyof DeleteAccountErrors];
export type DeleteAccountResponses = {
    /**
     * The account is gone.
     */
    200: MessageResponse;
};
export type DeleteAccountResponse = DeleteAccountResponses[keyof DeleteAccountResponses];
export type GetMfaStatusData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/api/v1/auth/mfa';
};
export type GetMfaStatusErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type GetMfaStatusError = GetMfaStatusErrors[keyof GetMfaStatusErrors];
export type GetMfaStatusResponses = {
    /**
     * Successful Response
     */
    200: MfaStatus;
};
export type GetMfaStatusResponse = GetMfaStatusResponses[keyof GetMfaStatusResponses];
export type DisableTotpData = {
    body?: Reauthentication2;
    path?: never;
    query?: never;
    url: '/api/v1/auth/mfa/totp';
};
export type DisableTotpErrors = {
    /**
     * Missing, invalid or expired token; or the request needs a fresh proof and has none, or a wrong one.
     * Then `WWW-Authenticate` is `Bearer error="insufficient_user_authentication"` (RFC 9470) and `detail`
     * says what to send (see Reauthentication).
     *
     */
    401: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type DisableTotpError = DisableTotpErrors[keyof DisableTotpErrors];
export type DisableTotpResponses = {
    /**
     * TOTP is off.
     */
    200: MessageResponse;
};
export type DisableTotpResponse = DisableTotpResponses[keyof DisableTotpResponses];
export type EnrollTotpData = {
    body?: Reauthentication2;
    path?: never;
    query?: never;
    url: '/api/v1/auth/mfa/totp';
};
export type EnrollTotpErrors = {
    /**
     * Missing, invalid or expired token; or the request needs a fresh proof and has none, or a wrong one.
     * Then `WWW-Authenticate` is `Bearer error="insufficient_user_authentication"` (RFC 9470) and `detail`
     * says what to send (see Reauthentication).
     *
     */
    401: HttpError;
    /**
     * The resource already exists (for example a phone or email in use).
     */
    409: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type EnrollTotpError = EnrollTotpErrors[keyof EnrollTotpErrors];
export type EnrollTotpResponses = {
    /**
     * The new secret.
     */
    200: TotpEnrollment;
};
export type EnrollTotpResponse = EnrollTotpResponses[keyof EnrollTotpResponses];
export type ActivateTotpData = {
    body: TotpCode;
    path?: never;
    query?: never;
    url: '/api/v1/auth/mfa/totp/verify';
};
export type ActivateTotpErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The resource already exists (for example a phone or email in use).
     */
    409: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type ActivateTotpError = ActivateTotpErrors[keyof ActivateTotpErrors];
export type ActivateTotpResponses = {
    /**
     * TOTP is on.
     */
    200: RecoveryCodes;
};
export type ActivateTotpResponse = ActivateTotpResponses[keyof ActivateTotpResponses];
export type RegenerateRecoveryCodesData = {
    body?: Reauthentication2;
    path?: never;
    query?: never;
    url: '/api/v1/auth/mfa/recovery-codes';
};
export type RegenerateRecoveryCodesErrors = {
    /**
     * Missing, invalid or expired token; or the request needs a fresh proof and has none, or a wrong one.
     * Then `WWW-Authenticate` is `Bearer error="insufficient_user_authentication"` (RFC 9470) and `detail`
     * says what to send (see Reauthentication).
     *
     */
    401: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type RegenerateRecoveryCodesError = RegenerateRecoveryCodesErrors[keyof RegenerateRecoveryCodesErrors];
export type RegenerateRecoveryCodesResponses = {
    /**
     * The new recovery codes.
     */
    200: RecoveryCodes;
};
export type RegenerateRecoveryCodesResponse = RegenerateRecoveryCodesResponses[keyof RegenerateRecoveryCodesResponses];
export type VerifyMfaData = {
    body: MfaVerifyRequest;
    path?: never;
    query?: never;
    url: '/api/v1/auth/mfa/verify';
};
export type VerifyMfaErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type VerifyMfaError = VerifyMfaErrors[keyof VerifyMfaErrors];
export type VerifyMfaResponses = {
    /**
     * Successful Response
     */
    200: Token;
};
export type VerifyMfaResponse = VerifyMfaResponses[keyof VerifyMfaResponses];
export type ChangePasswordData = {
    body: ChangePasswordRequest;
    path?: never;
    query?: never;
    url: '/api/v1/auth/change-password';
};
export type ChangePasswordErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type ChangePasswordError = ChangePasswordErrors[keyof ChangePasswordErrors];
export type ChangePasswordResponses = {
    /**
     * Successful Response
     */
    200: MessageResponse;
};
export type ChangePasswordResponse = ChangePasswordResponses[keyof ChangePasswordResponses];
export type ResetPasswordData = {
    body: ResetPasswordRequest;
    path?: never;
    query?: never;
    url: '/api/v1/auth/reset-password';
};
export type ResetPasswordErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type ResetPasswordError = ResetPasswordErrors[keyof ResetPasswordErrors];
export type ResetPasswordResponses = {
    /**
     * Successful Response
     */
    200: MessageResponse;
};
export type ResetPasswordResponse = ResetPasswordResponses[keyof ResetPasswordResponses];
export type SendLoginOtpData = {
    body: OtpSend;
    path?: never;
    query?: never;
    url: '/api/v1/auth/login/send-otp';
};
export type SendLoginOtpErrors = {
    /**
     * A CAPTCHA is needed: `captcha required` (none was sent: show the widget and send its token as
     * `captcha_token`) or `captcha invalid` (wrong, expired or used before: solve it again). Nothing was
     * consumed: no code, cooldown or budget.
     *
     */
    400: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The SMS provider failed. Nothing was consumed; the request can be retried at once.
     */
    502: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type SendLoginOtpError = SendLoginOtpErrors[keyof SendLoginOtpErrors];
export type SendLoginOtpResponses = {
    /**
     * Successful Response
     */
    200: OtpResponse;
};
export type SendLoginOtpResponse = SendLoginOtpResponses[keyof SendLoginOtpResponses];
export type VerifyLoginOtpData = {
    body: OtpVerifyRequest;
    path?: never;
    query?: never;
    url: '/api/v1/auth/login/verify-otp';
};
export type VerifyLoginOtpErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type VerifyLoginOtpError = VerifyLoginOtpErrors[keyof VerifyLoginOtpErrors];
export type VerifyLoginOtpResponses = {
    /**
     * The tokens; or, for a user who turned on a second factor, `{"mfa_required": true, "mfa_token": …,
     * "factors": ["totp"]}` and no tokens: complete the login with POST /api/v1/auth/mfa/verify.
     *
     */
    200: OtpLoginResult;
};
export type VerifyLoginOtpResponse = VerifyLoginOtpResponses[keyof VerifyLoginOtpResponses];
export type ResendLoginOtpData = {
    body: OtpSend;
    path?: never;
    query?: never;
    url: '/api/v1/auth/login/resend-otp';
};
export type ResendLoginOtpErrors = {
    /**
     * A CAPTCHA is needed: `captcha required` (none was sent: show the widget and send its token as
     * `captcha_token`) or `captcha invalid` (wrong, expired or used before: solve it again). Nothing was
     * consumed: no code, cooldown or budget.
     *
     */
    400: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The SMS provider failed. Nothing was consumed; the request can be retried at once.
     */
    502: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type ResendLoginOtpError = ResendLoginOtpErrors[keyof ResendLoginOtpErrors];
export type ResendLoginOtpResponses = {
    /**
     * Successful Response
     */
    200: OtpResponse;
};
export type ResendLoginOtpResponse = ResendLoginOtpResponses[keyof ResendLoginOtpResponses];
export type InitiatePasswordResetData = {
    body: OtpSend;
    path?: never;
    query?: never;
    url: '/api/v1/auth/forgot-password/init';
};
export type InitiatePasswordResetErrors = {
    /**
     * A CAPTCHA is needed: `captcha required` (none was sent: show the widget and send its token as
     * `captcha_token`) or `captcha invalid` (wrong, expired or used before: solve it again). Nothing was
     * consumed: no code, cooldown or budget.
     *
     */
    400: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The SMS provider failed. Nothing was consumed; the request can be retried at once.
     */
    502: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type InitiatePasswordResetError = InitiatePasswordResetErrors[keyof InitiatePasswordResetErrors];
export type InitiatePasswordResetResponses = {
    /**
     * Successful Response
     */
    200: OtpResponse;
};
export type InitiatePasswordResetResponse = InitiatePasswordResetResponses[keyof InitiatePasswordResetResponses];
export type ConfirmPasswordResetData = {
    body: ForgotPasswordConfirmRequest;
    path?: never;
    query?: never;
    url: '/api/v1/auth/forgot-password/confirm';
};
export type ConfirmPasswordResetErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type ConfirmPasswordResetError = ConfirmPasswordResetErrors[keyof ConfirmPasswordResetErrors];
export type ConfirmPasswordResetResponses = {
    /**
     * Successful Response
     */
    200: OtpResponse;
};
export type ConfirmPasswordResetResponse = ConfirmPasswordResetResponses[keyof ConfirmPasswordResetResponses];
export type SendSignupOtpData = {
    body: OtpSend;
    path?: never;
    query?: never;
    url: '/api/v1/auth/signup/send-otp';
};
export type SendSignupOtpErrors = {
    /**
     * A CAPTCHA is needed: `captcha required` (none was sent: show the widget and send its token as
     * `captcha_token`) or `captcha invalid` (wrong, expired or used before: solve it again). Nothing was
     * consumed: no code, cooldown or budget.
     *
     */
    400: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The SMS provider failed. Nothing was consumed; the request can be retried at once.
     */
    502: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type SendSignupOtpError = SendSignupOtpErrors[keyof SendSignupOtpErrors];
export type SendSignupOtpResponses = {
    /**
     * Successful Response
     */
    200: OtpResponse;
};
export type SendSignupOtpResponse = SendSignupOtpResponses[keyof SendSignupOtpResponses];
export type VerifySignupOtpData = {
    body: SignupVerifyRequest;
    path?: never;
    query?: never;
    url: '/api/v1/auth/signup/verify-otp';
};
export type VerifySignupOtpErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * The resource already exists (for example a phone or email in use).
     */
    409: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type VerifySignupOtpError = VerifySignupOtpErrors[keyof VerifySignupOtpErrors];
export type VerifySignupOtpResponses = {
    /**
     * Successful Response
     */
    200: OtpTokenResponse;
};
export type VerifySignupOtpResponse = VerifySignupOtpResponses[keyof VerifySignupOtpResponses];
export type ResendSignupOtpData = {
    body: OtpSend;
    path?: never;
    query?: never;
    url: '/api/v1/auth/signup/resend-otp';
};
export type ResendSignupOtpErrors = {
    /**
     * A CAPTCHA is needed: `captcha required` (none was sent: show the widget and send its token as
     * `captcha_token`) or `captcha invalid` (wrong, expired or used before: solve it again). Nothing was
     * consumed: no code, cooldown or budget.
     *
     */
    400: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The SMS provider failed. Nothing was consumed; the request can be retried at once.
     */
    502: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type ResendSignupOtpError = ResendSignupOtpErrors[keyof ResendSignupOtpErrors];
export type ResendSignupOtpResponses = {
    /**
     * Successful Response
     */
    200: OtpResponse;
};
export type ResendSignupOtpResponse = ResendSignupOtpResponses[keyof ResendSignupOtpResponses];
export type RefreshAccessTokenData = {
    body: RefreshRequest;
    path?: never;
    query?: never;
    url: '/api/v1/auth/refresh';
};
export type RefreshAccessTokenErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type RefreshAccessTokenError = RefreshAccessTokenErrors[keyof RefreshAccessTokenErrors];
export type RefreshAccessTokenResponses = {
    /**
     * Successful Response
     */
    200: Token;
};
export type RefreshAccessTokenResponse = RefreshAccessTokenResponses[keyof RefreshAccessTokenResponses];
export type LogoutData = {
    body?: LogoutRequest;
    path?: never;
    query?: never;
    url: '/api/v1/auth/logout';
};
export type LogoutErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type LogoutError = LogoutErrors[keyof LogoutErrors];
export type LogoutResponses = {
    /**
     * Logged out.
     */
    204: void;
};
export type LogoutResponse = LogoutResponses[keyof LogoutResponses];
export type PasskeyRegistrationOptionsData = {
    body?: Reauthentication2;
    path?: never;
    query?: never;
    url: '/api/v1/auth/passkeys/register/options';
};
export type PasskeyRegistrationOptionsErrors = {
    /**
     * Missing, invalid or expired token; or the request needs a fresh proof and has none, or a wrong one.
     * Then `WWW-Authenticate` is `Bearer error="insufficient_user_authentication"` (RFC 9470) and `detail`
     * says what to send (see Reauthentication).
     *
     */
    401: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type PasskeyRegistrationOptionsError = PasskeyRegistrationOptionsErrors[keyof PasskeyRegistrationOptionsErrors];
export type PasskeyRegistrationOptionsResponses = {
    /**
     * The creation options.
     */
    200: PasskeyOptions;
};
export type PasskeyRegistrationOptionsResponse = PasskeyRegistrationOptionsResponses[keyof PasskeyRegistrationOptionsResponses];
export type RegisterPasskeyData = {
    body: PasskeyRegistration;
    path?: never;
    query?: never;
    url: '/api/v1/auth/passkeys/register';
};
export type RegisterPasskeyErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * The resource already exists (for example a phone or email in use).
     */
    409: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type RegisterPasskeyError = RegisterPasskeyErrors[keyof RegisterPasskeyErrors];
export type RegisterPasskeyResponses = {
    /**
     * The new passkey.
     */
    201: Passkey;
};
export type RegisterPasskeyResponse = RegisterPasskeyResponses[keyof RegisterPasskeyResponses];
export type ListPasskeysData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/api/v1/auth/passkeys';
};
export type ListPasskeysErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type ListPasskeysError = ListPasskeysErrors[keyof ListPasskeysErrors];
export type ListPasskeysResponses = {
    /**
     * Successful Response
     */
    200: PasskeyList;
};
export type ListPasskeysResponse = ListPasskeysResponses[keyof ListPasskeysResponses];
export type DeletePasskeyData = {
    body?: never;
    path: {
        passkey_id: string;
    };
    query?: never;
    url: '/api/v1/auth/passkeys/{passkey_id}';
};
export type DeletePasskeyErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type DeletePasskeyError = DeletePasskeyErrors[keyof DeletePasskeyErrors];
export type DeletePasskeyResponses = {
    /**
     * The passkey is gone.
     */
    204: void;
};
export type DeletePasskeyResponse = DeletePasskeyResponses[keyof DeletePasskeyResponses];
export type RenamePasskeyData = {
    body: PasskeyRename;
    path: {
        passkey_id: string;
    };
    query?: never;
    url: '/api/v1/auth/passkeys/{passkey_id}';
};
export type RenamePasskeyErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type RenamePasskeyError = RenamePasskeyErrors[keyof RenamePasskeyErrors];
export type RenamePasskeyResponses = {
    /**
     * The passkey as it is now.
     */
    200: Passkey;
};
export type RenamePasskeyResponse = RenamePasskeyResponses[keyof RenamePasskeyResponses];
export type PasskeyLoginOptionsData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/api/v1/auth/passkeys/login/options';
};
export type PasskeyLoginOptionsErrors = {
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type PasskeyLoginOptionsError = PasskeyLoginOptionsErrors[keyof PasskeyLoginOptionsErrors];
export type PasskeyLoginOptionsResponses = {
    /**
     * The request options.
     */
    200: PasskeyOptions;
};
export type PasskeyLoginOptionsResponse = PasskeyLoginOptionsResponses[keyof PasskeyLoginOptionsResponses];
export type LoginWithPasskeyData = {
    body: PasskeyLogin;
    path?: never;
    query?: never;
    url: '/api/v1/auth/passkeys/login';
};
export type LoginWithPasskeyErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * A rate limit was hit; `Retry-After`, when present, says how many seconds to wait.
     */
    429: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type LoginWithPasskeyError = LoginWithPasskeyErrors[keyof LoginWithPasskeyErrors];
export type LoginWithPasskeyResponses = {
    /**
     * The tokens, or the second factor the login needs first (see POST /api/v1/auth/login).
     */
    200: LoginResult;
};
export type LoginWithPasskeyResponse = LoginWithPasskeyResponses[keyof LoginWithPasskeyResponses];
export type ListSessionsData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/api/v1/auth/sessions';
};
export type ListSessionsErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type ListSessionsError = ListSessionsErrors[keyof ListSessionsErrors];
export type ListSessionsResponses = {
    /**
     * Successful Response
     */
    200: SessionList;
};
export type ListSessionsResponse = ListSessionsResponses[keyof ListSessionsResponses];
export type DeleteSessionData = {
    body?: never;
    path: {
        session_id: string;
    };
    query?: never;
    url: '/api/v1/auth/sessions/{session_id}';
};
export type DeleteSessionErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type DeleteSessionError = DeleteSessionErrors[keyof DeleteSessionErrors];
export type DeleteSessionResponses = {
    /**
     * The session has ended.
     */
    204: void;
};
export type DeleteSessionResponse = DeleteSessionResponses[keyof DeleteSessionResponses];
export type AdminListUsersData = {
    body?: never;
    path?: never;
    query?: {
        q?: string;
        /**
         * Page size (1 to 200, default 50).
         */
        limit?: number;
        /**
         * The `next_cursor` of the previous page.
         */
        cursor?: string;
    };
    url: '/api/v1/admin/users';
};
export type AdminListUsersErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminListUsersError = AdminListUsersErrors[keyof AdminListUsersErrors];
export type AdminListUsersResponses = {
    /**
     * Successful Response
     */
    200: AdminUserList;
};
export type AdminListUsersResponse = AdminListUsersResponses[keyof AdminListUsersResponses];
export type AdminCreateUserData = {
    body: AdminCreateUserRequest;
    path?: never;
    query?: never;
    url: '/api/v1/admin/users';
};
export type AdminCreateUserErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * The resource already exists (for example a phone or email in use).
     */
    409: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminCreateUserError = AdminCreateUserErrors[keyof AdminCreateUserErrors];
export type AdminCreateUserResponses = {
    /**
     * The user was created.
     */
    201: AdminUser;
};
export type AdminCreateUserResponse = AdminCreateUserResponses[keyof AdminCreateUserResponses];
export type AdminDeleteUserData = {
    body?: never;
    path: {
        user_id: string;
    };
    query?: never;
    url: '/api/v1/admin/users/{user_id}';
};
export type AdminDeleteUserErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminDeleteUserError = AdminDeleteUserErrors[keyof AdminDeleteUserErrors];
export type AdminDeleteUserResponses = {
    /**
     * The user is gone.
     */
    200: MessageResponse;
};
export type AdminDeleteUserResponse = AdminDeleteUserResponses[keyof AdminDeleteUserResponses];
export type AdminGetUserData = {
    body?: never;
    path: {
        user_id: string;
    };
    query?: never;
    url: '/api/v1/admin/users/{user_id}';
};
export type AdminGetUserErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminGetUserError = AdminGetUserErrors[keyof AdminGetUserErrors];
export type AdminGetUserResponses = {
    /**
     * Successful Response
     */
    200: AdminUser;
};
export type AdminGetUserResponse = AdminGetUserResponses[keyof AdminGetUserResponses];
export type AdminUpdateUserData = {
    body: AdminUpdateUserRequest;
    path: {
        user_id: string;
    };
    query?: never;
    url: '/api/v1/admin/users/{user_id}';
};
export type AdminUpdateUserErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * The resource already exists (for example a phone or email in use).
     */
    409: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminUpdateUserError = AdminUpdateUserErrors[keyof AdminUpdateUserErrors];
export type AdminUpdateUserResponses = {
    /**
     * Successful Response
     */
    200: AdminUser;
};
export type AdminUpdateUserResponse = AdminUpdateUserResponses[keyof AdminUpdateUserResponses];
export type AdminActivateUserData = {
    body?: never;
    path: {
        user_id: string;
    };
    query?: never;
    url: '/api/v1/admin/users/{user_id}/activate';
};
export type AdminActivateUserErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminActivateUserError = AdminActivateUserErrors[keyof AdminActivateUserErrors];
export type AdminActivateUserResponses = {
    /**
     * Successful Response
     */
    200: AdminUser;
};
export type AdminActivateUserResponse = AdminActivateUserResponses[keyof AdminActivateUserResponses];
export type AdminDeactivateUserData = {
    body?: never;
    path: {
        user_id: string;
    };
    query?: never;
    url: '/api/v1/admin/users/{user_id}/deactivate';
};
export type AdminDeactivateUserErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminDeactivateUserError = AdminDeactivateUserErrors[keyof AdminDeactivateUserErrors];
export type AdminDeactivateUserResponses = {
    /**
     * Successful Response
     */
    200: AdminUser;
};
export type AdminDeactivateUserResponse = AdminDeactivateUserResponses[keyof AdminDeactivateUserResponses];
export type AdminRevokeRoleData = {
    body?: never;
    path: {
        user_id: string;
        role: 'admin';
    };
    query?: never;
    url: '/api/v1/admin/users/{user_id}/roles/{role}';
};
export type AdminRevokeRoleErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminRevokeRoleError = AdminRevokeRoleErrors[keyof AdminRevokeRoleErrors];
export type AdminRevokeRoleResponses = {
    /**
     * Successful Response
     */
    200: AdminUser;
};
export type AdminRevokeRoleResponse = AdminRevokeRoleResponses[keyof AdminRevokeRoleResponses];
export type AdminGrantRoleData = {
    body?: never;
    path: {
        user_id: string;
        role: 'admin';
    };
    query?: never;
    url: '/api/v1/admin/users/{user_id}/roles/{role}';
};
export type AdminGrantRoleErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminGrantRoleError = AdminGrantRoleErrors[keyof AdminGrantRoleErrors];
export type AdminGrantRoleResponses = {
    /**
     * Successful Response
     */
    200: AdminUser;
};
export type AdminGrantRoleResponse = AdminGrantRoleResponses[keyof AdminGrantRoleResponses];
export type AdminEndUserSessionsData = {
    body?: never;
    path: {
        user_id: string;
    };
    query?: never;
    url: '/api/v1/admin/users/{user_id}/sessions';
};
export type AdminEndUserSessionsErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminEndUserSessionsError = AdminEndUserSessionsErrors[keyof AdminEndUserSessionsErrors];
export type AdminEndUserSessionsResponses = {
    /**
     * Successful Response
     */
    200: SessionsEnded;
};
export type AdminEndUserSessionsResponse = AdminEndUserSessionsResponses[keyof AdminEndUserSessionsResponses];
export type AdminListUserPasskeysData = {
    body?: never;
    path: {
        user_id: string;
    };
    query?: never;
    url: '/api/v1/admin/users/{user_id}/passkeys';
};
export type AdminListUserPasskeysErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminListUserPasskeysError = AdminListUserPasskeysErrors[keyof AdminListUserPasskeysErrors];
export type AdminListUserPasskeysResponses = {
    /**
     * Successful Response
     */
    200: PasskeyList;
};
export type AdminListUserPasskeysResponse = AdminListUserPasskeysResponses[keyof AdminListUserPasskeysResponses];
export type AdminDeleteUserPasskeyData = {
    body?: never;
    path: {
        user_id: string;
        passkey_id: string;
    };
    query?: never;
    url: '/api/v1/admin/users/{user_id}/passkeys/{passkey_id}';
};
export type AdminDeleteUserPasskeyErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminDeleteUserPasskeyError = AdminDeleteUserPasskeyErrors[keyof AdminDeleteUserPasskeyErrors];
export type AdminDeleteUserPasskeyResponses = {
    /**
     * The passkey is gone.
     */
    204: void;
};
export type AdminDeleteUserPasskeyResponse = AdminDeleteUserPasskeyResponses[keyof AdminDeleteUserPasskeyResponses];
export type AdminDisableUserTotpData = {
    body?: never;
    path: {
        user_id: string;
    };
    query?: never;
    url: '/api/v1/admin/users/{user_id}/mfa/totp';
};
export type AdminDisableUserTotpErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminDisableUserTotpError = AdminDisableUserTotpErrors[keyof AdminDisableUserTotpErrors];
export type AdminDisableUserTotpResponses = {
    /**
     * TOTP is off.
     */
    204: void;
};
export type AdminDisableUserTotpResponse = AdminDisableUserTotpResponses[keyof AdminDisableUserTotpResponses];
export type AdminUnlockUserData = {
    body?: never;
    path: {
        user_id: string;
    };
    query?: never;
    url: '/api/v1/admin/users/{user_id}/unlock';
};
export type AdminUnlockUserErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminUnlockUserError = AdminUnlockUserErrors[keyof AdminUnlockUserErrors];
export type AdminUnlockUserResponses = {
    /**
     * Successful Response
     */
    200: AdminUser;
};
export type AdminUnlockUserResponse = AdminUnlockUserResponses[keyof AdminUnlockUserResponses];
export type AdminListAuditEventsData = {
    body?: never;
    path?: never;
    query?: {
        user_id?: string;
        actor_id?: string;
        /**
         * An event type, e.g. `login.failed`.
         */
        type?: string;
        since?: string;
        until?: string;
        /**
         * Page size (1 to 200, default 50).
         */
        limit?: number;
        /**
         * The `next_cursor` of the previous page.
         */
        cursor?: string;
    };
    url: '/api/v1/admin/audit-events';
};
export type AdminListAuditEventsErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminListAuditEventsError = AdminListAuditEventsErrors[keyof AdminListAuditEventsErrors];
export type AdminListAuditEventsResponses = {
    /**
     * Successful Response
     */
    200: AuditEventList;
};
export type AdminListAuditEventsResponse = AdminListAuditEventsResponses[keyof AdminListAuditEventsResponses];
export type AdminGetSmsGuardData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/api/v1/admin/sms/guard';
};
export type AdminGetSmsGuardErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminGetSmsGuardError = AdminGetSmsGuardErrors[keyof AdminGetSmsGuardErrors];
export type AdminGetSmsGuardResponses = {
    /**
     * Successful Response
     */
    200: SmsGuard;
};
export type AdminGetSmsGuardResponse = AdminGetSmsGuardResponses[keyof AdminGetSmsGuardResponses];
export type AdminClearSmsGuardData = {
    body?: never;
    path: {
        prefix: string;
    };
    query?: never;
    url: '/api/v1/admin/sms/guard/{prefix}';
};
export type AdminClearSmsGuardErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminClearSmsGuardError = AdminClearSmsGuardErrors[keyof AdminClearSmsGuardErrors];
export type AdminClearSmsGuardResponses = {
    /**
     * Cleared.
     */
    204: void;
};
export type AdminClearSmsGuardResponse = AdminClearSmsGuardResponses[keyof AdminClearSmsGuardResponses];
export type AdminListSmsMessagesData = {
    body?: never;
    path?: never;
    query?: {
        status?: SmsStatus;
        purpose?: 'login' | 'signup' | 'password_reset' | 'notice';
        /**
         * ISO 3166-1 alpha-2 region of the destination.
         */
        country?: string;
        since?: string;
        until?: string;
        /**
         * Page size (1 to 200, default 50).
         */
        limit?: number;
        /**
         * The `next_cursor` of the previous page.
         */
        cursor?: string;
    };
    url: '/api/v1/admin/sms/messages';
};
export type AdminListSmsMessagesErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminListSmsMessagesError = AdminListSmsMessagesErrors[keyof AdminListSmsMessagesErrors];
export type AdminListSmsMessagesResponses = {
    /**
     * Successful Response
     */
    200: SmsMessageList;
};
export type AdminListSmsMessagesResponse = AdminListSmsMessagesResponses[keyof AdminListSmsMessagesResponses];
export type AdminListEventsData = {
    body?: never;
    path?: never;
    query?: {
        /**
         * An event type, e.g. `user.created`.
         */
        type?: string;
        state?: EventState;
        user_id?: string;
        /**
         * Page size (1 to 200, default 50).
         */
        limit?: number;
        /**
         * The `next_cursor` of the previous page.
         */
        cursor?: string;
    };
    url: '/api/v1/admin/events';
};
export type AdminListEventsErrors = {
    /**
     * The request was understood but cannot be carried out (for example a wrong current password).
     */
    400: HttpError;
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminListEventsError = AdminListEventsErrors[keyof AdminListEventsErrors];
export type AdminListEventsResponses = {
    /**
     * Successful Response
     */
    200: OutboundEventList;
};
export type AdminListEventsResponse = AdminListEventsResponses[keyof AdminListEventsResponses];
export type AdminRedeliverEventData = {
    body?: never;
    path: {
        id: string;
    };
    query?: never;
    url: '/api/v1/admin/events/{id}/redeliver';
};
export type AdminRedeliverEventErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * The signed-in user lacks the required role.
     */
    403: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type AdminRedeliverEventError = AdminRedeliverEventErrors[keyof AdminRedeliverEventErrors];
export type AdminRedeliverEventResponses = {
    /**
     * Successful Response
     */
    200: OutboundEvent;
};
export type AdminRedeliverEventResponse = AdminRedeliverEventResponses[keyof AdminRedeliverEventResponses];
export type TwilioStatusCallbackData = {
    body: TwilioStatusCallback;
    headers?: {
        'X-Twilio-Signature'?: string;
    };
    path?: never;
    query?: never;
    url: '/api/v1/sms/status/twilio';
};
export type TwilioStatusCallbackErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type TwilioStatusCallbackError = TwilioStatusCallbackErrors[keyof TwilioStatusCallbackErrors];
export type TwilioStatusCallbackResponses = {
    /**
     * Recorded (or not a message of this deployment).
     */
    204: void;
};
export type TwilioStatusCallbackResponse = TwilioStatusCallbackResponses[keyof TwilioStatusCallbackResponses];
export type WebhookStatusCallbackData = {
    body: WebhookStatusCallback;
    headers?: {
        'webhook-id'?: string;
        'webhook-timestamp'?: string;
        'webhook-signature'?: string;
    };
    path?: never;
    query?: never;
    url: '/api/v1/sms/status/webhook';
};
export type WebhookStatusCallbackErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
    /**
     * No such resource.
     */
    404: HttpError;
    /**
     * The request body is larger than 1 MiB.
     */
    413: HttpError;
    /**
     * Validation Error. Every invalid field is reported; rejected values are never echoed.
     */
    422: HttpValidationError;
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type WebhookStatusCallbackError = WebhookStatusCallbackErrors[keyof WebhookStatusCallbackErrors];
export type WebhookStatusCallbackResponses = {
    /**
     * Recorded (or not a message of this deployment).
     */
    204: void;
};
export type WebhookStatusCallbackResponse = WebhookStatusCallbackResponses[keyof WebhookStatusCallbackResponses];
export type HealthzData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/healthz';
};
export type HealthzResponses = {
    /**
     * Alive.
     */
    200: Health;
};
export type HealthzResponse = HealthzResponses[keyof HealthzResponses];
export type ReadyzData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/readyz';
};
export type ReadyzErrors = {
    /**
     * Not ready; `detail` says why.
     */
    503: Health;
};
export type ReadyzError = ReadyzErrors[keyof ReadyzErrors];
export type ReadyzResponses = {
    /**
     * Ready.
     */
    200: Health;
};
export type ReadyzResponse = ReadyzResponses[keyof ReadyzResponses];
export type MetricsData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/metrics';
};
export type MetricsErrors = {
    /**
     * Missing, invalid or expired token, or wrong credentials.
     */
    401: HttpError;
};
export type MetricsError = MetricsErrors[keyof MetricsErrors];
export type MetricsResponses = {
    /**
     * The metrics.
     */
    200: string;
};
export type MetricsResponse = MetricsResponses[keyof MetricsResponses];
export type GetOpenidConfigurationData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/.well-known/openid-configuration';
};
export type GetOpenidConfigurationErrors = {
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
};
export type GetOpenidConfigurationError = GetOpenidConfigurationErrors[keyof GetOpenidConfigurationErrors];
export type GetOpenidConfigurationResponses = {
    /**
     * The metadata.
     */
    200: OpenIdConfiguration;
};
export type GetOpenidConfigurationResponse = GetOpenidConfigurationResponses[keyof GetOpenidConfigurationResponses];
export type GetJwksData = {
    body?: never;
    path?: never;
    query?: never;
    url: '/.well-known/jwks.json';
};
export type GetJwksErrors = {
    /**
     * An unexpected error. The detail carries the request id to quote to support.
     */
    500: HttpError;
    /**
     * The service is temporarily overloaded or a dependency is down; retry after `Retry-After` seconds.
     */
    503: HttpError;
};
export type GetJwksError = GetJwksErrors[keyof GetJwksErrors];
export type GetJwksResponses = {
    /**
     * The key set.
     */
    200: JwkSet;
};
export type GetJwksResponse = GetJwksResponses[keyof GetJwksResponses];
//# sourceMappingURL=types.gen.d.ts.map