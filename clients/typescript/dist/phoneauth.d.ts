import { type Client } from './gen/client/index.js';
import * as sdk from './gen/sdk.gen.js';
import type { LogoutRequest, MeResponse, MessageResponse, MfaRequired, MfaStatus, OtpResponse, OtpTokenResponse, Passkey, PasskeyCredential, SessionInfo, Token, TotpEnrollment, UserResponse } from './gen/types.gen.js';
import { type Session, type StorageOption } from './storage.js';
/**
 * What happened to the session. `INITIAL_SESSION` comes first, once per listener, with the restored session
 * (or null). `MFA_REQUIRED` is a login whose first factor was right for a user with a second factor: no session
 * yet (the listener gets the current one, usually null) until verifyMfa() completes it with SIGNED_IN.
 */
export type AuthChangeEvent = 'INITIAL_SESSION' | 'SIGNED_IN' | 'TOKEN_REFRESHED' | 'SIGNED_OUT' | 'USER_UPDATED' | 'MFA_REQUIRED';
export type AuthStateListener = (event: AuthChangeEvent, session: Session | null) => void;
export type LogoutScope = NonNullable<LogoutRequest['scope']>;
export interface PhoneauthOptions {
    /** The service's origin, e.g. `https://auth.example.com`; `''` (the default) for the page's own origin. */
    baseUrl?: string;
    /**
     * Where the session is kept: `'memory'` (the default: gone with the page), `'localStorage'` (shared by the
     * origin's tabs), `'sessionStorage'` (one tab), or an object with getItem/setItem/removeItem, sync or async
     * (React Native's AsyncStorage, an encrypted store). A missing Web Storage falls back to memory.
     */
    storage?: StorageOption;
    /** The key of the session in the storage, and the name of its tab channel and lock. Default `phoneauth.session`. */
    storageKey?: string;
    /** Refresh the tokens ahead of expiry, and when the page is shown again or the network comes back. Default true. */
    autoRefresh?: boolean;
    /**
     * Share the session with the origin's other tabs (BroadcastChannel) and let one tab at a time refresh
     * (Web Locks). Default: on with `storage: 'localStorage'`, off otherwise; turn it on for a custom storage
     * that the tabs share.
     */
    multiTab?: boolean;
    /** A fetch implementation; the global one by default. */
    fetch?: typeof fetch;
}
export interface SignupWithCode {
    phone: string;
    /** The 6-digit code from the SMS. */
    code: string;
    name: string;
    password: string;
    email?: string;
    hasGivenConsent?: boolean;
}
export interface ResetPasswordWithCode {
    phone: string;
    /** The 6-digit code from the SMS that sendPasswordResetCode sent. */
    code: string;
    newPassword: string;
    /** What the user typed again; newPassword when left out. */
    confirmPassword?: string;
}
/** At most this long before expiry, the session is refreshed; a lifetime under twice that is refreshed half-way. */
export declare const REFRESH_MARGIN_MS = 60000;
/**
 * A phoneauth client with a session: `const auth = new Phoneauth({ baseUrl, storage: 'localStorage' })`.
 * The session, its events (onAuthStateChange), `ready` and every helper live on the instance. For the
 * endpoints without a helper, pass `client` to a generated function: it is authenticated and refreshes the
 * same way, e.g. `adminListUsers({ client: auth.client })`.
 */
