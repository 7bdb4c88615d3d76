/**
 * The one cache primitive (shared/design note §1): bounded (LRU), every entry expires after `ttlMs`,
 * invalidated on every process through the change feed (so a CLI process or another instance drops
 * its copy within a second), with hit/miss/eviction/invalidation metrics. Credentials, tenants,
 * effective access — and sessions, routes, clients and JWKS next — are served from it.
 *
 * Invalidation: `invalidate(key)`, `invalidateScope(scope)` (every key whose `scopeOf` is that scope,
 * e.g. all users of a tenant) and `invalidateAll()`. Called inside a unit of work, the invalidation is
 * recorded in the change's transaction and applied everywhere once it commits; this process drops its
 * copy at once as well, so a read inside the unit never sees the old value cached.
 *
 * Stale write-back guard: concurrent `get`s of one key share one load, and a load that an
 * invalidation overtook is returned to its callers but never stored (its answer may predate the change).
 * A load that throws is not cached, nor is one made inside a unit of work (it may see uncommitted
 * rows) unless `keepFromUnit` says its value cannot change. `load` may return `null`/`undefined` to cache a miss (negative
 * caching, e.g. an unknown credential digest), which the same invalidations drop.
 */
import { currentUnit } from '../storage/unit-of-work.ts';
import type { ChangeFeed } from './change-feed.ts';
import type { CacheMetrics } from './metrics.ts';

export interface InvalidatedCacheOptions<V> {
  /** Short name: the feed channel (`cache.<name>`) and the metrics label. */
  name: string;
  feed: ChangeFeed;
  load(key: string): Promise<V>;
  /** Lifetime of an entry: the bound on staleness should an invalidation be lost. */
  ttlMs: number;
  /** Entries kept; the least recently used goes first. */
  maxEntries: number;
  /** The scope a key belongs to, for `invalidateScope` (default: none). */
  scopeOf?: (key: string) => string;
  /**
   * Which values loaded inside a unit of work may still be stored (default: none). Only for values
   * that never change once they exist, such as a tenant's slug: what the unit sees of them is what
   * every reader sees, and should the unit roll back, the entry is for a key nobody else asks for.
   * Without it, a cache read only inside units (the slug of every audit event's tenant) missed and
   * went to the database on every write.
   */
  keepFromUnit?: (value: V) => boolean;
  metrics?: CacheMetrics;
  /** Clock (tests). */
  now?: () => number;
}

export interface InvalidatedCache<V> {
  /** The cached value, or the loaded one (stored unless an invalidation overtook the load). */
  get(key: string): Promise<V>;
  /** Drops `key` here and, through the change feed, on every process. */
  invalidate(key: string): Promise<void>;
  /** Drops every key of `scope` everywhere. */
  invalidateScope(scope: string): Promise<void>;
  /** Drops everything everywhere. */
  invalidateAll(): Promise<void>;
  /** Entries held now. */
  readonly size: number;
  /** Subscribes to the feed; idempotent. */
  start(): void;
  stop(): void;
}

interface Entry<V> {
  value: V;
  expires: number;
  /** `stored` when it last went to the young end. */
  seq: number;
}

/**
 * Creates a cache.
 *
 * @example
 * const tenants = createInvalidatedCache({ name: 'tenants', feed, ttlMs: 60_000, maxEntries: 10_000,
 *   load: (slug) => store.bySlug(slug) });
 * await database.write(async () => { await store.suspend(slug); await tenants.invalidate(slug); });
 */
export function createInvalidatedCache<V>(options: InvalidatedCacheOptions<V>): InvalidatedCache<V> {
  const { feed, load, ttlMs, maxEntries, scopeOf, metrics, keepFromUnit } = options;
  if (!(maxEntries >= 1) || !(ttlMs >= 1)) throw new RangeError('a cache needs maxEntries and ttlMs ≥ 1');
  const now = options.now ?? Date.now;
  const channel = `cache.${options.name}`;
  const counters = metrics?.forCache(options.name, () => entries.size);
  const entries = new Map<string, Entry<V>>();
  const loading = new Map<string, Promise<V>>();
  // how many times an entry went to the young end (stores and refreshes): a hit moves its entry there
  // only when it has drifted half the bound towards the old end, so a hot key costs a Map delete+set
  // once per maxEntries/2 moves rather than on every hit, and still never reaches the old end
  let stored = 0;
  const refreshAfter = Math.max(1, Math.floor(maxEntries / 2));
  let unsubscribe: (() => void) | undefined;

  function dropKey(key: string): void {
    entries.delete(key);
    loading.delete(key);
  }

  function dropScope(scope: string): void {
    if (!scopeOf) return;
    for (const key of entries.keys()) if (scopeOf(key) === scope) entries.delete(key);
    for (const key of loading.keys()) if (scopeOf(key) === scope) loading.delete(key);
  }

  function apply(message: string): void {
    counters?.invalidated();
    if (message === '*') {
      entries.clear();
      loading.clear();
    } else if (message.startsWith('k:')) dropKey(message.slice(2));
    else if (message.startsWith('s:')) dropScope(message.slice(2));
  }

  function store(key: string, value: V): void {
    entries.delete(key);
    entries.set(key, { value, expires: now() + ttlMs, seq: ++stored });
    while (entries.size > maxEntries) {
      entries.delete(entries.keys().next().value as string);
      counters?.evicted();
    }
  }

  async function announce(message: string): Promise<void> {
    apply(message); // here at once; everywhere (and here again, harmlessly) once committed
    await feed.announce(channel, message);
  }

  return {
    get(key) {
      const hit = entries.get(key);
      if (hit !== undefined) {
        if (hit.expires > now()) {
          counters?.hit();
          // keep recently used entries at the young end (Map order is insertion order)
          if (stored - hit.seq >= refreshAfter) {
            entries.delete(key);
            hit.seq = ++stored;
            entries.set(key, hit);
          }
          return Promise.resolve(hit.value);
        }
        entries.delete(key);
      }
      counters?.miss();
      // Inside a unit of work a load reads the unit's uncommitted writes: answer it, never share it,
      // and store it only where such a value cannot change (`keepFromUnit`); the unit may roll back.
      if (currentUnit()) {
        if (!keepFromUnit) return load(key);
        return load(key).then((value) => {
          if (keepFromUnit(value) && !loading.has(key)) store(key, value);
          return value;
        });
      }
      const running = loading.get(key);
      if (running) return running;
      const promise = load(key).then(
        (value) => {
          if (loading.get(key) === promise) {
            loading.delete(key);
            store(key, value);
          }
          return value;
        },
        (err: unknown) => {
          if (loading.get(key) === promise) loading.delete(key);
          throw err;
        },
      );
      loading.set(key, promise);
      return promise;
    },
    invalidate: (key) => announce(`k:${key}`),
    invalidateScope: (scope) => announce(`s:${scope}`),
    invalidateAll: () => announce('*'),
    get size() {
      return entries.size;
    },
    start() {
      unsubscribe ??= feed.subscribe(channel, apply);
    },
    stop() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}
