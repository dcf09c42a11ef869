// Drives the built client (the package's own exports) against the real service: each step is a subtest,
// so a failing step names itself and the steps after it still report.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Phoneauth, PhoneauthError, PhoneauthValidationError, readUsersMe, type Session } from '@phoneauth/client';

import { codeIn, type Service, startService } from './harness.js';

let svc: Service;
before(async () => {
  svc = await startService();
});
after(async () => {
  await svc?.stop();
});

/** Asserts that pending fails with a PhoneauthError of the given status. */
async function rejectsWith(pending: Promise<unknown>, status: number): Promise<PhoneauthError> {
  const err = await pending.then(
    () => assert.fail(`succeeded, want a ${status} PhoneauthError`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PhoneauthError, `got ${String(err)}, want a PhoneauthError`);
  assert.equal(err.status, status, `status of ${err.message}`);
  return err;
}

test('the account life cycle through the client', async (t) => {
  const phone = '+14155550123';
  const firstPassword = 'nina s first passphrase';
  const secondPassword = 'nina s second passphrase';
  const changes: (Session | null)[] = [];
  const app = new Phoneauth({ baseUrl: svc.baseUrl, onSessionChange: (s) => changes.push(s) });
  let signup: Phoneauth | undefined;
  let userId = '';

  await t.test('sign up by code', async () => {
    signup = new Phoneauth({ baseUrl: svc.baseUrl });
    const sent = await signup.sendSignupCode(phone);
    const sms = await svc.sms.next(phone);
    assert.equal(sms.purpose, 'signup');
    assert.equal(sms.reference_id, sent.reference_id);

    const created = await signup.signupWithCode({ phone, code: codeIn(sms), name: 'Nina', password: firstPassword, hasGivenConsent: true });
    assert.equal(created.phone_number, phone);
    assert.equal(created.token_type, 'bearer');
    assert.equal(signup.session?.accessToken, created.access_token);
    userId = created.user_id;
  });

  await t.test('log in by password', async () => {
    const token = await app.loginWithPassword(phone, firstPassword);
    assert.equal(token.token_type, 'bearer');
    assert.equal(app.session?.accessToken, token.access_token);
    assert.ok((app.session?.expiresAt ?? 0) > Date.now(), 'expiresAt is in the future');
    assert.deepEqual(changes, [app.session]);
  });

  await t.test('log in by code', async () => {
    const other = new Phoneauth({ baseUrl: svc.baseUrl });
    await other.sendLoginCode(phone);
    const sms = await svc.sms.next(phone);
    assert.equal(sms.purpose, 'login');
    const token = await other.loginWithCode(phone, codeIn(sms));
    assert.equal(token.user_id, userId);
    assert.equal((await other.me()).id, userId);
  });

  await t.test('me', async () => {
    const me = await app.me();
    assert.equal(me.id, userId);
    assert.equal(me.phone, phone);
    assert.equal(me.name, 'Nina');
    assert.equal(me.has_given_consent, true);

    // The generated SDK works with the helper's client too.
    const { data } = await readUsersMe({ client: app.client });
    assert.equal(data?.id, userId);
  });

  await t.test('change password', async () => {
    const answer = await app.changePassword(firstPassword, secondPassword);
    assert.equal(typeof answer.message, 'string');

    const wrong = await rejectsWith(new Phoneauth({ baseUrl: svc.baseUrl }).loginWithPassword(phone, firstPassword), 401);
    assert.ok(!(wrong instanceof PhoneauthValidationError));
    await new Phoneauth({ baseUrl: svc.baseUrl }).loginWithPassword(phone, secondPassword);
    // The password change ends the user's other sessions, such as the one sign-up opened.
    assert.ok(signup, 'sign-up step ran');
    await rejectsWith(signup.me(), 401);
  });

  await t.test('refresh', async () => {
    const before = app.session;
    assert.ok(before?.refreshToken, 'the login answer carried a refresh_token');
    const [after, concurrent] = await Promise.all([app.refresh(), app.refresh()]);
    assert.equal(concurrent, after, 'concurrent refreshes share one request');
    assert.notEqual(after.accessToken, before.accessToken);
    assert.ok(after.refreshToken && after.refreshToken !== before.refreshToken, 'the refresh token rotates');
    assert.deepEqual(app.session, after);
    assert.equal((await app.me()).id, userId);
  });

  await t.test('log out', async () => {
    const accessToken = app.session?.accessToken;
    assert.ok(accessToken);
    await app.logout();
    assert.equal(app.session, null);
    assert.equal(changes.at(-1), null);

    const stale = new Phoneauth({ baseUrl: svc.baseUrl, session: { accessToken } });
    const err = await rejectsWith(stale.me(), 401);
    assert.match(err.requestId ?? '', /^[\w.-]+$/, 'the error carries the request id');
    // Logging out an ended session is not an error: the session is over either way.
    await stale.logout();
    assert.equal(stale.session, null);
  });
});

test('a 422 is a PhoneauthValidationError listing every invalid field', async () => {
  const client = new Phoneauth({ baseUrl: svc.baseUrl });
  const err = await rejectsWith(
    client.signupWithCode({ phone: '+14155550188', code: '', name: '', password: 'short', email: 'not an email' }),
    422,
  );
  assert.ok(err instanceof PhoneauthValidationError, `got ${err.name}, want PhoneauthValidationError`);
  const fields = err.fields.map((f) => f.loc.join('.')).sort();
  assert.deepEqual(fields, ['body.email', 'body.name', 'body.otp_code', 'body.password']);
  for (const f of err.fields) {
    assert.ok(f.msg.length > 0 && f.type.length > 0, `field ${f.loc.join('.')} has a msg and a type`);
  }
  assert.ok(err.detail.includes('body.password'), `detail ${err.detail} names the fields`);
  assert.equal(client.session, null);
});

test('an unauthenticated call is a 401 PhoneauthError', async () => {
  const err = await rejectsWith(new Phoneauth({ baseUrl: svc.baseUrl }).me(), 401);
  assert.equal(err.detail, 'Not authenticated');
});
