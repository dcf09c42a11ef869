"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.Phoneauth = exports.REFRESH_MARGIN_MS = void 0;
exports.isMfaRequired = isMfaRequired;
exports.creationOptions = creationOptions;
exports.requestOptions = requestOptions;
exports.credentialJSON = credentialJSON;
exports.reauthRequired = reauthRequired;
// The Phoneauth class: the flows of openapi.yaml as methods, and the session they open kept for the app —
// stored, restored, refreshed ahead of expiry and on a 401, shared by the origin's tabs, announced by events.
const index_js_1 = require("./gen/client/index.js");
const sdk = __importStar(require("./gen/sdk.gen.js"));
const errors_js_1 = require("./errors.js");
const storage_js_1 = require("./storage.js");
/** At most this long before expiry, the session is refreshed; a lifetime under twice that is refreshed half-way. */
exports.REFRESH_MARGIN_MS = 60_000;
/** A call made this close to expiry refreshes first. */
const EXPIRY_SKEW_MS = 5_000;
/**
 * A phoneauth client with a session: `const auth = new Phoneauth({ baseUrl, storage: 'localStorage' })`.
 * The session, its events (onAuthStateChange), `ready` and every helper live on the instance. For the
 * endpoints without a helper, pass `client` to a generated function: it is authenticated and refreshes the
 * same way, e.g. `adminListUsers({ client: auth.client })`.
 */
