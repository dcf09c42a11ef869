// The page of the browser tests (bundled by esbuild from the built package): one Phoneauth on
// localStorage, its events recorded, and its calls exposed as window.app for the test to drive.
import { type AuthChangeEvent, isMfaRequired, Phoneauth, type Session } from '@phoneauth/client';

const auth = new Phoneauth({ baseUrl: new URLSearchParams(location.search).get('api') ?? '', storage: 'localStorage' });
const events: { event: AuthChangeEvent; accessToken: string | null }[] = [];
auth.onAuthStateChange((event, session) => events.push({ event, accessToken: session?.accessToken ?? null }));

/** A call's outcome as plain data: what page.evaluate can hand back. */
type Outcome<T> = { ok: true; value: T } | { ok: false; name: string; status: number | undefined };

async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    const e = err as { name?: string; status?: number };
    return { ok: false, name: e.name ?? String(err), status: e.status };
  }
}

const app = {
  events,
  ready: (): Promise<Session | null> => auth.ready,
  session: (): Session | null => auth.session,
  stored: (): string | null => localStorage.getItem('phoneauth.session'),
  login: (phone: string, password: string) => attempt(() => auth.loginWithPassword(phone, password)),
  me: () => attempt(async () => (await auth.me()).phone),
  refresh: () => attempt(() => auth.refresh()),
  logout: () => attempt(() => auth.logout()),
  assurance: () => attempt(async () => {
    const me = await auth.me();
    return { aal: me.aal, amr: me.amr_values };
  }),
  registerPasskey: (password: string) => attempt(async () => (await auth.registerPasskey({ name: 'Chromium', proof: { password } })).id),
  loginWithPasskey: () => attempt(async () => {
    const answer = await auth.loginWithPasskey();
    return isMfaRequired(answer) ? 'mfa_required' : 'signed_in';
  }),
  listPasskeys: () => attempt(async () => (await auth.listPasskeys()).map((p) => p.name)),
  deletePasskey: (id: string) => attempt(() => auth.deletePasskey(id)),
};

declare global {
  interface Window {
    app: typeof app;
  }
}
window.app = app;
