/**
 * Issue 7, embedded SQLite on a full disk (a 3 MiB tmpfs; where mounting is not allowed,
 * `PRAGMA max_page_count` gives the same SQLITE_FULL):
 * - writes get 503 `service_unavailable` with Retry-After, never a 500, and leave nothing half
 *   written (no user without its audit event, no event without its user);
 * - /readyz is 503 while writes fail and 200 again once space is freed (no restart), /healthz?full
 *   shows the degraded database;
 * - the WAL is checkpointed automatically and truncated by `checkpoint()`;
 * - stopping while writes fail drops nothing acknowledged (committed events are in the outbox; the
 *   refusal events held in memory are counted in the log), and a restart chains everything;
 * - a real `gatekeeper serve` starting on the full disk says so in one line.
 */
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/capabilities/audit/verify.ts';
import { type Instance, smallDisk, startInstance, within } from '../faults.ts';
import { type ServeProcess, spawnServe } from '../serve-process.ts';

const disk = smallDisk(3);

/** Fills the disk holding `dir` to the last byte; returns the filler's path. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'a');
  try {
    for (const size of [256 * 1024, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

describe('embedded SQLite on a full disk', () => {
  let dir: string;
  let instance: Instance;
  let root: string;
  /** Stands in for the tmpfs where mounting is not allowed: the database may not grow any more. */
  let capPages: (() => Promise<void>) | undefined;
  let uncapPages: (() => Promise<void>) | undefined;
  const acknowledged: string[] = [];
  const refused: string[] = [];
  const figures: Record<string, unknown> = { tmpfs: disk !== undefined };
  let n = 0;

  const start = async () => {
    instance = await startInstance({ GATEKEEPER_DATA_DIR: dir });
    if (!disk) {
      const { db } = instance.runtime.database;
      capPages = async () => {
        const pages = Number(
          (await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]!.page_count,
        );
        await sql.raw(`pragma max_page_count = ${pages}`).execute(db);
      };
      uncapPages = async () => {
        await sql.raw('pragma max_page_count = 4294967294').execute(db);
      };
    }
  };
  const fillUp = async (): Promise<string> => {
    if (disk) return fill(dir);
    await capPages!();
    return '';
  };
  const freeUp = async (filler: string) => (disk ? rmSync(filler) : await uncapPages!());

  const createUser = async () => {
    const username = `disk-${n++}-${'x'.repeat(40)}`;
    const r = await instance.app.inject({
      method: 'POST',
      url: '/api/v1/tenants/root/users',
      headers: { authorization: `Bearer ${root}` },
      // a fat record, so each write needs fresh pages
      payload: { username, name: 'n'.repeat(200), email: `${n}@example.com` },
    });
    if (r.statusCode === 201) acknowledged.push(username);
    else refused.push(username);
    return r;
  };

  beforeAll(async () => {
    dir = disk ? join(disk.dir, 'data') : (await import('node:fs')).mkdtempSync('/tmp/gk-disk-');
    await start();
    root = (
      await instance.services.credentials.issue(
        { kind: 'adm', tenantId: null, ownerType: 'system', name: 'root', abilities: ['*'] },
        { actor: 'test' },
      )
    ).secret;
    for (let i = 0; i < 20; i++) expect((await createUser()).statusCode).toBe(201);
  });
  afterAll(async () => {
    console.info(`full disk figures: ${JSON.stringify(figures)}`);
    await instance?.close().catch(() => {});
    disk?.unmount();
  });

  it('keeps the WAL checkpointed and gives its space back', async () => {
    const { db } = instance.runtime.database;
    expect(
      (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db)).rows[0],
    ).toEqual({
      wal_autocheckpoint: 1000,
    });
    expect(
      Number(
        (await sql<{ journal_size_limit: number }>`pragma journal_size_limit`.execute(db)).rows[0]!
          .journal_size_limit,
      ),
    ).toBe(4 * 1024 * 1024);
    await instance.runtime.database.checkpoint();
    expect(statSync(join(dir, 'gatekeeper.db-wal')).size).toBe(0);
  });

  it('answers writes 503 with Retry-After, writes nothing half, is unready, and recovers without a restart', async () => {
    const filler = await fillUp();
    const statuses = new Map<number, number>();
    let worstMs = 0;
    for (let i = 0; i < 40; i++) {
      const started = performance.now();
      const r = await createUser();
      worstMs = Math.max(worstMs, performance.now() - started);
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      if (r.statusCode === 503) {
        expect(r.headers['retry-after']).toBe('5');
        expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(r.json()).toMatchObject({ code: 'service_unavailable', dependency: 'disk' });
      }
    }
    figures.statusesWhileFull = Object.fromEntries(statuses);
    figures.worstWriteLatencyMs = Math.round(worstMs);
    expect([...statuses.keys()].filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(statuses.get(503) ?? 0).toBeGreaterThanOrEqual(20);
    // reads still work; readiness says this instance cannot serve writes
    expect(
      (await instance.app.inject({ url: '/api/v1/tenants', headers: { authorization: `Bearer ${root}` } }))
        .statusCode,
    ).toBe(200);
    const ready = await instance.app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(JSON.stringify(ready.json())).toMatch(/writes fail since/);
    const full = (await instance.app.inject('/healthz?full')).json() as { status: string };
    expect(full.status).toBe('degraded');
    expect((await instance.app.inject('/healthz')).statusCode).toBe(200);

    const freedAt = performance.now();
    await freeUp(filler);
    const readyAfter = await within(
      5000,
      async () => (await instance.app.inject('/readyz')).statusCode === 200,
      50,
    );
    expect(readyAfter).toBeGreaterThanOrEqual(0);
    expect((await createUser()).statusCode).toBe(201);
    figures.recoveryMs = Math.round(performance.now() - freedAt);
  });

  it('drops nothing acknowledged when stopped while writes fail, and says how many refusals it lost', async () => {
    const filler = await fillUp();
    for (let i = 0; i < 5; i++) await createUser();
    // refusals are batched in memory (written to the outbox off the request path)
    for (let i = 0; i < 5; i++)
      await instance.app.inject({
        url: '/api/v1/tenants',
        headers: { authorization: `Bearer gk_adm_nope${i}` },
      });
    await instance.close().catch(() => {});
    const logs = instance.logs.join('');
    figures.shutdownLog = /"lost":(\d+)/.exec(logs)?.[1] ?? 'none';
    if (disk) rmSync(filler); // (max_page_count is the closed connection's: gone with it)
    await start();
    await instance.runtime.audit.flush();
    const { db } = instance.runtime.database;
    const events = await db
      .selectFrom('audit_log')
      .select('data')
      .where('action', '=', 'user.created')
      .execute();
    const audited = new Map<string, number>();
    for (const e of events) {
      const u = (JSON.parse(e.data) as { username: string }).username;
      audited.set(u, (audited.get(u) ?? 0) + 1);
    }
    for (const u of acknowledged) expect(audited.get(u), u).toBe(1);
    const stored = await db
      .selectFrom('users')
      .select('username')
      .where('username', 'like', 'disk-%')
      .execute();
    expect(stored.map((s) => s.username).sort()).toEqual([...acknowledged].sort());
    for (const u of refused) expect(audited.has(u), u).toBe(false);
    const report = await verifyChain({
      database: instance.runtime.database,
      checkpointKeys: instance.runtime.keyring.deriveKeys('audit-checkpoint'),
    });
    expect(report.ok, JSON.stringify(report.problem)).toBe(true);
  });

  describe.runIf(disk !== undefined)('a real server', () => {
    let server: ServeProcess | undefined;
    beforeAll(async () => {
      await instance.close();
    });
    afterAll(async () => {
      await server?.stop('SIGKILL');
    });
    it('starting on the full disk says so in one line', async () => {
      const filler = fill(dir);
      server = spawnServe({ env: { GATEKEEPER_DATA_DIR: dir, GATEKEEPER_PORT: '0' } });
      const exit = await server.exited;
      const lines = server
        .stderr()
        .split('\n')
        .filter((l) => l.trim().length > 0);
      expect(exit.code, server.stderr()).toBe(2);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^gatekeeper: GATEKEEPER_DATA_DIR: the disk holding .* is full/);
      figures.startUpLine = lines[0];
      rmSync(filler);
      await start(); // for afterAll
    });
  });
});
