/**
 * The audit log service: every domain event ends up, exactly once, in the hash chain.
 *
 * - An event emitted inside a unit of work (a change) is written to the outbox in the change's own
 *   transaction: if the change commits, so does its event, even if the process dies a millisecond
 *   later. Nothing is held in memory for it.
 * - An event emitted outside a unit (a refusal: 401/403, rate limits) is batched in memory and written
 *   to the outbox off the request path; losing the last few of those in a crash is accepted.
 * - The sequencer drains the outbox into the chain in batches, one drainer at a time across every
 *   process (the audit lock; on SQLite the single writer). It runs shortly after a commit, on a poll
 *   (so events left by a CLI process or a crashed instance are chained by a surviving server), and on
 *   `flush`/`close`. A failing drain is retried with backoff; the events wait safely in the outbox.
 * - Checkpoints are signed every N entries or T ms by servers only (`writeCheckpoints`), in one locked
 *   transaction, and handed to every anchor (the log whatever its level, an append-only file): the
 *   outside record that makes a rewrite detectable even if the checkpoint rows are deleted.
 * - Retention prunes old entries and audits the prune itself.
 */
import type { EmittedEvent, EventBus } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import type { UnitOfWork } from '../../storage/unit-of-work.ts';
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

/** Where signed checkpoints go besides the database (see `anchors.ts`). */
export interface CheckpointAnchor {
  write(anchor: { chain: string } & Checkpoint): void;
}

/** Options of `createAuditLog`; every default is stated on its field. */
export interface AuditLogOptions {
  database: Database;
  bus: EventBus;
  /** HMAC keys for checkpoints, newest first; [0] signs. At least one. */
  checkpointKeys: readonly CheckpointKey[];
  logger: AuditLogger;
  /** Most events per drain transaction. Default 500. */
  batchSize?: number;
  /** How long events may wait for more to batch with (outbox drain and refusal batches). Default 50 ms. */
  flushIntervalMs?: number;
  /** How often the outbox is polled for events other processes left (0: never). Default 1000 ms. */
  pollIntervalMs?: number;
  /** Whether this process signs checkpoints (servers do, CLI commands do not). Default true. */
  writeCheckpoints?: boolean;
  /** Checkpoint after this many entries chained by this process. Default 1000. */
  checkpointEvery?: number;
  /** Checkpoint the head this often when it moved. Default 60 000 ms. */
  checkpointIntervalMs?: number;
  /** Receive every checkpoint this process signs. Default: none (the log line is `logger.info`). */
  anchors?: readonly CheckpointAnchor[];
  /** Retention in days, read at each prune (a live setting). Default 2555 (≈ 7 years). */
  retentionDays?: () => number;
  /** First retry delay after a failed write; doubles per failure. Default 100 ms. */
  retryBaseMs?: number;
  /** Longest retry delay. Default 5000 ms. */
  retryMaxMs?: number;
  /** Consecutive failed writes after which a closing log stops retrying. Default 3. */
  closeRetries?: number;
  /** Most refusal events held in memory while the outbox cannot be written; more are counted and dropped. Default 10 000. */
  maxHeld?: number;
  /** The store to write through. Default: `createAuditStore(database)` (tests pass a faulty one). */
  store?: AuditStore;
}

/** The running audit log. */
export interface AuditLog {
  /** Refusal events held in memory, not yet in the outbox. */
  queueDepth(): number;
  /** Events in the outbox, not yet chained (any process's). */
  outboxDepth(): Promise<number>;
  /** Resolves once every event received or committed so far is in the chain (retrying meanwhile). */
  flush(): Promise<void>;
  /** Unsubscribes, stops the timers, flushes and (servers) writes a final checkpoint. Idempotent. */
  close(): Promise<void>;
  /** Signs and stores a checkpoint of the current head and anchors it; null on an empty chain. */
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
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const writeCheckpoints = options.writeCheckpoints ?? true;
  const checkpointEvery = options.checkpointEvery ?? 1000;
  const retryBaseMs = options.retryBaseMs ?? 100;
  const retryMaxMs = options.retryMaxMs ?? 5000;
  const closeRetries = options.closeRetries ?? 3;
  const maxHeld = Math.max(1, options.maxHeld ?? 10_000);
  let dropped = 0;
  const retentionDays = options.retentionDays ?? (() => 2555);
  const anchors = options.anchors ?? [];
  const backoff = (failures: number) => Math.min(retryMaxMs, retryBaseMs * 2 ** (failures - 1));

