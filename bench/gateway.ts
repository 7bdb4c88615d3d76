/**
 * /authz benchmarks (issue 11): decisions per second and p99 for API-key, HMAC (RFC 9421) and JWT
 * decisions on the real server, as ratios to the bare Fastify baseline measured in the same run, and
 * the time a token revocation on one instance takes to be enforced by a second one on PostgreSQL +
 * Redis (when BENCH_POSTGRES_URL / BENCH_REDIS_URL, or the test variables, are set). OIDC grants and
 * introspection are measured by bench/oidc.ts.
 *
 * `node bench/gateway.ts` runs it alone (with its own baseline); `bench/run.ts` calls
 * `runGatewayBench` with the baseline server it runs.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { compare, type Started, startServer, type Target, table } from './lib.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

interface Seeded {
  token: string;
  clientId: string;
  hmacSecret: string;
  accessToken: string;
}

const original = {
  'x-original-method': 'GET',
  'x-original-host': 'api.example.com',
  'x-original-uri': '/v1/items/42?view=full',
  'x-forwarded-proto': 'https',
};
const EMPTY_DIGEST = 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:';

/** RFC 9421 headers for the benchmark request, signed synchronously (autocannon's setupRequest is). */
function rfc9421Headers(clientId: string, secret: string): Record<string, string> {
  const created = Math.floor(Date.now() / 1000);
  const nonce = randomBytes(18).toString('base64url');
  const params = `("@method" "@authority" "@path" "@query" "content-digest");created=${created};keyid="${clientId}";nonce="${nonce}"`;
  const base = [
    '"@method": GET',
    '"@authority": api.example.com',
    '"@path": /v1/items/42',
    '"@query": ?view=full',
    `"content-digest": ${EMPTY_DIGEST}`,
    `"@signature-params": ${params}`,
  ].join('\n');
  const sig = createHmac('sha256', Buffer.from(secret)).update(base).digest('base64');
  return { 'content-digest': EMPTY_DIGEST, 'signature-input': `sig=${params}`, signature: `sig=:${sig}:` };
}

