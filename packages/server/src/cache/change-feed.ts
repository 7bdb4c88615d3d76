/**
 * The change feed: how a change made by one process reaches the caches of every other process within
 * a second, whatever is or is not configured (ARCHITECTURE.md §3, §6).
 *
 * `announce(channel, key)` records the change durably in `change_feed` — inside a unit of work, in the
 * change's own transaction, so a change and its invalidation commit together or not at all. Once
 * committed it is delivered to this process's handlers at once and published on the shared state
 * (Redis pub/sub: the fast path between instances). A failed or slow publish never fails or delays
 * the request: every following process also polls the table (every 250 ms by default), which is how
 * a CLI process, an instance on PostgreSQL without Redis, or an instance whose Redis blinked still
 * reaches every server. Delivery is at least once (handlers are invalidations, so idempotent).
 *
 * PostgreSQL assigns `seq` at insert but transactions commit in any order, so a poll can see seq 12
 * before seq 11 commits: the follower remembers the missing numbers for a while and asks for them
 * again (a rolled-back transaction leaves a permanent gap, hence the deadline).
 */
import { randomUUID } from 'node:crypto';
import type { SharedState } from '../state/state.ts';
import type { Database } from '../storage/database.ts';
import { currentUnit } from '../storage/unit-of-work.ts';

/** The shared-state channel all announcements travel on. */
export const CHANGES_CHANNEL = 'gk.changes';
const MAX_CHANNEL = 64;
const MAX_KEY = 512;
/** How long a missing seq is asked for again before it is taken as a rolled-back transaction. */
const GAP_DEADLINE_MS = 10_000;
const MAX_GAPS = 10_000;
const POLL_BATCH = 1000;

export interface ChangeFeed {
  /** This process's id (the `origin` of what it announces). */
  readonly origin: string;
  /**
   * Announces that `key` on `channel` changed (see the file header). Inside a unit of work it only
   * records; outside it commits a unit of its own. Rejects only when the record cannot be written.
   */
  announce(channel: string, key: string): Promise<void>;
  /** `handler` hears every change on `channel` from every process, this one included. */
  subscribe(channel: string, handler: (key: string) => void): () => void;
  /** Starts following other processes (pub/sub and the poll). Servers follow; CLI commands do not. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Deletes feed rows older than the retention (servers call this periodically). */
  prune(nowMs?: number): Promise<number>;
}

export interface ChangeFeedOptions {
  database: Database;
  state: SharedState;
  /** How often the table is polled for other processes' changes. Default 250 ms. */
  pollIntervalMs?: number;
  /** How long feed rows are kept. Default 10 minutes. */
  retentionMs?: number;
  onError?: (err: unknown, what: string) => void;
}

interface Change {
  channel: string;
  key: string;
}

function check(channel: string, key: string): void {
  if (channel.length === 0 || channel.length > MAX_CHANNEL || /[\s:]/.test(channel))
    throw new TypeError(`change channel "${channel.slice(0, 80)}" is not a short name`);
  if (typeof key !== 'string' || key.length > MAX_KEY)
    throw new TypeError(`change key must be a string of at most ${MAX_KEY} characters`);
}

/**
 * Creates the feed of one process.
 *
 * @example
 * const feed = createChangeFeed({ database, state });
 * feed.subscribe('tenants', (slug) => cache.delete(slug));
 * await database.write(async () => { await store.suspend(id); await feed.announce('tenants', slug); });
 */
