/**
 * Prometheus metrics of every invalidated cache, labelled by cache name: requests by result
 * (`hit`/`miss`), evictions (LRU bound reached), invalidations applied, and entries held.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface CacheCounters {
  hit(): void;
  miss(): void;
  evicted(): void;
  invalidated(): void;
}

export interface CacheMetrics {
  /** Counters for one cache; `size` is read at scrape time. */
  forCache(name: string, size: () => number): CacheCounters;
}

export function createCacheMetrics(registry: Registry): CacheMetrics {
  // hits are counted in plain numbers and added to the counter at scrape time: a prom-client inc()
  // per lookup was a measurable part of an /authz decision (four cache reads each)
  const pendingHits = new Map<string, { n: number }>();
  const requests = new Counter({
    name: 'gatekeeper_cache_requests_total',
    help: 'Cache lookups by cache and result (hit or miss)',
    labelNames: ['cache', 'result'],
    registers: [registry],
    collect() {
      for (const [cache, pending] of pendingHits) {
        if (pending.n === 0) continue;
        this.labels(cache, 'hit').inc(pending.n);
        pending.n = 0;
      }
    },
  });
  const evictions = new Counter({
    name: 'gatekeeper_cache_evictions_total',
    help: 'Entries evicted because a cache reached its size bound',
    labelNames: ['cache'],
    registers: [registry],
  });
  const invalidations = new Counter({
    name: 'gatekeeper_cache_invalidations_total',
    help: 'Invalidations applied, by cache (from this process or any other)',
    labelNames: ['cache'],
    registers: [registry],
  });
  const sizes = new Map<string, () => number>();
  new Gauge({
    name: 'gatekeeper_cache_entries',
    help: 'Entries held, by cache',
    labelNames: ['cache'],
    registers: [registry],
    collect() {
      for (const [cache, size] of sizes) this.set({ cache }, size());
    },
  });
  return {
    forCache(name, size) {
      sizes.set(name, size);
      const hits = pendingHits.get(name) ?? { n: 0 };
      pendingHits.set(name, hits);
      const miss = requests.labels(name, 'miss');
      const evicted = evictions.labels(name);
      const invalidated = invalidations.labels(name);
      return {
        hit: () => {
          hits.n++;
        },
        miss: () => miss.inc(),
        evicted: () => evicted.inc(),
        invalidated: () => invalidated.inc(),
      };
    },
  };
}
