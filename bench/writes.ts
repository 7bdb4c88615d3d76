/**
 * `node bench/writes.ts`: admin writes per second — POST /api/v1/tenants/root/users with a unique
 * username per request, on the real server (embedded SQLite unless GATEKEEPER_DATABASE_URL names a
 * PostgreSQL database). Each acknowledged write carries its audit event; BENCH_SECONDS bounds the load.
 */
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startServer } from './lib.ts';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);

export async function measureWrites(port: number, token: string, durationSec: number) {
  let n = 0;
  const run = Math.random().toString(36).slice(2, 8);
  const r = await autocannon({
    url: `http://127.0.0.1:${port}/api/v1/tenants/root/users`,
    duration: durationSec,
    connections,
    requests: [
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ username: `b${run}-${n++}` }) }),
      },
    ],
  });
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

/** Starts the admin bench server, measures `durationSec` of writes, stops it; one line of figures. */
export async function runWritesBench(durationSec: number): Promise<string> {
  const script = fileURLToPath(new URL('./servers/gatekeeper-admin.ts', import.meta.url));
  const gk = await startServer<{ token: string }>(script, process.env as Record<string, string>);
  try {
    const w = await measureWrites(gk.port, gk.info.token, durationSec);
    return `admin writes (POST users, ${connections} connections, ${durationSec} s, ${process.env.GATEKEEPER_DATABASE_URL ? 'PostgreSQL' : 'embedded SQLite'}): ${w.rps} writes/s, p50 ${w.p50} ms, p99 ${w.p99} ms, non-2xx ${w.non2xx}, errors ${w.errors}`;
  } finally {
    await gk.stop();
  }
}

if (import.meta.main) console.log(await runWritesBench(Number(process.env.BENCH_SECONDS ?? 5)));
