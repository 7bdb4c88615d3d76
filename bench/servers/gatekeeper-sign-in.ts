/**
 * Gatekeeper for the sign-in benchmark: the real server (`serve`) on a fresh embedded database with
 * the default (OWASP) Argon2id cost, a tenant `bench` and a user with a password, sign-in rate limits
 * raised out of the way. Prints {"port":N,"cookie":"…","binding":"…","tokens":"<file>"} when ready:
 * a session cookie for the session-authenticated load, and a file of single-use CSRF tokens (one per
 * form post) bound to `binding`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../packages/server/src/config/load.ts';
import { generateFernetKey } from '../../packages/server/src/crypto/fernet.ts';
import { randomToken } from '../../packages/server/src/crypto/secret-token.ts';
import { createLogger } from '../../packages/server/src/logger.ts';
import { serve, stopOnSignals } from '../../packages/server/src/main.ts';
import { createRuntime } from '../../packages/server/src/runtime.ts';
import { createServices } from '../../packages/server/src/services.ts';

import { BENCH_PASSWORD } from '../lib.ts';

const TOKENS = Number(process.env.BENCH_SIGN_IN_TOKENS ?? 20_000);

const dir = mkdtempSync(join(tmpdir(), 'gk-bench-signin-'));
const loaded = loadConfig({
  env: {
    GATEKEEPER_DATA_DIR: dir,
    GATEKEEPER_PORT: '0',
    GATEKEEPER_LOG_LEVEL: 'warn',
    GATEKEEPER_MASTER_KEYS: generateFernetKey(),
    GATEKEEPER_SIGN_IN_RATE_LIMIT_PER_IP: '1000000',
    GATEKEEPER_SIGN_IN_RATE_LIMIT_PER_TENANT: '1000000',
  },
});
const rt = await createRuntime(loaded, { logger: createLogger('warn'), warn: () => {} });
const s = createServices(rt);
await s.start();
const ctx = { actor: 'bench' };
const tenant = await s.tenants.create({ slug: 'bench', displayName: 'bench' }, ctx);
await s.users.create(tenant.id, { username: 'bench', password: BENCH_PASSWORD }, ctx);
// the session-authenticated load uses another user: the sign-ins evict the oldest of their user's sessions
const reader = await s.users.create(tenant.id, { username: 'reader', password: BENCH_PASSWORD }, ctx);
const { secret } = await s.accounts.sessions.create(
  tenant.id,
  { userId: reader.id, amr: ['pwd'], ip: '127.0.0.1', userAgent: 'bench' },
  ctx,
);
const cookie = `${s.accounts.sessions.cookieName('bench')}=${secret}`;
const binding = randomToken(16);
const tokens = join(dir, 'csrf-tokens.txt');
writeFileSync(
  tokens,
  Array.from({ length: TOKENS }, () => s.accounts.csrf.mint(binding, 'sign-in')).join('\n'),
);
const csrfCookie = `${s.accounts.csrf.cookieName}=${binding}`;
await s.stop();
await rt.close();

const server = await serve(loaded);
stopOnSignals(server);
process.stdout.write(
  `${JSON.stringify({ port: Number(new URL(server.url).port), cookie, csrfCookie, tokens })}\n`,
);