  /** Refusal events waiting to be written to the outbox. */
  const pending: EmittedEvent[] = [];
  const listeners = new Set<(entries: readonly AuditEntry[]) => void>();
  /** Data objects of events this service emitted itself (already chained by the store). */
  const selfEmitted = new WeakSet<object>();
  /** Units that already asked for a drain after their commit. */
  const kickedUnits = new WeakSet<UnitOfWork>();
  let closing = false;
  let closed: Promise<void> | undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  let pendingTimer: NodeJS.Timeout | undefined;
  /** Seq of the newest checkpoint this process knows of (it signs again `checkpointEvery` later). */
  let checkpointedSeq = -1;

  // Every database operation of this service runs one at a time, in the order asked: appends, prunes
  // and checkpoints of one process never compete for the lock (or, on SQLite, the one connection).
  let tail: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = tail.then(work, work);
    tail = run.catch(() => {});
    return run;
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

  function reportError(what: string) {
    return (err: unknown): null => {
      logger.error({ err }, what);
      return null;
    };
  }

  /**
   * Writes the held refusal events to the outbox; retries until written (or, closing, gives up). One
   * writer at a time: a second caller joins the running loop, which goes on until nothing is held.
   */
  let writing: Promise<void> | undefined;
  function writePending(): Promise<void> {
    writing ??= writeHeld().finally(() => {
      writing = undefined;
    });
    return writing;
  }

  async function writeHeld(): Promise<void> {
    let failures = 0;
    while (pending.length > 0) {
      const batch = pending.slice(0, batchSize);
      try {
        await exclusive(() => store.enqueue(batch));
      } catch (err) {
        failures++;
        logger.error({ err, failures, queued: pending.length }, 'audit append failed; retrying');
        if (closing && failures >= closeRetries) {
          // refusals (401/403, rate limits) only: a change's event is in the outbox with the change
          logger.error(
            { lost: pending.length },
            'audit refusal events held in memory could not be written before shutdown',
          );
          pending.length = 0;
          throw err;
        }
        await sleep(backoff(failures));
        continue;
      }
      failures = 0;
      pending.splice(0, batch.length);
    }
  }

  /** Chains outbox events until the outbox is empty; retries failures (closing: gives up, throwing). */
  async function drain(): Promise<void> {
    let failures = 0;
    for (;;) {
      let entries: AuditEntry[];
      try {
        entries = await exclusive(() => store.drainOutbox(batchSize));
      } catch (err) {
        failures++;
        logger.error({ err, failures }, 'audit append failed; retrying');
        if (closing && failures >= closeRetries) throw err;
        await sleep(backoff(failures));
        continue;
      }
      failures = 0;
      if (entries.length > 0) {
        notify(entries);
        const headSeq = entries.at(-1)!.seq;
        if (checkpointedSeq < 0) checkpointedSeq = entries[0]!.seq - 1;
        if (writeCheckpoints && headSeq - checkpointedSeq >= checkpointEvery)
          await checkpoint().catch(reportError('audit checkpoint failed'));
      }
      if (entries.length < batchSize) return;
    }
  }

  // One drain at a time per process (background or flush); a kick while it runs asks for another pass.
  let draining: Promise<void> | undefined;
  let again = false;
  let drainError: unknown;
  function runDrain(): Promise<void> {
    drainTimer = undefined;
    if (draining) {
      again = true;
      return draining;
    }
    draining = (async () => {
      try {
        drainError = undefined;
        do {
          again = false;
          await writePending();
          await drain();
        } while (again);
      } catch (err) {
        drainError = err;
        logger.error({ err }, 'audit drain failed');
      } finally {
        draining = undefined;
      }
    })();
    return draining;
  }

