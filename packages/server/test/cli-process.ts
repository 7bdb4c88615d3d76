/**
 * Runs the real `gatekeeper` CLI (the launcher, as an operator would) in a child process and
 * collects its output (asynchronously, synchronously, through a shell exactly as printed, or in a
 * pseudo-terminal as a person types it); and dumps every table of an embedded database, to show
 * what a command changed (or did not). PATH and HOME come from the test process, plus the given
 * variables.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, expect } from 'vitest';
import { cleanEnv, launcher, repoRoot } from './serve-process.ts';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `gatekeeper ...args` with `env` (plus PATH and HOME), optionally with `input` on stdin. */
export function runCli(
  args: readonly string[],
  env: Record<string, string>,
  input?: string,
): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, ...args], {
      env: cleanEnv(env),
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) }),
    );
    child.stdin.end(input ?? '');
  });
}

/** Every row of every table (and the schema), as sorted JSON lines per table. */
export function dumpSqlite(path: string): Record<string, string[]> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const dump: Record<string, string[]> = {};
    const tables = db.prepare("select name from sqlite_master where type = 'table' order by name").all() as {
      name: string;
    }[];
    dump.sqlite_master = (
      db.prepare('select type, name, sql from sqlite_master order by name').all() as object[]
    )
      .map((r) => JSON.stringify(r))
      .sort();
    for (const { name } of tables) {
      const rows = db.prepare(`select * from "${name.replaceAll('"', '""')}"`).all() as object[];
      dump[name] = rows
        .map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v)))
        .sort();
    }
    return dump;
  } finally {
    db.close();
  }
}

/** What a synchronous run answers. */
export interface SyncCliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runGatekeeper(
  args: string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): SyncCliRun {
  const r = spawnSync(process.execPath, [launcher, ...args], {
    encoding: 'utf8',
    env: cleanEnv(options.env),
    input: options.input,
    cwd: options.cwd ?? repoRoot,
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a shell command line exactly as printed (through `sh -c`). */
export function runShell(
  line: string,
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): SyncCliRun {
  const r = spawnSync('/bin/sh', ['-c', line], {
    encoding: 'utf8',
    env: cleanEnv(options.env),
    input: options.input,
    cwd: options.cwd ?? repoRoot,
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs a shell command line in a pseudo-terminal (util-linux `script`), as a person types it: each
 * `reply` is typed once its `prompt` has appeared. Resolves with everything the terminal showed.
 */
export function runInTerminal(
  line: string,
  replies: { prompt: string; reply: string }[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', line, '/dev/null'], {
      env: cleanEnv(options.env),
      cwd: options.cwd ?? repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    const pending = [...replies];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; the terminal showed: ${screen}`));
    }, options.timeoutMs ?? 60_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      screen += chunk;
      while (pending.length > 0 && screen.includes(pending[0]!.prompt, screen.length - chunk.length - 64)) {
        child.stdin.write(pending.shift()!.reply);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

/**
 * A process-level CLI test's workspace: a temp data dir with a generated master key and the tenant
 * `acme` (made in `beforeAll`, removed in `afterAll` of the calling `describe`), and the real
 * `gatekeeper` binary run on it — `run` returns the outcome, `ok` asserts exit 0 and returns stdout.
 */
export function cliWorkspace(prefix: string): {
  readonly dir: string;
  readonly env: Record<string, string>;
  run(args: string[]): { code: number | null; stdout: string; stderr: string };
  ok(args: string[]): string;
} {
  let dir = '';
  let env: Record<string, string> = {};
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [launcher, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (args: string[]) => {
    const r = run(args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    env = { GATEKEEPER_DATA_DIR: join(dir, 'data') };
    env.GATEKEEPER_MASTER_KEYS = ok(['keys', 'generate']).trim();
    ok(['tenants', 'create', '--slug', 'acme', '--name', 'Acme']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    get dir() {
      return dir;
    },
    get env() {
      return env;
    },
    run,
    ok,
  };
}
