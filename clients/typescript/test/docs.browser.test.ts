// Opens /docs in Chromium (Debian's, never a downloaded one), authorizes with a real token and runs
// GET /api/v1/auth/me from Swagger UI. Leaves a screenshot in test-artifacts/ at the repository root.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import type { BrowserContext } from 'playwright-core';

import { launchPersistentChromium } from './chromium.js';
import { repoRoot, type Service, startService } from './harness.js';

const screenshot = join(repoRoot, 'test-artifacts', 'docs-me.png');

let svc: Service;
let browser: BrowserContext;
let userDataDir: string;

before(async () => {
  svc = await startService();
  userDataDir = mkdtempSync(join(tmpdir(), 'phoneauth-chromium-'));
  browser = await launchPersistentChromium(userDataDir);
});

after(async () => {
  await browser?.close();
  await svc?.stop();
  if (userDataDir) {
    rmSync(userDataDir, { recursive: true, force: true });
  }
});

test('Swagger UI at /docs calls GET /api/v1/auth/me with a bearer token', async () => {
  const phone = '+14155550100';
  const password = 'correct horse battery staple';
  await svc.createUser(phone, 'Admin', password);
  const login = await fetch(`${svc.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password }),
  });
  assert.equal(login.status, 200, 'logging in over HTTP');
  const { access_token: token } = (await login.json()) as { access_token: string };

  const page = browser.pages()[0] ?? (await browser.newPage());
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      problems.push(`console error: ${msg.text()}`); // CSP violations are reported here
    }
  });
  page.on('request', (req) => {
    if (!req.url().startsWith(svc.baseUrl + '/') && !req.url().startsWith('data:')) {
      problems.push(`request to another origin: ${req.url()}`);
    }
  });

  await page.goto(`${svc.baseUrl}/docs`);
  await page.locator('.swagger-ui .info .title').filter({ hasText: 'phoneauth' }).waitFor();

  await page.locator('.scheme-container').getByRole('button', { name: 'Authorize' }).click();
  const modal = page.locator('.modal-ux');
  // The dialog has a form per scheme: the user's JWT (HTTPBearer) and the operator's metrics token.
  const userForm = modal.locator('form').filter({ hasText: 'HTTPBearer' });
  await userForm.getByLabel('auth-bearer-value').fill(token);
  await userForm.getByRole('button', { name: 'Apply credentials' }).click();
  await userForm.getByRole('button', { name: 'Close' }).click();

  const op = page.locator('.opblock-get').filter({ has: page.locator('[data-path="/api/v1/auth/me"]') });
  await op.locator('.opblock-summary-control').click();
  await op.getByRole('button', { name: 'Try it out' }).click();
  const sent = page.waitForRequest((req) => req.url() === `${svc.baseUrl}/api/v1/auth/me`);
  await op.getByRole('button', { name: 'Execute' }).click();
  assert.equal((await sent).headers()['authorization'], `Bearer ${token}`);

  const response = op.locator('.live-responses-table .response');
  await response.locator('.response-col_status').filter({ hasText: '200' }).waitFor();
  const body = await response.locator('.response-col_description pre').first().innerText();
  assert.equal((JSON.parse(body) as { phone: string }).phone, phone, `response body ${body}`);

  mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true });
  await response.scrollIntoViewIfNeeded();
  await op.screenshot({ path: screenshot });

  // persistAuthorization is off: the token lives in the page's memory only.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes(token), 'the token is not kept in web storage');
  assert.deepEqual(problems, []);
});
