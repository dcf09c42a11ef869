// The package as a user gets it: `npm pack`, installed into a fresh project (offline: it has no
// dependencies), then imported, required, type-checked from ESM and CommonJS, and bundled for its size.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

import { repoRoot } from './harness.js';

const run = promisify(execFile);
const pkgDir = join(repoRoot, 'clients', 'typescript');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  private?: boolean;
  sideEffects?: boolean;
};
/**
 * The bundle-size budget of `import { Phoneauth }`, minified and gzipped: 9 KiB since the passkey ceremonies
 * (with their base64url fallbacks for browsers without parse…FromJSON/toJSON) and the TOTP helpers.
 */
const budget = 9 * 1024;

let dir: string;
let project: string;
let files: string[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phoneauth-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: pkgDir });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  assert.ok(packed);
  files = packed.files.map((f) => f.path);

  project = join(dir, 'app');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '0.0.0', private: true }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(dir, packed.filename)], { cwd: project });
});

after(() => {
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the metadata: MIT like the spec, the version follows the API, public, no side effects', () => {
  const spec = readFileSync(join(repoRoot, 'openapi.yaml'), 'utf8');
  const info = /^info:\n((?:(?: {2}.*)?\n)+)/m.exec(spec)?.[1] ?? ''; // indented lines, and the blank ones of a block scalar
  const apiVersion = /^ {2}version: (\S+)$/m.exec(info)?.[1];
  const apiLicense = /^ {2}license:\n {4}name: (\S+)$/m.exec(info)?.[1];
  assert.ok(apiVersion && apiLicense, 'info.version and info.license.name in openapi.yaml');
  assert.equal(pkg.license, apiLicense);
  assert.equal(pkg.version.split('.').slice(0, 2).join('.'), apiVersion.split('.').slice(0, 2).join('.'), 'major.minor follow info.version');
  assert.equal(pkg.private, undefined);
  assert.equal(pkg.sideEffects, false);
});

test('the tarball holds the builds, the sources, the README and the LICENSE, nothing else', () => {
  for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json', 'src/index.ts']) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  const strays = files.filter((f) => !/^(dist|src)\//.test(f) && !['LICENSE', 'README.md', 'package.json'].includes(f));
  assert.deepEqual(strays, []);
});

test('import gets the ESM build, require the CommonJS one, and both work', async () => {
  const check = `
    const auth = new m.Phoneauth({ baseUrl: 'http://127.0.0.1:1', fetch: () => Promise.reject(new TypeError('offline')) });
    const restored = await auth.ready;
    const err = await auth.sendLoginCode('+14155550100').catch((e) => e);
    console.log(JSON.stringify({
      restored, session: auth.session, error: err.name, isBase: err instanceof m.PhoneauthError,
      sdk: typeof m.readUsersMe, client: typeof m.createClient, resolved,
    }));
    auth.close();`;
  writeFileSync(join(project, 'esm.mjs'), `import * as m from '@phoneauth/client';\nconst resolved = import.meta.resolve('@phoneauth/client');\n${check}\n`);
  writeFileSync(join(project, 'cjs.cjs'), `const m = require('@phoneauth/client');\nconst resolved = require.resolve('@phoneauth/client');\n(async () => {${check}})();\n`);
  for (const [file, build] of [['esm.mjs', '/dist/index.js'], ['cjs.cjs', '/dist/cjs/index.js']] as const) {
    const { stdout } = await run(process.execPath, [file], { cwd: project });
    const got = JSON.parse(stdout) as Record<string, unknown>;
    assert.ok(String(got['resolved']).endsWith('node_modules/@phoneauth/client' + build), `${file} resolved ${String(got['resolved'])}`);
    delete got['resolved'];
    assert.deepEqual(got, { restored: null, session: null, error: 'PhoneauthNetworkError', isBase: true, sdk: 'function', client: 'function' }, file);
  }
});

test('the types resolve from ESM and from CommonJS', async () => {
  const use = `
    const auth = new Phoneauth({ storage: 'localStorage', autoRefresh: true });
    const off: () => void = auth.onAuthStateChange((event: AuthChangeEvent, session: Session | null) => {
      if (event === 'MFA_REQUIRED' || session === null) return;
    });
    const err: PhoneauthError = new PhoneauthRateLimitError(429, 'slow down');
    void [off, err, auth.ready, readUsersMe];`;
  const names = '{ type AuthChangeEvent, Phoneauth, PhoneauthError, PhoneauthRateLimitError, readUsersMe, type Session }';
  writeFileSync(join(project, 'types.mts'), `import ${names} from '@phoneauth/client';\n${use}\n`);
  writeFileSync(join(project, 'types.cts'), `import ${names} from '@phoneauth/client';\n${use}\n`);
  const tsc = join(pkgDir, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom', '--skipLibCheck', '--explainFiles'];
  const { stdout } = await run(process.execPath, [tsc, ...args, 'types.mts', 'types.cts'], { cwd: project }).catch(
    (err: { stdout?: string }) => assert.fail(`tsc: ${err.stdout ?? String(err)}`),
  );
  const client = 'node_modules/@phoneauth/client/';
  assert.match(stdout, new RegExp(`${client}dist/index\\.d\\.ts\\n\\s+Imported via '@phoneauth/client' from file 'types\\.mts'`), 'ESM gets dist/');
  assert.match(stdout, new RegExp(`${client}dist/cjs/index\\.d\\.ts\\n\\s+Imported via '@phoneauth/client' from file 'types\\.cts'`), 'CommonJS gets dist/cjs/');
});

test(`import { Phoneauth } bundles to at most ${budget} bytes, minified and gzipped`, async (t) => {
  const out = await build({
    stdin: { contents: "export { Phoneauth } from '@phoneauth/client';", resolveDir: project, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]?.contents;
  assert.ok(code);
  const gzipped = gzipSync(code, { level: 9 }).length;
  t.diagnostic(`import { Phoneauth }: ${code.length} bytes minified, ${gzipped} bytes gzipped`);
  assert.ok(gzipped <= budget, `${gzipped} bytes gzipped, over the budget of ${budget}`);
});
