// Drives the built client (the package's own exports) against the real service: each step is a subtest,
// so a failing step names itself and the steps after it still report.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';

import { createHmac } from 'node:crypto';

import {
  type AuthChangeEvent,
  isMfaRequired,
  Phoneauth,
  PhoneauthError,
  PhoneauthRateLimitError,
  PhoneauthValidationError,
  readUsersMe,
  type Session,
} from '@phoneauth/client';

import { codeIn, type Service, startService } from './harness.js';

let svc: Service;
before(async () => {
  // A resend needs a second's wait here (60 s by default), and no phone runs out of codes.
  svc = await startService({ PHONEAUTH_OTP_RESEND_INTERVAL: '1s', PHONEAUTH_OTP_PHONE_HOURLY_LIMIT: '0' });
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

/** Records a client's auth-state events. */
function record(auth: Phoneauth): { event: AuthChangeEvent; session: Session | null }[] {
  const events: { event: AuthChangeEvent; session: Session | null }[] = [];
  auth.onAuthStateChange((event, session) => events.push({ event, session }));
  return events;
}

const names = (events: { event: AuthChangeEvent }[]) => events.map((e) => e.event);

test('the account life cycle through the client', async (t) => {
  const phone = '+14155550123';
  const firstPassword = 'nina s first passphrase';
  const secondPassword = 'nina s second passphrase';
  const thirdPassword = 'nina s third passphrase';
  const app = new Phoneauth({ baseUrl: svc.baseUrl });
  const events = record(app);
  await app.ready;
  let signup: Phoneauth | undefined;
  let other: Phoneauth | undefined;
  let userId = '';

  await t.test('sign up by code, with a resend', async () => {
    signup = new Phoneauth({ baseUrl: svc.baseUrl });
    const sent = await signup.sendSignupCode(phone);
    const first = await svc.sms.next(phone);
    assert.equal(first.purpose, 'signup');
    assert.equal(first.reference_id, sent.reference_id);

    // Too soon: a 429 with Retry-After, thrown as it is (nothing retries it).
    const soon = await rejectsWith(signup.resendSignupCode(phone), 429);
    assert.ok(soon instanceof PhoneauthRateLimitError, `got ${soon.name}`);
    assert.ok(soon.retryAfter !== undefined && soon.retryAfter >= 1 && soon.retryAfter <= 60, `retryAfter ${soon.retryAfter}`);
    await sleep(soon.retryAfter * 1000 + 100);
    await signup.resendSignupCode(phone);
    const resent = await svc.sms.next(phone);
    assert.equal(resent.purpose, 'signup');

    const created = await signup.signupWithCode({ phone, code: codeIn(resent), name: 'Nina', password: firstPassword, hasGivenConsent: true });
    assert.equal(created.phone_number, phone);
    assert.equal(created.token_type, 'bearer');
    assert.equal(signup.session?.accessToken, created.access_token);
    userId = created.user_id;
  });

  await t.test('log in by password', async () => {
    const token = await app.loginWithPassword(phone, firstPassword);
    assert.ok(!isMfaRequired(token), 'no second factor: tokens, as always');
    assert.equal(token.token_type, 'bearer');
    assert.equal(app.session?.accessToken, token.access_token);
    assert.ok((app.session?.expiresAt ?? 0) > Date.now(), 'expiresAt is in the future');
    assert.equal(app.session?.expiresIn, token.expires_in);
    assert.deepEqual(events, [
      { event: 'INITIAL_SESSION', session: null },
      { event: 'SIGNED_IN', session: app.session },
    ]);
  });

  await t.test('log in by code, with a resend', async () => {
    other = new Phoneauth({ baseUrl: svc.baseUrl });
    await other.sendLoginCode(phone);
    assert.equal((await svc.sms.next(phone)).purpose, 'login');
    await sleep(1100);
    await other.resendLoginCode(phone);
    const sms = await svc.sms.next(phone);
    assert.equal(sms.purpose, 'login');
    const token = await other.loginWithCode(phone, codeIn(sms));
    assert.ok(!isMfaRequired(token));
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

  await t.test('list the sessions and end one', async () => {
    assert.ok(other, 'the code-login step ran');
    const sessions = await app.listSessions();
    assert.equal(sessions.length, 3, 'sign-up, password login, code login');
    assert.deepEqual(
      sessions.filter((s) => s.current).map((s) => s.amr),
      ['pwd'],
      'the caller is marked current',
    );
    const otherId = (await other.listSessions()).find((s) => s.current)?.id;
    assert.ok(otherId);
    const otherEvents = record(other);
    await app.endSession(otherId);
    // The ended session's access token fails; its refresh is refused: signed out.
    await rejectsWith(other.me(), 401);
    assert.equal(other.session, null);
    assert.deepEqual(names(otherEvents), ['INITIAL_SESSION', 'SIGNED_OUT']);
    assert.equal((await app.listSessions()).length, 2);
  });

  await t.test('change password', async () => {
    const before = events.length;
    const answer = await app.changePassword(firstPassword, secondPassword);
    assert.equal(typeof answer.message, 'string');
    assert.deepEqual(names(events.slice(before)), ['USER_UPDATED']);

    const wrong = await rejectsWith(new Phoneauth({ baseUrl: svc.baseUrl }).loginWithPassword(phone, firstPassword), 401);
    assert.ok(!(wrong instanceof PhoneauthValidationError));
    await new Phoneauth({ baseUrl: svc.baseUrl }).loginWithPassword(phone, secondPassword);
    // The password change ends the user's other sessions, such as the one sign-up opened.
    assert.ok(signup, 'sign-up step ran');
    await rejectsWith(signup.me(), 401);
    assert.equal(signup.session, null, 'the dead session is signed out');
  });

  await t.test('refresh', async () => {
    const before = app.session;
    assert.ok(before?.refreshToken, 'the login answer carried a refresh_token');
    const [after, concurrent] = await Promise.all([app.refresh(), app.refresh()]);
    assert.equal(concurrent, after, 'concurrent refreshes share one request');
    assert.notEqual(after.accessToken, before.accessToken);
    assert.ok(after.refreshToken && after.refreshToken !== before.refreshToken, 'the refresh token rotates');
    assert.deepEqual(app.session, after);
    assert.equal(events.at(-1)?.event, 'TOKEN_REFRESHED');
    assert.equal((await app.me()).id, userId);
  });

  await t.test('log out the other sessions', async () => {
    const third = new Phoneauth({ baseUrl: svc.baseUrl });
    await third.loginWithPassword(phone, secondPassword);
    await app.logout('others');
    assert.ok(app.session, 'scope others keeps this session');
    assert.equal((await app.me()).id, userId);
    await rejectsWith(third.me(), 401);
    assert.equal(third.session, null);
  });

  await t.test('reset a forgotten password by code', async () => {
    const anonymous = new Phoneauth({ baseUrl: svc.baseUrl });
    await anonymous.sendPasswordResetCode(phone);
    const sms = await svc.sms.next(phone);
    assert.equal(sms.purpose, 'password_reset');
    await anonymous.resetPasswordWithCode({ phone, code: codeIn(sms), newPassword: thirdPassword });
    assert.equal(anonymous.session, null, 'a reset does not sign in');

    // The reset ended every session, this one too: the next call signs out.
    const before = events.length;
    await rejectsWith(app.me(), 401);
    assert.equal(app.session, null);
    assert.deepEqual(names(events.slice(before)), ['SIGNED_OUT']);
    await app.loginWithPassword(phone, thirdPassword);
  });

  await t.test('log out', async () => {
    const accessToken = app.session?.accessToken;
    assert.ok(accessToken);
    await app.logout();
    assert.equal(app.session, null);
    assert.deepEqual(events.at(-1), { event: 'SIGNED_OUT', session: null });

    const stale = new Phoneauth({ baseUrl: svc.baseUrl });
    await stale.setSession({ accessToken });
    const err = await rejectsWith(stale.me(), 401);
    assert.match(err.requestId ?? '', /^[\w.-]+$/, 'the error carries the request id');
    assert.equal(stale.session, null, 'a 401 without a refresh token signs out');
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

test('profile, phone change, export and deletion through the client', async (t) => {
  const phone = '+14155550140';
  const newPhone = '+14155550141';
  const password = 'lena s long passphrase';
  const auth = new Phoneauth({ baseUrl: svc.baseUrl });
  const events = record(auth);
  await auth.sendSignupCode(phone);
  await auth.signupWithCode({ phone, code: codeIn(await svc.sms.next(phone)), name: 'Lena', password });

  await t.test('updateProfile sets fields, clears one with null, and emits USER_UPDATED', async () => {
    const set = await auth.updateProfile({ email: 'lena@example.com', place: 'Oslo', date_of_birth: '1990-05-17', gender: 'f' });
    assert.equal(set.email, 'lena@example.com');
    assert.equal(set.place, 'Oslo');
    const cleared = await auth.updateProfile({ place: null });
    assert.equal(cleared.place, null);
    assert.equal(cleared.email, 'lena@example.com');
    assert.equal(names(events).filter((e) => e === 'USER_UPDATED').length, 2);
  });

  await t.test('changePhone texts the new number; verifyPhoneChange moves the account', async () => {
    await auth.changePhone(newPhone, { password });
    const user = await auth.verifyPhoneChange(newPhone, codeIn(await svc.sms.next(newPhone)));
    assert.equal(user.phone, newPhone);
    assert.equal((await auth.me()).phone, newPhone);
  });

  await t.test('a wrong proof is a 401 that asks for re-authentication and keeps the session', async () => {
    const err = await rejectsWith(auth.exportData({ password: 'not the passphrase' }), 401);
    assert.ok(auth.session, 'the session is kept');
    assert.equal((await auth.me()).phone, newPhone);
    assert.ok(err.detail.length > 0);
  });

  await t.test('exportData returns the profile and the sessions', async () => {
    const doc = (await auth.exportData({ password })) as unknown as Record<string, unknown>;
    assert.ok(JSON.stringify(doc).includes('lena@example.com'), 'the export holds the profile');
  });

  await t.test('deleteAccount deletes the account and signs out', async () => {
    await auth.deleteAccount({ password });
    assert.equal(auth.session, null);
    assert.equal(names(events).at(-1), 'SIGNED_OUT');
    await rejectsWith(new Phoneauth({ baseUrl: svc.baseUrl }).loginWithPassword(newPhone, password), 401);
  });
});

/** The TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) of a base32 secret at `at`, as an authenticator app shows it. */
function totpCode(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '')) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

test('TOTP through the client: enrolTotp, confirmTotp, an MfaRequired login, verifyMfa', async (t) => {
  const phone = '+14155550150';
  const password = 'tara s long passphrase';
  const auth = new Phoneauth({ baseUrl: svc.baseUrl });
  await auth.sendSignupCode(phone);
  await auth.signupWithCode({ phone, code: codeIn(await svc.sms.next(phone)), name: 'Tara', password });
  let secret = '';
  let recovery: string[] = [];

  await t.test('enrollTotp shows the secret; confirmTotp turns it on and gives recovery codes', async () => {
    const e = await auth.enrollTotp({ password });
    assert.match(e.otpauth_uri, /^otpauth:\/\/totp\//);
    assert.match(e.qr_code, /^data:image\/png;base64,/);
    secret = e.secret;
    // The code of the previous step: the next login then has this step's to itself.
    recovery = await auth.confirmTotp(totpCode(secret, Date.now() - 30_000));
    assert.equal(recovery.length, 10);
    assert.equal((await auth.mfaStatus()).totp, true);
  });

  await t.test('a password login answers MfaRequired (MFA_REQUIRED, no session); verifyMfa signs in at aal 2', async () => {
    const next = new Phoneauth({ baseUrl: svc.baseUrl });
    const events = record(next);
    const answer = await next.loginWithPassword(phone, password);
    assert.ok(isMfaRequired(answer), `got ${JSON.stringify(answer)}, want an MfaRequired`);
    assert.deepEqual(answer.factors, ['totp']);
    assert.equal(next.session, null);
    await next.ready;
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(names(events).includes('MFA_REQUIRED'), `events ${names(events).join(',')}`);
    await rejectsWith(next.verifyMfa(answer, { code: '000000' }), 400);
    const token = await next.verifyMfa(answer, { code: totpCode(secret) });
    const current = (a: Phoneauth): Session | null => a.session;
    assert.equal(current(next)?.accessToken, token.access_token);
    const me = await next.me();
    assert.equal(me.aal, 2);
    assert.deepEqual(me.amr_values, ['pwd', 'totp']);
  });

  await t.test('a recovery code works once', async () => {
    const first = await new Phoneauth({ baseUrl: svc.baseUrl }).loginWithPassword(phone, password);
    assert.ok(isMfaRequired(first));
    const c = new Phoneauth({ baseUrl: svc.baseUrl });
    await c.verifyMfa(first, { recoveryCode: recovery[0] ?? '' });
    assert.ok(c.session);
    const second = await c.loginWithPassword(phone, password);
    assert.ok(isMfaRequired(second));
    await rejectsWith(c.verifyMfa(second, { recoveryCode: recovery[0] ?? '' }), 400);
  });
});
