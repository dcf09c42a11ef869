// @phoneauth/client: the SDK generated from openapi.yaml (src/gen/, by make client) plus a thin helper
// for the common flows. The helper keeps the session's tokens and turns FastAPI's error bodies into
// typed errors; everything else is the generated code, re-exported for the endpoints it does not wrap.
import { createClient } from './gen/client/index.js';
import * as sdk from './gen/sdk.gen.js';
export * from './gen/index.js';
export { createClient } from './gen/client/index.js';
/** An error answer from phoneauth: `{"detail": "..."}`, with its HTTP status. */
export class PhoneauthError extends Error {
    status;
    detail;
    name = 'PhoneauthError';
    /** Seconds to wait before retrying, from `Retry-After` (429 and 503 answers). */
    retryAfter;
    /** The `X-Request-ID` of the failed request, to quote to support. */
    requestId;
    constructor(status, detail, response) {
        super(`${status}: ${detail}`);
        this.status = status;
        this.detail = detail;
        const retryAfter = Number.parseInt(response?.headers.get('Retry-After') ?? '', 10);
        this.retryAfter = Number.isNaN(retryAfter) ? undefined : retryAfter;
        this.requestId = response?.headers.get('X-Request-ID') ?? undefined;
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
/** A thin client for the common flows. Create one per user session; for anything else use `client` with the generated functions. */
export class Phoneauth {
    /** The generated fetch client, authenticated with this session's access token. */
    client;
    #session;
    #onSessionChange;
    #refreshing;
    constructor(options = {}) {
        this.#session = options.session ?? null;
        this.#onSessionChange = options.onSessionChange;
        this.client = createClient({
            baseUrl: options.baseUrl ?? '',
            ...(options.fetch ? { fetch: options.fetch } : {}),
            auth: () => this.#session?.accessToken,
        });
    }
    /** The current tokens, or null when logged out. */
    get session() {
        return this.#session;
    }
    /** Texts a sign-up code to `phone` (a number that already has an account gets a notice instead). */
    sendSignupCode(phone) {
        return unwrap(sdk.sendSignupOtp({ client: this.client, body: { phone_number: phone } }));
    }
    /** Creates the account with the code from sendSignupCode and logs in. */
    async signupWithCode(input) {
        const body = {
            phone_number: input.phone,
            otp_code: input.code,
            name: input.name,
            password: input.password,
            ...(input.email !== undefined ? { email: input.email } : {}),
            ...(input.hasGivenConsent !== undefined ? { has_given_consent: input.hasGivenConsent } : {}),
        };
        return this.#start(await unwrap(sdk.verifySignupOtp({ client: this.client, body })));
    }
    async loginWithPassword(phone, password) {
        return this.#start(await unwrap(sdk.loginForAccessToken({ client: this.client, body: { phone, password } })));
    }
    /** Texts a login code; the answer is the same whether or not `phone` has an account. */
    sendLoginCode(phone) {
        return unwrap(sdk.sendLoginOtp({ client: this.client, body: { phone_number: phone } }));
    }
    async loginWithCode(phone, code) {
        return this.#start(await unwrap(sdk.verifyLoginOtp({ client: this.client, body: { phone_number: phone, otp_code: code } })));
    }
    /**
     * Exchanges the refresh token for new tokens. Concurrent calls share one request, since each refresh
     * token works once. When the server refuses the token (401), the session is over and is cleared.
     */
    refresh() {
        this.#refreshing ??= this.#refresh().finally(() => {
            this.#refreshing = undefined;
        });
        return this.#refreshing;
    }
    async #refresh() {
        const refreshToken = this.#session?.refreshToken;
        if (!refreshToken) {
            throw new Error('phoneauth: no refresh token; log in first');
        }
        try {
            const token = await unwrap(sdk.refreshAccessToken({ client: this.client, body: { refresh_token: refreshToken } }));
            this.#start(token);
            return this.#session;
        }
        catch (err) {
            if (err instanceof PhoneauthError && err.status === 401) {
                this.#setSession(null);
            }
            throw err;
        }
    }
    /** The logged-in user. */
    me() {
        return unwrap(sdk.readUsersMe({ client: this.client }));
    }
    changePassword(currentPassword, newPassword) {
        return unwrap(sdk.changePassword({ client: this.client, body: { current_password: currentPassword, new_password: newPassword } }));
    }
    /**
     * Ends this session on the server (`others`: every other session of the user; `global`: all of them)
     * and forgets its tokens, unless only other sessions were ended. A 401 means the session had already
     * ended, which is what logging out wants.
     */
    async logout(scope = 'local') {
        try {
            await unwrap(sdk.logout({ client: this.client, body: { scope } }));
        }
        catch (err) {
            if (!(err instanceof PhoneauthError && err.status === 401)) {
                throw err;
            }
        }
        if (scope !== 'others') {
            this.#setSession(null);
        }
    }
    #start(token) {
        this.#setSession({
            accessToken: token.access_token,
            ...(token.refresh_token !== undefined ? { refreshToken: token.refresh_token } : {}),
            ...(token.expires_in !== undefined ? { expiresAt: Date.now() + token.expires_in * 1000 } : {}),
        });
        return token;
    }
    #setSession(session) {
        this.#session = session;
        this.#onSessionChange?.(session);
    }
}
/** Returns the answer's data, or throws the error as a PhoneauthError. */
async function unwrap(pending) {
    const result = await pending;
    if (result.error === undefined) {
        return result.data;
    }
    const response = result.response;
    if (!response || response.ok) {
        throw result.error; // no answer from phoneauth (network, abort) or an unreadable one: not an API error
    }
    throw toPhoneauthError(result.error, response);
}
/** Maps FastAPI's error bodies; anything else (a proxy's HTML page, say) keeps its status and text. */
export function toPhoneauthError(body, response) {
    const detail = typeof body === 'object' && body !== null && 'detail' in body ? body.detail : undefined;
    if (response.status === 422 && Array.isArray(detail) && detail.every(isValidationItem)) {
        return new PhoneauthValidationError(detail, response);
    }
    if (typeof detail === 'string') {
        return new PhoneauthError(response.status, detail, response);
    }
    const text = typeof body === 'string' && body !== '' ? body : response.statusText;
    return new PhoneauthError(response.status, text, response);
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
//# sourceMappingURL=index.js.map