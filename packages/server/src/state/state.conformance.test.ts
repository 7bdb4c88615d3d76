/**
 * The one SharedState conformance suite, run against every implementation (STYLE.md principle 5):
 * in-process memory always, Redis when GATEKEEPER_TEST_REDIS_URL is set. Without that URL the Redis
 * run is skipped locally but fails in CI, so CI can never pass without exercising Redis. Each run
 * works under its own random prefix (`gk_test_<random>:`) and deletes its keys afterwards.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSharedState } from './index.ts';
import type { SharedState } from './state.ts';

const redisUrl = process.env.GATEKEEPER_TEST_REDIS_URL || undefined;
const inCi = !['', '0', 'false'].includes(process.env.CI ?? '');
const MISSING_REDIS =
  'GATEKEEPER_TEST_REDIS_URL is not set: in CI the shared-state suite must run against Redis ' +
  '(e.g. GATEKEEPER_TEST_REDIS_URL=redis://127.0.0.1:6379)';

interface Harness {
  kind: 'memory' | 'redis';
  /** A state working under `prefix`. */
  open(prefix: string): Promise<SharedState>;
  /**
   * A second instance sharing `first`'s store: for Redis a new connection on the same prefix; for
   * memory `first` itself, because memory state is single-process by design.
   */
  peer(first: SharedState, prefix: string): Promise<SharedState>;
  /** Deletes every key under `prefix` (SCAN + DEL); memory needs nothing, close() clears it. */
  cleanup(prefix: string): Promise<void>;
}

const memory: Harness = {
  kind: 'memory',
  open: () => createSharedState({}),
  peer: async (first) => first,
  cleanup: async () => {},
};

