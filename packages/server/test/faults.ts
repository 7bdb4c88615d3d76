/**
 * Fault injection for tests (shared/PEERS.md, "Faults"): a private Redis to stop, pause and restart
 * (never the machine's shared one), PostgreSQL connection loss through `pg_terminate_backend` of one
 * test database's connections (with new connections refused for a while, as during a restart), a
 * small tmpfs for a full disk, and in-process Gatekeeper instances sharing one database.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { type App, buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/logger.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { createServices, type Services } from '../src/services.ts';
import { freePort, type ServeProcess, spawnServe } from './serve-process.ts';

/** Answers true when something speaks RESP on host:port and says PONG. */
function redisPong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 300);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(String(d).startsWith('+PONG'));
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGSTOP: the socket stays open, nothing answers (a hang). */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** SIGTERM and wait for the exit (connections refused from then on). */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: nothing was saved). */
  start(): Promise<void>;
}

/** Starts `redis-server` on a free loopback port, without persistence; `stop()` it after the test. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const until = Date.now() + 5000;
    while (!(await redisPong(port))) {
      if (Date.now() > until) throw new Error(`redis-server did not start on port ${port}`);
      await sleep(20);
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGCONT');
      c.kill('SIGTERM');
      await exited;
    },
    start,
  };
}

const adminUrl = process.env.GATEKEEPER_TEST_POSTGRES_URL;

async function onAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Kills every connection to `database` (clients see 57P01, as on a restart); returns how many. */
export function terminateConnections(database: string): Promise<number> {
  return onAdmin(async (c) => {
    const r = await c.query(
      'select pg_terminate_backend(pid) as t from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    return r.rowCount ?? 0;
  });
}

/**
 * A PostgreSQL "restart" of one database: refuses new connections, kills the open ones (repeatedly,
 * so a connection made just before the refusal is killed too) for `gapMs`, then accepts again.
 */
export async function restartDatabase(database: string, gapMs: number): Promise<void> {
  await onAdmin(async (c) => {
    await c.query(`alter database ${database} allow_connections false`);
    try {
      const until = Date.now() + gapMs;
      do {
        await c.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [database],
        );
        await sleep(50);
      } while (Date.now() < until);
    } finally {
      await c.query(`alter database ${database} allow_connections true`);
    }
  });
}

/** A directory on a tmpfs of `sizeMiB` (root only); undefined where mounting is not allowed. */
export function smallDisk(sizeMiB: number): { dir: string; unmount(): void } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'gk-full-disk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir], {
    stdio: 'ignore',
  });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    unmount() {
      spawnSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Instance {
  runtime: Runtime;
  services: Services;
  app: App;
  logs: string[];
  close(): Promise<void>;
}

/** One Gatekeeper instance (runtime, services, app: as `serve` builds them) on `env`. */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger('info', sink);
  const runtime = await createRuntime(
    loadConfig({
      env: {
        GATEKEEPER_ARGON2_MEMORY_KIB: '1024',
        GATEKEEPER_ARGON2_ITERATIONS: '1',
        GATEKEEPER_DATA_DIR: mkdtempSync(join(tmpdir(), 'gk-data-')),
        ...env,
      },
    }),
    { logger, warn: (l) => logs.push(l) },
  );
  const services = createServices(runtime);
  await services.start();
  const app = await buildApp(runtime, services);
  return {
    runtime,
    services,
    app,
    logs,
    async close() {
      await app.close();
      await services.stop();
      await runtime.close();
    },
  };
}

/** Polls `probe` until it returns true or `ms` pass; returns the milliseconds it took (or -1). */
export async function within(ms: number, probe: () => Promise<boolean>, everyMs = 10): Promise<number> {
  const started = Date.now();
  while (Date.now() - started <= ms) {
    if (await probe()) return Date.now() - started;
    await sleep(everyMs);
  }
  return -1;
}

