/**
 * `npm run bench`: bounded benchmarks on loopback, each reported as a ratio to a bare Fastify server
 * measured in the same run (on 2 shared cores only ratios are comparable across runs and machines):
 * 1. the request path: `GET /healthz` (every per-request hook, one log line per request at the
 *    default `info` level) against bare Fastify `GET /` — target ≥ 0.9;
 * 2. cold start of the real `gatekeeper serve` to `/readyz` 200 against bare Fastify's start to its
 *    first 200 — target ≤ 2×; and the idle RSS after start — target ≤ 100 MiB;
 * 3. admin writes per second (bench/writes.ts);
 * 4. `/authz` decisions (bench/gateway.ts), and revocation propagation with PostgreSQL + Redis;
 * 5. OIDC client-credentials grants, introspection and Provider memory (bench/oidc.ts).
 * BENCH_SECONDS (default 2) is one load phase, BENCH_ROUNDS (default 3) how many alternating rounds;
 * the whole run is cut off after BENCH_DEADLINE_SECONDS (default 300).
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFernetKey } from '../packages/server/src/crypto/fernet.ts';
import { runGatewayBench } from './gateway.ts';
import { compare, median, rssMb, type Started, startServer, type Target, table } from './lib.ts';
import { runOidcBench } from './oidc.ts';
import { runWritesBench } from './writes.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const deadline = Number(process.env.BENCH_DEADLINE_SECONDS ?? 300);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const running = new Set<Started>();
async function started(script: string, env?: Record<string, string>, args?: string[]): Promise<Started> {
  const s = await startServer(script, env, args);
  running.add(s);
  const stop = s.stop;
  s.stop = async () => {
    running.delete(s);
    await stop();
  };
  return s;
}
setTimeout(() => {
  console.error(`bench: not finished after ${deadline} s; stopping`);
  for (const s of running) s.child.kill('SIGKILL');
  process.exit(1);
}, deadline * 1000).unref();

/** Spawn to the first 200 of `path`, and the RSS once idle (IDLE_MS after that). */
async function coldStart(
  script: string,
  path: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ readyMs: number; rssMb: number }> {
  const t0 = performance.now();
  const s = await started(script, env, args);
  for (;;) {
    const r = await fetch(`http://127.0.0.1:${s.port}${path}`).catch(() => undefined);
    if (r?.status === 200) break;
  }
  const readyMs = Math.round(performance.now() - t0);
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const rss = rssMb(s.child.pid!);
  await s.stop();
  return { readyMs, rssMb: rss };
}
const IDLE_MS = 3000;

console.log(
  `bench: ${rounds} rounds of ${seconds} s per phase; load average at start ${loadavg()
    .map((x) => x.toFixed(2))
    .join(
      ' ',
    )} (${process.env.BENCH_NOTE ?? 'shared machine: ratios, not absolute figures, are what compare'})`,
);

// 1. the request path
const bare = await started(here('./servers/bare.ts'));
const gk = await started(here('./servers/gatekeeper.ts'));
const baseline: Target = {
  name: 'bare fastify GET /',
  url: `http://127.0.0.1:${bare.port}/`,
  pid: bare.child.pid!,
};
const healthz = await compare(
  baseline,
  [{ name: 'gatekeeper GET /healthz', url: `http://127.0.0.1:${gk.port}/healthz`, pid: gk.child.pid! }],
  { rounds, seconds },
);
await gk.stop();

// 2. cold start and idle RSS: the real command on a fresh embedded database (a first run migrates it
//    and fills Node's compile cache, as any installed server has)
const dataDir = mkdtempSync(join(tmpdir(), 'gk-cold-'));
const serveEnv = {
  GATEKEEPER_DATA_DIR: dataDir,
  GATEKEEPER_PORT: '0',
  GATEKEEPER_MASTER_KEYS: generateFernetKey(),
};
const gatekeeperBin = here('../packages/server/bin/gatekeeper.js');
await (await started(gatekeeperBin, serveEnv, ['serve'])).stop();
await (await started(here('./servers/bare.ts'))).stop();
const bareStarts: { readyMs: number; rssMb: number }[] = [];
const gkStarts: { readyMs: number; rssMb: number }[] = [];
for (let i = 0; i < rounds; i++) {
  bareStarts.push(await coldStart(here('./servers/bare.ts'), '/', {}));
  gkStarts.push(await coldStart(gatekeeperBin, '/readyz', serveEnv, ['serve']));
}
const coldRatios = bareStarts.map((b, i) => gkStarts[i]!.readyMs / b.readyMs);

// 3. admin writes
const writes = await runWritesBench(seconds * 2);

// 4. /authz
const gateway = await runGatewayBench({ rounds, seconds, baseline });

// 5. OIDC grants and introspection
const oidc = await runOidcBench({ seconds, baseline });
await bare.stop();

console.log('\n## Request path (issue 6 §9)\n');
console.log(table(healthz.baseline, healthz.results));
const h = healthz.results[0]!;
console.log(
  `\nhealthz / bare: ${h.ratio} req/s (median of ${rounds} rounds), ${h.cpuRatio ?? '–'} by CPU per request (target ≥ 0.9)`,
);
const coldMedian = median(gkStarts.map((s) => s.readyMs));
const bareColdMedian = median(bareStarts.map((s) => s.readyMs));
console.log(
  `cold start to /readyz 200 (spawn included, median of ${rounds}): gatekeeper ${coldMedian} ms, bare fastify ${bareColdMedian} ms, ratio ${median(coldRatios).toFixed(2)} (target ≤ 2)`,
);
console.log(
  `idle RSS ${IDLE_MS / 1000} s after ready (median of ${rounds}): gatekeeper ${median(gkStarts.map((s) => s.rssMb))} MiB (target ≤ 100), bare fastify ${median(bareStarts.map((s) => s.rssMb))} MiB, ratio ${(median(gkStarts.map((s) => s.rssMb)) / median(bareStarts.map((s) => s.rssMb))).toFixed(2)}`,
);
console.log('\n## Admin writes\n');
console.log(writes);
console.log('\n## /authz (issue 11)\n');
for (const line of gateway) console.log(line);
console.log('\n## OIDC (issue 8)\n');
for (const line of oidc) console.log(line);
console.log(
  `\nload average at end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
process.exit(0);
