/**
 * A failed call. `status` is the HTTP status of phoneauth's answer (0 when no answer came: see
 * PhoneauthNetworkError) and `detail` FastAPI's `detail` text.
 */
export class PhoneauthError extends Error {
    status;
    detail;
    name = 'PhoneauthError';
    /** Seconds to wait before trying again, from `Retry-After` (429 and 503 answers). Nothing retries by itself. */
    retryAfter;
    /** The `X-Request-ID` of the failed request, to quote to support. */
    requestId;
    /** A 401 for a sensitive request without a fresh proof: ask for the password or a code, keep the session. */
    reauthRequired;
    constructor(status, detail, response, options) {
        super(`${status}: ${detail}`, options);
        this.status = status;
        this.detail = detail;
        this.retryAfter = parseRetryAfter(response?.headers.get('Retry-After'));
        this.requestId = response?.headers.get('X-Request-ID') ?? undefined;
        this.reauthRequired = /insufficient_user_authentication/.test(response?.headers.get('WWW-Authenticate') ?? '');
    }
}
/** A 422: every invalid field of the request, as FastAPI lists them (`loc` is e.g. `["body", "phone"]`). */
export class PhoneauthValidationError extends PhoneauthError {
    fields;
    name = 'PhoneauthValidationError';
    constructor(fields, response) {
        super(422, fields.map((f) => `${f.loc.join('.')}: ${f.msg}`).join('; '), response);
        this.fields = fields;
    }
}
/** A 429: a rate limit was hit. Wait `retryAfter` seconds (when the server said) before trying again. */
export class PhoneauthRateLimitError extends PhoneauthError {
    name = 'PhoneauthRateLimitError';
}
/** No answer from phoneauth, or one that could not be read (offline, DNS, CORS, an aborted fetch): status 0, the cause attached. */
/**
 * The server wants a CAPTCHA before it sends a code: show the widget, then call the helper again with its
 * token (`{ captchaToken }`). Nothing was spent.
 */
export class PhoneauthCaptchaRequiredError extends PhoneauthError {
}
export class PhoneauthNetworkError extends PhoneauthError {
    name = 'PhoneauthNetworkError';
    constructor(cause) {
        super(0, cause instanceof Error ? cause.message : String(cause), undefined, { cause });
    }
}
/** The call needs a session and there is none (or it has no refresh token): a 401 decided without asking the server. */
export class PhoneauthSessionMissingError extends PhoneauthError {
    name = 'PhoneauthSessionMissingError';
    constructor() {
        super(401, 'Not authenticated');
    }
}
/** `Retry-After` in seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(value) {
    if (!value) {
        return undefined;
    }
    const seconds = /^\s*\d+\s*$/.test(value) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
    return Number.isFinite(seconds) ? Math.max(0, Math.ceil(seconds)) : undefined;
}
/** Maps FastAPI's error bodies; anything else (a proxy's HTML page, say) keeps its status and text. */
export function toPhoneauthError(body, response) {
    const detail = typeof body === 'object' && body !== null && 'detail' in body ? body.detail : undefined;
    if (response.status === 422 && Array.isArray(detail) && detail.every(isValidationItem)) {
        return new PhoneauthValidationError(detail, response);
    }
    const text = typeof detail === 'string' ? detail : typeof body === 'string' && body !== '' ? body : response.statusText;
    if (response.status === 400 && text === 'captcha required') {
        return new PhoneauthCaptchaRequiredError(response.status, text, response);
    }
    return new (response.status === 429 ? PhoneauthRateLimitError : PhoneauthError)(response.status, text, response);
}
function isValidationItem(item) {
    if (typeof item !== 'object' || item === null) {
        return false;
    }
    const { loc, msg, type } = item;
    return (Array.isArray(loc) &&
        loc.every((part) => typeof part === 'string' || typeof part === 'number') &&
        typeof msg === 'string' &&
        typeof type === 'string');
}
//# sourceMappingURL=errors.js.map