/**
 * The audit log service: subscribes to the domain-event bus and chains every event OFF the request
 * path (ARCHITECTURE.md §7). Events are snapshotted (redacted) on emit, queued in memory and appended
 * in batches by one worker at a time; a failed batch is retried with backoff, never dropped or
 * reordered. Checkpoints are signed every N entries or T ms and logged as the outside-the-database
 * anchor; retention prunes old entries and audits the prune itself.
 */
import type { EmittedEvent, EventBus } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import {
  type AuditEntry,
  CHAIN_NAME,
  type Checkpoint,
  type CheckpointKey,
  PRUNED_ACTION,
  signCheckpoint,
  toAuditEvent,
} from './chain.ts';
import { type AuditStore, createAuditStore, type PruneResult } from './store.ts';

const DAY_MS = 86_400_000;

/** The pino-like logger the service reports to. */
export interface AuditLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of `createAuditLog`; every default is stated on its field. */
export interface AuditLogOptions {
  database: Database;
  bus: EventBus;
  /** HMAC keys for checkpoints, newest first; [0] signs. At least one. */
  checkpointKeys: readonly CheckpointKey[];
  logger: AuditLogger;
  /** Most events per append transaction. Default 500. */
  batchSize?: number;
  /** How long an event may wait for more to batch with. Default 50 ms. */
  flushIntervalMs?: number;
  /** Checkpoint after this many entries appended by this instance. Default 1000. */
  checkpointEvery?: number;
  /** Checkpoint the head this often when it moved. Default 60 000 ms. */
  checkpointIntervalMs?: number;
  /** Retention in days, read at each prune (a live setting). Default 2555 (≈ 7 years). */
  retentionDays?: () => number;
  /** First retry delay after a failed append; doubles per failure. Default 100 ms. */
  retryBaseMs?: number;
  /** Longest retry delay. Default 5000 ms. */
  retryMaxMs?: number;
  /** Consecutive failed appends after which a closing log gives up on what is queued. Default 3. */
  closeRetries?: number;
  /** The store to write through. Default: `createAuditStore(database)` (tests pass a faulty one). */
  store?: AuditStore;
}

/** The running audit log. */
export interface AuditLog {
  /** Events received but not yet committed to the chain. */
  queueDepth(): number;
  /** Resolves once every event received so far is in the chain (retrying failures meanwhile). */
  flush(): Promise<void>;
  /** Unsubscribes, stops the timers, flushes and writes a final checkpoint. Idempotent. */
  close(): Promise<void>;
  /** Signs and stores a checkpoint of the current head and logs it; null on an empty chain. */
  checkpoint(): Promise<Checkpoint | null>;
  /** Real-time stream: `listener` gets each batch of entries once committed. Returns unsubscribe. */
  onAppended(listener: (entries: readonly AuditEntry[]) => void): () => void;
  /** Deletes entries older than the retention period (as of `nowMs`) and chains `audit.pruned`. */
  prune(nowMs?: number): Promise<PruneResult | null>;
  /** Up to `limit` committed entries from `fromSeq`, in order. */
  readRange(fromSeq: number, limit: number): Promise<AuditEntry[]>;
  /** The newest committed entry. */
  head(): Promise<AuditEntry | undefined>;
}

interface Waiter {
  target: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts the audit log: from now on every event on `bus` is chained.
 *
 * @example
 * const audit = createAuditLog({ database, bus, logger, checkpointKeys: keyring.deriveKeys('audit-checkpoint') });
 * audit.onAppended((entries) => stream.publish(entries));
 * // at shutdown
 * await audit.close();
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { bus, logger, checkpointKeys } = options;
  const newestKey = checkpointKeys[0];
  if (!newestKey) throw new RangeError('the audit log needs at least one checkpoint key');
  const signingKey: CheckpointKey = newestKey;
  const store = options.store ?? createAuditStore(options.database);
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const flushIntervalMs = options.flushIntervalMs ?? 50;
  const checkpointEvery = options.checkpointEvery ?? 1000;
  const retryBaseMs = options.retryBaseMs ?? 100;
  const retryMaxMs = options.retryMaxMs ?? 5000;
  const closeRetries = options.closeRetries ?? 3;
  const retentionDays = options.retentionDays ?? (() => 2555);

  const queue: EmittedEvent[] = [];
  const waiters: Waiter[] = [];
  const listeners = new Set<(entries: readonly AuditEntry[]) => void>();
  /** Data objects of events this service emitted itself (already chained by the store). */
  const selfEmitted = new WeakSet<object>();
  let received = 0; // events ever queued
  let settled = 0; // events appended (or given up on at close)
  let draining = false;
  let closing = false;
  let closed: Promise<void> | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let sinceCheckpoint = 0;