/** Issues an all-tenant admin token on the database of `env` (as `gatekeeper admin token create`). */
export async function issueRootToken(env: Record<string, string>): Promise<string> {
  const runtime = await createRuntime(
    loadConfig({ env: { GATEKEEPER_DATA_DIR: mkdtempSync(join(tmpdir(), 'gk-cli-')), ...env } }),
    { logger: createLogger('silent'), role: 'cli' },
  );
  try {
    const services = createServices(runtime);
    const { secret } = await services.credentials.issue(
      { kind: 'adm', tenantId: null, ownerType: 'system', name: 'test root', abilities: ['*'] },
      { actor: 'test' },
    );
    return secret;
  } finally {
    await runtime.close();
  }
}

/** One request of a load run. */
export interface Shot {
  instance: number;
  /** What was asked (a username, for user creations). */
  key: string;
  requestId: string;
  status: number;
  /** Milliseconds from the run's start to the request's start. */
  at: number;
  ms: number;
  code?: string;
  retryAfter?: string | null;
  /** A network error (the process died mid-request). */
  error?: string;
}

/**
 * Creates users concurrently against every instance (`concurrency` loops each) until `stop()` or
 * `maxPerInstance` requests; a loop whose instance stops answering (connection refused) ends.
 */
export function userCreationLoad(options: {
  ports: readonly number[];
  token: string;
  concurrency: number;
  maxPerInstance: number;
  prefix: string;
}): { shots: Shot[]; stop(): void; done: Promise<void>; startedAt: number } {
  const shots: Shot[] = [];
  const startedAt = performance.now();
  let stopped = false;
  const sent = options.ports.map(() => 0);
  const loop = async (instance: number, worker: number) => {
    const port = options.ports[instance]!;
    let failures = 0;
    while (!stopped && sent[instance]! < options.maxPerInstance) {
      const n = sent[instance]!++;
      const key = `${options.prefix}-${instance}-${worker}-${n}`;
      const requestId = `req-${key}`;
      const at = performance.now() - startedAt;
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/v1/tenants/root/users`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${options.token}`,
            'content-type': 'application/json',
            'x-request-id': requestId,
          },
          body: JSON.stringify({ username: key }),
        });
        const text = await r.text();
        let code: string | undefined;
        try {
          code = (JSON.parse(text) as { code?: string }).code;
        } catch {
          code = undefined;
        }
        shots.push({
          instance,
          key,
          requestId,
          status: r.status,
          at,
          ms: performance.now() - startedAt - at,
          ...(code ? { code } : {}),
          retryAfter: r.headers.get('retry-after'),
        });
        failures = 0;
      } catch (err) {
        shots.push({
          instance,
          key,
          requestId,
          status: 0,
          at,
          ms: performance.now() - startedAt - at,
          error: String(err),
        });
        if (++failures >= 3) return; // the instance is gone
        await sleep(20);
      }
    }
  };
  const done = Promise.all(
    options.ports.flatMap((_, i) => Array.from({ length: options.concurrency }, (_, w) => loop(i, w))),
  ).then(() => {});
  return {
    shots,
    startedAt,
    done,
    stop() {
      stopped = true;
    },
  };
}

/**
 * Starts `gatekeeper serve` on a free port at log level `warn` (no line per request: under load the
 * logs would cost more than the requests) and resolves once /healthz answers.
 */
export async function spawnQuietServe(
  env: Record<string, string>,
): Promise<{ server: ServeProcess; port: number }> {
  const port = await freePort();
  const server = spawnServe({ env: { ...env, GATEKEEPER_PORT: String(port), GATEKEEPER_LOG_LEVEL: 'warn' } });
  const until = Date.now() + 20_000;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`serve exited: ${server.stderr().slice(-2000)}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return { server, port };
    } catch {
      // not listening yet
    }
    if (Date.now() > until)
      throw new Error(`serve did not answer on ${port}: ${server.stderr().slice(-2000)}`);
    await sleep(50);
  }
}