export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const { database, state } = options;
  const { db } = database;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const retentionMs = options.retentionMs ?? 600_000;
  const onError = options.onError ?? (() => {});
  const origin = randomUUID();
  const collectKey = `change-feed:${origin}`;
  const handlers = new Map<string, Set<(key: string) => void>>();
  // what each unit announced, delivered and published once it committed
  const announcedIn = new WeakSet<object>();
  const pending = new WeakMap<object, Change[]>();
  const pendingOf = (unit: object): Change[] => {
    let list = pending.get(unit);
    if (!list) {
      list = [];
      pending.set(unit, list);
    }
    return list;
  };
  const gaps = new Map<number, number>(); // missing seq → deadline
  let last = -1;
  let pollTimer: NodeJS.Timeout | undefined;
  let polling = false;
  let unsubscribe: (() => Promise<void>) | undefined;

  function deliver(change: Change): void {
    for (const handler of handlers.get(change.channel) ?? []) {
      try {
        handler(change.key);
      } catch (err) {
        onError(err, `change handler of ${change.channel}`);
      }
    }
  }

  function published(changes: readonly Change[]): void {
    for (const c of changes) deliver(c);
    const message = JSON.stringify({ o: origin, c: changes });
    state.publish(CHANGES_CHANNEL, message).catch((err: unknown) => onError(err, 'change publish'));
  }

  async function write(changes: readonly Change[]): Promise<void> {
    const ts = Date.now();
    await db
      .insertInto('change_feed')
      .values(changes.map((c) => ({ ts, channel: c.channel, key: c.key, origin })))
      .execute();
  }

  async function announce(channel: string, key: string): Promise<void> {
    check(channel, key);
    const unit = currentUnit();
    if (!unit) {
      await database.write(() => announce(channel, key));
      return;
    }
    unit.collect<Change>(
      collectKey,
      { channel, key },
      async (changes) => {
        await write(changes);
      },
      (changes, literal) => {
        const ts = Date.now();
        const rows = changes.map((c) => `(${[ts, c.channel, c.key, origin].map(literal).join(', ')})`);
        return `insert into change_feed (ts, channel, key, origin) values ${rows.join(', ')}`;
      },
    );
    if (!announcedIn.has(unit)) {
      announcedIn.add(unit);
      const pendingChanges = pendingOf(unit);
      unit.afterCommit(() => published(pendingChanges));
    }
    pendingOf(unit).push({ channel, key });
  }

  function onRemote(message: string): void {
    try {
      const parsed = JSON.parse(message) as { o?: unknown; c?: unknown };
      if (parsed.o === origin || !Array.isArray(parsed.c)) return;
      for (const c of parsed.c as Change[]) {
        if (typeof c?.channel === 'string' && typeof c.key === 'string') deliver(c);
      }
    } catch (err) {
      onError(err, 'change message');
    }
  }

  function noteGaps(from: number, to: number, now: number): void {
    for (let s = from; s < to && gaps.size < MAX_GAPS; s++) gaps.set(s, now + GAP_DEADLINE_MS);
  }

  async function poll(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      const now = Date.now();
      for (const [s, deadline] of gaps) if (deadline < now) gaps.delete(s);
      if (gaps.size > 0) {
        const late = await db
          .selectFrom('change_feed')
          .select(['seq', 'channel', 'key', 'origin'])
          .where('seq', 'in', [...gaps.keys()].slice(0, POLL_BATCH))
          .execute();
        for (const row of late) {
          gaps.delete(Number(row.seq));
          if (row.origin !== origin) deliver(row);
        }
      }
      for (;;) {
        const rows = await db
          .selectFrom('change_feed')
          .select(['seq', 'channel', 'key', 'origin'])
          .where('seq', '>', last)
          .orderBy('seq')
          .limit(POLL_BATCH)
          .execute();
        for (const row of rows) {
          const seq = Number(row.seq);
          if (seq > last + 1 && last >= 0) noteGaps(last + 1, seq, now);
          last = Math.max(last, seq);
          if (row.origin !== origin) deliver(row);
        }
        if (rows.length < POLL_BATCH) break;
      }
    } catch (err) {
      onError(err, 'change feed poll');
    } finally {
      polling = false;
    }
  }

  return {
    origin,
    announce,
    subscribe(channel, handler) {
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
      }
      const wrapped = (key: string) => handler(key);
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
    async start() {
      if (pollTimer) return;
      const head = await db
        .selectFrom('change_feed')
        .select('seq')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      last = head ? Number(head.seq) : 0;
      unsubscribe = await state.subscribe(CHANGES_CHANNEL, onRemote).catch((err: unknown) => {
        onError(err, 'change feed subscribe');
        return undefined;
      });
      pollTimer = setInterval(() => void poll(), pollIntervalMs);
      pollTimer.unref();
    },
    async stop() {
      if (pollTimer) clearInterval(pollTimer);
      pollTimer = undefined;
      const u = unsubscribe;
      unsubscribe = undefined;
      await u?.().catch(() => {});
    },
    async prune(nowMs = Date.now()) {
      const r = await db
        .deleteFrom('change_feed')
        .where('ts', '<', nowMs - retentionMs)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
