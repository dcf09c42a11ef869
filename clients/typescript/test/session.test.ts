// Unit tests of Phoneauth's session handling against a fake API (a fetch function): storage adapters,
// the refresh on a 401, sign-out, single-flight refreshes, the timer, events, typed errors and tabs.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  type AuthChangeEvent,
  metrics,
  Phoneauth,
  PhoneauthCaptchaRequiredError,
  PhoneauthError,
  type PhoneauthOptions,
  PhoneauthNetworkError,
  PhoneauthRateLimitError,
  PhoneauthSessionMissingError,
  PhoneauthValidationError,
  type Session,
  type StorageAdapter,
} from '@phoneauth/client';

const baseUrl = 'http://api.test';

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': 'req-' + status, ...headers },
  });
}

const unauthorized = () => json(401, { detail: 'Could not validate credentials' }, { 'www-authenticate': 'Bearer' });

interface Call {
  method: string;
  path: string;
  auth: string | null;
}

type Handler = (request: Request) => Response | Promise<Response>;

/** A fake phoneauth: numbered tokens, single-use refresh tokens, and routes a test can replace. */
class FakeApi {
  readonly calls: Call[] = [];
  readonly access = new Set<string>();
  readonly refresh = new Set<string>();
  readonly routes = new Map<string, Handler>();
  expiresIn = 900;
  #n = 0;

  constructor() {
    const tokens = () => {
      const n = ++this.#n;
      this.access.add('a' + n);
      this.refresh.add('r' + n);
      return { access_token: 'a' + n, token_type: 'bearer', expires_in: this.expiresIn, refresh_token: 'r' + n };
    };
    const authed = (handler: Handler): Handler => (req) => {
      const token = req.headers.get('authorization')?.replace(/^Bearer /, '');
      return token && this.access.has(token) ? handler(req) : unauthorized();
    };
    this.route('POST /api/v1/auth/login', () => json(200, tokens()));
    this.route('POST /api/v1/auth/refresh', async (req) => {
      const { refresh_token: token } = (await req.json()) as { refresh_token: string };
      if (!this.refresh.delete(token)) {
        return unauthorized();
      }
      return json(200, tokens());
    });
    this.route('GET /api/v1/auth/me', authed(() => json(200, { id: 'u1', phone: '+14155550100' })));
    this.route('POST /api/v1/auth/change-password', authed(() => json(200, { message: 'Password changed' })));
    this.route('POST /api/v1/auth/logout', authed(() => json(204, null)));
  }

  route(key: string, handler: Handler): void {
    this.routes.set(key, handler);
  }

  /** The access token stops working (as when it expires). */
  expire(token: string | undefined): void {
    assert.ok(token);
    this.access.delete(token);
  }

  /** Every token stops working (as after logout with scope global elsewhere). */
  endAll(): void {
    this.access.clear();
    this.refresh.clear();
  }

  count(method: string, path: string): number {
    return this.calls.filter((c) => c.method === method && c.path === path).length;
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = input instanceof Request ? input : new Request(input, init);
    const path = new URL(req.url).pathname;
    this.calls.push({ method: req.method, path, auth: req.headers.get('authorization') });
    const handler = this.routes.get(`${req.method} ${path}`);
    return handler ? handler(req) : json(404, { detail: 'Not Found' });
  };

  client(options: PhoneauthOptions = {}): Phoneauth {
    const auth = new Phoneauth({ baseUrl, fetch: this.fetch, ...options });
    opened.push(auth);
    return auth;
  }
}

const opened: Phoneauth[] = [];
afterEach(() => {
  for (const auth of opened.splice(0)) {
    auth.close();
  }
});

/** A storage adapter over a Map, async like AsyncStorage, that logs what it was asked. */
function asyncStorage(items = new Map<string, string>()): StorageAdapter & { log: string[]; items: Map<string, string> } {
  const log: string[] = [];
  return {
    log,
    items,
    getItem: async (key) => (log.push('get ' + key), items.get(key) ?? null),
    setItem: async (key, value) => void (log.push('set ' + key), items.set(key, value)),
    removeItem: async (key) => void (log.push('remove ' + key), items.delete(key)),
  };
}

