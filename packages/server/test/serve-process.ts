/**
 * Process-level test harness for `gatekeeper serve`: spawns the real launcher (or `npm start`) with
 * a clean environment, collects its output, resolves when the server says it is ready or when the
 * process exits (with the time it took), takes free ports and holds ports as "taken", and makes
 * fresh PostgreSQL databases for tests that start several processes against one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export const launcher = new URL('../bin/gatekeeper.js', import.meta.url).pathname;
export const repoRoot = new URL('../../../', import.meta.url).pathname;

/** A minimal environment: PATH and HOME from the test process, plus `env`. */
export function cleanEnv(env: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from spawn to exit. */
  afterMs: number;
  /** Milliseconds from the first stderr line starting with `gatekeeper:` to exit, if there was one. */
  afterErrorMs: number | undefined;
}

export interface ServeProcess {
  child: ChildProcess;
  /** stdout lines (JSON logs and anything else). */
  stdout: string[];
  stderr(): string;
  /** The address from the `gatekeeper ready` log line; rejects if the process exits first. */
  ready: Promise<{ address: string; port: number }>;
  exited: Promise<Exit>;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** Spawns `command args` (default: this Node on the launcher, `serve`). */
export function spawnServe(options: {
  env: Record<string, string>;
  command?: string;
  args?: string[];
  cwd?: string;
  /** Its own process group (pid = pgid), as a shell job is: `process.kill(-pid, sig)` signals it all. */
  detached?: boolean;
}): ServeProcess {
  const started = performance.now();
  const child = spawn(options.command ?? process.execPath, options.args ?? [launcher, 'serve'], {
    env: cleanEnv(options.env),
    cwd: options.cwd ?? repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const stdout: string[] = [];
  let stderr = '';
  let errorAt: number | undefined;
  let pending = '';
  let onReady: ((v: { address: string; port: number }) => void) | undefined;
  const ready = new Promise<{ address: string; port: number }>((resolve, reject) => {
    onReady = resolve;
    child.once('exit', (code, signal) =>
      reject(new Error(`exited before ready (${code ?? signal}): ${stderr.slice(-2000)}`)),
    );
  });
  ready.catch(() => {});
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      stdout.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; address?: string };
        if (entry.msg === 'gatekeeper ready' && entry.address)
          onReady?.({ address: entry.address, port: Number(new URL(entry.address).port) });
      } catch {
        // not a log line (npm's banner, for instance)
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
    if (errorAt === undefined && /^gatekeeper: /m.test(stderr)) errorAt = performance.now();
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      const now = performance.now();
      resolve({
        code,
        signal,
        afterMs: Math.round(now - started),
        afterErrorMs: errorAt === undefined ? undefined : Math.round(now - errorAt),
      });
    });
  });
  return {
    child,
    stdout,
    stderr: () => stderr,
    ready,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A port that was free a moment ago. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const held = await holdPort(host);
  await held.close();
  return held.port;
}

/** Listens on a free port (as another program would) until `close()`. */
export async function holdPort(host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, resolve);
  });
  const { port } = server.address() as { port: number };
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** True while something accepts TCP connections on host:port. */
export function accepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until nothing accepts on host:port; false if something still does after `timeoutMs`. */
export async function waitUntilRefused(
  port: number,
  timeoutMs: number,
  host = '127.0.0.1',
): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!(await accepts(port, host))) return true;
    await sleep(50);
  }
  return !(await accepts(port, host));
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every setup link printed in `text`. */
export function setupLinksIn(text: string): string[] {
  return [...text.matchAll(/(https?:\/\/\S+\/setup\?token=\S+)/g)].map((m) => m[1]!);
}

const pgUrl = process.env.GATEKEEPER_TEST_POSTGRES_URL;

/**
 * A fresh, empty PostgreSQL database (when GATEKEEPER_TEST_POSTGRES_URL is set) for processes to
 * share; `query` runs SQL on it from the test; `drop` removes it.
 */
export async function freshPostgresDatabase(): Promise<
  | {
      url: string;
      query<T>(text: string, values?: unknown[]): Promise<T[]>;
      drop(): Promise<void>;
    }
  | undefined
> {
  if (!pgUrl) return undefined;
  const name = `gk_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(pgUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  return {
    url,
    async query<T>(text: string, values: unknown[] = []) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query(text, values)).rows as T[];
      } finally {
        await c.end();
      }
    },
    async drop() {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A Redis key prefix of its own for one test run. */
export function freshRedisPrefix(): string {
  return `gk_test_${randomBytes(4).toString('hex')}:`;
}
