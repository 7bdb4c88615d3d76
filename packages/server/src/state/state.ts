/**
 * The ephemeral shared-state contract: nonces, single-use markers, counters, rate limits and
 * cache-invalidation pub/sub, shared by every instance (ARCHITECTURE.md §2, §3). Durable data never
 * lives here. Every single-use or counted operation is one atomic step (STYLE.md principle 4); both
 * implementations (`memory-state.ts`, `redis-state.ts`) pass `state.conformance.test.ts`.
 */

/** Outcome of one rate-limiter `consume`. */
export interface RateLimitResult {
  /** False when the key has used up its points (or is blocked). */
  allowed: boolean;
  /** Points left in the current window (0 when refused). */
  remaining: number;
  /** When refused: milliseconds until a retry can succeed (always > 0). When allowed: 0. */
  retryAfterMs: number;
  /** Milliseconds until the current window ends and the points are back (RateLimit-Reset). */
  resetMs: number;
}

/** A named fixed-window limiter whose counters live in the shared state. */
export interface RateLimiter {
  /** Spends `points` (default 1) for `key`; refusal is a result, store failures reject. */
  consume(key: string, points?: number): Promise<RateLimitResult>;
  /** Forgets the counter and any block for `key`. */
  reset(key: string): Promise<void>;
}

export interface RateLimiterOptions {
  /** Identifies the limiter; limiters with the same name share counters. */
  name: string;
  /** Points allowed per window. */
  points: number;
  /** Window length in seconds. */
  durationSec: number;
  /** When set, a key that exceeds its points is refused for this many seconds. Default: 0 (no block). */
  blockDurationSec?: number;
}

export interface SharedState {
  readonly kind: 'memory' | 'redis';
  /** Atomically sets key only if absent; true when this call set it (nonce/replay guard). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** The value, or null when absent or expired. */
  get(key: string): Promise<string | null>;
  /** Sets (or replaces) the value with a fresh TTL. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Atomically reads and deletes (consume once). */
  take(key: string): Promise<string | null>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  /** Atomic increment; the TTL is set when the counter is created and not extended. Returns the new value. */
  increment(key: string, ttlMs: number, by?: number): Promise<number>;
  /** A limiter backed by this state; the same name and options return a limiter sharing counters. */
  createRateLimiter(options: RateLimiterOptions): RateLimiter;
  /** Publishes to every subscriber of `channel` on every instance. */
  publish(channel: string, message: string): Promise<void>;
  /** Handler runs for messages published by any instance (including this one). Returns an unsubscribe function. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** Resolves when the store answers; throws when unreachable (used by /readyz). */
  ping(): Promise<void>;
  /** Releases timers and connections; later calls reject. Idempotent. */
  close(): Promise<void>;
}

/** Longest key or channel name accepted, before any prefix is added. */
export const MAX_KEY_LENGTH = 512;

/**
 * Throws a TypeError unless `key` is a non-empty string of at most {@link MAX_KEY_LENGTH} chars.
 *
 * @example assertKey(`nonce:${jti}`);
 */
export function assertKey(key: unknown, what = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new TypeError(`${what} must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
  }
}

/**
 * Throws a TypeError unless `ttlMs` is a positive safe integer: an entry without expiry would turn
 * ephemeral state into durable state.
 *
 * @example assertTtlMs(60_000);
 */
export function assertTtlMs(ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new TypeError('ttlMs must be a positive safe integer (milliseconds)');
  }
}

/** Throws a TypeError unless `value` is a string. */
export function assertValue(value: unknown, what = 'value'): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
}

/** Throws a TypeError unless `by` is a safe integer (negative values decrement). */
export function assertIncrement(by: unknown): asserts by is number {
  if (typeof by !== 'number' || !Number.isSafeInteger(by)) {
    throw new TypeError('increment must be a safe integer');
  }
}

/** Throws a RangeError when a counter leaves the range a JavaScript number represents exactly. */
export function assertSafeCounter(value: number, key: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`counter ${key} left the safe integer range`);
  return value;
}

/**
 * Runs a subscription handler so that one failing handler neither stops delivery to the others nor
 * tears down the connection; the failure surfaces as a process warning.
 */
export function deliverMessage(channel: string, handler: (message: string) => void, message: string): void {
  try {
    handler(message);
  } catch (err) {
    const reason = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.emitWarning(`a subscriber of ${channel} threw`, {
      type: 'GatekeeperStateWarning',
      detail: reason,
    });
  }
}