function redisHarness(url: string): Harness {
  return {
    kind: 'redis',
    open: (prefix) => createSharedState({ redisUrl: url, prefix }),
    peer: (_first, prefix) => createSharedState({ redisUrl: url, prefix }),
    async cleanup(prefix) {
      const redis = new Redis(url);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}

const harnesses = redisUrl ? [memory, redisHarness(redisUrl)] : [memory];
const testPrefix = () => `gk_test_${randomBytes(6).toString('hex')}:`;

async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

describe.each(harnesses)('SharedState conformance ($kind)', (harness) => {
  const prefix = testPrefix();
  const otherPrefix = testPrefix();
  const opened: SharedState[] = [];
  let state: SharedState;
  let peer: SharedState;
  const open = async (p: string) => opened[opened.push(await harness.open(p)) - 1]!;

  beforeAll(async () => {
    state = await open(prefix);
    peer = await harness.peer(state, prefix);
    opened.push(peer);
  });

  afterAll(async () => {
    for (const s of opened) await s.close();
    await harness.cleanup(prefix);
    await harness.cleanup(otherPrefix);
  });

  it('reports its kind and answers ping', async () => {
    expect(state.kind).toBe(harness.kind);
    await expect(state.ping()).resolves.toBeUndefined();
  });

  it('setIfAbsent lets exactly one of 50 concurrent callers win', async () => {
    const callers = Array.from({ length: 50 }, (_, i) =>
      [state, peer][i % 2]!.setIfAbsent('nonce', `c${i}`, 10_000),
    );
    const results = await Promise.all(callers);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await state.get('nonce')).toBe(`c${results.indexOf(true)}`);
  });

  it('set replaces, get reads, delete reports whether the key existed', async () => {
    await state.set('plain', 'one', 10_000);
    await state.set('plain', 'two', 10_000);
    expect(await peer.get('plain')).toBe('two');
    expect(await state.delete('plain')).toBe(true);
    expect(await state.delete('plain')).toBe(false);
    expect(await state.get('plain')).toBeNull();
  });

  it('forgets entries once their TTL has passed', async () => {
    await state.set('short', 'v', 60);
    expect(await state.setIfAbsent('short-nx', 'v', 60)).toBe(true);
    expect(await state.increment('short-counter', 60)).toBe(1);
    expect(await state.get('short')).toBe('v');
    await sleep(150);
    expect(await state.get('short')).toBeNull();
    expect(await state.take('short-nx')).toBeNull();
    expect(await state.setIfAbsent('short-nx', 'again', 10_000)).toBe(true);
    expect(await state.increment('short-counter', 10_000)).toBe(1);
  });

  it('take hands the value to exactly one of 20 concurrent callers', async () => {
    await state.set('code', 'secret', 10_000);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => [state, peer][i % 2]!.take('code')),
    );
    expect(results.filter((r) => r !== null)).toEqual(['secret']);
    expect(await state.get('code')).toBeNull();
    expect(await state.take('never-set')).toBeNull();
  });

  it('increment counts 100 concurrent increments exactly', async () => {
    const calls = Array.from({ length: 100 }, (_, i) => [state, peer][i % 2]!.increment('counter', 10_000));
    const values = await Promise.all(calls);
    expect(values.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(await state.get('counter')).toBe('100');
    expect(await state.increment('counter', 10_000, -40)).toBe(60);
  });

  it('increment keeps the TTL set at creation instead of extending it', async () => {
    expect(await state.increment('window', 300)).toBe(1);
    await sleep(200);
    expect(await state.increment('window', 300, 2)).toBe(3);
    await sleep(200); // 400 ms after creation, 200 ms after the last increment
    expect(await state.get('window')).toBeNull();
    expect(await state.increment('window', 300, 5)).toBe(5);
  });

  it('increment rejects a value that is not an integer', async () => {
    await state.set('text', 'abc', 10_000);
    await expect(state.increment('text', 10_000)).rejects.toThrow();
  });

  it('rate limiter allows its points, then refuses with retryAfterMs; reset restores', async () => {
    const options = { name: 'login', points: 3, durationSec: 60 };
    const limiter = state.createRateLimiter(options);
    const remaining = [];
    for (let i = 0; i < 3; i++) remaining.push((await limiter.consume('alice')).remaining);
    expect(remaining).toEqual([2, 1, 0]);
    const refused = await peer.createRateLimiter(options).consume('alice');
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(await limiter.consume('bob', 3)).toMatchObject({ allowed: true, remaining: 0, retryAfterMs: 0 });
    expect((await limiter.consume('bob')).allowed).toBe(false);
    await limiter.reset('alice');
    const fresh = await limiter.consume('alice');
    expect(fresh).toMatchObject({ allowed: true, remaining: 2, retryAfterMs: 0 });
    // the window's end (RateLimit-Reset)
    expect(fresh.resetMs).toBeGreaterThan(59_000);
    expect(fresh.resetMs).toBeLessThanOrEqual(60_000);
  });

  it('rate limiter blocks for blockDurationSec once exceeded', async () => {
    const limiter = state.createRateLimiter({ name: 'otp', points: 1, durationSec: 1, blockDurationSec: 60 });
    expect((await limiter.consume('carol')).allowed).toBe(true);
    const refused = await limiter.consume('carol');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(50_000);
  });

  it('rate limiter validates its options and keys', async () => {
    const base = { name: 'checked', points: 2, durationSec: 10 };
    state.createRateLimiter(base);
    expect(() => state.createRateLimiter({ ...base, points: 5 })).toThrow(TypeError);
    expect(() => state.createRateLimiter({ ...base, name: '' })).toThrow(TypeError);
    expect(() => state.createRateLimiter({ ...base, name: 'p', points: 0 })).toThrow(TypeError);
    expect(() => state.createRateLimiter({ ...base, name: 'd', durationSec: 1.5 })).toThrow(TypeError);
    await expect(state.createRateLimiter(base).consume('')).rejects.toThrow(TypeError);
    await expect(state.createRateLimiter(base).consume('dave', 0)).rejects.toThrow(TypeError);
  });

  it('delivers a message from one instance to a subscriber on another; unsubscribe stops it', async () => {
    const received: string[] = [];
    const unsubscribe = await peer.subscribe('invalidate', (message) => received.push(message));
    await state.publish('invalidate', 'routes');
    await waitFor(() => received.length === 1);
    expect(received).toEqual(['routes']);
    await unsubscribe();
    await unsubscribe();
    await state.publish('invalidate', 'after');
    await sleep(100);
    expect(received).toEqual(['routes']);
  });

  it('delivers asynchronously to every handler, even when one handler throws', async () => {
    const first: string[] = [];
    const second: string[] = [];
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const unsubscribers = [
      await state.subscribe('fanout', () => {
        throw new Error('handler bug');
      }),
      await state.subscribe('fanout', (message) => first.push(message)),
      await state.subscribe('fanout', (message) => second.push(message)),
    ];
    const publishing = state.publish('fanout', 'keys');
    expect(first).toEqual([]);
    await publishing;
    await waitFor(() => first.length === 1 && second.length === 1 && warnings.length === 1);
    process.off('warning', onWarning);
    expect(warnings).toEqual(['GatekeeperStateWarning']);
    await unsubscribers[0]!();
    await unsubscribers[1]!();
    await state.publish('fanout', 'more');
    await waitFor(() => second.length === 2);
    expect(first).toEqual(['keys']);
    for (const unsubscribe of unsubscribers) await unsubscribe();
  });

  it('isolates states under different prefixes (keys and messages)', async () => {
    const other = await open(otherPrefix);
    await state.set('same-name', 'mine', 10_000);
    expect(await other.get('same-name')).toBeNull();
    const received: string[] = [];
    await other.subscribe('isolated', (message) => received.push(message));
    await state.publish('isolated', 'not for you');
    await sleep(100);
    expect(received).toEqual([]);
  });

  it('validates TTLs and keys', async () => {
    for (const ttl of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      await expect(state.set('k', 'v', ttl)).rejects.toThrow(TypeError);
      await expect(state.setIfAbsent('k', 'v', ttl)).rejects.toThrow(TypeError);
      await expect(state.increment('k', ttl)).rejects.toThrow(TypeError);
    }
    for (const key of ['', 'x'.repeat(513)]) {
      await expect(state.get(key)).rejects.toThrow(TypeError);
      await expect(state.set(key, 'v', 1000)).rejects.toThrow(TypeError);
      await expect(state.take(key)).rejects.toThrow(TypeError);
      await expect(state.delete(key)).rejects.toThrow(TypeError);
      await expect(state.publish(key, 'm')).rejects.toThrow(TypeError);
      await expect(state.subscribe(key, () => {})).rejects.toThrow(TypeError);
    }
    await expect(state.increment('k', 1000, 0.5)).rejects.toThrow(TypeError);
    await expect(state.set('x'.repeat(512), 'v', 1000)).resolves.toBeUndefined();
  });

  it('rejects calls after close, and close is idempotent', async () => {
    const closing = await harness.open(testPrefix());
    await closing.close();
    await closing.close();
    await expect(closing.get('k')).rejects.toThrow(/closed/);
    await expect(closing.ping()).rejects.toThrow(/closed/);
  });
});

describe.runIf(inCi && !redisUrl)('SharedState conformance (redis)', () => {
  it('has a Redis to run against', () => {
    throw new Error(MISSING_REDIS);
  });
});

describe.skipIf(inCi || redisUrl)('SharedState conformance (redis)', () => {
  it('runs when GATEKEEPER_TEST_REDIS_URL is set', () => {});
});
