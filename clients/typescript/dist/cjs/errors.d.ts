import type { ValidationError } from './gen/types.gen.js';
/**
 * A failed call. `status` is the HTTP status of phoneauth's answer (0 when no answer came: see
 * PhoneauthNetworkError) and `detail` FastAPI's `detail` text.
 */
export declare class PhoneauthError extends Error {
    readonly status: number;
    readonly detail: string;
    readonly name: string;
    /** Seconds to wait before trying again, from `Retry-After` (429 and 503 answers). Nothing retries by itself. */
    readonly retryAfter: number | undefined;
    /** The `X-Request-ID` of the failed request, to quote to support. */
    readonly requestId: string | undefined;
    /** A 401 for a sensitive request without a fresh proof: ask for the password or a code, keep the session. */
    readonly reauthRequired: boolean;
    constructor(status: number, detail: string, response?: Response, options?: ErrorOptions);
}
/** A 422: every invalid field of the request, as FastAPI lists them (`loc` is e.g. `["body", "phone"]`). */
export declare class PhoneauthValidationError extends PhoneauthError {
    readonly fields: ValidationError[];
    readonly name: string;
    constructor(fields: ValidationError[], response?: Response);
}
/** A 429: a rate limit was hit. Wait `retryAfter` seconds (when the server said) before trying again. */
export declare class PhoneauthRateLimitError extends PhoneauthError {
    readonly name: string;
}
/** No answer from phoneauth, or one that could not be read (offline, DNS, CORS, an aborted fetch): status 0, the cause attached. */
/**
 * The server wants a CAPTCHA before it sends a code: show the widget, then call the helper again with its
 * token (`{ captchaToken }`). Nothing was spent.
 */
export declare class PhoneauthCaptchaRequiredError extends PhoneauthError {
}
export declare class PhoneauthNetworkError extends PhoneauthError {
    readonly name: string;
    constructor(cause: unknown);
}
/** The call needs a session and there is none (or it has no refresh token): a 401 decided without asking the server. */
export declare class PhoneauthSessionMissingError extends PhoneauthError {
    readonly name: string;
    constructor();
}
/** Maps FastAPI's error bodies; anything else (a proxy's HTML page, say) keeps its status and text. */
export declare function toPhoneauthError(body: unknown, response: Response): PhoneauthError;
//# sourceMappingURL=errors.d.ts.map