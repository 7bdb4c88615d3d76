/**
 * `npm run bench:directory`: the directory at scale on the embedded SQLite default. Seeds 10,000
 * tenants and 100,000 users (in one tenant — the worst case for user listing) directly through SQL,
 * then starts the real server on that database and measures cold start to ready and the p99 latency
 * of tenant and user list/get through the admin API (bounded autocannon runs on loopback, beside a
 * bare Fastify baseline measured in the same run). Override sizes with BENCH_TENANTS / BENCH_USERS,
 * or point GATEKEEPER_DATABASE_URL at PostgreSQL.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { loadConfig } from '../packages/server/src/config/load.ts';
import { generateFernetKey } from '../packages/server/src/crypto/fernet.ts';
import { createLogger } from '../packages/server/src/logger.ts';
import { createRuntime } from '../packages/server/src/runtime.ts';
import { createServices } from '../packages/server/src/services.ts';
import { newId } from '../packages/server/src/storage/ids.ts';
import { startServer } from './lib.ts';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 10_000);
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const dataDir = mkdtempSync(join(tmpdir(), 'gk-bench-dir-'));
const masterKeys = generateFernetKey();
const env: Record<string, string> = {
  GATEKEEPER_DATA_DIR: dataDir,
  GATEKEEPER_MASTER_KEYS: masterKeys,
  GATEKEEPER_LOG_LEVEL: 'warn',
  ...(process.env.GATEKEEPER_DATABASE_URL
    ? { GATEKEEPER_DATABASE_URL: process.env.GATEKEEPER_DATABASE_URL }
    : {}),
};

// 1. seed
const seedStart = performance.now();
const rt = await createRuntime(loadConfig({ env }), { logger: createLogger('warn') });
const services = createServices(rt);
await services.start();
const { db } = rt.database;
const now = Date.now();
const chunk = <T>(xs: T[], n: number) =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
const tenantRows = Array.from({ length: TENANTS }, (_, i) => ({
  id: newId(now + i),
  slug: `tenant-${String(i).padStart(5, '0')}`,
  display_name: `Tenant ${i}`,
  status: 'active' as const,
  created_at: now + i,
  updated_at: now + i,
  version: 1,
}));
for (const part of chunk(tenantRows, 500)) await db.insertInto('tenants').values(part).execute();
const big = await services.tenants.create({ slug: 'big', displayName: 'Big' }, { actor: 'bench' });
const userRows = Array.from({ length: USERS }, (_, i) => {
  const username = `user${String(i).padStart(6, '0')}`;
  return {
    id: newId(now + i),
    tenant_id: big.id,
    username,
    username_lower: username,
    email: `${username}@example.com`,
    email_lower: `${username}@example.com`,
    email_verified: 0,
    name: `User ${i}`,
    given_name: null,
    family_name: null,
    locale: null,
    picture: null,
    status: 'active' as const,
    password_hash: null,
    created_at: now + i,
    updated_at: now + i,
    last_sign_in_at: null,
    version: 1,
  };
});
for (const part of chunk(userRows, 2000)) {
  await db.transaction().execute(async (trx) => {
    for (const rows of chunk(part, 100)) await trx.insertInto('users').values(rows).execute();
  });
}
const token = (
  await services.credentials.issue(
    { kind: 'adm', tenantId: null, ownerType: 'system', name: 'bench', abilities: ['*'] },
    { actor: 'bench' },
  )
).secret;
// a real database has statistics (autovacuum analyses after bulk loads); give the planner them now
if (rt.database.dialect.name === 'postgres') await sql`analyze`.execute(db);
else await sql`pragma optimize`.execute(db);
await services.stop();
await rt.close();
console.log(
  `seeded ${TENANTS} tenants and ${USERS} users in ${Math.round(performance.now() - seedStart)} ms`,
);

// 2. cold start of the real `gatekeeper serve` on the populated database (a first run fills Node's
// compile cache, as on any installed server)
const serveEnv = { ...env, GATEKEEPER_PORT: '0', GATEKEEPER_LOG_LEVEL: 'info' };
const warm = await startServer(here('../packages/server/bin/gatekeeper.js'), serveEnv, ['serve']);
await warm.stop();
const t0 = performance.now();
const cold = await startServer(here('../packages/server/bin/gatekeeper.js'), serveEnv, ['serve']);
for (;;) {
  const r = await fetch(`http://127.0.0.1:${cold.port}/readyz`).catch(() => undefined);
  if (r?.status === 200) break;
}
const coldStartMs = Math.round(performance.now() - t0);
await cold.stop();
const gk = await startServer(here('./servers/gatekeeper.ts'), env);

// 3. latency of single requests (one connection: no queueing behind other requests) and
// throughput with 10 concurrent connections
const base = `http://127.0.0.1:${gk.port}/api/v1`;
const headers = { authorization: `Bearer ${token}` };
const midUser = userRows[Math.floor(USERS / 2)]!;
const deepCursor = (
  (await (await fetch(`${base}/tenants/big/users?limit=50&sort=username`, { headers })).json()) as {
    nextCursor: string;
  }
).nextCursor;
const targets: [string, string][] = [
  ['GET /tenants?limit=50', `${base}/tenants?limit=50`],
  ['GET /tenants?q=tenant-09&limit=50', `${base}/tenants?q=tenant-09&limit=50`],
  ['GET /tenants/{slug}', `${base}/tenants/${tenantRows[Math.floor(TENANTS / 2)]!.slug}`],
  ['GET /tenants/big/users?limit=50', `${base}/tenants/big/users?limit=50`],
  [
    'GET /tenants/big/users (page 2, cursor)',
    `${base}/tenants/big/users?limit=50&sort=username&cursor=${deepCursor}`,
  ],
  ['GET /tenants/big/users?sort=-createdAt', `${base}/tenants/big/users?limit=50&sort=-createdAt`],
  ['GET /tenants/big/users/{id}', `${base}/tenants/big/users/${midUser.id}`],
];
console.log(
  `\n| endpoint (${TENANTS} tenants, ${USERS} users) | p50 ms (1 conn) | p99 ms (1 conn) | req/s (10 conns) | p99 ms (10 conns) | non-2xx |`,
);
console.log('|---|---|---|---|---|---|');
let worstP99 = 0;
for (const [name, url] of targets) {
  const single = await autocannon({ url, headers, connections: 1, duration: SECONDS });
  const loaded = await autocannon({ url, headers, connections: 10, duration: SECONDS });
  worstP99 = Math.max(worstP99, single.latency.p99);
  const errors = single.non2xx + single.errors + loaded.non2xx + loaded.errors;
  console.log(
    `| ${name} | ${single.latency.p50} | ${single.latency.p99} | ${Math.round(loaded.requests.average)} | ${loaded.latency.p99} | ${errors} |`,
  );
}
await gk.stop();
console.log(
  `\ncold start to /readyz 200 with ${TENANTS} tenants / ${USERS} users: ${coldStartMs} ms (target < 1000)`,
);
console.log(`worst single-request p99: ${worstP99} ms (target < 20)`);
