/**
 * OIDC benchmarks (issue 10): client-credentials grants per second with RS256 and ES256 keys against
 * raw jose signatures per second measured in the same run (target ratio ≥ 0.7), introspections per
 * second against the bare Fastify baseline (≥ 0.5), and the memory of 1,000 tenants' Providers each
 * touched once (one discovery request), measured in process with forced garbage collection.
 *
 * Fairness: the raw signatures use the server's key type and size, header and claims, one after
 * another on one thread; the introspected token is an active opaque one (the server checks it before
 * it prints its ready line). Targets and the quantity each is compared with are measured in
 * alternating rounds (BENCH_ROUNDS, default 3), each ratio the median of the rounds' ratios, by req/s
 * and by server CPU per request (less sensitive to what else runs on a shared machine).
 *
 * `node --expose-gc bench/oidc.ts` runs it alone (with its own baseline); `bench/run.ts` calls
 * `runOidcBench` with the baseline it measured.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { cpuMs, type LoadResult, load, median, startServer, type Target, table } from './lib.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
/** Connections of every load here, the baseline's included (req/s ratios at the same concurrency). */
const CONNECTIONS = 16;

interface ServiceInfo {
  clientId: string;
  clientSecret: string;
  audience: string;
}
interface Seeded {
  rs: ServiceInfo;
  es: ServiceInfo;
  introspect: ServiceInfo & { token: string };
}

async function post(
  name: string,
  url: string,
  seconds: number,
  auth: ServiceInfo,
  body: string,
  pid: number,
): Promise<LoadResult> {
  const cpu0 = cpuMs(pid);
  const r = await autocannon({
    url,
    duration: seconds,
    connections: CONNECTIONS,
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${auth.clientId}:${auth.clientSecret}`).toString('base64')}`,
    },
    body,
  });
  const served = r.requests.total;
  return {
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
    ...(served > 0 ? { cpuUs: Math.round(((cpuMs(pid) - cpu0) * 1000) / served) } : {}),
  };
}

/**
 * JWT signatures per second with jose alone, one after another on one thread (as the server signs
 * each token), with the server's key type and size, header and claims (an RFC 9068 access token of a
 * client-credentials grant); with the CPU each took.
 */
