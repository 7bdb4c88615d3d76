/**
 * The invalidated-cache conformance suite, run on in-process memory state (with SQLite) and on Redis
 * (with PostgreSQL): hits and misses, TTL expiry, the LRU bound, negative caching, single-flight
 * loads, the stale write-back guard, scope and full invalidation, loads inside a unit of work never
 * stored, and invalidation reaching another process — through Redis pub/sub, and through the durable
 * change feed alone when the shared state does not carry it (a CLI process, a Redis outage).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialectAvailable, type TestDatabase } from '../../test/databases.ts';
import { within } from '../../test/second-instance.ts';
import { createSharedState, type SharedState } from '../state/index.ts';
import { currentUnit } from '../storage/unit-of-work.ts';
import { type ChangeFeed, createChangeFeed } from './change-feed.ts';
import { createInvalidatedCache, type InvalidatedCache } from './invalidated-cache.ts';

const redisUrl = process.env.GATEKEEPER_TEST_REDIS_URL || undefined;
if (!redisUrl && !['', '0', 'false'].includes(process.env.CI ?? ''))
  throw new Error('GATEKEEPER_TEST_REDIS_URL must be set under CI');

const setups = [
  { label: 'memory state + sqlite', dialect: 'sqlite' as const, redis: false },
  { label: 'redis state + postgres', dialect: 'postgres' as const, redis: true },
].filter((s) => dialectAvailable(s.dialect) && (!s.redis || redisUrl));

/** A scripted source: `values` answers loads, `loads` counts them, `gate` can hold them. */
function source() {
  const values = new Map<string, string | null>();
  let gate: Promise<void> | undefined;
  const s = {
    values,
    loads: 0,
    async load(key: string) {
      s.loads++;
      const answer = values.has(key) ? values.get(key)! : null;
      await gate;
      return answer;
    },
    hold() {
      let release!: () => void;
      gate = new Promise((r) => {
        release = r;
      });
      return () => {
        gate = undefined;
        release();
      };
    },
  };
  return s;
}

