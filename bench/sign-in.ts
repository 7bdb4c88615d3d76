/**
 * Sign-in benchmarks (issue 9), each as a ratio to its baseline measured in the same run:
 * - password sign-ins/s — full HTTP form posts to `/t/bench/sign-in` (CSRF token, rate limits,
 *   Argon2id verification at the default cost, lockout state, session insert with its audit event,
 *   Set-Cookie and 303) — against raw Argon2id verifications/s with the same parameters and
 *   concurrency in this process (target ≥ 0.8: password hashing bounds sign-in, nothing else should);
 * - session-authenticated requests/s (`GET /t/bench/account/api/session` with the session cookie,
 *   the page-security headers included) against the bare Fastify baseline (target ≥ 0.5).
 *
 * Each pair is measured in alternating short phases (the machine's load drifts; both sides of a ratio
 * see the same). `node bench/sign-in.ts` runs it alone; `bench/run.ts` calls `runSignInBench`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { hash, verify } from '@node-rs/argon2';
import autocannon from 'autocannon';
import { OWASP_ARGON2ID } from '../packages/server/src/crypto/password.ts';
import { BENCH_PASSWORD, type LoadResult, load, startServer, table } from './lib.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const CONNECTIONS = 8;

interface Seeded {
  port: number;
  cookie: string;
  csrfCookie: string;
  tokens: string;
  stop(): Promise<void>;
}

async function startSignInServer(): Promise<Seeded> {
  const child = spawn(process.execPath, [here('./servers/gatekeeper-sign-in.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = await new Promise<Omit<Seeded, 'stop'>>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as Partial<Seeded>;
        if (parsed.port && parsed.cookie) resolve(parsed as Omit<Seeded, 'stop'>);
      } catch {
        // a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`sign-in bench server exited with ${code}`)));
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

/** Argon2id verifications per second, `concurrency` at a time, for `seconds`. */
async function rawArgon2(seconds: number, concurrency: number): Promise<LoadResult> {
  const options = { ...OWASP_ARGON2ID, algorithm: 2 };
  const phc = await hash(BENCH_PASSWORD, options);
  const end = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      if (!(await verify(phc, BENCH_PASSWORD))) throw new Error('verification failed');
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    name: `raw Argon2id verify (m=${OWASP_ARGON2ID.memoryCost},t=${OWASP_ARGON2ID.timeCost})`,
    rps: Math.round(latencies.length / elapsed),
    p50: at(0.5),
    p99: at(0.99),
    errors: 0,
  };
}

let tokensOf: string[] | undefined;
let nextToken = 0;

/** Form posts of the sign-in, each with its own single-use CSRF token. */
async function signIns(server: Seeded, seconds: number): Promise<LoadResult> {
  tokensOf ??= readFileSync(server.tokens, 'utf8').split('\n');
  const tokens = tokensOf;
  const origin = `http://127.0.0.1:${server.port}`;
  const r = await autocannon({
    url: `${origin}/t/bench/sign-in`,
    duration: seconds,
    connections: CONNECTIONS,
    pipelining: 1,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          // every post spends one token; one used twice would be a (refused) replay
          const csrf = tokens[nextToken++ % tokens.length] as string;
          return {
            ...req,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              origin,
              cookie: server.csrfCookie,
              'user-agent': 'bench',
            },
            body: new URLSearchParams({ csrf, login: 'bench', password: BENCH_PASSWORD }).toString(),
          };
        },
      },
    ],
  });
  const ok = r['3xx'] ?? 0;
  if (process.env.BENCH_DEBUG)
    console.error(JSON.stringify({ codes: r.statusCodeStats, errors: r.errors, timeouts: r.timeouts }));
  return {
    name: 'password sign-in (HTTP form post → 303 + session)',
    rps: Math.round(ok / seconds),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + (r.non2xx - ok),
  };
}

/** Sums phases measured in alternation (a, b, a, b, …) so drift in the machine's load hits both alike. */
function combine(name: string, parts: LoadResult[]): LoadResult {
  const n = parts.length;
  return {
    name,
    rps: Math.round(parts.reduce((a, p) => a + p.rps, 0) / n),
    p50: Math.round(parts.reduce((a, p) => a + p.p50, 0) / n),
    p99: Math.max(...parts.map((p) => p.p99)),
    errors: parts.reduce((a, p) => a + p.errors, 0),
  };
}

export async function runSignInBench(options: { seconds: number }): Promise<void> {
  const { seconds } = options;
  const rounds = Math.max(1, Math.round(seconds / 2));
  const phase = seconds / rounds;
  const server = await startSignInServer();
  const bare = await startServer(here('./servers/bare.ts'));
  const raws: LoadResult[] = [];
  const posts: LoadResult[] = [];
  const bares: LoadResult[] = [];
  const cookies: LoadResult[] = [];
  const healths: LoadResult[] = [];
  try {
    // alternate short phases: the machine's load (other processes) drifts, the pairs see the same
    for (let i = 0; i < rounds; i++) {
      raws.push(await rawArgon2(phase, CONNECTIONS));
      posts.push(await signIns(server, phase));
    }
    for (let i = 0; i < rounds; i++) {
      bares.push(await load({ name: 'bare', url: `http://127.0.0.1:${bare.port}/` }, phase));
      cookies.push(await loadWithCookie(server, phase));
      healths.push(await load({ name: 'healthz', url: `http://127.0.0.1:${server.port}/healthz` }, phase));
    }
  } finally {
    await server.stop();
    await bare.stop();
  }
  const raw = combine(raws[0]?.name ?? 'raw', raws);
  const signIn = combine(posts[0]?.name ?? 'sign-in', posts);
  const baseline = combine('bare fastify GET / (alternating with the next row)', bares);
  const session = combine(cookies[0]?.name ?? 'session', cookies);
  const health = combine('gatekeeper GET /healthz (same server, for scale)', healths);
  console.log();
  console.log(table(raw, [signIn]));
  console.log();
  console.log(table(baseline, [session, health]));
  console.log();
  console.log(
    `ratio password sign-ins / raw Argon2id verifications (per s): ${(signIn.rps / raw.rps).toFixed(2)} (target ≥ 0.8)`,
  );
  console.log(
    `ratio session-authenticated / bare (req/s): ${(session.rps / baseline.rps).toFixed(2)} (target ≥ 0.5); vs the same server's /healthz: ${(session.rps / health.rps).toFixed(2)}`,
  );
}

async function loadWithCookie(server: Seeded, seconds: number): Promise<LoadResult> {
  const r = await autocannon({
    url: `http://127.0.0.1:${server.port}/t/bench/account/api/session`,
    duration: seconds,
    connections: 32,
    pipelining: 1,
    headers: { cookie: server.cookie },
  });
  return {
    name: 'session-authenticated GET /t/bench/account/api/session',
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runSignInBench({ seconds: Number(process.env.BENCH_SECONDS ?? 6) });
}