class Phoneauth {
    /** The generated fetch client, authenticated with the session's access token (refreshed once on a 401). */
    client;
    /** Settles (never rejects) once the stored session, if any, has been restored; resolves to it. */
    ready;
    #session = null;
    /** The access token before the last change: a request may have left with it just before a refresh. */
    #previousToken;
    #listeners = new Set();
    #storage;
    #key;
    #fetch;
    #locks;
    #channel;
    #unlisten;
    #autoRefresh;
    #timer;
    #failures = 0;
    #refreshing;
    constructor(options = {}) {
        const [storage, shared] = (0, storage_js_1.resolveStorage)(options.storage);
        this.#storage = storage;
        this.#key = options.storageKey ?? 'phoneauth.session';
        this.#fetch = options.fetch;
        this.#autoRefresh = options.autoRefresh ?? true;
        this.client = (0, index_js_1.createClient)({
            baseUrl: options.baseUrl ?? '',
            fetch: (input, init) => this.#send(input instanceof Request ? input : new Request(input, init)),
            // The user's token for the user's scheme only: /metrics has the operator's (pass it as `auth` per call).
            auth: (scheme) => (scheme.key === undefined || scheme.key === 'HTTPBearer' ? this.#accessToken() : undefined),
        });
        if (options.multiTab ?? shared) {
            this.#locks = globalThis.navigator?.locks;
            if (typeof BroadcastChannel === 'function') {
                const channel = new BroadcastChannel('phoneauth:' + this.#key);
                channel.onmessage = (e) => void this.#receive(e.data);
                channel.unref?.(); // Node: the channel alone keeps no process alive
                this.#channel = channel;
            }
        }
        // A timer can sleep through a suspended tab or laptop: look again when the page is shown or the network is back.
        const wake = () => globalThis.document?.visibilityState !== 'hidden' && this.#schedule();
        const doc = globalThis.document;
        doc?.addEventListener?.('visibilitychange', wake);
        globalThis.addEventListener?.('online', wake);
        this.#unlisten = () => {
            doc?.removeEventListener?.('visibilitychange', wake);
            globalThis.removeEventListener?.('online', wake);
        };
        this.ready = this.#restore();
    }
    /** The current session, or null (also until `ready` has settled). */
    get session() {
        return this.#session;
    }
    /**
     * Calls `listener` with every change of the session: first INITIAL_SESSION (once `ready` has settled), then
     * SIGNED_IN, TOKEN_REFRESHED, USER_UPDATED and SIGNED_OUT as they happen, in this tab or another. Returns
     * the function that unsubscribes it. A listener that throws does not stop the others; its error is reported
     * as uncaught.
     */
    onAuthStateChange(listener) {
        const entry = { fn: listener, on: false };
        this.#listeners.add(entry);
        void this.ready.then(() => {
            if (this.#listeners.has(entry)) {
                entry.on = true;
                call(entry.fn, 'INITIAL_SESSION', this.#session);
            }
        });
        return () => void this.#listeners.delete(entry);
    }
    /** Resumes refreshing ahead of expiry (e.g. when a React Native app comes to the foreground). */
    startAutoRefresh() {
        this.#autoRefresh = true;
        this.#schedule();
    }
    /** Stops refreshing ahead of expiry; a call that gets a 401 still refreshes once. */
    stopAutoRefresh() {
        this.#autoRefresh = false;
        this.#schedule();
    }
    /** Stops the timer, the page listeners and the tab channel; the instance still works for single calls. */
    close() {
        this.stopAutoRefresh();
        this.#unlisten();
        this.#channel?.close();
        this.#listeners.clear();
    }
    /** Uses `session` (tokens obtained elsewhere, e.g. by a native shell) as a new sign-in. */
    async setSession(session) {
        const parsed = (0, storage_js_1.parseSession)(session);
        if (!parsed) {
            throw new TypeError('phoneauth: not a session');
        }
        await this.#set(parsed, 'SIGNED_IN');
    }
    // Sign-up
    /** Texts a sign-up code to `phone` (a number that already has an account gets a notice instead). */
    sendSignupCode(phone, options = {}) {
        return unwrap(sdk.sendSignupOtp({ client: this.client, body: { phone_number: phone, ...captchaBody(options) } }));
    }
    /** Texts a new sign-up code; it replaces the last one but keeps its count of wrong guesses. */
    resendSignupCode(phone, options = {}) {
        return unwrap(sdk.resendSignupOtp({ client: this.client, body: { phone_number: phone, ...captchaBody(options) } }));
    }
    /** Creates the account with the code from sendSignupCode and signs in. */
    async signupWithCode(input) {
        const body = {
            phone_number: input.phone,
            otp_code: input.code,
            name: input.name,
            password: input.password,
            ...(input.email !== undefined ? { email: input.email } : {}),
            ...(input.hasGivenConsent !== undefined ? { has_given_consent: input.hasGivenConsent } : {}),
        };
        return this.#signIn(await unwrap(sdk.verifySignupOtp({ client: this.client, body })));
    }
    // Login
    /**
     * Logs in with the password. For a user with a second factor the answer is an MfaRequired instead of tokens
     * (MFA_REQUIRED, no session yet): complete it with verifyMfa(). `isMfaRequired()` tells the two apart.
     */
    async loginWithPassword(phone, password) {
        return this.#signIn(await unwrap(sdk.loginForAccessToken({ client: this.client, body: { phone, password } })));
    }
    /** Texts a login code; the answer is the same whether or not `phone` has an account. */
    sendLoginCode(phone, options = {}) {
        return unwrap(sdk.sendLoginOtp({ client: this.client, body: { phone_number: phone, ...captchaBody(options) } }));
    }
    /** Texts a new login code; it replaces the last one but keeps its count of wrong guesses. */
    resendLoginCode(phone, options = {}) {
        return unwrap(sdk.resendLoginOtp({ client: this.client, body: { phone_number: phone, ...captchaBody(options) } }));
    }
    /** Logs in with the code from sendLoginCode; an MfaRequired for a user with a second factor, as loginWithPassword. */
    async loginWithCode(phone, code) {
        const body = { phone_number: phone, otp_code: code };
        return this.#signIn(await unwrap(sdk.verifyLoginOtp({ client: this.client, body })));
    }
    // Second factors
    /**
     * Completes a login that answered MfaRequired with a code of the authenticator app (`{ code }`) or a recovery
     * code (`{ recoveryCode }`), and signs in (SIGNED_IN) at `aal` 2.
     */
    async verifyMfa(mfa, factor) {
        const body = {
            mfa_token: typeof mfa === 'string' ? mfa : mfa.mfa_token,
            ...('code' in factor ? { code: factor.code } : { recovery_code: factor.recoveryCode }),
        };
        return this.#signIn(await unwrap(sdk.verifyMfa({ client: this.client, body })));
    }
    /** What the user has turned on: TOTP, and how many recovery codes are left. */
    mfaStatus() {
        return unwrap(sdk.getMfaStatus({ client: this.client }));
    }
    /**
     * Starts turning TOTP on (needs a fresh Proof unless the login is recent): the secret, shown this once, as
     * `secret` (to type in), `otpauth_uri` and `qr_code` (a data: URI of a PNG, for `<img src>`). confirmTotp()
     * with a first code turns it on.
     */
    enrollTotp(proof = {}) {
        return unwrap(sdk.enrollTotp({ client: this.client, body: proofBody(proof) }));
    }
    /** Turns TOTP on with a first code from the app; resolves to the 10 recovery codes, shown this once. */
    async confirmTotp(code) {
        return (await unwrap(sdk.activateTotp({ client: this.client, body: { code } }))).recovery_codes;
    }
    /** Turns TOTP off (needs a fresh Proof unless the login is recent). */
    disableTotp(proof = {}) {
        return unwrap(sdk.disableTotp({ client: this.client, body: proofBody(proof) }));
    }
    /** Replaces the recovery codes; resolves to the new ones, shown this once. */
    async regenerateRecoveryCodes(proof = {}) {
        return (await unwrap(sdk.regenerateRecoveryCodes({ client: this.client, body: proofBody(proof) }))).recovery_codes;
    }
    // Passkeys (WebAuthn), in a browser that has them (a secure context: https, or http://localhost)
    /**
     * Makes a passkey for the signed-in user and registers it: asks the server for the options (a fresh Proof
     * unless the login is recent), runs navigator.credentials.create() with them, and sends the answer.
     * A user who cancels the browser's dialog gets its NotAllowedError.
     */
    async registerPasskey(options = {}) {
        const { publicKey } = await unwrap(sdk.passkeyRegistrationOptions({ client: this.client, body: proofBody(options.proof ?? {}) }));
        const created = await navigator.credentials.create({ publicKey: creationOptions(publicKey) });
        if (!(created instanceof PublicKeyCredential)) {
            throw new DOMException('no passkey was made', 'NotAllowedError');
        }
        const body = { credential: credentialJSON(created), ...(options.name !== undefined ? { name: options.name } : {}) };
        return unwrap(sdk.registerPasskey({ client: this.client, body }));
    }
    /**
     * Logs in with a passkey, no phone number needed: runs navigator.credentials.get() with the server's options
     * (`mediation: 'conditional'` for the passkey autofill of an `<input autocomplete="username webauthn">`;
     * `signal` aborts it) and signs in (SIGNED_IN), or resolves to an MfaRequired when the passkey did not verify
     * the user and the user has TOTP.
     */
    async loginWithPasskey(options = {}) {
        const { publicKey } = await unwrap(sdk.passkeyLoginOptions({ client: this.client }));
        const got = await navigator.credentials.get({
            publicKey: requestOptions(publicKey),
            ...(options.mediation !== undefined ? { mediation: options.mediation } : {}),
            ...(options.signal !== undefined ? { signal: options.signal } : {}),
        });
        if (!(got instanceof PublicKeyCredential)) {
            throw new DOMException('no passkey was chosen', 'NotAllowedError');
        }
        return this.#signIn(await unwrap(sdk.loginWithPasskey({ client: this.client, body: { credential: credentialJSON(got) } })));
    }
    /** The user's passkeys, oldest first. */
    async listPasskeys() {
        return (await unwrap(sdk.listPasskeys({ client: this.client }))).passkeys;
    }
    /** Renames one of the user's passkeys. */
    renamePasskey(passkeyId, name) {
        return unwrap(sdk.renamePasskey({ client: this.client, path: { passkey_id: passkeyId }, body: { name } }));
    }
    /** Deletes one of the user's passkeys: it logs nobody in any more. */
    async deletePasskey(passkeyId) {
        await unwrap(sdk.deletePasskey({ client: this.client, path: { passkey_id: passkeyId } }));
    }
    // Forgotten password
    /** Texts a password-reset code; the answer is the same whether or not `phone` has an account. */
    sendPasswordResetCode(phone, options = {}) {
        return unwrap(sdk.initiatePasswordReset({ client: this.client, body: { phone_number: phone, ...captchaBody(options) } }));
    }
    /** Sets a new password with the code from sendPasswordResetCode. Ends every session of the user; does not sign in. */
    resetPasswordWithCode(input) {
        const body = {
            phone_number: input.phone,
            otp_code: input.code,
            new_password: input.newPassword,
            confirm_password: input.confirmPassword ?? input.newPassword,
        };
        return unwrap(sdk.confirmPasswordReset({ client: this.client, body }));
    }
    // The signed-in user
    /** The signed-in user, with the session's assurance (`aal`, `amr_values`). */
    me() {
        return unwrap(sdk.readUsersMe({ client: this.client }));
    }
    /** Changes the password (USER_UPDATED). The user's other sessions end; this one goes on. */
    async changePassword(currentPassword, newPassword) {
        const body = { current_password: currentPassword, new_password: newPassword };
        const answer = await unwrap(sdk.changePassword({ client: this.client, body }));
        await this.#set(this.#session, 'USER_UPDATED');
        return answer;
    }
    // The account's lifecycle. A sensitive request (phone change, export, deletion) needs a fresh proof unless
    // the session's login is recent: pass the password or a code from reauthenticate(). Without one the
    // server answers a 401 whose WWW-Authenticate is Bearer error="insufficient_user_authentication":
    // `err.reauthRequired` is true, and the session is kept (it is not a dead token).
    /** Updates the profile (USER_UPDATED): only the fields given change; `null` clears an optional one. */
    async updateProfile(fields) {
        const user = await unwrap(sdk.updateUsersMe({ client: this.client, body: fields }));
        await this.#set(this.#session, 'USER_UPDATED');
        return user;
    }
    /** Texts a re-authentication code to the account's own number, for a Proof. */
    reauthenticate() {
        return unwrap(sdk.sendReauthenticationCode({ client: this.client }));
    }
    /** Texts a code to the new number; verifyPhoneChange() with it moves the account there. */
    changePhone(newPhone, proof = {}) {
        return unwrap(sdk.startPhoneChange({ client: this.client, body: { new_phone_number: newPhone, ...proofBody(proof) } }));
    }
    /** Moves the account to the new number (USER_UPDATED); the user's other sessions end. */
    async verifyPhoneChange(newPhone, code) {
        const user = await unwrap(sdk.verifyPhoneChange({ client: this.client, body: { new_phone_number: newPhone, otp_code: code } }));
        await this.#set(this.#session, 'USER_UPDATED');
        return user;
    }
    /** Everything phoneauth holds about the user, as one JSON document. */
    exportData(proof = {}) {
        return unwrap(sdk.exportMyData({ client: this.client, body: proofBody(proof) }));
    }
    /** Deletes the account for good, then signs out (SIGNED_OUT, in every tab). */
    async deleteAccount(proof = {}) {
        const answer = await unwrap(sdk.deleteAccount({ client: this.client, body: proofBody(proof) }));
        await this.#set(null, 'SIGNED_OUT');
        return answer;
    }
    // Sessions
    /** The user's active sessions, newest first; `current` marks this one. */
    async listSessions() {
        return (await unwrap(sdk.listSessions({ client: this.client }))).sessions;
    }
    /** Ends one of the user's sessions. Ending this one signs out at its next call; logout() does it at once. */
    async endSession(sessionId) {
        await unwrap(sdk.deleteSession({ client: this.client, path: { session_id: sessionId } }));
    }
    /**
     * Ends this session on the server (`others`: every other session of the user; `global`: all of them) and,
     * unless only the others were ended, signs out (SIGNED_OUT, in every tab). A 401 means the session had
     * already ended, which is what logging out wants; any other failure throws and keeps the session.
     */
    async logout(scope = 'local') {
        if (await this.ready.then(() => this.#session)) {
            try {
                await unwrap(sdk.logout({ client: this.client, body: { scope } }));
            }
            catch (err) {
                if (!(err instanceof errors_js_1.PhoneauthError && err.status === 401)) {
                    throw err;
                }
            }
        }
        if (scope !== 'others') {
            await this.#set(null, 'SIGNED_OUT');
        }
    }
    /**
     * Exchanges the refresh token for new tokens (TOKEN_REFRESHED). Concurrent calls share one request, and
     * with multiTab one tab refreshes while the others wait for its result, since each refresh token works
     * once. A refused refresh token (401) ends the session: SIGNED_OUT, and the error is thrown.
     */
    refresh() {
        return (this.#refreshing ??= this.#refreshOnce().finally(() => {
            this.#refreshing = undefined;
        }));
    }
    async #refreshOnce() {
        const seen = await this.ready.then(() => this.#session);
        if (!seen?.refreshToken) {
            throw new errors_js_1.PhoneauthSessionMissingError();
        }
        return this.#locks
            ? this.#locks.request('phoneauth:' + this.#key, () => this.#refreshLocked(seen))
            : this.#refreshWith(seen);
    }
    /** Holding the tabs' lock: a tab that refreshed while this one waited has stored its result; take it. */
    async #refreshLocked(seen) {
        // The tab that held the lock before may have refreshed already. Its result reaches this tab by its
        // message and by localStorage, and neither is ordered with the lock: Chromium hands a write to the
        // other tabs' renderers asynchronously. So look at both, and give a write in flight a moment.
        let stored = seen;
        for (let look = 0; look < 3; look++) {
            if (this.#session && this.#session.refreshToken !== seen.refreshToken) {
                return this.#session; // another tab's result, by its message
            }
            try {
                stored = (0, storage_js_1.parseSession)(await this.#storage.getItem(this.#key));
            }
            catch {
                stored = seen; // unreadable: refresh as if nothing changed
            }
            if (stored?.refreshToken !== seen.refreshToken) {
                break;
            }
            if (look < 2) {
                await new Promise((resolve) => setTimeout(resolve, 25));
            }
        }
        if (stored?.refreshToken === seen.refreshToken) {
            return this.#refreshWith(seen);
        }
        await this.#set(stored, stored ? 'TOKEN_REFRESHED' : 'SIGNED_OUT', false);
        if (!stored) {
            throw new errors_js_1.PhoneauthSessionMissingError();
        }
        return stored;
    }
    async #refreshWith(seen) {
        const unchanged = () => this.#session?.refreshToken === seen.refreshToken;
        let session;
        try {
            const body = { refresh_token: seen.refreshToken };
            session = toSession(await unwrap(sdk.refreshAccessToken({ client: this.client, body })));
        }
        catch (err) {
            // Refused (spent, ended or malformed): the session is over. Anything else (offline, 5xx) may pass.
            if (err instanceof errors_js_1.PhoneauthError && (err.status === 401 || err.status === 422) && unchanged()) {
                await this.#set(null, 'SIGNED_OUT');
            }
            throw err;
        }
        if (unchanged()) {
            await this.#set(session, 'TOKEN_REFRESHED');
        }
        return session;
    }
    /** The access token for a request, refreshed first when it is (nearly) expired or a refresh is under way. */
    async #accessToken() {
        const s = await this.ready.then(() => this.#session);
        if (this.#refreshing || (s?.refreshToken && s.expiresAt !== undefined && s.expiresAt - EXPIRY_SKEW_MS <= Date.now())) {
            await this.refresh().catch(() => undefined);
        }
        return this.#session?.accessToken;
    }
    /** Every request of `client`: an authenticated one that gets a 401 refreshes once and is sent again. */
    async #send(request) {
        const fetchImpl = this.#fetch ?? globalThis.fetch;
        const sent = request.headers.get('Authorization');
        const again = sent ? request.clone() : undefined;
        const response = await fetchImpl(request);
        if (response.status !== 401 || !sent || !again || reauthRequired(response)) {
            return response; // a good token that needs a fresh proof is no reason to refresh or sign out
        }
        const session = this.#session;
        const ours = (token) => token !== undefined && 'Bearer ' + token === sent;
        if (!ours(session?.accessToken) && !ours(this.#previousToken)) {
            return response; // a token the caller passed itself (`auth` per call), or a session since signed out
        }
        if (session && ours(session.accessToken)) {
            if (!session.refreshToken) {
                await this.#set(null, 'SIGNED_OUT');
                return response;
            }
            try {
                await this.refresh();
            }
            catch {
                return response; // refused: refresh() has signed out; offline: the 401 stands
            }
        }
        const token = this.#session?.accessToken;
        if (!token || 'Bearer ' + token === sent) {
            return response;
        }
        void response.body?.cancel().catch(() => undefined);
        again.headers.set('Authorization', 'Bearer ' + token);
        const retried = await fetchImpl(again);
        if (retried.status === 401 && this.#session?.accessToken === token) {
            await this.#set(null, 'SIGNED_OUT');
        }
        return retried;
    }
    /**
     * Every login answer comes through here: tokens sign in (SIGNED_IN); a login that asks for a second factor
     * emits MFA_REQUIRED to the listeners, with the session unchanged, and is handed back for verifyMfa().
     */
    async #signIn(answer) {
        if (isMfaRequired(answer)) {
            await this.ready;
            for (const entry of this.#listeners) {
                if (entry.on) {
                    call(entry.fn, 'MFA_REQUIRED', this.#session);
                }
            }
            return answer;
        }
        await this.#set(toSession(answer), 'SIGNED_IN');
        return answer;
    }
    async #restore() {
        try {
            const raw = await this.#storage.getItem(this.#key);
            this.#session = (0, storage_js_1.parseSession)(raw);
            if (!this.#session && raw != null) {
                await this.#storage.removeItem(this.#key); // not a session: discarded
            }
        }
        catch {
            // a store that cannot be read holds no session
        }
        this.#schedule();
        return this.#session;
    }
    /** Makes `session` current and tells the storage, the listeners and (when `tell`) the other tabs. */
    async #set(session, event, tell = true) {
        await this.ready;
        const previous = this.#session;
        if (session ? event !== 'USER_UPDATED' && session.accessToken === previous?.accessToken : !previous) {
            return; // nothing new (a tab's message about a change this one already took)
        }
        this.#session = session;
        this.#previousToken = previous?.accessToken;
        this.#failures = 0;
        this.#schedule();
        if (tell) {
            try {
                await (session ? this.#storage.setItem(this.#key, JSON.stringify(session)) : this.#storage.removeItem(this.#key));
            }
            catch {
                // a full or failing store: the session lives in memory
            }
        }
        for (const entry of this.#listeners) {
            if (entry.on) {
                call(entry.fn, event, session);
            }
        }
        if (tell) {
            this.#channel?.postMessage({ event, session });
        }
    }
    /** A message from another tab. */
    async #receive(data) {
        const { event, session } = (data ?? {});
        const parsed = (0, storage_js_1.parseSession)(session);
        if (event === 'SIGNED_OUT' || (parsed && (event === 'SIGNED_IN' || event === 'TOKEN_REFRESHED' || event === 'USER_UPDATED'))) {
            await this.#set(parsed, event, false);
        }
    }
    /** Sets the timer for the next refresh: `delay` from now, or REFRESH_MARGIN_MS (at most half the lifetime) before expiry. */
    #schedule(delay) {
        clearTimeout(this.#timer);
        const s = this.#session;
        if (!this.#autoRefresh || !s?.refreshToken || s.expiresAt === undefined) {
            return;
        }
        const margin = Math.min(exports.REFRESH_MARGIN_MS, ((s.expiresIn ?? Infinity) * 1000) / 2);
        const wait = delay ?? s.expiresAt - margin - Date.now();
        this.#timer = setTimeout(() => {
            this.refresh().catch((err) => {
                // Refused: signed out. A 429 is not retried by itself. Offline or a 5xx: again, backing off.
                if (this.#session && !(err instanceof errors_js_1.PhoneauthError && err.status === 429)) {
                    const after = err instanceof errors_js_1.PhoneauthError ? (err.retryAfter ?? 0) * 1000 : 0;
                    this.#schedule(Math.max(after, Math.min(exports.REFRESH_MARGIN_MS, 1000 * 2 ** ++this.#failures)));
                }
            });
        }, Math.min(Math.max(wait, 0), 2 ** 31 - 1));
        this.#timer.unref?.(); // Node: a pending refresh keeps no process alive
    }
}
exports.Phoneauth = Phoneauth;
/** Whether a login's answer asks for a second factor (verifyMfa) instead of carrying tokens. */
function isMfaRequired(answer) {
    return typeof answer === 'object' && answer !== null && answer.mfa_required === true;
}
// WebAuthn's JSON forms: binary members are base64url. The browser's own parse…FromJSON() and toJSON() are
// used where it has them; the fallbacks below do the same for the members phoneauth's options carry.
function fromBase64url(s) {
    const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) {
        out[i] = bin.charCodeAt(i);
    }
    return out.buffer;
}
function toBase64url(buf) {
    if (!buf) {
        return undefined;
    }
    const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    let bin = '';
    for (const b of bytes) {
        bin += String.fromCharCode(b);
    }
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
const withIds = (list) => Array.isArray(list) ? list.map((d) => ({ ...d, id: fromBase64url(d.id) })) : undefined;
/** PublicKeyCredentialCreationOptionsJSON to what navigator.credentials.create() takes. */
function creationOptions(json) {
    const pkc = PublicKeyCredential;
    if (typeof pkc.parseCreationOptionsFromJSON === 'function') {
        return pkc.parseCreationOptionsFromJSON(json);
    }
    const user = json['user'];
    return {
        ...json,
        challenge: fromBase64url(json['challenge']),
        user: { ...user, id: fromBase64url(user.id) },
        ...(json['excludeCredentials'] ? { excludeCredentials: withIds(json['excludeCredentials']) } : {}),
    };
}
/** PublicKeyCredentialRequestOptionsJSON to what navigator.credentials.get() takes. */
function requestOptions(json) {
    const pkc = PublicKeyCredential;
    if (typeof pkc.parseRequestOptionsFromJSON === 'function') {
        return pkc.parseRequestOptionsFromJSON(json);
    }
    return {
        ...json,
        challenge: fromBase64url(json['challenge']),
        ...(json['allowCredentials'] ? { allowCredentials: withIds(json['allowCredentials']) } : {}),
    };
}
/** A PublicKeyCredential as the server takes it: its toJSON(), or the same built by hand. */
function credentialJSON(cred) {
    const own = cred.toJSON;
    if (own) {
        return own.call(cred);
    }
    const r = cred.response;
    const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    for (const k of ['attestationObject', 'authenticatorData', 'signature', 'userHandle']) {
        if (r[k]) {
            response[k] = toBase64url(r[k]);
        }
    }
    if (r.getTransports) {
        response['transports'] = r.getTransports();
    }
    return {
        id: cred.id,
        rawId: toBase64url(cred.rawId),
        type: 'public-key',
        authenticatorAttachment: cred.authenticatorAttachment,
        clientExtensionResults: cred.getClientExtensionResults(),
        response,
    };
}
function call(listener, event, session) {
    try {
        listener(event, session);
    }
    catch (err) {
        queueMicrotask(() => {
            throw err;
        });
    }
}
function toSession(token) {
    const { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn } = token;
    const expiresAt = expiresIn === undefined ? undefined : Date.now() + expiresIn * 1000;
    return (0, storage_js_1.parseSession)({ accessToken, refreshToken, expiresAt, expiresIn }) ?? { accessToken };
}
/** Returns the answer's data, or throws a PhoneauthError: an error answer, or PhoneauthNetworkError without one. */
async function unwrap(pending) {
    const { data, error, response } = await pending;
    if (error === undefined) {
        return data;
    }
    throw response && !response.ok ? (0, errors_js_1.toPhoneauthError)(error, response) : new errors_js_1.PhoneauthNetworkError(error);
}
function proofBody(proof) {
    return {
        ...(proof.password !== undefined ? { password: proof.password } : {}),
        ...(proof.otpCode !== undefined ? { otp_code: proof.otpCode } : {}),
    };
}
/** Whether a 401 asks for a fresh proof of the user (RFC 9470), not for a new token. */
function reauthRequired(response) {
    return /insufficient_user_authentication/.test(response.headers.get('WWW-Authenticate') ?? '');
}
function captchaBody(options) {
    return options.captchaToken !== undefined ? { captcha_token: options.captchaToken } : {};
}
//# sourceMappingURL=phoneauth.js.map