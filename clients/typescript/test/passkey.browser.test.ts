// Passkeys in Chromium (Debian's, never a downloaded one) with a virtual authenticator (the DevTools
// protocol's WebAuthn domain: CTAP2, internal transport, resident keys, user verification), against
// bin/phoneauth with the page's origin as the relying party. WebAuthn needs a secure context, which
// http://localhost is: the page is served as localhost, the RP ID is localhost. Register a passkey, log out,
// log in with it (no phone number, aal 2), a replayed assertion refused, and after deleting the passkey the
// authenticator's copy refused too.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, test } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { launchChromium } from './chromium.js';
import { type Service, startService } from './harness.js';
import { servePages } from './pages.js';

const phone = '+14155550143';
const password = 'correct horse battery staple';

let svc: Service;
let pages: Server;
let pageUrl: string;
let browser: Browser;

before(async () => {
  let origin: string;
  ({ server: pages, origin } = await servePages('phoneauth passkeys', 'localhost'));

  svc = await startService({
    PHONEAUTH_CORS_ALLOWED_ORIGINS: origin,
    PHONEAUTH_WEBAUTHN_RP_ID: 'localhost',
    PHONEAUTH_WEBAUTHN_ORIGINS: origin,
  });
  await svc.createUser(phone, 'Passkey User', password);
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

/** A tab of the test page in a fresh profile with a virtual platform authenticator that verifies the user. */
async function openWithAuthenticator(t: { after(fn: () => Promise<void>): void }): Promise<Page> {
  const context = await browser.newContext();
  t.after(() => context.close());
  const tab = await context.newPage();
  tab.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
  const cdp = await context.newCDPSession(tab);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await tab.goto(pageUrl);
  await tab.waitForFunction(() => window.app !== undefined);
  await tab.evaluate(() => window.app.ready());
  return tab;
}

test('register a passkey, log out, log in with it; a replayed assertion and a deleted passkey are refused', async (t) => {
  const tab = await openWithAuthenticator(t);
  const login = await tab.evaluate(([p, pw]) => window.app.login(p, pw), [phone, password] as const);
  assert.ok(login.ok, `password login: ${JSON.stringify(login)}`);

  const registered = await tab.evaluate((pw) => window.app.registerPasskey(pw), password);
  assert.ok(registered.ok, `registerPasskey: ${JSON.stringify(registered)}`);
  assert.deepEqual(await tab.evaluate(() => window.app.listPasskeys()), { ok: true, value: ['Chromium'] });
  const text = (await svc.sms.next(phone)).message;
  assert.match(text, /A passkey was added/, 'the account gets a notice');

  assert.ok((await tab.evaluate(() => window.app.logout())).ok);
  assert.equal(await tab.evaluate(() => window.app.session()), null);

  // Log in with the passkey, keeping the assertion the page sends.
  let sent: string | null = null;
  tab.on('request', (req) => {
    if (req.method() === 'POST' && req.url() === `${svc.baseUrl}/api/v1/auth/passkeys/login`) {
      sent = req.postData();
    }
  });
  assert.deepEqual(await tab.evaluate(() => window.app.loginWithPasskey()), { ok: true, value: 'signed_in' });
  assert.deepEqual(await tab.evaluate(() => window.app.me()), { ok: true, value: phone });
  assert.deepEqual(await tab.evaluate(() => window.app.assurance()), { ok: true, value: { aal: 2, amr: ['webauthn'] } },
    'the virtual authenticator verified the user: aal 2');

  // The same assertion again: its challenge was used.
  assert.ok(sent, 'the page sent an assertion');
  const replay = await fetch(`${svc.baseUrl}/api/v1/auth/passkeys/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: sent,
  });
  assert.equal(replay.status, 401, 'a replayed assertion is refused');

  // Deleted on the server, the authenticator's copy logs nobody in.
  const id = registered.ok ? registered.value : '';
  assert.ok((await tab.evaluate((i) => window.app.deletePasskey(i), id)).ok);
  assert.ok((await tab.evaluate(() => window.app.logout())).ok);
  const refused = await tab.evaluate(() => window.app.loginWithPasskey());
  assert.deepEqual(refused, { ok: false, name: 'PhoneauthError', status: 401 });
  assert.equal(await tab.evaluate(() => window.app.session()), null);
});
