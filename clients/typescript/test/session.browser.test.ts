// The session in Chromium (Debian's, never a downloaded one): a page bundled by esbuild from the built
// package (test/browser/app.ts), served from its own origin, against bin/phoneauth with 1-minute access
// tokens and CORS for that origin. Restore after a reload, one refresh for two tabs across an expiry,
// sign-out in every tab, and a session ended server-side signing out at the next call.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, test } from 'node:test';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import { launchChromium } from './chromium.js';
import { type Service, startService } from './harness.js';
import { servePages } from './pages.js';

const phone = '+14155550142';
const password = 'correct horse battery staple';

let svc: Service;
let pages: Server;
let pageUrl: string;
let browser: Browser;

before(async () => {
  let origin: string;
  ({ server: pages, origin } = await servePages('phoneauth client', '127.0.0.1'));

  svc = await startService({ PHONEAUTH_ACCESS_TOKEN_TTL: '1m', PHONEAUTH_CORS_ALLOWED_ORIGINS: origin });
  await svc.createUser(phone, 'Tab User', password);
  pageUrl = `${origin}/?api=${encodeURIComponent(svc.baseUrl)}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await svc?.stop();
  if (pages) {
    pages.closeAllConnections();
    pages.close();
  }
});

/** A fresh profile (its own localStorage, channels and locks), closed after the test. */
async function profile(t: { after(fn: () => Promise<void>): void }): Promise<BrowserContext> {
  const context = await browser.newContext();
  t.after(() => context.close());
  return context;
}

/** A tab of the test page with its session restored; page errors fail the test. */
async function open(context: BrowserContext): Promise<Page> {
  const tab = await context.newPage();
  tab.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
  await tab.goto(pageUrl);
  await tab.waitForFunction(() => window.app !== undefined);
  await tab.evaluate(() => window.app.ready());
  return tab;
}

/** Waits until the tab has emitted `event` (polling: a background tab gets no animation frames). */
async function emitted(tab: Page, event: string, timeout = 10_000): Promise<void> {
  await tab.waitForFunction((e) => window.app.events.some((x) => x.event === e), event, { polling: 100, timeout });
}

async function login(tab: Page): Promise<void> {
  const outcome = await tab.evaluate(([p, pw]) => window.app.login(p, pw), [phone, password] as const);
  assert.ok(outcome.ok, `login: ${JSON.stringify(outcome)}`);
}

/** POSTs to /api/v1/auth/refresh from any tab of the context. */
function countRefreshes(context: BrowserContext): string[] {
  const seen: string[] = [];
  context.on('request', (req) => {
    if (req.method() === 'POST' && req.url() === `${svc.baseUrl}/api/v1/auth/refresh`) {
      seen.push(req.url());
    }
  });
  return seen;
}

const names = (tab: Page) => tab.evaluate(() => window.app.events.map((e) => e.event));

test('log in, reload: the session is restored from localStorage', async (t) => {
  const tab = await open(await profile(t));
  await login(tab);
  const session = await tab.evaluate(() => window.app.session());
  assert.ok(session?.refreshToken, 'a session with a refresh token');
  assert.deepEqual(JSON.parse((await tab.evaluate(() => window.app.stored())) ?? 'null'), session, 'stored in localStorage');

  await tab.reload();
  await tab.waitForFunction(() => window.app !== undefined);
  assert.deepEqual(await tab.evaluate(() => window.app.ready()), session, 'ready resolves to the stored session');
  await emitted(tab, 'INITIAL_SESSION');
  assert.deepEqual(await tab.evaluate(() => window.app.events), [{ event: 'INITIAL_SESSION', accessToken: session.accessToken }]);
  assert.deepEqual(await tab.evaluate(() => window.app.me()), { ok: true, value: phone });
});

test('two tabs across an expiry send one refresh between them, and both keep working', { timeout: 90_000 }, async (t) => {
  const context = await profile(t);
  const refreshes = countRefreshes(context);
  const a = await open(context);
  await login(a);
  const b = await open(context);
  const first = await a.evaluate(() => window.app.session());
  assert.deepEqual(await b.evaluate(() => window.app.session()), first, 'the second tab restored the session');
  assert.equal(first?.expiresIn, 60);

  // Both tabs' timers fire 30 s in (half of a 1-minute lifetime); the Web Lock lets one refresh.
  await Promise.all([emitted(a, 'TOKEN_REFRESHED', 60_000), emitted(b, 'TOKEN_REFRESHED', 60_000)]);
  assert.equal(refreshes.length, 1, 'one refresh request between the tabs');
  const second = await a.evaluate(() => window.app.session());
  assert.notEqual(second?.accessToken, first?.accessToken);
  assert.deepEqual(await b.evaluate(() => window.app.session()), second, 'both tabs have the new tokens');
  assert.deepEqual(await a.evaluate(() => window.app.me()), { ok: true, value: phone });
  assert.deepEqual(await b.evaluate(() => window.app.me()), { ok: true, value: phone });

  // Called in both tabs at once, refresh() still spends the refresh token once: the tab that waited for
  // the lock finds the other's result in localStorage.
  const [ra, rb] = await Promise.all([a.evaluate(() => window.app.refresh()), b.evaluate(() => window.app.refresh())]);
  assert.ok(ra.ok && rb.ok, `refresh: ${JSON.stringify([ra, rb])}`);
  assert.deepEqual(ra.value, rb.value);
  assert.equal(refreshes.length, 2, 'one more refresh request for the two calls');
  assert.deepEqual(await b.evaluate(() => window.app.me()), { ok: true, value: phone });
});

test('signing out in one tab signs out the other', async (t) => {
  const context = await profile(t);
  const a = await open(context);
  const b = await open(context);
  await login(a);
  await emitted(b, 'SIGNED_IN');
  assert.deepEqual(await b.evaluate(() => window.app.me()), { ok: true, value: phone });

  assert.deepEqual(await a.evaluate(() => window.app.logout()), { ok: true, value: undefined });
  await emitted(b, 'SIGNED_OUT');
  assert.equal(await b.evaluate(() => window.app.session()), null);
  assert.equal(await b.evaluate(() => window.app.stored()), null);
  assert.deepEqual(await names(b), ['INITIAL_SESSION', 'SIGNED_IN', 'SIGNED_OUT']);
  assert.deepEqual(await b.evaluate(() => window.app.me()), { ok: false, name: 'PhoneauthError', status: 401 });
});

test('a session ended server-side signs out at the next call', async (t) => {
  const context = await profile(t);
  const refreshes = countRefreshes(context);
  const tab = await open(context);
  await login(tab);

  // Elsewhere (another device), the user logs out everywhere.
  const post = (path: string, body: unknown, token?: string) =>
    fetch(svc.baseUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const elsewhere = (await (await post('/api/v1/auth/login', { phone, password })).json()) as { access_token: string };
  assert.equal((await post('/api/v1/auth/logout', { scope: 'global' }, elsewhere.access_token)).status, 204);

  assert.deepEqual(await tab.evaluate(() => window.app.me()), { ok: false, name: 'PhoneauthError', status: 401 });
  assert.equal(refreshes.length, 1, 'the 401 was answered with one refresh, which was refused');
  assert.deepEqual(await names(tab), ['INITIAL_SESSION', 'SIGNED_IN', 'SIGNED_OUT']);
  assert.equal(await tab.evaluate(() => window.app.session()), null);
  assert.equal(await tab.evaluate(() => window.app.stored()), null);
});
