/**
 * Redis-backed shared state for the scale-out mode (ARCHITECTURE.md §3): every instance sees the
 * same nonces, counters and limits, and a message published on one instance reaches subscribers on
 * all of them. Each operation is one atomic Redis command (SET NX PX, GETDEL, a Lua INCRBY) —
 * never read-then-write. Every key and channel carries `prefix`, so deployments can share a server.
 * Requires Redis ≥ 6.2 (GETDEL). Commands fail fast while disconnected instead of queueing (no
 * offline queue) and time out after `commandTimeoutMs` while Redis hangs, so an outage turns into
 * errors (a 503 where a request needs Redis), never into requests that wait for it. Rate limits fall
 * back to in-process counters while Redis does not answer within `limiterTimeoutMs` (rate-limiter.ts),
 * and publishes are fire-and-forget for their callers (cache/change-feed.ts), so the API rides out a
 * Redis outage. Both connections (commands, subscriptions) have error handlers from their first moment.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { ConfigError } from '../errors/app-error.ts';
import { createLimiterRegistry } from './rate-limiter.ts';
import {
  assertIncrement,
  assertKey,
  assertSafeCounter,
  assertTtlMs,
  assertValue,
  deliverMessage,
  type SharedState,
} from './state.ts';

export interface RedisStateOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  url: string;
  /** Prepended to every key and channel, e.g. `gk:`. Must be non-empty. */
  prefix: string;
  /** How long creation may take before it rejects. Default: 3000 ms. */
  connectTimeoutMs?: number;
  /** How long a command may wait for its reply before it rejects. Default: 2000 ms. */
  commandTimeoutMs?: number;
  /** How long a rate limit waits for Redis before in-process counters decide. Default: 250 ms. */
  limiterTimeoutMs?: number;
  /**
   * Connection errors after start-up (ioredis reconnects on its own meanwhile; the commands issued
   * during the outage reject individually). Default: ignored.
   */
  onError?: (error: Error) => void;
}

/** The setting an operator changes to fix a connection problem; named in every start-up error. */
const URL_SETTING = 'GATEKEEPER_REDIS_URL';

/**
 * INCRBY, then set the TTL only when the counter has none: the first increment creates the key and
 * its expiry, later ones never extend it. Lua rather than `PEXPIRE … NX` so one script runs the same
 * way on every Redis version we support.
 */
const INCREMENT_WITH_TTL_LUA = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return value`;

type IncrementWithTtl = (key: string, by: number, ttlMs: number) => Promise<number>;

/** Where the URL points (`host:port`) and the secrets it holds, parsed without ever echoing it. */
function inspectUrl(url: string): { target: string; secrets: string[] } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(
      URL_SETTING,
      'is not a valid URL (expected redis://[user:password@]host:port[/db])',
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(URL_SETTING, `must use redis:// or rediss://, not ${parsed.protocol}//`);
  }
  const secrets = [parsed.password, decodeURIComponent(parsed.password)].filter((s) => s.length > 0);
  return { target: `${parsed.hostname}:${parsed.port || '6379'}`, secrets };
}

function redact(text: string, secrets: string[]): string {
  return secrets.reduce((out, secret) => out.replaceAll(secret, '***'), text);
}

/** Connects `client`, rejecting after `timeoutMs` whatever ioredis is still trying. */
async function connectWithin(client: Redis, timeoutMs: number): Promise<void> {
  let lastError: Error | undefined;
  const remember = (err: Error) => {
    lastError = err;
  };
  client.on('error', remember);
  let timer: NodeJS.Timeout | undefined;
  const connecting = client.connect();
  connecting.catch(() => undefined);
  try {
    await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    // `remember` stays attached: a late socket error must not surface as an unhandled 'error' event.
    client.disconnect();
    throw lastError ?? err;
  } finally {
    clearTimeout(timer);
  }
  client.off('error', remember);
}

/**
 * Connects to Redis and returns the shared state. Rejects within `connectTimeoutMs` with a
 * ConfigError naming GATEKEEPER_REDIS_URL and `host:port` (never the password) when unreachable.
 *
 * @example
 * const state = await createRedisState({ url: 'redis://127.0.0.1:6379', prefix: 'gk:' });
 * await state.publish('revocations', tokenId);
 */