async function rawSignatures(
  alg: 'RS256' | 'ES256',
  seconds: number,
): Promise<{ perSecond: number; cpuUs: number }> {
  const { privateKey } = await generateKeyPair(alg, alg === 'RS256' ? { modulusLength: 2048 } : {});
  const claims = {
    iss: 'http://localhost:8080/t/rs',
    aud: 'https://jwt.rs.bench/',
    client_id: 'Wm9mJ2Pq1sVx5kRtY8aBcD',
    scope: 'read',
    jti: 'pQ3x7LmZr9KdWs2VtYbN4cHgFj6E0aUiOo1e5Rk8TyA',
  };
  const until = performance.now() + seconds * 1000;
  const cpu0 = process.cpuUsage();
  let n = 0;
  while (performance.now() < until) {
    await new SignJWT(claims)
      .setProtectedHeader({ alg, typ: 'at+jwt', kid: 'x1dY3mQ0vB7nK5sZ2pL8cR4tW6hJ9gF1aE3uI5oN7qS' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    n++;
  }
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: Math.round(n / seconds), cpuUs: Math.round((cpu.user + cpu.system) / n) };
}

/**
 * The same JWTs signed by the server's own signer (signer.ts: node:crypto KeyObjects, which the
 * Provider uses instead of jose's WebCrypto path), header and payload serialized as the provider does.
 */
async function serverSignerSignatures(alg: 'RS256' | 'ES256', seconds: number): Promise<number> {
  const { signingKeysOf } = await import('../packages/server/src/capabilities/oidc/signer.ts');
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  });
  const kid = 'x1dY3mQ0vB7nK5sZ2pL8cR4tW6hJ9gF1aE3uI5oN7qS';
  const jwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  const [key] = signingKeysOf({ keys: [jwk], alg, kid, nextChangeAt: null });
  const b64u = (x: string) => Buffer.from(x).toString('base64url');
  const until = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < until) {
    const iat = Math.floor(Date.now() / 1000);
    const payload = {
      iss: 'http://localhost:8080/t/rs',
      aud: 'https://jwt.rs.bench/',
      client_id: 'Wm9mJ2Pq1sVx5kRtY8aBcD',
      scope: 'read',
      jti: 'pQ3x7LmZr9KdWs2VtYbN4cHgFj6E0aUiOo1e5Rk8TyA',
      iat,
      exp: iat + 3600,
    };
    const input = `${b64u(JSON.stringify({ alg, typ: 'at+jwt', kid }))}.${b64u(JSON.stringify(payload))}`;
    Buffer.from(await key!.sign(Buffer.from(input))).toString('base64url');
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

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The median of a list of load results (rps, latencies, CPU per request). */
function summary(name: string, xs: readonly LoadResult[]): LoadResult {
  const cpu = xs.flatMap((x) => (x.cpuUs === undefined ? [] : [x.cpuUs]));
  return {
    name,
    rps: Math.round(median(xs.map((x) => x.rps))),
    p50: median(xs.map((x) => x.p50)),
    p99: median(xs.map((x) => x.p99)),
    errors: xs.reduce((n, x) => n + x.errors, 0),
    ...(cpu.length ? { cpuUs: median(cpu) } : {}),
  };
}

/**
 * Measures grants and introspection in `rounds` alternating rounds — each target right after the
 * quantity it is compared with (the raw signatures of its algorithm, the bare baseline), so that the
 * machine's load moves both — and reports median ratios, by req/s and by CPU per request; then the
 * memory of 1,000 Providers.
 */
export async function runOidcBench(options: {
  seconds: number;
  baseline: Target;
  rounds?: number;
}): Promise<string[]> {
  const { seconds, baseline } = options;
  const rounds = options.rounds ?? Number(process.env.BENCH_ROUNDS ?? 3);
  const gk = await startServer<Seeded>(here('./servers/gatekeeper-oidc.ts'));
  const pid = gk.child.pid!;
  const { rs, es, introspect } = gk.info;
  if (!rs || !es || !introspect) throw new Error('the oidc bench server printed no seed information');
  const base = `http://127.0.0.1:${gk.port}`;
  const cc = (i: ServiceInfo) =>
    `grant_type=client_credentials&scope=read&resource=${encodeURIComponent(i.audience)}`;
  const rsGrant = () => post('client_credentials RS256', `${base}/t/rs/token`, seconds, rs, cc(rs), pid);
  const esGrant = () => post('client_credentials ES256', `${base}/t/es/token`, seconds, es, cc(es), pid);
  const intro = () =>
    post(
      'introspection (opaque, active)',
      `${base}/t/rs/token/introspection`,
      seconds,
      introspect,
      `token=${introspect.token}`,
      pid,
    );
  const runs = {
    base: [] as LoadResult[],
    rs: [] as LoadResult[],
    es: [] as LoadResult[],
    intro: [] as LoadResult[],
  };
  const sigs = {
    rs: [] as { perSecond: number; cpuUs: number }[],
    es: [] as { perSecond: number; cpuUs: number }[],
  };
  const warmUp = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
  try {
    // not measured: the JIT compiles the hot paths in the first thousands of requests
    await load({ ...baseline, connections: CONNECTIONS }, warmUp);
    await post('', `${base}/t/rs/token`, warmUp, rs, cc(rs), pid);
    await post('', `${base}/t/es/token`, warmUp, es, cc(es), pid);
    await post('', `${base}/t/rs/token/introspection`, warmUp, introspect, `token=${introspect.token}`, pid);
    await rawSignatures('RS256', 1);
    await rawSignatures('ES256', 1);
    for (let round = 0; round < rounds; round++) {
      sigs.rs.push(await rawSignatures('RS256', seconds));
      runs.rs.push(await rsGrant());
      sigs.es.push(await rawSignatures('ES256', seconds));
      runs.es.push(await esGrant());
      runs.base.push(await load({ ...baseline, connections: CONNECTIONS }, seconds));
      runs.intro.push(await intro());
    }
  } finally {
    await gk.stop();
  }
  const signer = {
    rs: await serverSignerSignatures('RS256', seconds),
    es: await serverSignerSignatures('ES256', seconds),
  };
  const memory = await providersMemory(1000);

  const ratios = (xs: readonly LoadResult[], ys: readonly { rps: number; cpuUs?: number }[]) => ({
    rps: round2(median(xs.map((x, i) => x.rps / ys[i]!.rps))),
    cpu: round2(median(xs.map((x, i) => (ys[i]!.cpuUs ?? 0) / (x.cpuUs ?? Number.POSITIVE_INFINITY)))),
  });
  const perSecond = (xs: readonly { perSecond: number; cpuUs: number }[]) =>
    xs.map((x) => ({ rps: x.perSecond, cpuUs: x.cpuUs }));
  const rsRatio = ratios(runs.rs, perSecond(sigs.rs));
  const esRatio = ratios(runs.es, perSecond(sigs.es));
  const introRatio = ratios(runs.intro, runs.base);
  const sigLine = (xs: readonly { perSecond: number; cpuUs: number }[]) =>
    `${median(xs.map((x) => x.perSecond))}/s (${median(xs.map((x) => x.cpuUs))} µs CPU each)`;
  return [
    table(summary(baseline.name, runs.base), [
      summary('client_credentials RS256', runs.rs),
      summary('client_credentials ES256', runs.es),
      summary('introspection (opaque, active)', runs.intro),
    ]),
    '',
    `medians of ${rounds} rounds of ${seconds} s; each ratio is the median of the rounds' ratios, by req/s and by CPU per request (server CPU per grant against jose's CPU per signature)`,
    `raw jose signatures (same key type, header and claims, one thread): RS256 ${sigLine(sigs.rs)}, ES256 ${sigLine(sigs.es)}`,
    `the server's own signer alone (node:crypto, measured once after the rounds): RS256 ${signer.rs}/s, ES256 ${signer.es}/s — grants/s against it: RS256 ${round2(summary('', runs.rs).rps / signer.rs)}, ES256 ${round2(summary('', runs.es).rps / signer.es)}`,
    `ratio client_credentials RS256 grants/s to RS256 signatures/s: ${rsRatio.rps} (by CPU ${rsRatio.cpu}; target ≥ 0.7)`,
    `ratio client_credentials ES256 grants/s to ES256 signatures/s: ${esRatio.rps} (by CPU ${esRatio.cpu}; target ≥ 0.7)`,
    `ratio introspections/s to bare fastify (measured just before): ${introRatio.rps} (by CPU ${introRatio.cpu}; target ≥ 0.5)`,
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