async function revocationPropagation(): Promise<{
  p50: number;
  p99: number;
  n: number;
  revokeP50: number;
} | null> {
  const pgUrl = process.env.BENCH_POSTGRES_URL ?? process.env.GATEKEEPER_TEST_POSTGRES_URL;
  const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.GATEKEEPER_TEST_REDIS_URL;
  if (!pgUrl || !redisUrl) return null;
  const { default: pg } = await import('pg');
  const { loadConfig } = await import('../packages/server/src/config/load.ts');
  const { generateFernetKey } = await import('../packages/server/src/crypto/fernet.ts');
  const { createLogger } = await import('../packages/server/src/logger.ts');
  const { createRuntime } = await import('../packages/server/src/runtime.ts');
  const { createServices } = await import('../packages/server/src/services.ts');
  const { buildApp } = await import('../packages/server/src/app.ts');
  const name = `gk_bench_gw_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const u = new URL(pgUrl);
  u.pathname = `/${name}`;
  const env = {
    GATEKEEPER_DATABASE_URL: u.toString(),
    GATEKEEPER_REDIS_URL: redisUrl,
    GATEKEEPER_REDIS_PREFIX: `${name}:`,
    GATEKEEPER_MASTER_KEYS: generateFernetKey(),
    GATEKEEPER_LOG_LEVEL: 'warn',
  };
  const open = async () => {
    const rt = await createRuntime(loadConfig({ env }), { logger: createLogger('silent') });
    const services = createServices(rt);
    await services.start();
    const app = await buildApp(rt, services);
    return { rt, services, app };
  };
  const a = await open();
  const b = await open();
  const times: number[] = [];
  const calls: number[] = [];
  try {
    const ctx = { actor: 'bench' };
    const tenant = await a.services.tenants.create({ slug: 'bench', displayName: 'bench' }, ctx);
    const { client } = await a.services.clients.create(tenant.id, { name: 'svc' }, ctx);
    const route = await a.services.gateway.config.createRoute(
      tenant.id,
      { host: 'api.example.com', path: '/v1/*', auth: { GET: ['api_key'] } },
      ctx,
    );
    await a.services.gateway.config.grant(
      tenant.id,
      { routeId: route.id, subjectType: 'client', subject: client.id, methods: ['GET'] },
      ctx,
    );
    // Each ask first lets the event loop turn once, as a real server's does between requests (they
    // arrive as socket I/O). Without it an all-cached inject() resolves in microtasks alone, so a
    // loop of them starved this process's I/O: instance b could not read the Redis message or run
    // its change-feed poll (and a's PUBLISH reply went unread until ioredis timed it out) until the
    // loop gave up — the 2 s "propagation" outliers were this harness, not the propagation.
    const ask = async (secret: string) => {
      await new Promise((r) => setImmediate(r));
      return b.app.inject({
        url: '/t/bench/authz',
        headers: { ...original, 'x-original-uri': '/v1/x', authorization: `Bearer ${secret}` },
      });
    };
    for (let i = 0; i < 40; i++) {
      const { secret, token } = await a.services.apiTokens.create(
        tenant.id,
        { owner: { type: 'client', id: client.id }, name: `t${i}`, scopes: [] },
        ctx,
      );
      for (let j = 0; j < 200 && (await ask(secret)).statusCode !== 200; j++)
        await new Promise((r) => setTimeout(r, 5));
      const called = performance.now();
      await a.services.apiTokens.revoke(tenant.id, token.id, ctx);
      // from the commit (revoke() resolved) until the second instance refuses the token
      const t0 = performance.now();
      calls.push(t0 - called);
      while ((await ask(secret)).statusCode === 200 && performance.now() - t0 < 2000);
      times.push(performance.now() - t0);
    }
  } finally {
    for (const x of [b, a]) {
      await x.app.close();
      await x.services.stop();
      await x.rt.close();
    }
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  const at = (xs: number[], q: number) => {
    const sorted = [...xs].sort((x, y) => x - y);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
  };
  return { p50: at(times, 0.5), p99: at(times, 0.99), n: times.length, revokeP50: at(calls, 0.5) };
}

/** Measures the /authz modes against `baseline` (a running bare server); returns the report lines. */
export async function runGatewayBench(options: {
  rounds: number;
  seconds: number;
  baseline: Target;
}): Promise<string[]> {
  const { rounds, seconds, baseline } = options;
  const gw: Started<Seeded> = await startServer<Seeded>(here('./servers/gatekeeper-gateway.ts'));
  const url = `http://127.0.0.1:${gw.port}/t/bench/authz`;
  const pid = gw.child.pid!;
  const { token, clientId, hmacSecret, accessToken } = gw.info;
  let compared: Awaited<ReturnType<typeof compare>>;
  try {
    compared = await compare(
      baseline,
      [
        {
          name: '/authz api_key',
          url,
          pid,
          headers: () => ({ ...original, authorization: `Bearer ${token}` }),
        },
        {
          name: '/authz hmac (RFC 9421)',
          url,
          pid,
          headers: () => ({ ...original, ...rfc9421Headers(clientId, hmacSecret) }),
        },
        {
          name: '/authz jwt (RS256 access token)',
          url,
          pid,
          headers: () => ({
            ...original,
            'x-original-host': 'jwt.example.com',
            authorization: `Bearer ${accessToken}`,
          }),
        },
      ],
      { rounds, seconds },
    );
  } finally {
    await gw.stop();
  }
  const propagation = await revocationPropagation();
  const [apiKey, hmac, jwt] = compared.results;
  return [
    table(compared.baseline, compared.results),
    '',
    `/authz api_key / bare: ${apiKey!.ratio} req/s, ${apiKey!.cpuRatio ?? '–'} by CPU (target ≥ 0.8)`,
    `/authz hmac / bare: ${hmac!.ratio} req/s, ${hmac!.cpuRatio ?? '–'} by CPU (target ≥ 0.6)`,
    `/authz jwt / bare: ${jwt!.ratio} req/s, ${jwt!.cpuRatio ?? '–'} by CPU (target ≥ 0.6)`,
    propagation
      ? `revocation reaching a second instance (PostgreSQL + Redis, n=${propagation.n}, from commit): p50 ${propagation.p50} ms, p99 ${propagation.p99} ms (target p99 < 100 ms); the revoke call itself p50 ${propagation.revokeP50} ms`
      : 'revocation propagation: not measured (set BENCH_POSTGRES_URL and BENCH_REDIS_URL)',
  ];
}

if (import.meta.main) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 2);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const bare = await startServer(here('./servers/bare.ts'));
  try {
    const baseline = {
      name: 'bare fastify GET /',
      url: `http://127.0.0.1:${bare.port}/`,
      pid: bare.child.pid!,
    };
    for (const line of await runGatewayBench({ rounds, seconds, baseline })) console.log(line);
  } finally {
    await bare.stop();
  }
}
