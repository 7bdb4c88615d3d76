/**
 * Runs the real `gatekeeper` CLI (the launcher, as an operator would) in a child process and
 * collects its output; and dumps every table of an embedded database, to show what a command
 * changed (or did not).
 */
import { spawn } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
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
