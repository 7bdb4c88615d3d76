/**
 * Adapts rate-limiter-flexible to the `RateLimiter` contract for both state implementations:
 * validates options, maps a refusal (the library rejects with a `RateLimiterRes`) to
 * `allowed: false` + `retryAfterMs`, and lets real store errors propagate — unless a fallback is
 * given (Redis): then a store that fails or does not answer in time hands the decision to an
 * in-process limiter with the same settings, so an invalid token still gets its 401 (and a flood its
 * 429) while Redis is down or paused. A registry keeps one limiter per name so the memory and Redis
 * implementations agree that a name identifies counters.
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from './rate-limiter-flexible.ts';
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

/** When the shared store cannot answer, a limiter counts in this process instead (see below). */
export interface LimiterFallback {
  /** Builds the in-process limiter used while the store is unreachable. */
  build(settings: LimiterSettings): RateLimiterAbstract;
  /** How long the store may take to answer before the local limiter decides instead. */
  timeoutMs: number;
  /** Told once per failed store call (connection refused, timed out). */
  onFailure?(err: unknown): void;
}

async function consumeOn(
  limiter: RateLimiterAbstract,
  key: string,
  points: number,
): Promise<RateLimitResult> {
  try {
    const res = await limiter.consume(key, points);
    return {
      allowed: true,
      remaining: res.remainingPoints,
      retryAfterMs: 0,
      resetMs: Math.max(0, Math.ceil(res.msBeforeNext)),
    };
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfterMs = Math.max(1, Math.ceil(rejection.msBeforeNext));
    return { allowed: false, remaining: rejection.remainingPoints, retryAfterMs, resetMs: retryAfterMs };
  }
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the shared state did not answer within ${ms} ms`)), ms);
  });
  promise.catch(() => {}); // a late failure of the abandoned call is not unhandled
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function adaptLimiter(
  limiter: RateLimiterAbstract,
  local: RateLimiterAbstract | undefined,
  fallback?: LimiterFallback,
): RateLimiter {
  return {
    async consume(key: string, points = 1): Promise<RateLimitResult> {
      assertKey(key);
      assertPositiveInteger(points, 'points');
      if (!local || !fallback) return consumeOn(limiter, key, points);
      try {
        return await within(consumeOn(limiter, key, points), fallback.timeoutMs);
      } catch (err) {
        // Redis down or paused: limit in this process rather than fail the request (issue 7). The
        // local counters are per instance, so the limit is looser by the number of instances.
        fallback.onFailure?.(err);
        return consumeOn(local, key, points);
      }
    },
    async reset(key: string): Promise<void> {
      assertKey(key);
      if (local) await local.delete(key);
      if (!local || !fallback) {
        await limiter.delete(key);
        return;
      }
      await within(limiter.delete(key), fallback.timeoutMs).catch((err: unknown) =>
        fallback.onFailure?.(err),
      );
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
  fallback?: LimiterFallback,
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
    const limiter = adaptLimiter(build(settings), fallback?.build(settings), fallback);
    limiters.set(options.name, { signature, limiter });
    return limiter;
  };
}
