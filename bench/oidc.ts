/**
 * OIDC benchmarks (issue 10): client-credentials grants per second with RS256 and ES256 keys against
 * raw jose signatures per second measured in the same run (target ratio ≥ 0.7), introspections per
 * second against the bare Fastify baseline (≥ 0.5), and the memory of 1,000 tenants' Providers each
 * touched once (one discovery request), measured in process with forced garbage collection.
 *
 * `node --expose-gc bench/oidc.ts` runs it alone (with its own baseline); `bench/run.ts` calls
 * `runOidcBench` with the baseline it measured.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { generateKeyPair, SignJWT } from 'jose';
import { type LoadResult, load, startServer, type Target, table } from './lib.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

interface ServiceInfo {
  clientId: string;
  clientSecret: string;
  audience: string;
}
interface Seeded {
  port: number;
  rs: ServiceInfo;
  es: ServiceInfo;
  introspect: ServiceInfo & { token: string };
  stop(): Promise<void>;
}

async function startOidc(): Promise<Seeded> {
  const child = spawn(process.execPath, [here('./servers/gatekeeper-oidc.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = await new Promise<Omit<Seeded, 'stop'>>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as Partial<Seeded>;
        if (parsed.port && parsed.rs) resolve(parsed as Omit<Seeded, 'stop'>);
      } catch {
        // a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`oidc bench server exited with ${code}`)));
  });
  return {
    ...info,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function post(
  name: string,
  url: string,
  seconds: number,
  auth: ServiceInfo,
  body: string,
): Promise<LoadResult> {
  const r = await autocannon({
    url,
    duration: seconds,
    connections: 16,
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${auth.clientId}:${auth.clientSecret}`).toString('base64')}`,
    },
    body,
  });
  return {
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
  };
}

/** JWT signatures per second with jose alone (one thread, as the server's signing runs). */
async function rawSignatures(alg: 'RS256' | 'ES256', seconds: number): Promise<number> {
  const { privateKey } = await generateKeyPair(alg);
  const claims = { iss: 'https://bench', aud: 'https://api', client_id: 'x', scope: 'read', jti: 'j' };
  const until = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < until) {
    await new SignJWT(claims)
      .setProtectedHeader({ alg, typ: 'at+jwt', kid: 'k' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    n++;
  }
  return Math.round(n / seconds);
}

/** Heap held by `count` tenants' Providers, each built by one discovery request (in process). */
async function providersMemory(
  count: number,
): Promise<{ totalMb: number; perProviderKb: number; buildMs: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const { loadConfig } = await import('../packages/server/src/config/load.ts');
  const { generateFernetKey } = await import('../packages/server/src/crypto/fernet.ts');
  const { createLogger } = await import('../packages/server/src/logger.ts');
  const { createRuntime } = await import('../packages/server/src/runtime.ts');
  const { createServices } = await import('../packages/server/src/services.ts');
  const { buildApp } = await import('../packages/server/src/app.ts');
  const env = {
    GATEKEEPER_DATA_DIR: mkdtempSync(join(tmpdir(), 'gk-bench-mem-')),
    GATEKEEPER_MASTER_KEYS: generateFernetKey(),
    GATEKEEPER_LOG_LEVEL: 'warn',
    // key generation is not what is measured: ES256 keys are made in microseconds
    GATEKEEPER_OIDC_SIGNING_ALGORITHM: 'ES256',
    GATEKEEPER_OIDC_PROVIDER_CACHE_SIZE: String(count),
  };
  const rt = await createRuntime(loadConfig({ env }), { logger: createLogger('silent') });
  const services = createServices(rt);
  await services.start();
  const app = await buildApp(rt, services);
  for (let i = 0; i < count; i++)
    await services.tenants.create({ slug: `m${i}`, displayName: `m${i}` }, { actor: 'bench' });
  // warm the shared code paths with one provider, then measure the rest
  await app.inject({ url: '/t/m0/.well-known/openid-configuration' });
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 1; i < count; i++) {
    const r = await app.inject({ url: `/t/m${i}/.well-known/openid-configuration` });
    if (r.statusCode !== 200) throw new Error(`discovery of m${i}: ${r.statusCode}`);
  }
  const buildMs = (performance.now() - t0) / (count - 1);
  gc?.();
  const after = process.memoryUsage().heapUsed;
  if (services.oidc.pool.size !== count) throw new Error(`pool holds ${services.oidc.pool.size}`);
  await app.close();
  await services.stop();
  await rt.close();
  const bytes = after - before;
  return {
    totalMb: Math.round(bytes / 1_048_576),
    perProviderKb: Math.round(bytes / (count - 1) / 1024),
    buildMs: Math.round(buildMs * 10) / 10,
  };
}

/** Measures grants, introspection (against `baseline`, a running bare server) and Provider memory. */
export async function runOidcBench(options: { seconds: number; baseline: Target }): Promise<string[]> {
  const { seconds } = options;
  const baseline = await load(options.baseline, seconds);
  const gk = await startOidc();
  const base = `http://127.0.0.1:${gk.port}`;
  const cc = (i: ServiceInfo) =>
    `grant_type=client_credentials&scope=read&resource=${encodeURIComponent(i.audience)}`;
  const rsGrants = await post('client_credentials RS256', `${base}/t/rs/token`, seconds, gk.rs, cc(gk.rs));
  const esGrants = await post('client_credentials ES256', `${base}/t/es/token`, seconds, gk.es, cc(gk.es));
  const intro = await post(
    'introspection (opaque)',
    `${base}/t/rs/token/introspection`,
    seconds,
    gk.introspect,
    `token=${gk.introspect.token}`,
  );
  await gk.stop();
  const rsSign = await rawSignatures('RS256', seconds);
  const esSign = await rawSignatures('ES256', seconds);
  const memory = await providersMemory(1000);

  return [
    table(baseline, [rsGrants, esGrants, intro]),
    '',
    `raw jose signatures/s: RS256 ${rsSign}, ES256 ${esSign}`,
    `ratio client_credentials RS256 grants/s to RS256 signatures/s: ${(rsGrants.rps / rsSign).toFixed(2)} (target ≥ 0.7)`,
    `ratio client_credentials ES256 grants/s to ES256 signatures/s: ${(esGrants.rps / esSign).toFixed(2)} (target ≥ 0.7)`,
    `ratio introspections/s to bare fastify (measured just before): ${(intro.rps / baseline.rps).toFixed(2)} (target ≥ 0.5)`,
    `1,000 tenants' Providers touched once: +${memory.totalMb} MiB heap (${memory.perProviderKb} KiB each), ${memory.buildMs} ms to build one`,
  ];
}

if (import.meta.main) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const bare = await startServer(here('./servers/bare.ts'));
  try {
    const baseline = {
      name: 'bare fastify GET /',
      url: `http://127.0.0.1:${bare.port}/`,
      pid: bare.child.pid!,
    };
    for (const line of await runOidcBench({ seconds, baseline })) console.log(line);
  } finally {
    await bare.stop();
  }
}
