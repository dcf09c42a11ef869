// Runs the real service for the Node tests: the binary built by `make build`, a fresh SQLite file, and an
// in-process receiver for the webhook SMS provider, so the tests read the codes a user would get.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest directory above this file that holds go.mod. */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'go.mod'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error('go.mod not found above ' + fileURLToPath(import.meta.url));
    }
    dir = parent;
  }
  return dir;
})();

export const binary = join(repoRoot, 'bin', 'phoneauth');

/** What the webhook provider POSTs for each SMS. */
export interface Sms {
  to: string;
  message: string;
  purpose: string;
  reference_id: string;
}

/** Receives the service's SMS webhooks and hands them out by recipient, in order. */
export class SmsReceiver {
  readonly #queued: Sms[] = [];
  readonly #waiting: { to: string; resolve: (sms: Sms) => void }[] = [];
  readonly #server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/sms') {
        res.writeHead(404).end();
        return;
      }
      this.#deliver(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Sms);
      res.writeHead(204).end();
    });
  });

  async listen(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/sms`;
  }

  /** The next SMS to `to`, waiting up to timeoutMs for it. */
  next(to: string, timeoutMs = 10_000): Promise<Sms> {
    const i = this.#queued.findIndex((s) => s.to === to);
    if (i >= 0) {
      return Promise.resolve(this.#queued.splice(i, 1)[0] as Sms);
    }
    return new Promise((resolve, reject) => {
      const waiter = { to, resolve };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(new Error(`no SMS to ${to} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiter.resolve = (sms) => {
        clearTimeout(timer);
        resolve(sms);
      };
      this.#waiting.push(waiter);
    });
  }

  #deliver(sms: Sms): void {
    const i = this.#waiting.findIndex((w) => w.to === sms.to);
    if (i >= 0) {
      this.#waiting.splice(i, 1)[0]?.resolve(sms);
    } else {
      this.#queued.push(sms);
    }
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }
}

/** The 6-digit code in an SMS. */
export function codeIn(sms: Sms): string {
  const m = /\b(\d{6})\b/.exec(sms.message);
  if (!m?.[1]) {
    throw new Error(`no 6-digit code in SMS ${JSON.stringify(sms.message)}`);
  }
  return m[1];
}

/** The service's environment: ours only, none of the caller's PHONEAUTH_* settings. */
function serviceEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PHONEAUTH_')) {
      env[k] = v;
    }
  }
  return { ...env, ...vars };
}

export interface Service {
  /** e.g. http://127.0.0.1:41235 */
  baseUrl: string;
  databaseUrl: string;
  sms: SmsReceiver;
  /** Runs `phoneauth users create` on the service's database; the password goes on stdin. */
  createUser(phone: string, name: string, password: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts bin/phoneauth on a free port with a fresh database and the webhook SMS provider; `env` adds or
 * overrides PHONEAUTH_* settings (e.g. PHONEAUTH_ACCESS_TOKEN_TTL).
 */
export async function startService(env: Record<string, string> = {}): Promise<Service> {
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: run make build`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'phoneauth-client-test-'));
  const databaseUrl = join(dir, 'x.db');
  const sms = new SmsReceiver();
  const vars = serviceEnv({
    PHONEAUTH_ADDR: '127.0.0.1:0',
    PHONEAUTH_DATABASE_URL: databaseUrl,
    PHONEAUTH_SMS_PROVIDER: 'webhook',
    PHONEAUTH_SMS_WEBHOOK_URL: await sms.listen(),
    ...env,
  });

  const child = spawn(binary, ['serve'], { env: vars, stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  const exited = once(child, 'exit');
  const addr = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`phoneauth did not log "listening" within 15 s:\n${log.join('\n')}`)), 15_000);
    createInterface({ input: child.stderr }).on('line', (line) => {
      log.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: unknown; addr?: unknown };
        if (entry.msg === 'listening' && typeof entry.addr === 'string') {
          clearTimeout(timer);
          resolve(entry.addr);
        }
      } catch {
        // not a JSON log line
      }
    });
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`phoneauth exited (${String(code)}) before listening:\n${log.join('\n')}`));
    });
  });

  return {
    baseUrl: `http://${addr}`,
    databaseUrl,
    sms,
    async createUser(phone, name, password) {
      const cli = spawn(binary, ['users', 'create', '--phone', phone, '--name', name, '--password-stdin'], {
        env: serviceEnv({ PHONEAUTH_DATABASE_URL: databaseUrl }),
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let stderr = '';
      cli.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      cli.stdin.end(password + '\n');
      const [code] = await once(cli, 'exit');
      if (code !== 0) {
        throw new Error(`phoneauth users create exited ${String(code)}: ${stderr}`);
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await sms.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
