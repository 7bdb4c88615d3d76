/**
 * Two real `gatekeeper serve` processes started together on one fresh PostgreSQL database (and one
 * Redis) may each print a setup link, but at most one link is valid: the later one supersedes the
 * earlier, and both instances agree about every printed link.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../test/databases.ts';
import {
  freshPostgresDatabase,
  freshRedisPrefix,
  type ServeProcess,
  setupLinksIn,
  spawnServe,
} from '../test/serve-process.ts';
import { generateFernetKey } from './crypto/fernet.ts';

const redisUrl = process.env.GATEKEEPER_TEST_REDIS_URL;

describe.skipIf(!dialectAvailable('postgres'))('two instances starting together', () => {
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  const procs: ServeProcess[] = [];
  beforeAll(async () => {
    db = await freshPostgresDatabase();
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await db?.drop();
  });

  it('never leave two valid setup links', async () => {
    const shared = {
      GATEKEEPER_DATABASE_URL: db!.url,
      GATEKEEPER_MASTER_KEYS: generateFernetKey(),
      GATEKEEPER_PORT: '0',
      ...(redisUrl ? { GATEKEEPER_REDIS_URL: redisUrl, GATEKEEPER_REDIS_PREFIX: freshRedisPrefix() } : {}),
    };
    for (let i = 0; i < 2; i++) {
      procs.push(
        spawnServe({
          env: { ...shared, GATEKEEPER_DATA_DIR: mkdtempSync(join(tmpdir(), `gk-instance-${i}-`)) },
        }),
      );
    }
    const ports = (await Promise.all(procs.map((p) => p.ready))).map((r) => r.port);
    const links = procs.flatMap((p) => setupLinksIn(p.stderr()));
    expect(links.length).toBeGreaterThanOrEqual(1);
    expect(links.length).toBeLessThanOrEqual(2);

    let valid = 0;
    for (const link of links) {
      const { pathname, search } = new URL(link);
      const statuses = await Promise.all(
        ports.map(async (port) => (await fetch(`http://127.0.0.1:${port}${pathname}${search}`)).status),
      );
      expect(new Set(statuses).size, `instances disagree about ${link}`).toBe(1);
      if (statuses[0] === 200) valid++;
    }
    expect(valid).toBe(1);
    const live = await db!.query<{ n: number }>(
      "select count(*)::int as n from credentials where kind = 'setup' and revoked_at is null",
    );
    expect(live[0]!.n).toBe(1);
  });
});
