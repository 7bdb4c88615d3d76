/**
 * Signals reach the server however it was started. The `bin/gatekeeper.js` launcher run by an older
 * system Node re-runs the CLI on the pinned Node 24 as a child: SIGTERM, SIGINT and SIGHUP sent to the
 * launcher must reach that child, and the launcher exits with the child's code (128 + signal when
 * the child died of one). `npm start` (npm → sh → node) must not leave the server orphaned and
 * still serving when npm gets SIGTERM. Real processes, real ports.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accepts, isAlive, launcher, spawnServe, waitUntilRefused } from './serve-process.ts';

const systemNode = '/usr/bin/node';

/** Major version of the Node at `path`, or undefined when there is none. */
function majorOf(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const r = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.split('.')[0]) : undefined;
}

const olderNode = majorOf(systemNode);
const npm = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();

/**
 * Skips with a printed reason. `requiredUnderCi`: under CI the reason is a failure instead (npm is
 * always there); a system Node that is missing or already 24 only means there is nothing to test.
 */
function reasonToSkip(reason: string | undefined, requiredUnderCi = false): boolean {
  if (reason === undefined) return false;
  if (requiredUnderCi && process.env.CI) throw new Error(`cannot run under CI: ${reason}`);
  process.stderr.write(`skipped: ${reason}\n`);
  return true;
}

/** The server's pid, from the instance lock it holds in the data directory. */
function serverPidIn(dataDir: string): number {
  const info = JSON.parse(readFileSync(join(dataDir, 'gatekeeper.db.lock.info'), 'utf8')) as { pid: number };
  return info.pid;
}

const skipOlderNode = reasonToSkip(
  olderNode === undefined
    ? `${systemNode} does not exist`
    : olderNode >= 24
      ? `${systemNode} is Node ${olderNode} (the launcher only spawns a child on Node < 24)`
      : undefined,
);
const skipNpm = reasonToSkip(npm === '' ? 'npm is not on PATH' : undefined, true);

describe.skipIf(skipOlderNode)(`the launcher on the system Node (${olderNode})`, () => {
  for (const [signal, expected] of [
    ['SIGTERM', 0],
    ['SIGINT', 0],
    ['SIGHUP', 128 + 1],
  ] as const) {
    it(`forwards ${signal} to the Node 24 server and exits ${expected}`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'gk-launcher-'));
      const proc = spawnServe({
        command: systemNode,
        args: [launcher, 'serve'],
        env: { GATEKEEPER_DATA_DIR: dataDir, GATEKEEPER_PORT: '0' },
      });
      const { port } = await proc.ready;
      const server = serverPidIn(dataDir);
      expect(server).not.toBe(proc.child.pid);
      try {
        const exit = await proc.stop(signal);
        expect({ code: exit.code, signal: exit.signal }, proc.stderr()).toEqual({
          code: expected,
          signal: null,
        });
        expect(await waitUntilRefused(port, 2000)).toBe(true);
        expect(isAlive(server)).toBe(false);
      } finally {
        if (isAlive(server)) process.kill(server, 'SIGKILL');
      }
    });
  }

  it('drains on Ctrl-C, when SIGINT reaches the launcher and the server alike', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gk-launcher-'));
    const proc = spawnServe({
      command: systemNode,
      args: [launcher, 'serve'],
      env: { GATEKEEPER_DATA_DIR: dataDir, GATEKEEPER_PORT: '0' },
      detached: true,
    });
    await proc.ready;
    const server = serverPidIn(dataDir);
    try {
      // a terminal signals the whole foreground job; the launcher then forwards a second SIGINT
      process.kill(-proc.child.pid!, 'SIGINT');
      const exit = await proc.exited;
      expect({ code: exit.code, signal: exit.signal }, proc.stderr()).toEqual({ code: 0, signal: null });
      expect(proc.stdout.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    } finally {
      if (isAlive(server)) process.kill(server, 'SIGKILL');
    }
  });
});

describe.skipIf(skipNpm)('npm start', () => {
  it('stops the server (drained, exit 0) when npm gets SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gk-npm-start-'));
    const proc = spawnServe({
      command: npm,
      args: ['start', '--silent'],
      env: { GATEKEEPER_DATA_DIR: dataDir, GATEKEEPER_PORT: '0' },
    });
    const { port } = await proc.ready;
    const server = serverPidIn(dataDir);
    try {
      expect(await accepts(port)).toBe(true);
      const exit = await proc.stop('SIGTERM');
      expect(await waitUntilRefused(port, 5000), 'the server still accepts after npm exited').toBe(true);
      expect(isAlive(server)).toBe(false);
      // the server shut down gracefully rather than being killed
      expect(proc.stdout.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
      expect(exit.code, proc.stderr()).toBe(0);
    } finally {
      if (isAlive(server)) process.kill(server, 'SIGKILL');
    }
  });
});
