/**
 * Start-up failures of the real `gatekeeper serve` process: each exits promptly with a non-zero code
 * and one line naming the setting, having closed what it opened (no pool, Redis client or timer
 * keeps it alive). A taken port is found before anything is written: no data directory, no tables,
 * no Redis keys, no setup link.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../test/databases.ts';
import {
  type Exit,
  freshPostgresDatabase,
  freshRedisPrefix,
  holdPort,
  type ServeProcess,
  setupLinksIn,
  spawnServe,
} from '../test/serve-process.ts';
import { generateFernetKey } from './crypto/fernet.ts';

/** The one line a failed start prints, and the exit; asserts the exit was prompt. */
async function failure(proc: ServeProcess): Promise<{ line: string; exit: Exit }> {
  const exit = await proc.exited;
  const lines = proc.stderr().trim().split('\n');
  process.stderr.write(
    `start-up failure: exit ${exit.code} after ${exit.afterMs} ms (${exit.afterErrorMs} ms after the error line)\n`,
  );
  // nothing lingers once the error is reported (before: 31 s for a pg pool, forever after EADDRINUSE)
  expect(exit.afterErrorMs, proc.stderr()).toBeLessThan(1000);
  // spawn to exit, Node's own start-up included; generous for a loaded CI machine
  expect(exit.afterMs).toBeLessThan(5000);
  expect(exit.code).toBe(2);
  expect(proc.stderr()).not.toMatch(/\n\s+at /);
  expect(setupLinksIn(proc.stderr())).toEqual([]);
  return { line: lines.at(-1) ?? '', exit };
}

describe('serve start-up failures (embedded)', () => {
  it('a taken port: exit 2 at once, one line naming GATEKEEPER_PORT, nothing written', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'gk-port-taken-'));
    const dataDir = join(parent, 'data');
    const held = await holdPort();
    try {
      const proc = spawnServe({ env: { GATEKEEPER_DATA_DIR: dataDir, GATEKEEPER_PORT: String(held.port) } });
      const { line } = await failure(proc);
      expect(line).toBe(`gatekeeper: GATEKEEPER_PORT: 127.0.0.1:${held.port} is already in use`);
      expect(proc.stderr().trim().split('\n')).toHaveLength(1);
      expect(existsSync(dataDir)).toBe(false);
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      await held.close();
    }
  });

  it('a host that is not this machine: exit 2, one line naming GATEKEEPER_HOST', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'gk-host-'));
    // TEST-NET-1 (RFC 5737): never an address of this machine
    const proc = spawnServe({
      env: { GATEKEEPER_DATA_DIR: join(parent, 'data'), GATEKEEPER_HOST: '192.0.2.1', GATEKEEPER_PORT: '0' },
    });
    const { line } = await failure(proc);
    expect(line).toBe('gatekeeper: GATEKEEPER_HOST: 192.0.2.1 is not an address of this machine');
    expect(readdirSync(parent)).toEqual([]);
  });
});

const postgres = dialectAvailable('postgres');
const redisUrl = process.env.GATEKEEPER_TEST_REDIS_URL;

describe.skipIf(!postgres)('serve start-up failures (PostgreSQL + Redis)', () => {
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  const prefix = freshRedisPrefix();
  let redis: Redis | undefined;

  beforeAll(async () => {
    db = await freshPostgresDatabase();
    if (redisUrl) redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
    await db?.drop();
  });

  function scaleOutEnv(extra: Record<string, string>): Record<string, string> {
    return {
      GATEKEEPER_DATA_DIR: join(mkdtempSync(join(tmpdir(), 'gk-scale-')), 'data'),
      GATEKEEPER_DATABASE_URL: db!.url,
      ...(redisUrl ? { GATEKEEPER_REDIS_URL: redisUrl, GATEKEEPER_REDIS_PREFIX: prefix } : {}),
      ...extra,
    };
  }

  async function tablesIn(): Promise<number> {
    const rows = await db!.query<{ n: number }>(
      "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
    );
    return rows[0]!.n;
  }

  it('a taken port: exit 2 at once, nothing created in PostgreSQL or Redis', async () => {
    const held = await holdPort();
    try {
      const proc = spawnServe({
        env: scaleOutEnv({ GATEKEEPER_MASTER_KEYS: generateFernetKey(), GATEKEEPER_PORT: String(held.port) }),
      });
      const { line } = await failure(proc);
      expect(line).toBe(`gatekeeper: GATEKEEPER_PORT: 127.0.0.1:${held.port} is already in use`);
      expect(await tablesIn()).toBe(0);
      if (redis) expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      await held.close();
    }
  });

  it('GATEKEEPER_MASTER_KEYS missing: exit 2 at once, naming the setting', async () => {
    const proc = spawnServe({ env: scaleOutEnv({ GATEKEEPER_PORT: '0' }) });
    const { line } = await failure(proc);
    expect(line).toBe(
      'gatekeeper: GATEKEEPER_MASTER_KEYS: required when GATEKEEPER_DATABASE_URL is PostgreSQL',
    );
  });

  it('a database migrated by a newer build: exit 2 at once (after connecting and locking)', async () => {
    const key = generateFernetKey();
    // a first start migrates; then a migration this build does not know appears
    const first = spawnServe({ env: scaleOutEnv({ GATEKEEPER_MASTER_KEYS: key, GATEKEEPER_PORT: '0' }) });
    await first.ready;
    await first.stop();
    await db!.query(
      "insert into gk_migrations (id, checksum, applied_at) values ('9999-from-the-future', 'x', 0)",
    );
    const proc = spawnServe({ env: scaleOutEnv({ GATEKEEPER_MASTER_KEYS: key, GATEKEEPER_PORT: '0' }) });
    const { line } = await failure(proc);
    expect(line).toMatch(/^gatekeeper: .*9999-from-the-future/);
  });
});
