/**
 * `npm run bench`: bounded benchmarks on loopback. Measures a bare Fastify hello-world and
 * Gatekeeper's hot paths in the same run and prints each with its ratio to the baseline (on 2 cores
 * the load generator shares the CPU, so only ratios are comparable across machines). Also reports
 * cold start to ready and idle RSS. BENCH_SECONDS (default 5) bounds each load phase.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFernetKey } from '../packages/server/src/crypto/fernet.ts';
import { load, printTable, startServer } from './lib.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** Cold start of the real `gatekeeper serve` command on a fresh embedded database. */
async function coldStart(): Promise<{ readyMs: number; rssMb: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gk-cold-'));
  const env = {
    GATEKEEPER_DATA_DIR: dataDir,
    GATEKEEPER_PORT: '0',
    GATEKEEPER_MASTER_KEYS: generateFernetKey(),
  };
  // a first run migrates the new database and fills Node's compile cache, as any installed server has
  const warm = await startServer(here('../packages/server/bin/gatekeeper.js'), env, ['serve']);
  await warm.stop();
  const t0 = performance.now();
  const gk = await startServer(here('../packages/server/bin/gatekeeper.js'), env, ['serve']);
  for (;;) {
    const r = await fetch(`http://127.0.0.1:${gk.port}/readyz`).catch(() => undefined);
    if (r?.status === 200) break;
  }
  const readyMs = Math.round(performance.now() - t0);
  await new Promise((r) => setTimeout(r, 2000));
  const rss = rssMb(gk.child.pid!);
  await gk.stop();
  return { readyMs, rssMb: rss };
}

const bare = await startServer(here('./servers/bare.ts'));
const baseline = await load('bare fastify GET /', `http://127.0.0.1:${bare.port}/`, seconds);
await bare.stop();

const gk = await startServer(here('./servers/gatekeeper.ts'));
const healthz = await load('gatekeeper GET /healthz', `http://127.0.0.1:${gk.port}/healthz`, seconds);
await gk.stop();

const start = await coldStart();

printTable([baseline, healthz]);
console.log();
console.log(`ratio healthz/bare (req/s): ${(healthz.rps / baseline.rps).toFixed(2)}`);
console.log(
  `cold start of \`gatekeeper serve\` to /readyz 200 (process spawn included): ${start.readyMs} ms`,
);
console.log(`idle RSS after start: ${start.rssMb} MiB`);
await (await import('./gateway.ts')).runGatewayBench({ seconds, baseline });
await (await import('./oidc.ts')).runOidcBench({ seconds, baseline });
