/**
 * `node bench/writes.ts`: admin writes per second — POST /api/v1/tenants/root/users with a unique
 * username per request, on the real server (embedded SQLite unless GATEKEEPER_DATABASE_URL names a
 * PostgreSQL database). Each acknowledged write carries its audit event; BENCH_SECONDS bounds the load.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);

export async function startAdminServer(): Promise<{ child: ChildProcess; port: number; token: string }> {
  const script = fileURLToPath(new URL('./servers/gatekeeper-admin.ts', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  const ready = await new Promise<{ port: number; token: string }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { port?: number; token?: string };
        if (parsed.port && parsed.token) resolve({ port: parsed.port, token: parsed.token });
      } catch {
        // a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`admin bench server exited with ${code}`)));
  });
  return { child, ...ready };
}

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

if (import.meta.url === `file://${process.argv[1]}`) {
  const gk = await startAdminServer();
  const w = await measureWrites(gk.port, gk.token, seconds);
  console.log(
    `admin writes (POST users, ${connections} connections): ${w.rps} writes/s, p50 ${w.p50} ms, p99 ${w.p99} ms, non-2xx ${w.non2xx}, errors ${w.errors}`,
  );
  gk.child.kill('SIGTERM');
}
