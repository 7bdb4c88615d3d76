/**
 * Graceful shutdown of the real `gatekeeper serve` process: on SIGTERM it stops accepting, lets
 * in-flight requests finish, flushes the audit queue, closes pools and exits 0 — nothing acknowledged
 * is lost. Also: a second server on the same embedded database is refused (instance lock).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';

const bin = new URL('../bin/gatekeeper.js', import.meta.url).pathname;

function startServe(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number; stderr: string[] }> {
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (d) => stderr.push(String(d)));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; address?: string };
        if (entry.msg === 'gatekeeper ready' && entry.address) {
          resolve({ child, port: Number(new URL(entry.address).port), stderr });
        }
      } catch {
        // not JSON
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${stderr.join('')}`)));
  });
}

describe('gatekeeper serve', () => {
  it('drains, flushes the audit queue and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-shutdown-'));
    const env = { GATEKEEPER_DATA_DIR: dir, GATEKEEPER_PORT: '0' };
    const token = spawnSync(
      process.execPath,
      [bin, 'admin', 'token', 'create', '--name', 't', '--abilities', '*'],
      {
        env: { PATH: process.env.PATH ?? '', HOME: '/tmp', ...env },
        encoding: 'utf8',
      },
    ).stdout.trim();
    expect(token).toMatch(/^gk_adm_/);
    const { child, port } = await startServe(env);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    // a burst of writes, then SIGTERM while their audit events may still be queued
    const base = `http://127.0.0.1:${port}/api/v1`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const writes = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        fetch(`${base}/tenants`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ slug: `s-${i}`, displayName: `S ${i}` }),
        }),
      ),
    );
    expect(writes.every((r) => r.status === 201)).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    // every acknowledged write is in the audit chain, and the chain verifies
    const db = new DatabaseSync(join(dir, 'gatekeeper.db'), { readOnly: true });
    const row = db
      .prepare("select count(*) as n from audit_log where action = 'tenant.created' and tenant like 's-%'")
      .get() as {
      n: number;
    };
    db.close();
    expect(row.n).toBe(25);
    const verify = spawnSync(process.execPath, [bin, 'audit', 'verify'], {
      env: { PATH: process.env.PATH ?? '', HOME: '/tmp', ...env },
      encoding: 'utf8',
    });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  });

  it('refuses a second server on the same embedded database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-lock-'));
    const env = { GATEKEEPER_DATA_DIR: dir, GATEKEEPER_PORT: '0' };
    const first = await startServe(env);
    try {
      const second = spawnSync(process.execPath, [bin, 'serve'], {
        env: { PATH: process.env.PATH ?? '', HOME: '/tmp', ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(second.status).toBe(2);
      expect(second.stderr.trim().split('\n').at(-1)).toMatch(/^gatekeeper: /);
    } finally {
      const exited = new Promise((resolve) => first.child.once('exit', resolve));
      first.child.kill('SIGTERM');
      await exited;
    }
  });
});