for (const setup of setups) {
  describe(`invalidated cache [${setup.label}]`, () => {
    let db: TestDatabase;
    const prefix = `gk_test_${randomBytes(6).toString('hex')}:`;
    const states: SharedState[] = [];
    const feeds: ChangeFeed[] = [];

    async function openFeed(): Promise<ChangeFeed> {
      const state = await createSharedState(setup.redis ? { redisUrl, prefix } : {});
      states.push(state);
      // a separate database handle: another process as far as the database is concerned
      const feed = createChangeFeed({
        database: feeds.length === 0 ? db.database : await db.openAnother(),
        state,
        pollIntervalMs: 50,
      });
      await feed.start();
      feeds.push(feed);
      return feed;
    }

    function cache(
      feed: ChangeFeed,
      s: ReturnType<typeof source>,
      opts: { ttlMs?: number; max?: number; name?: string } = {},
    ) {
      const c: InvalidatedCache<string | null> = createInvalidatedCache({
        name: opts.name ?? 'conf',
        feed,
        load: (k) => s.load(k),
        ttlMs: opts.ttlMs ?? 60_000,
        maxEntries: opts.max ?? 100,
        scopeOf: (k) => k.split('/')[0]!,
      });
      c.start();
      return c;
    }

    beforeAll(async () => {
      db = await createTestDatabase(setup.dialect);
    });
    afterAll(async () => {
      for (const f of feeds) await f.stop();
      for (const s of states) await s.close();
      await db.cleanup();
    });

    it('serves hits from memory, caches misses (negative caching), and shares one load between callers', async () => {
      const feed = await openFeed();
      const s = source();
      s.values.set('a', 'A');
      const c = cache(feed, s);
      const [x, y] = await Promise.all([c.get('a'), c.get('a')]);
      expect([x, y]).toEqual(['A', 'A']);
      expect(await c.get('a')).toBe('A');
      expect(await c.get('nope')).toBeNull();
      expect(await c.get('nope')).toBeNull();
      expect(s.loads).toBe(2);
      c.stop();
    });

    it('expires entries after the TTL and keeps within maxEntries, least recently used first', async () => {
      const feed = feeds[0]!;
      const s = source();
      const c = cache(feed, s, { ttlMs: 30, max: 2, name: 'bounded' });
      await c.get('k1');
      await c.get('k2');
      await c.get('k1'); // k1 is now the most recent
      await c.get('k3'); // evicts k2
      expect(c.size).toBe(2);
      const before = s.loads;
      await c.get('k1');
      expect(s.loads).toBe(before);
      await c.get('k2');
      expect(s.loads).toBe(before + 1);
      await sleep(40);
      await c.get('k1');
      expect(s.loads).toBe(before + 2);
      c.stop();
    });

    it('never stores an answer whose load an invalidation overtook (stale write-back guard)', async () => {
      const feed = feeds[0]!;
      const s = source();
      s.values.set('t/u', 'old');
      const c = cache(feed, s, { name: 'guard' });
      const release = s.hold();
      const inFlight = c.get('t/u');
      await sleep(1);
      s.values.set('t/u', 'new');
      await c.invalidate('t/u');
      release();
      expect(await inFlight).toBe('old'); // answered, as it was asked before the change
      expect(await c.get('t/u')).toBe('new'); // but not stored
      expect(await c.get('t/u')).toBe('new');
      c.stop();
    });

    it('drops a whole scope, or everything', async () => {
      const feed = feeds[0]!;
      const s = source();
      const c = cache(feed, s, { name: 'scopes' });
      for (const k of ['t1/a', 't1/b', 't2/a']) await c.get(k);
      const loads = s.loads;
      await c.invalidateScope('t1');
      await c.get('t2/a');
      expect(s.loads).toBe(loads);
      await c.get('t1/a');
      await c.get('t1/b');
      expect(s.loads).toBe(loads + 2);
      await c.invalidateAll();
      await c.get('t2/a');
      expect(s.loads).toBe(loads + 3);
      c.stop();
    });

    it('does not cache a failed load', async () => {
      const feed = feeds[0]!;
      let calls = 0;
      const c = createInvalidatedCache<string>({
        name: 'failing',
        feed,
        ttlMs: 60_000,
        maxEntries: 10,
        load: async () => {
          calls++;
          if (calls === 1) throw new Error('database down');
          return 'ok';
        },
      });
      await expect(c.get('x')).rejects.toThrow('database down');
      expect(await c.get('x')).toBe('ok');
      expect(calls).toBe(2);
    });

    it('answers but never stores a load made inside a unit of work; an invalidation there applies once committed', async () => {
      const feed = feeds[0]!;
      const s = source();
      s.values.set('w', 'committed');
      const c = cache(feed, s, { name: 'units' });
      await db.database
        .write(async () => {
          expect(currentUnit()).toBeDefined();
          expect(await c.get('w')).toBe('committed');
          throw new Error('roll back');
        })
        .catch(() => {});
      expect(c.size).toBe(0);
      expect(await c.get('w')).toBe('committed');
      s.values.set('w', 'changed');
      await db.database.write(async () => {
        await c.invalidate('w');
      });
      expect(await c.get('w')).toBe('changed');
      c.stop();
    });

    it('keeps a value loaded inside a unit of work only where keepFromUnit allows it', async () => {
      const feed = feeds[0]!;
      const s = source();
      s.values.set('fixed', 'slug-1');
      const c = createInvalidatedCache<string | null>({
        name: 'keep-from-unit',
        feed,
        load: (key) => s.load(key),
        ttlMs: 60_000,
        maxEntries: 10,
        keepFromUnit: (value) => value !== null,
      });
      c.start();
      await db.database.write(async () => {
        expect(await c.get('fixed')).toBe('slug-1');
        expect(await c.get('unknown')).toBeNull();
      });
      expect(s.loads).toBe(2);
      // the kept value is a hit afterwards, inside a unit and out; the unknown key was not kept
      await db.database.write(async () => {
        expect(await c.get('fixed')).toBe('slug-1');
      });
      expect(await c.get('fixed')).toBe('slug-1');
      expect(s.loads).toBe(2);
      expect(await c.get('unknown')).toBeNull();
      expect(s.loads).toBe(3);
      // and invalidations still drop it
      s.values.set('fixed', 'slug-2');
      await c.invalidate('fixed');
      expect(await c.get('fixed')).toBe('slug-2');
      c.stop();
    });

    it('invalidates on another process within a second', async () => {
      const [a, b] = [feeds[0]!, await openFeed()];
      const sa = source();
      const sb = source();
      sa.values.set('shared', 'v1');
      sb.values.set('shared', 'v1');
      const ca = cache(a, sa, { name: 'cross' });
      const cb = cache(b, sb, { name: 'cross' });
      expect(await cb.get('shared')).toBe('v1');
      sb.values.set('shared', 'v2');
      await ca.invalidate('shared');
      const took = await within(1000, async () => (await cb.get('shared')) === 'v2');
      expect(took).toBeGreaterThanOrEqual(0);
      if (setup.redis) expect(took).toBeLessThan(250); // pub/sub, not the poll
      ca.stop();
      cb.stop();
    });

    it('reaches another process through the change feed alone (no shared state between them)', async () => {
      // two processes whose shared state does not connect them (a CLI command, a Redis outage)
      const lonely = await createSharedState({});
      states.push(lonely);
      const other = createChangeFeed({ database: await db.openAnother(), state: lonely, pollIntervalMs: 50 });
      await other.start();
      feeds.push(other);
      const s = source();
      s.values.set('k', 'before');
      const cOther = cache(other, s, { name: 'feedonly' });
      expect(await cOther.get('k')).toBe('before');
      s.values.set('k', 'after');
      const writer = cache(feeds[0]!, source(), { name: 'feedonly' });
      await writer.invalidate('k');
      const took = await within(1000, async () => (await cOther.get('k')) === 'after');
      expect(took).toBeGreaterThanOrEqual(0);
      cOther.stop();
      writer.stop();
    });
  });
}
