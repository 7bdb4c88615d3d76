/**
 * Adapts rate-limiter-flexible to the `RateLimiter` contract for both state implementations:
 * validates options, maps a refusal (the library rejects with a `RateLimiterRes`) to
 * `allowed: false` + `retryAfterMs`, and lets real store errors propagate. A registry keeps one
 * limiter per name so the memory and Redis implementations agree that a name identifies counters.
 */
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { assertKey, type RateLimiter, type RateLimiterOptions, type RateLimitResult } from './state.ts';

/** Options after validation, in the units rate-limiter-flexible expects. */
export interface LimiterSettings {
  /** The library's `keyPrefix` suffix: `rl:<name>`; Redis prepends the state prefix. */
  keyPrefix: string;
  points: number;
  duration: number;
  blockDuration: number;
}

function assertPositiveInteger(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`${what} must be a positive safe integer`);
  }
}

function toSettings(options: RateLimiterOptions): LimiterSettings {
  assertKey(options.name, 'rate limiter name');
  assertPositiveInteger(options.points, 'points');
  assertPositiveInteger(options.durationSec, 'durationSec');
  const blockDuration = options.blockDurationSec ?? 0;
  if (blockDuration !== 0) assertPositiveInteger(blockDuration, 'blockDurationSec');
  return {
    keyPrefix: `rl:${options.name}`,
    points: options.points,
    duration: options.durationSec,
    blockDuration,
  };
}

function adaptLimiter(limiter: RateLimiterAbstract): RateLimiter {
  return {
    async consume(key: string, points = 1): Promise<RateLimitResult> {
      assertKey(key);
      assertPositiveInteger(points, 'points');
      try {
        const res = await limiter.consume(key, points);
        return { allowed: true, remaining: res.remainingPoints, retryAfterMs: 0 };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const retryAfterMs = Math.max(1, Math.ceil(rejection.msBeforeNext));
        return { allowed: false, remaining: rejection.remainingPoints, retryAfterMs };
      }
    },
    async reset(key: string): Promise<void> {
      assertKey(key);
      await limiter.delete(key);
    },
  };
}

/**
 * Returns a `createRateLimiter` for one state instance. The same name with the same options returns
 * the same limiter; the same name with different options throws a TypeError, because on Redis both
 * would silently count against one key.
 *
 * @example
 * const createRateLimiter = createLimiterRegistry((s) => new RateLimiterMemory(s));
 * const limiter = createRateLimiter({ name: 'login', points: 5, durationSec: 60 });
 */
export function createLimiterRegistry(
  build: (settings: LimiterSettings) => RateLimiterAbstract,
): (options: RateLimiterOptions) => RateLimiter {
  const limiters = new Map<string, { signature: string; limiter: RateLimiter }>();
  return (options) => {
    const settings = toSettings(options);
    const signature = `${settings.points}/${settings.duration}/${settings.blockDuration}`;
    const existing = limiters.get(options.name);
    if (existing) {
      if (existing.signature !== signature) {
        throw new TypeError(`rate limiter ${options.name} already exists with different options`);
      }
      return existing.limiter;
    }
    const limiter = adaptLimiter(build(settings));
    limiters.set(options.name, { signature, limiter });
    return limiter;
  };
}