  // Every database operation of this service runs one at a time, in the order asked: a checkpoint
  // requested while a batch is being written signs the head after that batch, and appends, prunes and
  // checkpoints of one instance never compete for the lock (or, on SQLite, the one connection).
  let tail: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = tail.then(work, work);
    tail = run.catch(() => {});
    return run;
  }

  function settleWaiters(err?: unknown): void {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i]!;
      if (err !== undefined) waiter.reject(err);
      else if (settled >= waiter.target) waiter.resolve();
      else continue;
      waiters.splice(i, 1);
    }
  }

  function notify(entries: readonly AuditEntry[]): void {
    for (const listener of listeners) {
      try {
        listener(entries);
      } catch (err) {
        logger.error({ err }, 'audit stream listener failed');
      }
    }
  }

  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    let failures = 0;
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, batchSize);
        let entries: AuditEntry[];
        try {
          entries = await exclusive(() => store.appendBatch(batch));
        } catch (err) {
          failures++;
          logger.error({ err, failures, queued: queue.length }, 'audit append failed; retrying');
          if (closing && failures >= closeRetries) {
            settled += queue.length;
            logger.error({ lost: queue.length }, 'audit events could not be written before shutdown');
            queue.length = 0;
            settleWaiters(err);
            return;
          }
          await sleep(Math.min(retryMaxMs, retryBaseMs * 2 ** (failures - 1)));
          continue;
        }
        failures = 0;
        queue.splice(0, batch.length);
        settled += batch.length;
        settleWaiters();
        notify(entries);
        sinceCheckpoint += entries.length;
        if (sinceCheckpoint >= checkpointEvery) await checkpoint().catch(reportCheckpointError);
      }
    } finally {
      draining = false;
    }
  }

  function startDrain(): void {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    void drain();
  }

  function reportCheckpointError(err: unknown): null {
    logger.error({ err }, 'audit checkpoint failed');
    return null;
  }

  const unsubscribe = bus.subscribe((event) => {
    if (closing) return;
    if (event.data && selfEmitted.has(event.data)) return;
    queue.push(toAuditEvent(event));
    received++;
    if (draining) return; // the running worker picks it up
    if (queue.length >= batchSize) {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = setTimeout(startDrain, 0);
    } else if (!flushTimer) {
      flushTimer = setTimeout(startDrain, flushIntervalMs);
    }
  });

  const checkpointTimer = setInterval(() => {
    checkpoint().catch(reportCheckpointError);
  }, options.checkpointIntervalMs ?? 60_000);
  checkpointTimer.unref();

  function flush(): Promise<void> {
    if (settled >= received) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => waiters.push({ target: received, resolve, reject }));
    startDrain();
    return done;
  }

  function checkpoint(): Promise<Checkpoint | null> {
    return exclusive(async () => {
      const head = await store.head();
      if (!head) return null;
      const latest = await store.latestCheckpoint();
      if (latest && latest.seq === head.seq) return latest;
      if (latest && latest.seq > head.seq) {
        logger.error(
          { headSeq: head.seq, checkpointSeq: latest.seq },
          'audit head is behind its newest checkpoint',
        );
        return null;
      }
      const payload = { seq: head.seq, entryHash: head.entryHash, ts: Date.now() };
      const cp: Checkpoint = {
        ...payload,
        keyId: signingKey.id,
        signature: signCheckpoint(signingKey.key, payload),
      };
      await store.insertCheckpoint(cp);
      sinceCheckpoint = 0;
      logger.info({ auditCheckpoint: { chain: CHAIN_NAME, ...cp } }, 'audit checkpoint');
      return cp;
    });
  }

  async function prune(nowMs = Date.now()): Promise<PruneResult | null> {
    const days = retentionDays();
    if (!Number.isFinite(days) || days <= 0)
      throw new RangeError(`audit retention must be a positive number of days, not ${days}`);
    const result = await exclusive(async () => {
      const through = await store.lastSeqBefore(nowMs - days * DAY_MS);
      return through > 0 ? store.pruneThrough(through, { ts: nowMs }) : null;
    });
    if (!result) return null;
    logger.info({ auditPrune: { ...result.prune, deleted: result.deleted } }, 'audit entries pruned');
    notify([result.entry]);
    // The entry is already chained atomically with the prune; other subscribers (webhooks) still hear it.
    const data = { ...result.entry.data };
    selfEmitted.add(data);
    bus.emit({
      type: PRUNED_ACTION,
      tenant: null,
      actor: result.entry.actor,
      target: null,
      result: 'success',
      data,
    });
    return result;
  }

  async function close(): Promise<void> {
    closed ??= (async () => {
      closing = true;
      unsubscribe();
      clearInterval(checkpointTimer);
      try {
        await flush();
      } finally {
        if (flushTimer) clearTimeout(flushTimer);
        await checkpoint().catch(reportCheckpointError);
      }
    })();
    return closed;
  }

  return {
    queueDepth: () => queue.length,
    flush,
    close,
    checkpoint,
    onAppended(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    prune,
    readRange: (fromSeq, limit) => store.readRange(fromSeq, limit),
    head: () => store.head(),
  };
}
