/**
 * Issue 6 §3: the embedded data directory is created 0700 and the database, its WAL and SHM, the
 * lock files and every backup 0600 — whatever the umask (the real server and CLI run under
 * `umask 000` here) — and a server started on an existing, looser data directory warns once.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, launcher, repoRoot, type ServeProcess, spawnServe } from '../../test/serve-process.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const underUmask000 = (args: string) => ['-c', `umask 000; exec "${process.execPath}" "${launcher}" ${args}`];

function cliUnderUmask000(args: string, env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('sh', underUmask000(args), { env: cleanEnv(env), cwd: repoRoot, stdio: 'ignore' });
    child.once('exit', (code) => resolve(code));
  });
}

describe('files of the embedded database are private', () => {
  const parent = mkdtempSync(join(tmpdir(), 'gk-modes-'));
  const dir = join(parent, 'data', 'nested');
  const env = { GATEKEEPER_DATA_DIR: dir, GATEKEEPER_PORT: '0' };
  const servers: ServeProcess[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  });

  it('creates the data dir 0700 and every database, WAL, SHM, lock and backup file 0600 under umask 000', async () => {
    const server = spawnServe({ env, command: 'sh', args: underUmask000('serve') });
    servers.push(server);
    await server.ready;
    // a write from another process (the CLI, also under umask 000) makes the WAL grow
    expect(await cliUnderUmask000('tenants create --slug modes --name Modes', env)).toBe(0);
    const backup = join(parent, 'backup.db');
    expect(await cliUnderUmask000(`backup ${backup}`, env)).toBe(0);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(join(parent, 'data'))).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toEqual(
      expect.arrayContaining(['gatekeeper.db', 'gatekeeper.db-wal', 'gatekeeper.db-shm']),
    );
    for (const file of files) expect([file, modeOf(join(dir, file)).toString(8)]).toEqual([file, '600']);
    expect(modeOf(backup)).toBe(0o600);
    expect((await server.stop()).code).toBe(0);
    const warned = server.stdout.filter((l) => l.includes('data directory'));
    expect(warned).toEqual([]);
  }, 30_000);

  it('warns once at start when an existing data dir is looser', async () => {
    chmodSync(dir, 0o755);
    const server = spawnServe({ env });
    servers.push(server);
    await server.ready;
    const warned = server.stdout.filter((l) => l.includes('data directory'));
    expect(warned).toHaveLength(1);
    expect(JSON.parse(warned[0]!)).toMatchObject({ level: 40 });
    expect(warned[0]).toContain(`chmod 700 ${dir}`);
    expect(modeOf(dir)).toBe(0o755); // the operator's to change: warned, not silently altered
    expect((await server.stop()).code).toBe(0);
  }, 30_000);
});
