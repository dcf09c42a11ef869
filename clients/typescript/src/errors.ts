// The errors every helper throws: one base class, PhoneauthError, so `err instanceof PhoneauthError` catches
// them all, and a subclass for each case an app handles differently.
import type { ValidationError } from './gen/types.gen.js';

/**
 * A failed call. `status` is the HTTP status of phoneauth's answer (0 when no answer came: see
 * PhoneauthNetworkError) and `detail` FastAPI's `detail` text.
 */
export class PhoneauthError extends Error {
  override readonly name: string = 'PhoneauthError';
  /** Seconds to wait before trying again, from `Retry-After` (429 and 503 answers). Nothing retries by itself. */
  readonly retryAfter: number | undefined;
  /** The `X-Request-ID` of the failed request, to quote to support. */
  readonly requestId: string | undefined;
  /** A 401 for a sensitive request without a fresh proof: ask for the password or a code, keep the session. */
  readonly reauthRequired: boolean;

  constructor(
    readonly status: number,
    readonly detail: string,
    response?: Response,
    options?: ErrorOptions,
  ) {
    super(`${status}: ${detail}`, options);
    this.retryAfter = parseRetryAfter(response?.headers.get('Retry-After'));
    this.requestId = response?.headers.get('X-Request-ID') ?? undefined;
    this.reauthRequired = /insufficient_user_authentication/.test(response?.headers.get('WWW-Authenticate') ?? '');
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

/** A 429: a rate limit was hit. Wait `retryAfter` seconds (when the server said) before trying again. */
export class PhoneauthRateLimitError extends PhoneauthError {
  override readonly name: string = 'PhoneauthRateLimitError';
}

/** No answer from phoneauth, or one that could not be read (offline, DNS, CORS, an aborted fetch): status 0, the cause attached. */
/**
 * The server wants a CAPTCHA before it sends a code: show the widget, then call the helper again with its
 * token (`{ captchaToken }`). Nothing was spent.
 */
export class PhoneauthCaptchaRequiredError extends PhoneauthError {}

export class PhoneauthNetworkError extends PhoneauthError {
  override readonly name: string = 'PhoneauthNetworkError';

  constructor(cause: unknown) {
    super(0, cause instanceof Error ? cause.message : String(cause), undefined, { cause });
  }
}

/** The call needs a session and there is none (or it has no refresh token): a 401 decided without asking the server. */
export class PhoneauthSessionMissingError extends PhoneauthError {
  override readonly name: string = 'PhoneauthSessionMissingError';

  constructor() {
    super(401, 'Not authenticated');
  }
}

/** `Retry-After` in seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) {
    return undefined;
  }
  const seconds = /^\s*\d+\s*$/.test(value) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, Math.ceil(seconds)) : undefined;
}

/** Maps FastAPI's error bodies; anything else (a proxy's HTML page, say) keeps its status and text. */
export function toPhoneauthError(body: unknown, response: Response): PhoneauthError {
  const detail = typeof body === 'object' && body !== null && 'detail' in body ? body.detail : undefined;
  if (response.status === 422 && Array.isArray(detail) && detail.every(isValidationItem)) {
    return new PhoneauthValidationError(detail, response);
  }
  const text =
    typeof detail === 'string' ? detail : typeof body === 'string' && body !== '' ? body : response.statusText;
  if (response.status === 400 && text === 'captcha required') {
    return new PhoneauthCaptchaRequiredError(response.status, text, response);
  }
  return new (response.status === 429 ? PhoneauthRateLimitError : PhoneauthError)(response.status, text, response);
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