function record(auth: Phoneauth): { event: AuthChangeEvent; session: Session | null }[] {
  const events: { event: AuthChangeEvent; session: Session | null }[] = [];
  auth.onAuthStateChange((event, session) => events.push({ event, session }));
  return events;
}

const names = (events: { event: AuthChangeEvent }[]) => events.map((e) => e.event);
const paths = (calls: Call[]) => calls.map((c) => `${c.method} ${c.path} ${c.auth ?? '-'}`);

/** Resolves with the next `event` of auth, or fails after timeoutMs. */
function next(auth: Phoneauth, event: AuthChangeEvent, timeoutMs = 5_000): Promise<Session | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    const off = auth.onAuthStateChange((e, session) => {
      if (e === event) {
        clearTimeout(timer);
        off();
        resolve(session);
      }
    });
  });
}

async function rejects<E extends Error>(pending: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const err = await pending.then(
    () => assert.fail(`succeeded, want a ${type.name}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof type, `got ${String(err)}, want a ${type.name}`);
  return err;
}

describe('storage', () => {
  test('memory (the default) is one per instance', async () => {
    const api = new FakeApi();
    const a = api.client();
    await a.loginWithPassword('+14155550100', 'pw');
    assert.equal(a.session?.accessToken, 'a1');
    const b = api.client();
    assert.equal(await b.ready, null);
  });

  test('an async adapter stores the session, restores it at construction, removes it at sign-out', async () => {
    const api = new FakeApi();
    const storage = asyncStorage();
    const a = api.client({ storage, storageKey: 'k' });
    await a.loginWithPassword('+14155550100', 'pw');
    const stored = JSON.parse(storage.items.get('k') ?? 'null') as Session;
    assert.deepEqual(stored, a.session);
    assert.equal(stored.refreshToken, 'r1');
    assert.equal(stored.expiresIn, 900);

    const b = api.client({ storage, storageKey: 'k' });
    const events = record(b);
    assert.equal(b.session, null, 'nothing before ready');
    assert.deepEqual(await b.ready, stored);
    assert.deepEqual(b.session, stored);
    await sleep(0);
    assert.deepEqual(events, [{ event: 'INITIAL_SESSION', session: stored }]);
    assert.equal((await b.me()).id, 'u1');

    await b.logout();
    assert.equal(storage.items.has('k'), false);
    assert.deepEqual(storage.log.slice(-1), ['remove k']);
  });

  for (const corrupt of ['{not json', '"a string"', '[]', 'null', '{"accessToken":5}', '{"accessToken":""}', '{"accessToken":"a","expiresAt":"soon"}', '{"accessToken":"a","refreshToken":7}']) {
    test(`a stored ${corrupt} is discarded, never thrown`, async () => {
      const storage = asyncStorage(new Map([['phoneauth.session', corrupt]]));
      const auth = new FakeApi().client({ storage });
      const events = record(auth);
      assert.equal(await auth.ready, null);
      assert.equal(auth.session, null);
      assert.equal(storage.items.has('phoneauth.session'), false, 'removed from the store');
      await sleep(0);
      assert.deepEqual(events, [{ event: 'INITIAL_SESSION', session: null }]);
    });
  }

  test('a store that throws counts as empty and does not break a login', async () => {
    const storage: StorageAdapter = {
      getItem: () => Promise.reject(new Error('locked keychain')),
      setItem: () => {
        throw new Error('quota exceeded');
      },
      removeItem: () => Promise.reject(new Error('locked keychain')),
    };
    const auth = new FakeApi().client({ storage });
    assert.equal(await auth.ready, null);
    await auth.loginWithPassword('+14155550100', 'pw');
    assert.equal(auth.session?.accessToken, 'a1', 'the session lives in memory');
    await auth.logout();
    assert.equal(auth.session, null);
  });

  test("'localStorage' and 'sessionStorage' use the Web Storage, and memory where there is none", async (t) => {
    for (const name of ['localStorage', 'sessionStorage'] as const) {
      const api = new FakeApi();
      const items = new Map<string, string>();
      const web = { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k) };
      const previous = Object.getOwnPropertyDescriptor(globalThis, name);
      Object.defineProperty(globalThis, name, { value: web, configurable: true, writable: true });
      t.after(() => {
        if (previous) {
          Object.defineProperty(globalThis, name, previous);
        } else {
          delete (globalThis as Record<string, unknown>)[name];
        }
      });
      await api.client({ storage: name }).loginWithPassword('+14155550100', 'pw');
      assert.equal((JSON.parse(items.get('phoneauth.session') ?? '{}') as Session).accessToken, 'a1', name);
      assert.equal((await api.client({ storage: name }).ready)?.accessToken, 'a1', `${name} restores`);

      // A Web Storage that cannot be reached (blocked, or not in this runtime) is memory.
      Object.defineProperty(globalThis, name, {
        get() {
          throw new Error('SecurityError');
        },
        configurable: true,
      });
      const fallback = api.client({ storage: name });
      assert.equal(await fallback.ready, null);
      await fallback.loginWithPassword('+14155550100', 'pw');
      assert.equal(fallback.session?.accessToken, 'a2');
    }
  });
});

describe('refresh and sign-out', () => {
  test('a 401 refreshes once and retries with the new token', async () => {
    const api = new FakeApi();
    const auth = api.client();
    const events = record(auth);
    await auth.loginWithPassword('+14155550100', 'pw');
    api.expire(auth.session?.accessToken);
    api.calls.length = 0;

    assert.equal((await auth.me()).id, 'u1');
    assert.deepEqual(paths(api.calls), [
      'GET /api/v1/auth/me Bearer a1',
      'POST /api/v1/auth/refresh -',
      'GET /api/v1/auth/me Bearer a2',
    ]);
    assert.equal(auth.session?.accessToken, 'a2');
    assert.equal(auth.session?.refreshToken, 'r2');
    assert.deepEqual(names(events), ['INITIAL_SESSION', 'SIGNED_IN', 'TOKEN_REFRESHED']);
  });

  test('a 401 after the refresh signs out', async () => {
    const api = new FakeApi();
    const storage = asyncStorage();
    const auth = api.client({ storage });
    const events = record(auth);
    await auth.loginWithPassword('+14155550100', 'pw');
    api.route('GET /api/v1/auth/me', unauthorized);
    api.calls.length = 0;

    const err = await rejects(auth.me(), PhoneauthError);
    assert.equal(err.status, 401);
    assert.deepEqual(paths(api.calls), [
      'GET /api/v1/auth/me Bearer a1',
      'POST /api/v1/auth/refresh -',
      'GET /api/v1/auth/me Bearer a2',
    ]);
    assert.equal(auth.session, null);
    assert.equal(storage.items.size, 0);
    assert.deepEqual(names(events), ['INITIAL_SESSION', 'SIGNED_IN', 'TOKEN_REFRESHED', 'SIGNED_OUT']);
  });

  test('a refused refresh signs out', async () => {
    const api = new FakeApi();
    const auth = api.client();
    const events = record(auth);
    await auth.loginWithPassword('+14155550100', 'pw');
    api.endAll(); // e.g. logout with scope global from another device
    api.calls.length = 0;

    const err = await rejects(auth.me(), PhoneauthError);
    assert.equal(err.status, 401);
    assert.deepEqual(paths(api.calls), ['GET /api/v1/auth/me Bearer a1', 'POST /api/v1/auth/refresh -']);
    assert.equal(auth.session, null);
    assert.deepEqual(names(events), ['INITIAL_SESSION', 'SIGNED_IN', 'SIGNED_OUT']);

    // Signed out: nothing left to refresh, and me() asks without a token.
    await rejects(auth.refresh(), PhoneauthSessionMissingError);
    await rejects(auth.me(), PhoneauthError);
    assert.equal(api.calls.at(-1)?.auth, null);
    assert.equal(names(events).filter((e) => e === 'SIGNED_OUT').length, 1, 'one SIGNED_OUT');
  });

  test('refresh() refused: the error is thrown and the session is over', async () => {
    const api = new FakeApi();
    const auth = api.client();
    await auth.loginWithPassword('+14155550100', 'pw');
    api.endAll();
    const err = await rejects(auth.refresh(), PhoneauthError);
    assert.equal(err.status, 401);
    assert.equal(auth.session, null);
  });

  test('a 401 on a session without a refresh token signs out at once', async () => {
    const api = new FakeApi();
    const auth = api.client();
    const events = record(auth);
    await auth.setSession({ accessToken: 'stale' });
    await rejects(auth.me(), PhoneauthError);
    assert.deepEqual(paths(api.calls), ['GET /api/v1/auth/me Bearer stale']);
    assert.deepEqual(names(events), ['INITIAL_SESSION', 'SIGNED_IN', 'SIGNED_OUT']);
  });

  test("a token the caller passed, or another scheme's, is neither replaced nor refreshed", async () => {
    const api = new FakeApi();
    const auth = api.client();
    const events = record(auth);
    await auth.loginWithPassword('+14155550100', 'pw');
    api.route('GET /metrics', unauthorized);
    api.calls.length = 0;
    // /metrics takes the operator's token (MetricsToken), never the user's.
    await metrics({ client: auth.client });
    await metrics({ client: auth.client, auth: 'operator-token' });
    assert.deepEqual(paths(api.calls), ['GET /metrics -', 'GET /metrics Bearer operator-token']);
    assert.equal(auth.session?.accessToken, 'a1');
    assert.deepEqual(names(events), ['INITIAL_SESSION', 'SIGNED_IN']);
  });

  test('a refresh that gets no answer keeps the session', async () => {
    const api = new FakeApi();
    const auth = api.client();
    const events = record(auth);
    await auth.loginWithPassword('+14155550100', 'pw');
    api.route('POST /api/v1/auth/refresh', () => Promise.reject(new TypeError('fetch failed')));
    const err = await rejects(auth.refresh(), PhoneauthNetworkError);
    assert.equal(err.status, 0);
    assert.ok(err.cause instanceof TypeError);
    assert.equal(auth.session?.accessToken, 'a1');
    assert.deepEqual(names(events), ['INITIAL_SESSION', 'SIGNED_IN']);
  });

  test('concurrent calls in one instance share one refresh', async () => {
    const api = new FakeApi();
    const auth = api.client();
    await auth.loginWithPassword('+14155550100', 'pw');
    api.expire(auth.session?.accessToken);
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const refresh = api.routes.get('POST /api/v1/auth/refresh');
    assert.ok(refresh);
    api.route('POST /api/v1/auth/refresh', async (req) => {
      await gate;
      return refresh(req);
    });

    const calls = Promise.all([auth.me(), auth.me(), auth.me(), auth.refresh(), auth.refresh()]);
    await sleep(20);
    release();
    const [m1, m2, m3, s1, s2] = await calls;
    assert.deepEqual([m1.id, m2.id, m3.id], ['u1', 'u1', 'u1']);
    assert.equal(s1, s2, 'refresh() calls share one promise');
    assert.equal(api.count('POST', '/api/v1/auth/refresh'), 1, 'one refresh request');
    assert.equal(auth.session?.accessToken, 'a2');
  });

  test('a call on an expired session refreshes first', async () => {
    const api = new FakeApi();
    const auth = api.client({ autoRefresh: false });
    await auth.loginWithPassword('+14155550100', 'pw');
    const session = auth.session;
    assert.ok(session);
    await auth.setSession({ ...session, accessToken: 'old', expiresAt: Date.now() - 1000 });
    api.calls.length = 0;
    await auth.me();
    assert.deepEqual(paths(api.calls), ['POST /api/v1/auth/refresh -', 'GET /api/v1/auth/me Bearer a2']);
  });

  test('autoRefresh refreshes ahead of expiry; off, it does not', async () => {
    const api = new FakeApi();
    api.expiresIn = 1; // refreshed half-way: after 0.5 s
    const auth = api.client();
    await auth.loginWithPassword('+14155550100', 'pw');
    const refreshed = await next(auth, 'TOKEN_REFRESHED', 3_000);
    assert.equal(refreshed?.accessToken, 'a2');
    auth.close();

    const quiet = api.client({ autoRefresh: false });
    await quiet.loginWithPassword('+14155550100', 'pw');
    const before = api.count('POST', '/api/v1/auth/refresh');
    await sleep(1200);
    assert.equal(api.count('POST', '/api/v1/auth/refresh'), before);

    // startAutoRefresh: the expired session is refreshed at once.
    const resumed = next(quiet, 'TOKEN_REFRESHED', 3_000);
    quiet.startAutoRefresh();
    await resumed;
  });

  test('the timer does not retry a 429', async () => {
    const api = new FakeApi();
    api.expiresIn = 1;
    api.route('POST /api/v1/auth/refresh', () => json(429, { detail: 'Too many requests' }, { 'retry-after': '0' }));
    const auth = api.client();
    await auth.loginWithPassword('+14155550100', 'pw');
    await sleep(1500);
    assert.equal(api.count('POST', '/api/v1/auth/refresh'), 1);
    assert.ok(auth.session, 'a 429 is no sign-out');
  });
});

describe('events', () => {
  test('come in order: INITIAL_SESSION, SIGNED_IN, TOKEN_REFRESHED, USER_UPDATED, SIGNED_OUT', async () => {
    const api = new FakeApi();
    const auth = api.client();
    const events = record(auth);
    await auth.loginWithPassword('+14155550100', 'pw');
    await auth.refresh();
    await auth.changePassword('pw', 'new password');
    await auth.logout();
    assert.deepEqual(names(events), ['INITIAL_SESSION', 'SIGNED_IN', 'TOKEN_REFRESHED', 'USER_UPDATED', 'SIGNED_OUT']);
    assert.equal(events[1]?.session?.accessToken, 'a1');
    assert.equal(events[2]?.session?.accessToken, 'a2');
    assert.equal(events[3]?.session?.accessToken, 'a2');
    assert.equal(events[4]?.session, null);
  });

  test('a late listener gets INITIAL_SESSION with the current session first; unsubscribing stops them', async () => {
    const api = new FakeApi();
    const auth = api.client();
    await auth.loginWithPassword('+14155550100', 'pw');
    const late: AuthChangeEvent[] = [];
    const off = auth.onAuthStateChange((event, session) => {
      late.push(event);
      assert.equal(session?.accessToken, auth.session?.accessToken);
    });
    await sleep(0);
    assert.deepEqual(late, ['INITIAL_SESSION']);
    await auth.refresh();
    off();
    await auth.logout();
    assert.deepEqual(late, ['INITIAL_SESSION', 'TOKEN_REFRESHED']);
  });

  test('logout("others") keeps the session and emits nothing', async () => {
    const api = new FakeApi();
    const auth = api.client();
    const events = record(auth);
    await auth.loginWithPassword('+14155550100', 'pw');
    await auth.logout('others');
    assert.ok(auth.session);
    assert.deepEqual(names(events), ['INITIAL_SESSION', 'SIGNED_IN']);
  });
});

describe('typed errors', () => {
  test('a 429 is a PhoneauthRateLimitError with retryAfter, and nothing retries it', async () => {
    const api = new FakeApi();
    api.route('POST /api/v1/auth/login/send-otp', () => json(429, { detail: 'Please wait before requesting another code' }, { 'retry-after': '30' }));
    const err = await rejects(api.client().sendLoginCode('+14155550100'), PhoneauthRateLimitError);
    assert.ok(err instanceof PhoneauthError);
    assert.equal(err.name, 'PhoneauthRateLimitError');
    assert.equal(err.status, 429);
    assert.equal(err.retryAfter, 30);
    assert.equal(err.detail, 'Please wait before requesting another code');
    assert.equal(err.requestId, 'req-429');
    assert.equal(api.calls.length, 1, 'one request');
  });

  test('Retry-After as an HTTP date, on a 503', async () => {
    const api = new FakeApi();
    const when = new Date(Date.now() + 120_000).toUTCString();
    api.route('POST /api/v1/auth/login', () => json(503, { detail: 'Service temporarily unavailable' }, { 'retry-after': when }));
    const err = await rejects(api.client().loginWithPassword('+14155550100', 'pw'), PhoneauthError);
    assert.ok(!(err instanceof PhoneauthRateLimitError));
    assert.equal(err.status, 503);
    assert.ok(err.retryAfter !== undefined && err.retryAfter >= 118 && err.retryAfter <= 120, `retryAfter ${err.retryAfter}`);
    assert.equal(api.calls.length, 1);
  });

  test('a 422 is a PhoneauthValidationError with the fields', async () => {
    const api = new FakeApi();
    api.route('POST /api/v1/auth/signup/send-otp', () =>
      json(422, { detail: [{ loc: ['body', 'phone_number'], msg: 'value is not a valid phone number', type: 'value_error' }] }),
    );
    const err = await rejects(api.client().sendSignupCode('nope'), PhoneauthValidationError);
    assert.deepEqual(err.fields.map((f) => f.loc.join('.')), ['body.phone_number']);
    assert.equal(err.retryAfter, undefined);
  });

  test('an answer that is not FastAPI JSON keeps its status and text', async () => {
    const api = new FakeApi();
    api.route('GET /api/v1/auth/me', () => new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    const auth = api.client();
    await auth.loginWithPassword('+14155550100', 'pw');
    const err = await rejects(auth.me(), PhoneauthError);
    assert.equal(err.status, 502);
    assert.equal(err.detail, '<html>Bad Gateway</html>');
    assert.ok(auth.session, 'a 502 is no sign-out');
  });

  test('"captcha required" is a PhoneauthCaptchaRequiredError, and captchaToken goes in the body', async () => {
    const bodies: unknown[] = [];
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      const body = (await req.json()) as { captcha_token?: string };
      bodies.push(body);
      return body.captcha_token
        ? Response.json({ status: 'success', message: 'sent', reference_id: 'otp_x' })
        : Response.json({ detail: 'captcha required' }, { status: 400 });
    };
    const auth = new Phoneauth({ baseUrl, fetch });
    opened.push(auth);
    const err = await rejects(auth.sendLoginCode('+14155550100'), PhoneauthCaptchaRequiredError);
    assert.equal(err.status, 400);
    const sent = await auth.sendLoginCode('+14155550100', { captchaToken: 'widget-token' });
    assert.equal(sent.reference_id, 'otp_x');
    assert.deepEqual(bodies, [{ phone_number: '+14155550100' }, { phone_number: '+14155550100', captcha_token: 'widget-token' }]);
  });

  test('a 401 asking for a fresh proof neither refreshes nor signs out', async () => {
    let refreshes = 0;
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      if (req.url.endsWith('/refresh')) {
        refreshes++;
      }
      return Response.json({ detail: 'A fresh proof is required' }, {
        status: 401, headers: { 'WWW-Authenticate': 'Bearer error="insufficient_user_authentication"' } });
    };
    const auth = new Phoneauth({ baseUrl, fetch });
    opened.push(auth);
    await auth.setSession({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000 } as Session);
    const err = await rejects(auth.deleteAccount(), PhoneauthError);
    assert.equal(err.reauthRequired, true);
    assert.equal(refreshes, 0);
    assert.ok(auth.session, 'the session is kept');
  });

  test('no answer is a PhoneauthNetworkError', async () => {
    const auth = new Phoneauth({ baseUrl, fetch: () => Promise.reject(new TypeError('fetch failed')) });
    opened.push(auth);
    const err = await rejects(auth.sendLoginCode('+14155550100'), PhoneauthNetworkError);
    assert.ok(err instanceof PhoneauthError);
    assert.equal(err.status, 0);
    assert.equal(err.detail, 'fetch failed');
    assert.ok(err.cause instanceof TypeError);
  });
});

describe('tabs', () => {
  /** A Web Lock manager for one process: requests for a name run one after the other. */
  function installLocks(t: { after(fn: () => void): void }): { held: string[] } {
    const tails = new Map<string, Promise<unknown>>();
    const held: string[] = [];
    const locks = {
      request<T>(name: string, callback: () => Promise<T>): Promise<T> {
        const run = (tails.get(name) ?? Promise.resolve()).then(() => (held.push(name), callback()));
        tails.set(name, run.catch(() => undefined));
        return run;
      },
    };
    const previous = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true, writable: true });
    t.after(() => {
      if (previous) {
        Object.defineProperty(globalThis, 'navigator', previous);
      } else {
        delete (globalThis as Record<string, unknown>)['navigator'];
      }
    });
    return { held };
  }

  test('two tabs: one signs in, both have it; both refresh, one request; one signs out, both are out', async (t) => {
    const { held } = installLocks(t);
    const api = new FakeApi();
    const shared = new Map<string, string>();
    const a = api.client({ storage: asyncStorage(shared), multiTab: true });
    const b = api.client({ storage: asyncStorage(shared), multiTab: true });
    const bEvents = record(b);
    await Promise.all([a.ready, b.ready]);

    const signedIn = next(b, 'SIGNED_IN');
    await a.loginWithPassword('+14155550100', 'pw');
    assert.equal((await signedIn)?.accessToken, 'a1');

    const [sa, sb] = await Promise.all([a.refresh(), b.refresh()]);
    assert.equal(api.count('POST', '/api/v1/auth/refresh'), 1, 'one refresh between the tabs');
    assert.deepEqual(held, ['phoneauth:phoneauth.session', 'phoneauth:phoneauth.session'], 'both took the lock');
    assert.equal(sa.accessToken, 'a2');
    assert.deepEqual(sb, sa, 'the waiting tab took the stored result');
    assert.equal(b.session?.accessToken, 'a2');
    assert.equal((await b.me()).id, 'u1');

    const signedOut = next(b, 'SIGNED_OUT');
    await a.logout();
    await signedOut;
    assert.equal(b.session, null);
    assert.deepEqual(names(bEvents), ['INITIAL_SESSION', 'SIGNED_IN', 'TOKEN_REFRESHED', 'SIGNED_OUT']);
  });

  test('without multiTab, instances in one process share nothing', async () => {
    const api = new FakeApi();
    const a = api.client({ storage: asyncStorage() });
    const b = api.client({ storage: asyncStorage() });
    const bEvents = record(b);
    await a.loginWithPassword('+14155550100', 'pw');
    await sleep(50);
    assert.equal(b.session, null);
    assert.deepEqual(names(bEvents), ['INITIAL_SESSION']);
  });

  test('a message that is not a session is ignored', async () => {
    const api = new FakeApi();
    const b = api.client({ multiTab: true, storageKey: 'odd' });
    const events = record(b);
    await b.ready;
    const channel = new BroadcastChannel('phoneauth:odd');
    channel.postMessage({ event: 'SIGNED_IN', session: { accessToken: 42 } });
    channel.postMessage('hello');
    await sleep(50);
    channel.close();
    assert.equal(b.session, null);
    assert.deepEqual(names(events), ['INITIAL_SESSION']);
  });
});