  function kick(delayMs = flushIntervalMs): void {
    if (drainTimer || closed) return;
    drainTimer = setTimeout(runDrain, delayMs);
  }

  const unsubscribeUnit = bus.subscribeInUnit((event, unit) => {
    unit.collect(
      'audit-outbox',
      toAuditEvent(event),
      (events) => store.enqueue(events),
      (events, literal) => store.renderEnqueue(events, literal),
    );
    if (!kickedUnits.has(unit)) {
      kickedUnits.add(unit);
      unit.afterCommit(() => kick());
    }
  });
  const unsubscribe = bus.subscribe((event) => {
    if (event.committed || closing) return; // a committed event is in the outbox already
    if (event.data && selfEmitted.has(event.data)) return;
    if (pending.length >= maxHeld) {
      // the database is out and refusals keep coming: bound the memory, count what is dropped
      if (dropped++ === 0) logger.error({ maxHeld }, 'audit refusal events dropped: too many held in memory');
      return;
    }
    if (dropped > 0) {
      logger.error({ dropped }, 'audit refusal events were dropped while the outbox could not be written');
      dropped = 0;
    }
    pending.push(toAuditEvent(event));
    if (pending.length >= batchSize) kick(0);
    else if (!pendingTimer) {
      pendingTimer = setTimeout(() => {
        pendingTimer = undefined;
        kick(0);
      }, flushIntervalMs);
    }
  });

  const pollTimer = pollIntervalMs > 0 ? setInterval(() => kick(0), pollIntervalMs) : undefined;
  pollTimer?.unref();
  const checkpointTimer = writeCheckpoints
    ? setInterval(() => {
        checkpoint().catch(reportError('audit checkpoint failed'));
      }, options.checkpointIntervalMs ?? 60_000)
    : undefined;
  checkpointTimer?.unref();

  async function flush(): Promise<void> {
    await writePending();
    const through = await store.outboxHighWater();
    if (through === 0) {
      await draining;
      return;
    }
    for (;;) {
      if (drainTimer) clearTimeout(drainTimer);
      await runDrain();
      if (closing && drainError !== undefined) throw drainError;
      if ((await store.outboxPending(through)) === 0) return;
    }
  }

  function checkpoint(): Promise<Checkpoint | null> {
    return exclusive(async () => {
      const cp = await store.checkpointHead((payload) => ({
        ...payload,
        keyId: signingKey.id,
        signature: signCheckpoint(signingKey.key, payload),
      }));
      if (!cp) return null;
      checkpointedSeq = Math.max(checkpointedSeq, cp.checkpoint.seq);
      if (cp.created) {
        const anchor = { chain: CHAIN_NAME, ...cp.checkpoint };
        logger.info({ auditCheckpoint: anchor }, 'audit checkpoint');
        for (const a of anchors) {
          try {
            a.write(anchor);
          } catch (err) {
            logger.error({ err }, 'audit checkpoint anchor failed');
          }
        }
      }
      return cp.checkpoint;
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
      unsubscribeUnit();
      if (pollTimer) clearInterval(pollTimer);
      if (checkpointTimer) clearInterval(checkpointTimer);
      if (drainTimer) clearTimeout(drainTimer);
      if (pendingTimer) clearTimeout(pendingTimer);
      try {
        await draining;
        await flush().catch(async (err: unknown) => {
          // committed changes' events stay in the outbox, durable: the next server chains them
          const outbox = await store.outboxPending().catch(() => undefined);
          if (outbox !== 0)
            logger.error({ err, outbox }, 'audit events left unchained in the outbox at shutdown');
          throw err;
        });
      } finally {
        if (writeCheckpoints) await checkpoint().catch(reportError('audit checkpoint failed'));
      }
    })();
    return closed;
  }

  return {
    queueDepth: () => pending.length,
    outboxDepth: () => store.outboxPending(),
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
