// The page the browser tests load: test/browser/app.ts bundled by esbuild from the built package,
// served from an origin of its own (host: 127.0.0.1, or localhost where WebAuthn needs a secure
// context), so that every call to bin/phoneauth is cross-origin, as a real app's would be.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { build } from 'esbuild';

import { repoRoot } from './harness.js';

export interface Pages {
  server: Server;
  origin: string;
}

export async function servePages(title: string, host: '127.0.0.1' | 'localhost'): Promise<Pages> {
  const bundle = await build({
    entryPoints: [join(repoRoot, 'clients', 'typescript', 'test', 'browser', 'app.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>${title}</title><script type="module" src="/app.js"></script>`);
    } else if (path === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(script);
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, origin: `http://${host}:${(server.address() as AddressInfo).port}` };
}
