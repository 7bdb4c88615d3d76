/**
 * Benchmark plumbing: start a server script in a child process (so the load generator does not
 * share its event loop), wait for its ready line, run bounded autocannon loads on loopback, and
 * compare targets with a baseline measured in alternating rounds of the same run.
 *
 * The machine may be shared (2 cores, other processes): a baseline measured a minute before a target
 * says little about it. So each round measures the baseline right before every target, and the ratio
 * reported is the median of the rounds' ratios. Beside req/s, each load reads the server process's CPU
 * time from /proc: CPU per request depends much less on what else runs on the machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface Started<Info = Record<string, unknown>> {
  child: ChildProcess;
  port: number;
  /** The ready line, parsed (`{"port":N,…}` or Gatekeeper's `gatekeeper ready` log line). */
  info: Info;
  stop(): Promise<void>;
}

/**
 * Starts `node <script> [...args]` and resolves once it prints its port: a `{"port":N,…}` line, or
 * Gatekeeper's own `gatekeeper ready` log line with its address. Its stdout goes to a file, as a
 * server's log does in production (journald, a log file): a pipe read by this process would make the
 * server's log writes depend on the load generator, which shares the cores.
 */
export async function startServer<Info = Record<string, unknown>>(
  script: string,
  env: Record<string, string> = {},
  args: readonly string[] = [],
): Promise<Started<Info>> {
  const dir = mkdtempSync(join(tmpdir(), 'gk-bench-out-'));
  const out = join(dir, 'stdout');
  const fd = openSync(out, 'w');
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', fd, 'inherit'],
    env: { ...process.env, ...env },
  });
  closeSync(fd);
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  let read = 0;
  let pending = '';
  for (;;) {
    if (exited !== undefined) {
      cleanUp();
      throw new Error(`${script} exited with ${exited}`);
    }
    const text = readFileSync(out, 'utf8');
    pending += text.slice(read);
    read = text.length;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      let parsed: { port?: number; address?: string };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        continue; // not the ready line
      }
      const port = parsed.port ?? (parsed.address ? Number(new URL(parsed.address).port) : 0);
      if (port)
        return {
          child,
          port,
          info: parsed as Info,
          stop: () =>
            new Promise<void>((resolve) => {
              const done = () => {
                cleanUp();
                resolve();
              };
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', done);
              child.kill('SIGTERM');
            }),
        };
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident set size of a process, in MiB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

export interface LoadResult {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Server CPU per request in µs, when the server's pid was given. */
  cpuUs?: number;
}

export interface Target {
  name: string;
  url: string;
  /** The server's pid, to measure its CPU per request. */
  pid?: number;
  method?: string;
  /** Headers per request (called for every request: signatures need a fresh nonce). */
  headers?: () => Record<string, string>;
  connections?: number;
}

export async function load(target: Target, seconds: number): Promise<LoadResult> {
  const cpu0 = target.pid ? cpuMs(target.pid) : 0;
  const { headers } = target;
  const r = await autocannon({
    url: target.url,
    duration: seconds,
    connections: target.connections ?? 32,
    pipelining: 1,
    ...(headers
      ? {
          requests: [
            {
              method: (target.method ?? 'GET') as 'GET',
              setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...headers() } }),
            },
          ],
        }
      : {}),
  });
  const served = r.requests.total;
  return {
    name: target.name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
    ...(target.pid && served > 0 ? { cpuUs: Math.round(((cpuMs(target.pid) - cpu0) * 1000) / served) } : {}),
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Compared extends LoadResult {
  /** Median over rounds of (target req/s ÷ the baseline's req/s in the same round). */
  ratio: number;
  /** Baseline CPU per request ÷ target CPU per request (medians): the throughput ratio without contention. */
  cpuRatio?: number;
}

/**
 * Measures the baseline and every target in `rounds` alternating rounds of `seconds` each (after an
 * unmeasured warm-up of each); returns the baseline (medians) and each target with its median ratio to
 * the baseline of its round.
 */
export async function compare(
  baseline: Target,
  targets: readonly Target[],
  options: { rounds: number; seconds: number },
): Promise<{ baseline: LoadResult; results: Compared[] }> {
  const base: LoadResult[] = [];
  const runs = targets.map(() => [] as { r: LoadResult; b: LoadResult }[]);
  // warm-up, not measured: the JIT compiles the hot path in the first thousands of requests, and a
  // server that just started grows its young generation back (startup-memory.ts)
  const warmUp = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
  for (const t of [baseline, ...targets]) await load(t, warmUp);
  for (let round = 0; round < options.rounds; round++) {
    for (const [i, t] of targets.entries()) {
      const b = await load(baseline, options.seconds);
      base.push(b);
      runs[i]!.push({ r: await load(t, options.seconds), b });
    }
  }
  const summary = (name: string, xs: readonly LoadResult[]): LoadResult => {
    const cpu = xs.flatMap((x) => (x.cpuUs === undefined ? [] : [x.cpuUs]));
    return {
      name,
      rps: Math.round(median(xs.map((x) => x.rps))),
      p50: median(xs.map((x) => x.p50)),
      p99: median(xs.map((x) => x.p99)),
      errors: xs.reduce((n, x) => n + x.errors, 0),
      ...(cpu.length ? { cpuUs: median(cpu) } : {}),
    };
  };
  const baselineSummary = summary(baseline.name, base);
  return {
    baseline: baselineSummary,
    results: targets.map((t, i) => {
      const s = summary(
        t.name,
        runs[i]!.map((x) => x.r),
      );
      const ratio = median(runs[i]!.map(({ r, b }) => r.rps / b.rps));
      return {
        ...s,
        ratio: Math.round(ratio * 100) / 100,
        ...(s.cpuUs && baselineSummary.cpuUs
          ? { cpuRatio: Math.round((baselineSummary.cpuUs / s.cpuUs) * 100) / 100 }
          : {}),
      };
    }),
  };
}

/** A Markdown table of a comparison. */
export function table(baseline: LoadResult, results: readonly (LoadResult & Partial<Compared>)[]): string {
  const lines = [
    '| target | req/s | p50 ms | p99 ms | errors | server CPU µs/req | ratio req/s | ratio CPU |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const rows: (LoadResult & Partial<Compared>)[] = [baseline, ...results];
  for (const r of rows)
    lines.push(
      `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.cpuUs ?? '–'} | ${r.ratio ?? (r === baseline ? 1 : '–')} | ${r.cpuRatio ?? (r === baseline ? 1 : '–')} |`,
    );
  return lines.join('\n');
}

/** The password of the sign-in benchmark's user (bench/sign-in.ts and its server). */
export const BENCH_PASSWORD = 'measured passphrase of decent length';