export async function createRedisState(options: RedisStateOptions): Promise<SharedState> {
  const {
    url,
    prefix,
    connectTimeoutMs = 3000,
    commandTimeoutMs = 2000,
    limiterTimeoutMs = 250,
    onError = () => {},
  } = options;
  if (typeof prefix !== 'string' || prefix.length === 0)
    throw new TypeError('prefix must be a non-empty string');
  for (const [name, ms] of Object.entries({ connectTimeoutMs, commandTimeoutMs, limiterTimeoutMs })) {
    if (!Number.isSafeInteger(ms) || ms <= 0) throw new TypeError(`${name} must be a positive safe integer`);
  }
  const { target, secrets } = inspectUrl(url);

  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  try {
    await connectWithin(client, connectTimeoutMs);
  } catch (err) {
    const reason = redact(err instanceof Error ? err.message : String(err), secrets);
    throw new ConfigError(URL_SETTING, `cannot connect to Redis at ${target}: ${reason}`);
  }
  client.on('error', onError);

  client.defineCommand('gkIncrementWithTtl', { numberOfKeys: 1, lua: INCREMENT_WITH_TTL_LUA });
  const incrementWithTtl = (
    client as unknown as { gkIncrementWithTtl: IncrementWithTtl }
  ).gkIncrementWithTtl.bind(client);

  const k = (key: string) => `${prefix}${key}`;
  let closed = false;
  function assertOpen(): void {
    if (closed) throw new Error('shared state is closed');
  }

  // Subscriptions need their own connection (a subscribed connection runs no other commands); it is
  // opened on the first subscribe. Handlers are grouped per prefixed channel; `ready` resolves when
  // Redis confirmed the SUBSCRIBE, so a message published after subscribe() returns is delivered.
  let subscriber: Promise<Redis> | undefined;
  const channels = new Map<string, { handlers: Set<(message: string) => void>; ready: Promise<unknown> }>();

  function openSubscriber(): Promise<Redis> {
    subscriber ??= (async () => {
      const connection = client.duplicate();
      await connectWithin(connection, connectTimeoutMs);
      connection.on('error', onError);
      connection.on('message', (channel: string, message: string) => {
        for (const handler of channels.get(channel)?.handlers ?? [])
          deliverMessage(channel, handler, message);
      });
      return connection;
    })();
    subscriber.catch(() => {
      subscriber = undefined;
    });
    return subscriber;
  }

  async function quit(connection: Redis): Promise<void> {
    try {
      await connection.quit();
    } catch {
      connection.disconnect();
    }
  }

  return {
    kind: 'redis',

    async setIfAbsent(key, value, ttlMs) {
      assertKey(key);
      assertValue(value);
      assertTtlMs(ttlMs);
      assertOpen();
      return (await client.set(k(key), value, 'PX', ttlMs, 'NX')) === 'OK';
    },

    async get(key) {
      assertKey(key);
      assertOpen();
      return client.get(k(key));
    },

    async set(key, value, ttlMs) {
      assertKey(key);
      assertValue(value);
      assertTtlMs(ttlMs);
      assertOpen();
      await client.set(k(key), value, 'PX', ttlMs);
    },

    async take(key) {
      assertKey(key);
      assertOpen();
      return client.getdel(k(key));
    },

    async delete(key) {
      assertKey(key);
      assertOpen();
      return (await client.del(k(key))) > 0;
    },

    async increment(key, ttlMs, by = 1) {
      assertKey(key);
      assertTtlMs(ttlMs);
      assertIncrement(by);
      assertOpen();
      return assertSafeCounter(Number(await incrementWithTtl(k(key), by, ttlMs)), key);
    },

    createRateLimiter: createLimiterRegistry(
      (settings) =>
        new RateLimiterRedis({ ...settings, keyPrefix: k(settings.keyPrefix), storeClient: client }),
      {
        build: (settings) => new RateLimiterMemory(settings),
        timeoutMs: limiterTimeoutMs,
        onFailure: (err) => onError(err instanceof Error ? err : new Error(String(err))),
      },
    ),

    async publish(channel, message) {
      assertKey(channel, 'channel');
      assertValue(message, 'message');
      assertOpen();
      await client.publish(k(channel), message);
    },

    async subscribe(channel, handler) {
      assertKey(channel, 'channel');
      if (typeof handler !== 'function') throw new TypeError('handler must be a function');
      assertOpen();
      const connection = await openSubscriber();
      const name = k(channel);
      let entry = channels.get(name);
      if (entry === undefined) {
        entry = { handlers: new Set(), ready: connection.subscribe(name) };
        channels.set(name, entry);
        entry.ready.catch(() => channels.delete(name));
      }
      // A wrapper per call, so subscribing one function twice gives two independent subscriptions.
      const listener = (message: string) => handler(message);
      entry.handlers.add(listener);
      await entry.ready;
      const subscribed = entry;
      return async () => {
        if (!subscribed.handlers.delete(listener) || subscribed.handlers.size > 0) return;
        if (channels.get(name) === subscribed) channels.delete(name);
        if (!closed) await connection.unsubscribe(name);
      };
    },

    async ping() {
      assertOpen();
      const reply = await client.ping();
      if (reply !== 'PONG') throw new Error(`Redis at ${target} answered PING with ${reply}`);
    },

    async close() {
      if (closed) return;
      closed = true;
      channels.clear();
      const connections = [client];
      if (subscriber !== undefined) connections.push(await subscriber.catch(() => client));
      await Promise.all([...new Set(connections)].map(quit));
    },
  };
}
