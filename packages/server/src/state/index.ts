/**
 * Chooses the shared-state implementation for the deployment mode (ARCHITECTURE.md §3): Redis when
 * a URL is configured (scale-out), otherwise in-process memory (embedded, single instance).
 */
import { createMemoryState } from './memory-state.ts';
import type { SharedState } from './state.ts';

export type { RateLimiter, RateLimiterOptions, RateLimitResult, SharedState } from './state.ts';

export interface SharedStateOptions {
  /** GATEKEEPER_REDIS_URL; when absent or empty the state is in process. */
  redisUrl?: string;
  /** Prefix for every Redis key and channel. Default: `gk:`. Ignored in memory. */
  prefix?: string;
  /** Redis connection errors after start-up; see `RedisStateOptions.onError`. */
  onError?: (error: Error) => void;
}

/**
 * Creates the shared state for this instance.
 *
 * @example
 * const state = await createSharedState({ redisUrl: config.redisUrl });
 * const unsubscribe = await state.subscribe('invalidate:routes', () => routes.clear());
 */
export async function createSharedState(options: SharedStateOptions = {}): Promise<SharedState> {
  const { redisUrl, prefix = 'gk:', onError } = options;
  if (redisUrl === undefined || redisUrl === '') return createMemoryState();
  // loaded only in scale-out mode, so the embedded default does not pay for ioredis at start-up
  const { createRedisState } = await import('./redis-state.ts');
  return createRedisState({ url: redisUrl, prefix, ...(onError ? { onError } : {}) });
}
