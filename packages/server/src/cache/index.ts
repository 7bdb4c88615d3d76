/**
 * Caching infrastructure: the durable change feed every process follows, and the one invalidated
 * cache primitive built on it. Capabilities create their caches from these; nothing hand-writes one.
 */
export { CHANGES_CHANNEL, type ChangeFeed, type ChangeFeedOptions, createChangeFeed } from './change-feed.ts';
export {
  createInvalidatedCache,
  type InvalidatedCache,
  type InvalidatedCacheOptions,
} from './invalidated-cache.ts';
export { type CacheCounters, type CacheMetrics, createCacheMetrics } from './metrics.ts';
