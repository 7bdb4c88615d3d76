/**
 * In-process shared state for the embedded mode (one instance, ARCHITECTURE.md §3). A Map with
 * expiry: entries expire lazily on read and a periodic, unref'd sweep drops the ones never read
 * again. Operations are atomic because each runs synchronously on the event loop. Pub/sub is an
 * EventEmitter delivered on a microtask, so a publisher never runs subscribers inline — the same
 * ordering a Redis round trip gives.
 */
import { EventEmitter } from 'node:events';
import { createLimiterRegistry } from './rate-limiter.ts';
import { RateLimiterMemory } from './rate-limiter-flexible.ts';
import {
  assertIncrement,
  assertKey,
  assertSafeCounter,
  assertTtlMs,
  assertValue,
  deliverMessage,
  type SharedState,
} from './state.ts';

export interface MemoryStateOptions {
  /** How often expired entries nobody reads again are dropped. Default: 30 000 ms. */
  sweepIntervalMs?: number;
}

interface Entry {
  value: string;
  /** Deadline on the monotonic clock (`performance.now()`), so wall-clock jumps do not matter. */
  expiresAt: number;
}

const INTEGER = /^-?\d+$/;

/**
 * Creates the single-process shared state. Two memory states never see each other's keys or
 * messages; use Redis when more than one instance runs.
 *
 * @example
 * const state = createMemoryState();
 * if (!(await state.setIfAbsent(`jti:${jti}`, '1', 300_000))) throw replayError();
 */
export function createMemoryState(options: MemoryStateOptions = {}): SharedState {
  const entries = new Map<string, Entry>();
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  let closed = false;

  const sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
  assertTtlMs(sweepIntervalMs);
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
  }, sweepIntervalMs);
  sweeper.unref();

  function assertOpen(): void {
    if (closed) throw new Error('shared state is closed');
  }

  /** The live entry for `key`, dropping it when expired. */
  function read(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry !== undefined && entry.expiresAt <= performance.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function write(key: string, value: string, ttlMs: number): void {
    entries.set(key, { value, expiresAt: performance.now() + ttlMs });
  }

  /** EventEmitter gives `error` and `newListener` special meaning; channel names must not collide. */
  const eventName = (channel: string) => `message:${channel}`;

  return {
    kind: 'memory',

    async setIfAbsent(key, value, ttlMs) {
      assertKey(key);
      assertValue(value);
      assertTtlMs(ttlMs);
      assertOpen();
      if (read(key) !== undefined) return false;
      write(key, value, ttlMs);
      return true;
    },

    async get(key) {
      assertKey(key);
      assertOpen();
      return read(key)?.value ?? null;
    },

    async set(key, value, ttlMs) {
      assertKey(key);
      assertValue(value);
      assertTtlMs(ttlMs);
      assertOpen();
      write(key, value, ttlMs);
    },

    async take(key) {
      assertKey(key);
      assertOpen();
      const entry = read(key);
      if (entry === undefined) return null;
      entries.delete(key);
      return entry.value;
    },

    async delete(key) {
      assertKey(key);
      assertOpen();
      const existed = read(key) !== undefined;
      entries.delete(key);
      return existed;
    },

    async increment(key, ttlMs, by = 1) {
      assertKey(key);
      assertTtlMs(ttlMs);
      assertIncrement(by);
      assertOpen();
      const entry = read(key);
      if (entry === undefined) {
        write(key, String(by), ttlMs);
        return by;
      }
      if (!INTEGER.test(entry.value)) throw new Error(`value of ${key} is not an integer`);
      const next = assertSafeCounter(Number(entry.value) + by, key);
      entry.value = String(next);
      return next;
    },

    createRateLimiter: createLimiterRegistry((settings) => new RateLimiterMemory(settings)),

    async publish(channel, message) {
      assertKey(channel, 'channel');
      assertValue(message, 'message');
      assertOpen();
      queueMicrotask(() => bus.emit(eventName(channel), message));
    },

    async subscribe(channel, handler) {
      assertKey(channel, 'channel');
      if (typeof handler !== 'function') throw new TypeError('handler must be a function');
      assertOpen();
      const listener = (message: string) => deliverMessage(channel, handler, message);
      bus.on(eventName(channel), listener);
      return async () => {
        bus.off(eventName(channel), listener);
      };
    },

    async ping() {
      assertOpen();
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      bus.removeAllListeners();
      entries.clear();
    },
  };
}
