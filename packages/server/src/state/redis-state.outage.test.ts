/**
 * Issue 7: the Redis shared state rides out an outage of its server (a private redis-server, stopped
 * and started again on the same port). Every connection — commands and subscriptions — has an error
 * handler, so nothing reaches the process as an unhandled 'error' event; commands fail fast while it
 * is down (no offline queue) and time out while it hangs; rate limits decide in process meanwhile;
 * and once it is back the existing subscription receives messages again (ioredis resubscribes).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateRedis, startPrivateRedis, within } from '../../test/faults.ts';
import { createRedisState } from './redis-state.ts';
import type { SharedState } from './state.ts';

describe('Redis shared state through an outage', () => {
  let redis: PrivateRedis;
  let one: SharedState;
  let two: SharedState;
  const errors: Error[] = [];
  beforeAll(async () => {
    redis = await startPrivateRedis();
    const options = {
      url: redis.url,
      prefix: 'gk-outage:',
      commandTimeoutMs: 300,
      onError: (e: Error) => errors.push(e),
    };
    one = await createRedisState(options);
    two = await createRedisState(options);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await redis?.stop();
  });

  it('fails fast while down, limits in process, and resubscribes once back', async () => {
    const received: string[] = [];
    await one.subscribe('news', (m) => received.push(m));
    await two.publish('news', 'before');
    expect(await within(1000, async () => received.includes('before'))).toBeGreaterThanOrEqual(0);
    const limiter = two.createRateLimiter({ name: 'outage', points: 2, durationSec: 60 });

    await redis.stop();
    await sleep(100);
    let started = performance.now();
    await expect(two.get('k')).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(200); // no offline queue: no waiting
    // the limiter decides in process: 2 allowed, then refused — never an error
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await limiter.consume('ip')).allowed);
    expect(results).toEqual([true, true, false]);
    expect(errors.length).toBeGreaterThan(0); // reported through onError, not thrown at the process

    await redis.start();
    const back = await within(
      10_000,
      async () => {
        try {
          await one.ping();
          await two.ping();
          return true;
        } catch {
          return false;
        }
      },
      50,
    );
    expect(back).toBeGreaterThanOrEqual(0);
    // the subscription made before the outage is restored
    const delivered = await within(
      5000,
      async () => {
        await two.publish('news', 'after').catch(() => {});
        return received.includes('after');
      },
      100,
    );
    expect(delivered).toBeGreaterThanOrEqual(0);

    redis.pause();
    started = performance.now();
    await expect(two.get('k')).rejects.toThrow(/timed out/i);
    expect(performance.now() - started).toBeLessThan(1000);
    started = performance.now();
    expect((await limiter.consume('other')).allowed).toBe(true); // 250 ms for Redis, then local
    expect(performance.now() - started).toBeLessThan(1000);
    redis.resume();
  });
});
