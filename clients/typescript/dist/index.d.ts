import { type Client } from './gen/client/index.js';
import type { LogoutRequest, MessageResponse, OtpResponse, OtpTokenResponse, Token, UserResponse, ValidationError } from './gen/types.gen.js';
export * from './gen/index.js';
export { type Client, createClient } from './gen/client/index.js';
/** The tokens of a logged-in session. Persist it (and keep it secret) to survive a page reload. */
export interface Session {
    accessToken: string;
    /** Single use: every refresh() replaces it. Absent when the server did not issue one. */
    refreshToken?: string;
    /** When the access token expires, in milliseconds since the epoch, when the server said. */
    expiresAt?: number;
}
/** An error answer from phoneauth: `{"detail": "..."}`, with its HTTP status. */
export declare class PhoneauthError extends Error {
    readonly status: number;
    readonly detail: string;
    readonly name: string;
    /** Seconds to wait before retrying, from `Retry-After` (429 and 503 answers). */
    readonly retryAfter: number | undefined;
    /** The `X-Request-ID` of the failed request, to quote to support. */
    readonly requestId: string | undefined;
    constructor(status: number, detail: string, response?: Response);
}
/** A 422: every invalid field of the request, as FastAPI lists them (`loc` is e.g. `["body", "phone"]`). */
export declare class PhoneauthValidationError extends PhoneauthError {
    readonly fields: ValidationError[];
    readonly name: string;
    constructor(fields: ValidationError[], response?: Response);
}
export interface PhoneauthOptions {
    /** The service's origin, e.g. `https://auth.example.com`; `''` (the default) for the page's own origin. */
    baseUrl?: string;
    /** A session to resume, e.g. one that onSessionChange stored. */
    session?: Session | null;
    /** Called with the new session after every login and refresh, and with null after logout or when the server refuses the session. */
    onSessionChange?: (session: Session | null) => void;
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
/** A thin client for the common flows. Create one per user session; for anything else use `client` with the generated functions. */
export declare class Phoneauth {
    #private;
    /** The generated fetch client, authenticated with this session's access token. */
    readonly client: Client;
    constructor(options?: PhoneauthOptions);
    /** The current tokens, or null when logged out. */
    get session(): Session | null;
    /** Texts a sign-up code to `phone` (a number that already has an account gets a notice instead). */
    sendSignupCode(phone: string): Promise<OtpResponse>;
    /** Creates the account with the code from sendSignupCode and logs in. */
    signupWithCode(input: SignupWithCode): Promise<OtpTokenResponse>;
    loginWithPassword(phone: string, password: string): Promise<Token>;
    /** Texts a login code; the answer is the same whether or not `phone` has an account. */
    sendLoginCode(phone: string): Promise<OtpResponse>;
    loginWithCode(phone: string, code: string): Promise<OtpTokenResponse>;
    /**
     * Exchanges the refresh token for new tokens. Concurrent calls share one request, since each refresh
     * token works once. When the server refuses the token (401), the session is over and is cleared.
     */
    refresh(): Promise<Session>;
    /** The logged-in user. */
    me(): Promise<UserResponse>;
    changePassword(currentPassword: string, newPassword: string): Promise<MessageResponse>;
    /**
     * Ends this session on the server (`others`: every other session of the user; `global`: all of them)
     * and forgets its tokens, unless only other sessions were ended. A 401 means the session had already
     * ended, which is what logging out wants.
     */
    logout(scope?: NonNullable<LogoutRequest['scope']>): Promise<void>;
}
/** Maps FastAPI's error bodies; anything else (a proxy's HTML page, say) keeps its status and text. */
export declare function toPhoneauthError(body: unknown, response: Response): PhoneauthError;
//# sourceMappingURL=index.d.ts.map