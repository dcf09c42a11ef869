// @phoneauth/client: the SDK generated from openapi.yaml (src/gen/, by make client) plus a thin helper
// for the common flows. The helper keeps the session's tokens and turns FastAPI's error bodies into
// typed errors; everything else is the generated code, re-exported for the endpoints it does not wrap.
import { type Client, createClient } from './gen/client/index.js';
import * as sdk from './gen/sdk.gen.js';
import type {
  LogoutRequest,
  MessageResponse,
  OtpResponse,
  OtpTokenResponse,
  Token,
  UserResponse,
  ValidationError,
} from './gen/types.gen.js';

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
export class PhoneauthError extends Error {
  override readonly name: string = 'PhoneauthError';
  /** Seconds to wait before retrying, from `Retry-After` (429 and 503 answers). */
  readonly retryAfter: number | undefined;
  /** The `X-Request-ID` of the failed request, to quote to support. */
  readonly requestId: string | undefined;

  constructor(
    readonly status: number,
    readonly detail: string,
    response?: Response,
  ) {
    super(`${status}: ${detail}`);
    const retryAfter = Number.parseInt(response?.headers.get('Retry-After') ?? '', 10);
    this.retryAfter = Number.isNaN(retryAfter) ? undefined : retryAfter;
    this.requestId = response?.headers.get('X-Request-ID') ?? undefined;
  }
}

/** A 422: every invalid field of the request, as FastAPI lists them (`loc` is e.g. `["body", "phone"]`). */
export class PhoneauthValidationError extends PhoneauthError {
  override readonly name: string = 'PhoneauthValidationError';

  constructor(
    readonly fields: ValidationError[],
    response?: Response,
  ) {
    super(422, fields.map((f) => `${f.loc.join('.')}: ${f.msg}`).join('; '), response);
  }
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
export class Phoneauth {
  /** The generated fetch client, authenticated with this session's access token. */
  readonly client: Client;
  #session: Session | null;
  #onSessionChange: ((session: Session | null) => void) | undefined;
  #refreshing: Promise<Session> | undefined;

  constructor(options: PhoneauthOptions = {}) {
    this.#session = options.session ?? null;
    this.#onSessionChange = options.onSessionChange;
    this.client = createClient({
      baseUrl: options.baseUrl ?? '',
      ...(options.fetch ? { fetch: options.fetch } : {}),
      auth: () => this.#session?.accessToken,
    });
  }

  /** The current tokens, or null when logged out. */
  get session(): Session | null {
    return this.#session;
  }

  /** Texts a sign-up code to `phone` (a number that already has an account gets a notice instead). */
  sendSignupCode(phone: string): Promise<OtpResponse> {
    return unwrap(sdk.sendSignupOtp({ client: this.client, body: { phone_number: phone } }));
  }

  /** Creates the account with the code from sendSignupCode and logs in. */
  async signupWithCode(input: SignupWithCode): Promise<OtpTokenResponse> {
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

  async loginWithPassword(phone: string, password: string): Promise<Token> {
    return this.#start(await unwrap(sdk.loginForAccessToken({ client: this.client, body: { phone, password } })));
  }

  /** Texts a login code; the answer is the same whether or not `phone` has an account. */
  sendLoginCode(phone: string): Promise<OtpResponse> {
    return unwrap(sdk.sendLoginOtp({ client: this.client, body: { phone_number: phone } }));
  }

  async loginWithCode(phone: string, code: string): Promise<OtpTokenResponse> {
    return this.#start(await unwrap(sdk.verifyLoginOtp({ client: this.client, body: { phone_number: phone, otp_code: code } })));
  }

  /**
   * Exchanges the refresh token for new tokens. Concurrent calls share one request, since each refresh
   * token works once. When the server refuses the token (401), the session is over and is cleared.
   */
  refresh(): Promise<Session> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<Session> {
    const refreshToken = this.#session?.refreshToken;
    if (!refreshToken) {
      throw new Error('phoneauth: no refresh token; log in first');
    }
    try {
      const token = await unwrap(sdk.refreshAccessToken({ client: this.client, body: { refresh_token: refreshToken } }));
      this.#start(token);
      return this.#session as Session;
    } catch (err) {
      if (err instanceof PhoneauthError && err.status === 401) {
        this.#setSession(null);
      }
      throw err;
    }
  }

  /** The logged-in user. */
  me(): Promise<UserResponse> {
    return unwrap(sdk.readUsersMe({ client: this.client }));
  }

  changePassword(currentPassword: string, newPassword: string): Promise<MessageResponse> {
    return unwrap(
      sdk.changePassword({ client: this.client, body: { current_password: currentPassword, new_password: newPassword } }),
    );
  }

  /**
   * Ends this session on the server (`others`: every other session of the user; `global`: all of them)
   * and forgets its tokens, unless only other sessions were ended. A 401 means the session had already
   * ended, which is what logging out wants.
   */
  async logout(scope: NonNullable<LogoutRequest['scope']> = 'local'): Promise<void> {
    try {
      await unwrap(sdk.logout({ client: this.client, body: { scope } }));
    } catch (err) {
      if (!(err instanceof PhoneauthError && err.status === 401)) {
        throw err;
      }
    }
    if (scope !== 'others') {
      this.#setSession(null);
    }
  }

  #start<T extends Token>(token: T): T {
    this.#setSession({
      accessToken: token.access_token,
      ...(token.refresh_token !== undefined ? { refreshToken: token.refresh_token } : {}),
      ...(token.expires_in !== undefined ? { expiresAt: Date.now() + token.expires_in * 1000 } : {}),
    });
    return token;
  }

  #setSession(session: Session | null): void {
    this.#session = session;
    this.#onSessionChange?.(session);
  }
}

/** What the generated functions resolve to when they do not throw: data, or an error with the response. */
type Result = { data?: unknown; error?: unknown; response?: Response };
/** The data of a successful Result. */
type Data<R> = R extends { data: infer D; error: undefined } ? D : never;

/** Returns the answer's data, or throws the error as a PhoneauthError. */
async function unwrap<R extends Result>(pending: Promise<R>): Promise<Data<R>> {
  const result = await pending;
  if (result.error === undefined) {
    return result.data as Data<R>;
  }
  const response = result.response;
  if (!response || response.ok) {
    throw result.error; // no answer from phoneauth (network, abort) or an unreadable one: not an API error
  }
  throw toPhoneauthError(result.error, response);
}

/** Maps FastAPI's error bodies; anything else (a proxy's HTML page, say) keeps its status and text. */
export function toPhoneauthError(body: unknown, response: Response): PhoneauthError {
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

function isValidationItem(item: unknown): item is ValidationError {
  if (typeof item !== 'object' || item === null) {
    return false;
  }
  const { loc, msg, type } = item as Record<string, unknown>;
  return (
    Array.isArray(loc) &&
    loc.every((part) => typeof part === 'string' || typeof part === 'number') &&
    typeof msg === 'string' &&
    typeof type === 'string'
  );
}
