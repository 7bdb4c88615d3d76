/**
 * deploy/systemd/gatekeeper.service: `systemd-analyze verify` accepts it (with its install prefix
 * pointed at this checkout, so the ExecStart binary is checked for real); it stops with SIGTERM and
 * gives the graceful stop time, reads an environment file and keeps its hardening; and its ExecStart
 * command, run as systemd would run it, stops gracefully with exit 0 on SIGTERM. Outside CI, a machine
 * without systemd-analyze skips the verify step with a printed reason; under CI that is a failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingSchemas } from '../src/config/schema.ts';
import { repoRoot, spawnServe } from './serve-process.ts';

const unitPath = join(repoRoot, 'deploy/systemd/gatekeeper.service');
const INSTALL_PREFIX = '/opt/gatekeeper';
const checkout = repoRoot.replace(/\/$/, '');

/** The unit with its install prefix replaced by this checkout. */
function localUnit(): string {
  return readFileSync(unitPath, 'utf8').replaceAll(INSTALL_PREFIX, checkout);
}

/** `Key=value` lines of the unit (comments dropped; a repeated key keeps its last value). */
function directives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

const analyze = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' }).stdout.trim();
const missing = analyze === '' ? 'systemd-analyze is not installed (Debian package systemd)' : undefined;
if (missing && process.env.CI) throw new Error(`cannot verify the systemd unit under CI: ${missing}`);
if (missing) process.stderr.write(`skipped: ${missing}\n`);

describe('the systemd unit', () => {
  it.skipIf(missing !== undefined)('passes systemd-analyze verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-unit-'));
    const file = join(dir, 'gatekeeper.service');
    writeFileSync(file, localUnit());
    const r = spawnSync(analyze, ['verify', '--man=no', file], { encoding: 'utf8' });
    // warnings (an unknown or misspelt key) exit 0 too; any line about our file is a failure
    const ours = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('gatekeeper.service'));
    expect(ours, r.stderr).toEqual([]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('stops with SIGTERM, waits longer than the drain, reads an env file and is hardened', () => {
    const d = directives(readFileSync(unitPath, 'utf8'));
    expect(d.get('KillSignal')).toBe('SIGTERM');
    const drain = settingSchemas.shutdownTimeoutSeconds.default as number;
    expect(Number(d.get('TimeoutStopSec'))).toBeGreaterThan(drain);
    expect(d.get('EnvironmentFile')).toBe('/etc/gatekeeper/gatekeeper.env');
    expect(d.get('NoNewPrivileges')).toBe('yes');
    expect(d.get('ProtectSystem')).toBe('strict');
    expect(d.get('PrivateTmp')).toBe('yes');
    expect(d.get('ReadWritePaths')).toBe('/var/lib/gatekeeper');
    expect(readFileSync(unitPath, 'utf8')).toContain('Environment=GATEKEEPER_DATA_DIR=/var/lib/gatekeeper');
    // Node 24 on the launcher: one process, no npm or shell in between to swallow the signal
    expect(d.get('ExecStart')).toBe(
      `${INSTALL_PREFIX}/node_modules/node/bin/node ${INSTALL_PREFIX}/packages/server/bin/gatekeeper.js serve`,
    );
  });

  it('runs a server whose ExecStart stops gracefully with exit 0 on SIGTERM', async () => {
    const [command, ...args] = directives(localUnit()).get('ExecStart')!.split(' ');
    const dataDir = mkdtempSync(join(tmpdir(), 'gk-unit-run-'));
    const proc = spawnServe({
      command: command!,
      args,
      env: { GATEKEEPER_DATA_DIR: dataDir, GATEKEEPER_PORT: '0' },
    });
    await proc.ready;
    const exit = await proc.stop('SIGTERM');
    expect({ code: exit.code, signal: exit.signal }, proc.stderr()).toEqual({ code: 0, signal: null });
    expect(proc.stdout.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  });
});
