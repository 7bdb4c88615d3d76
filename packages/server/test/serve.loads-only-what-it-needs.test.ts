/**
 * A running server loads what serving needs and nothing else (issue 6 §9: idle RSS, cold start): the
 * XLSX writer, CSV, progress bars, prompts, the other CLI commands, the OpenAPI generator with its YAML,
 * the API reference page, the password-strength dictionaries, the OIDC protocol engine
 * (oidc-provider, Koa), the WebAuthn library with its ASN.1 stack, the QR encoder, the SMTP client and
 * the native Argon2 module load on first use, and of rate-limiter-flexible only the memory limiter. The real `gatekeeper serve` runs with a hook that
 * records every module it loads; the first request to `/docs/` then shows the hook does see what loads
 * later (so the absence above is not an artefact of the trace).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../src/crypto/fernet.ts';
import { launcher, type ServeProcess, spawnServe } from './serve-process.ts';

const trace = new URL('./fixtures/module-trace.mjs', import.meta.url).pathname;

/** Modules (as URL fragments) that a server must not load before they are used. */
const LOADED_ON_FIRST_USE = [
  '/node_modules/exceljs/',
  '/node_modules/csv-stringify/',
  '/node_modules/csv-parse/',
  '/node_modules/cli-progress/',
  '/node_modules/@fastify/swagger/',
  '/node_modules/@fastify/swagger-ui/',
  '/node_modules/@fastify/static/',
  '/node_modules/yaml/',
  '/node_modules/typebox/build/value/',
  '/node_modules/@zxcvbn-ts/',
  '/node_modules/oidc-provider/',
  '/node_modules/koa/',
  '/node_modules/@simplewebauthn/',
  '/node_modules/@peculiar/',
  '/node_modules/qrcode/',
  '/node_modules/nodemailer/',
  // the native Argon2 module: at the first password hashed or checked
  '/node_modules/@node-rs/argon2/',
  // rate-limiter-flexible's index (its 25 limiters); the embedded server needs only the memory one
  '/node_modules/rate-limiter-flexible/index.js',
  '/node_modules/rate-limiter-flexible/lib/RateLimiterMongo.js',
  '/src/cli/tabular.ts',
  '/src/cli/progress.ts',
  '/src/cli/prompt.ts',
  '/src/cli/commands/users.ts',
  '/src/cli/commands/audit.ts',
  '/src/cli/commands/backup.ts',
];

describe('gatekeeper serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gk-lean-'));
  let server: ServeProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the XLSX writer, CSV, progress bars, other commands and the API reference only on first use', async () => {
    server = spawnServe({
      env: {
        GATEKEEPER_DATA_DIR: dir,
        GATEKEEPER_PORT: '0',
        GATEKEEPER_MASTER_KEYS: generateFernetKey(),
        MODULE_TRACE_FILE: join(dir, 'modules.txt'),
      },
      args: ['--import', trace, launcher, 'serve'],
    });
    const { port } = await server.ready;
    const atStart = await loadedModulesFrom(join(dir, 'modules.txt'));
    expect(atStart.length).toBeGreaterThan(100);
    expect(atStart.some((url) => url.includes('/node_modules/fastify/'))).toBe(true);
    for (const fragment of LOADED_ON_FIRST_USE)
      expect(
        atStart.filter((url) => url.includes(fragment)),
        fragment,
      ).toEqual([]);

    // first use: the API reference page loads the OpenAPI generator and the page's static files
    const docs = await fetch(`http://127.0.0.1:${port}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
    const openapi = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as {
      openapi: string;
    };
    expect(openapi.openapi).toBe('3.1.0');
    // and a tenant's first OIDC request builds its Provider, loading the protocol engine
    const discovery = await fetch(`http://127.0.0.1:${port}/t/root/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    const after = await loadedModulesFrom(join(dir, 'modules.txt'));
    expect(after.some((url) => url.includes('/node_modules/oidc-provider/'))).toBe(true);
    expect(after.some((url) => url.includes('/node_modules/@fastify/swagger/'))).toBe(true);
    expect(after.some((url) => url.includes('/node_modules/@fastify/swagger-ui/'))).toBe(true);
  }, 60_000);

  async function loadedModulesFrom(file: string): Promise<string[]> {
    rmSync(file, { force: true });
    server!.child.kill('SIGUSR2');
    for (let i = 0; i < 300 && !existsSync(file); i++) await sleep(10);
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  }
});