export declare class Phoneauth {
    #private;
    /** The generated fetch client, authenticated with the session's access token (refreshed once on a 401). */
    readonly client: Client;
    /** Settles (never rejects) once the stored session, if any, has been restored; resolves to it. */
    readonly ready: Promise<Session | null>;
    constructor(options?: PhoneauthOptions);
    /** The current session, or null (also until `ready` has settled). */
    get session(): Session | null;
    /**
     * Calls `listener` with every change of the session: first INITIAL_SESSION (once `ready` has settled), then
     * SIGNED_IN, TOKEN_REFRESHED, USER_UPDATED and SIGNED_OUT as they happen, in this tab or another. Returns
     * the function that unsubscribes it. A listener that throws does not stop the others; its error is reported
     * as uncaught.
     */
    onAuthStateChange(listener: AuthStateListener): () => void;
    /** Resumes refreshing ahead of expiry (e.g. when a React Native app comes to the foreground). */
    startAutoRefresh(): void;
    /** Stops refreshing ahead of expiry; a call that gets a 401 still refreshes once. */
    stopAutoRefresh(): void;
    /** Stops the timer, the page listeners and the tab channel; the instance still works for single calls. */
    close(): void;
    /** Uses `session` (tokens obtained elsewhere, e.g. by a native shell) as a new sign-in. */
    setSession(session: Session): Promise<void>;
    /** Texts a sign-up code to `phone` (a number that already has an account gets a notice instead). */
    sendSignupCode(phone: string, options?: SendOptions): Promise<OtpResponse>;
    /** Texts a new sign-up code; it replaces the last one but keeps its count of wrong guesses. */
    resendSignupCode(phone: string, options?: SendOptions): Promise<OtpResponse>;
    /** Creates the account with the code from sendSignupCode and signs in. */
    signupWithCode(input: SignupWithCode): Promise<OtpTokenResponse>;
    /**
     * Logs in with the password. For a user with a second factor the answer is an MfaRequired instead of tokens
     * (MFA_REQUIRED, no session yet): complete it with verifyMfa(). `isMfaRequired()` tells the two apart.
     */
    loginWithPassword(phone: string, password: string): Promise<Token | MfaRequired>;
    /** Texts a login code; the answer is the same whether or not `phone` has an account. */
    sendLoginCode(phone: string, options?: SendOptions): Promise<OtpResponse>;
    /** Texts a new login code; it replaces the last one but keeps its count of wrong guesses. */
    resendLoginCode(phone: string, options?: SendOptions): Promise<OtpResponse>;
    /** Logs in with the code from sendLoginCode; an MfaRequired for a user with a second factor, as loginWithPassword. */
    loginWithCode(phone: string, code: string): Promise<OtpTokenResponse | MfaRequired>;
    /**
     * Completes a login that answered MfaRequired with a code of the authenticator app (`{ code }`) or a recovery
     * code (`{ recoveryCode }`), and signs in (SIGNED_IN) at `aal` 2.
     */
    verifyMfa(mfa: MfaRequired | string, factor: {
        code: string;
    } | {
        recoveryCode: string;
    }): Promise<Token>;
    /** What the user has turned on: TOTP, and how many recovery codes are left. */
    mfaStatus(): Promise<MfaStatus>;
    /**
     * Starts turning TOTP on (needs a fresh Proof unless the login is recent): the secret, shown this once, as
     * `secret` (to type in), `otpauth_uri` and `qr_code` (a data: URI of a PNG, for `<img src>`). confirmTotp()
     * with a first code turns it on.
     */
    enrollTotp(proof?: Proof): Promise<TotpEnrollment>;
    /** Turns TOTP on with a first code from the app; resolves to the 10 recovery codes, shown this once. */
    confirmTotp(code: string): Promise<string[]>;
    /** Turns TOTP off (needs a fresh Proof unless the login is recent). */
    disableTotp(proof?: Proof): Promise<MessageResponse>;
    /** Replaces the recovery codes; resolves to the new ones, shown this once. */
    regenerateRecoveryCodes(proof?: Proof): Promise<string[]>;
    /**
     * Makes a passkey for the signed-in user and registers it: asks the server for the options (a fresh Proof
     * unless the login is recent), runs navigator.credentials.create() with them, and sends the answer.
     * A user who cancels the browser's dialog gets its NotAllowedError.
     */
    registerPasskey(options?: {
        name?: string;
        proof?: Proof;
    }): Promise<Passkey>;
    /**
     * Logs in with a passkey, no phone number needed: runs navigator.credentials.get() with the server's options
     * (`mediation: 'conditional'` for the passkey autofill of an `<input autocomplete="username webauthn">`;
     * `signal` aborts it) and signs in (SIGNED_IN), or resolves to an MfaRequired when the passkey did not verify
     * the user and the user has TOTP.
     */
    loginWithPasskey(options?: {
        mediation?: CredentialMediationRequirement;
        signal?: AbortSignal;
    }): Promise<Token | MfaRequired>;
    /** The user's passkeys, oldest first. */
    listPasskeys(): Promise<Passkey[]>;
    /** Renames one of the user's passkeys. */
    renamePasskey(passkeyId: string, name: string): Promise<Passkey>;
    /** Deletes one of the user's passkeys: it logs nobody in any more. */
    deletePasskey(passkeyId: string): Promise<void>;
    /** Texts a password-reset code; the answer is the same whether or not `phone` has an account. */
    sendPasswordResetCode(phone: string, options?: SendOptions): Promise<OtpResponse>;
    /** Sets a new password with the code from sendPasswordResetCode. Ends every session of the user; does not sign in. */
    resetPasswordWithCode(input: ResetPasswordWithCode): Promise<OtpResponse>;
    /** The signed-in user, with the session's assurance (`aal`, `amr_values`). */
    me(): Promise<MeResponse>;
    /** Changes the password (USER_UPDATED). The user's other sessions end; this one goes on. */
    changePassword(currentPassword: string, newPassword: string): Promise<MessageResponse>;
    /** Updates the profile (USER_UPDATED): only the fields given change; `null` clears an optional one. */
    updateProfile(fields: NonNullable<Parameters<typeof sdk.updateUsersMe>[0]>['body']): Promise<UserResponse>;
    /** Texts a re-authentication code to the account's own number, for a Proof. */
    reauthenticate(): Promise<OtpResponse>;
    /** Texts a code to the new number; verifyPhoneChange() with it moves the account there. */
    changePhone(newPhone: string, proof?: Proof): Promise<OtpResponse>;
    /** Moves the account to the new number (USER_UPDATED); the user's other sessions end. */
    verifyPhoneChange(newPhone: string, code: string): Promise<UserResponse>;
    /** Everything phoneauth holds about the user, as one JSON document. */
    exportData(proof?: Proof): Promise<NonNullable<Awaited<ReturnType<typeof sdk.exportMyData>>['data']>>;
    /** Deletes the account for good, then signs out (SIGNED_OUT, in every tab). */
    deleteAccount(proof?: Proof): Promise<MessageResponse>;
    /** The user's active sessions, newest first; `current` marks this one. */
    listSessions(): Promise<SessionInfo[]>;
    /** Ends one of the user's sessions. Ending this one signs out at its next call; logout() does it at once. */
    endSession(sessionId: string): Promise<void>;
    /**
     * Ends this session on the server (`others`: every other session of the user; `global`: all of them) and,
     * unless only the others were ended, signs out (SIGNED_OUT, in every tab). A 401 means the session had
     * already ended, which is what logging out wants; any other failure throws and keeps the session.
     */
    logout(scope?: LogoutScope): Promise<void>;
    /**
     * Exchanges the refresh token for new tokens (TOKEN_REFRESHED). Concurrent calls share one request, and
     * with multiTab one tab refreshes while the others wait for its result, since each refresh token works
     * once. A refused refresh token (401) ends the session: SIGNED_OUT, and the error is thrown.
     */
    refresh(): Promise<Session>;
}
/** Whether a login's answer asks for a second factor (verifyMfa) instead of carrying tokens. */
export declare function isMfaRequired(answer: unknown): answer is MfaRequired;
type JSONOptions = Record<string, unknown>;
/** PublicKeyCredentialCreationOptionsJSON to what navigator.credentials.create() takes. */
export declare function creationOptions(json: JSONOptions): PublicKeyCredentialCreationOptions;
/** PublicKeyCredentialRequestOptionsJSON to what navigator.credentials.get() takes. */
export declare function requestOptions(json: JSONOptions): PublicKeyCredentialRequestOptions;
/** A PublicKeyCredential as the server takes it: its toJSON(), or the same built by hand. */
export declare function credentialJSON(cred: PublicKeyCredential): PasskeyCredential;
/** A fresh proof of the account's owner for a sensitive request: the password, or a code from reauthenticate(). */
export interface Proof {
    password?: string;
    otpCode?: string;
}
/** Whether a 401 asks for a fresh proof of the user (RFC 9470), not for a new token. */
export declare function reauthRequired(response: Response): boolean;
/** Options of the helpers that text a code. */
export interface SendOptions {
    /**
     * The CAPTCHA widget's token, when the server asked for one (PhoneauthCaptchaRequiredError: show the
     * widget, then call again with its token).
     */
    captchaToken?: string;
}
export {};
//# sourceMappingURL=phoneauth.d.ts.map