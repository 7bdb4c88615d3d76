/**
 * Benchmark plumbing: start a server script in a child process (so the load generator does not
 * share its event loop), wait for its {"port":N} line, run a bounded autocannon load on loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

export interface Started {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts `node <script> [...args]` and resolves once it prints its port: a `{"port":N}` line, or
 * Gatekeeper's own `gatekeeper ready` log line with its address.
 */
export async function startServer(
  script: string,
  env: Record<string, string> = {},
  args: readonly string[] = [],
): Promise<Started> {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const port = await new Promise<number>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { port?: number; address?: string };
        const port = parsed.port ?? (parsed.address ? Number(new URL(parsed.address).port) : 0);
        if (port) resolve(port);
      } catch {
        // not the ready line
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return {
    child,
    port,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface LoadResult {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export async function load(
  name: string,
  url: string,
  seconds: number,
  connections = 32,
): Promise<LoadResult> {
  const r = await autocannon({ url, duration: seconds, connections, pipelining: 1 });
  return {
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
  };
}

export function printTable(results: LoadResult[]): void {
  console.log('| target | req/s | p50 ms | p99 ms | errors |');
  console.log('|---|---|---|---|---|');
  for (const r of results) console.log(`| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} |`);
}

/** The password of the sign-in benchmark's user (bench/sign-in.ts and its server). */
export const BENCH_PASSWORD = 'benchmark password of decent length';
