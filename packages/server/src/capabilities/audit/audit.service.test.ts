/**
 * The audit service keeps writes off the request path: emit only queues, batches are written by one
 * worker on a timer or size trigger, flush/close drain everything, and a failing database delays
 * events without losing or reordering them. Checkpoints are stored and logged as the outside anchor.
 */
import { expect, it, vi } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { EventBus } from '../../events/event-bus.ts';
import type { AuditEntry } from './chain.ts';
import { type AuditLogOptions, createAuditLog } from './service.ts';
import { type AuditStore, createAuditStore } from './store.ts';
import { recordingLogger, testEvent, testKey } from './test-support.ts';
import { verifyChain } from './verify.ts';

/** A store whose first `failures` writes (to the outbox or the chain) throw, as a database outage would. */
function flakyStore(inner: AuditStore, failures: number): AuditStore & { attempts: number } {
  const fail = () => {
    store.attempts++;
    if (store.attempts <= failures) throw new Error('connection terminated unexpectedly');
  };
  const store = {
    ...inner,
    attempts: 0,
    async enqueue(events: Parameters<AuditStore['enqueue']>[0]) {
      fail();
      return inner.enqueue(events);
    },
    async drainOutbox(limit: number) {
      fail();
      return inner.drainOutbox(limit);
    },
  };
  return store;
}

describeEachDialect('audit service', (get) => {
  const key = testKey();
  const start = (options: Partial<AuditLogOptions> = {}) => {
    const bus = new EventBus();
    const logger = recordingLogger();
    const log = createAuditLog({ database: get().database, bus, checkpointKeys: [key], logger, ...options });
    return { bus, logger, log };
  };
  const store = () => createAuditStore(get().database);

  it('queues on emit and writes nothing on the request path; flush drains the queue', async () => {
    const { bus, log } = start({ flushIntervalMs: 60_000 });
    const before = await store().count();
    for (let i = 0; i < 20; i++) bus.emit(testEvent(i));
    expect(log.queueDepth()).toBe(20);
    expect(await store().count()).toBe(before);
    await log.flush();
    expect(log.queueDepth()).toBe(0);
    expect(await store().count()).toBe(before + 21); // with the genesis entry
    await log.flush(); // nothing queued: resolves at once
    await log.close();
  });

  it('writes on the timer, and in batches of batchSize once that many are queued', async () => {
    const { bus, log } = start({ flushIntervalMs: 20, batchSize: 10, checkpointIntervalMs: 60_000 });
    const batches: (readonly AuditEntry[])[] = [];
    log.onAppended((entries) => batches.push(entries));
    bus.emit(testEvent(0));
    await vi.waitFor(() => expect(batches).toHaveLength(1), { timeout: 2000, interval: 5 });
    for (let i = 1; i <= 25; i++) bus.emit(testEvent(i));
    await vi.waitFor(() => expect(log.queueDepth()).toBe(0), { timeout: 2000, interval: 5 });
    await log.flush();
    expect(batches.slice(1).map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat().map((e) => e.data.i)).toEqual(Array.from({ length: 26 }, (_, i) => i));
    await log.close();
  });

  it('retries a failed batch with backoff, losing and reordering nothing', async () => {
    const flaky = flakyStore(store(), 2);
    const { bus, log, logger } = start({ store: flaky, batchSize: 10, retryBaseMs: 5, flushIntervalMs: 1 });
    const headBefore = (await store().head())?.seq ?? 0;
    for (let i = 0; i < 30; i++) bus.emit(testEvent(i, { type: 'retry.test' }));
    await log.flush();
    expect(flaky.attempts).toBeGreaterThanOrEqual(5); // 2 failures, then the writes
    expect(logger.errors.map((e) => e.msg)).toEqual([
      'audit append failed; retrying',
      'audit append failed; retrying',
    ]);
    const entries = await store().readRange(headBefore + 1, 100);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => headBefore + 1 + i));
    expect(entries.map((e) => e.data.i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await log.close();
    expect((await verifyChain({ database: get().database, checkpointKeys: [key] })).ok).toBe(true);
  });

  it('checkpoints every N entries and logs each checkpoint as the outside anchor', async () => {
    const { bus, log, logger } = start({ checkpointEvery: 20, batchSize: 10, flushIntervalMs: 1 });
    const before = (await store().listCheckpoints()).length;
    for (let i = 0; i < 45; i++) bus.emit(testEvent(i));
    await log.flush();
    const checkpoints = await store().listCheckpoints({ fromSeq: 0 });
    expect(checkpoints.length - before).toBe(2);
    const logged = logger.infos.filter((i) => i.msg === 'audit checkpoint').map((i) => i.obj.auditCheckpoint);
    expect(logged).toEqual(checkpoints.slice(before).map((cp) => ({ chain: 'gatekeeper-audit', ...cp })));
    const head = await store().head();
    expect(await log.checkpoint()).toMatchObject({ seq: head?.seq, entryHash: head?.entryHash, keyId: 'k1' });
    expect((await log.checkpoint())?.seq).toBe(head?.seq); // unchanged head: no second checkpoint
    await log.close();
  });

  it('close() flushes what is queued, checkpoints the head, and stops listening', async () => {
    const { bus, log, logger } = start({ flushIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) bus.emit(testEvent(i, { type: 'close.test' }));
    await log.close();
    await log.close(); // idempotent
    bus.emit(testEvent(99, { type: 'close.test' }));
    expect(log.queueDepth()).toBe(0);
    const head = await store().head();
    expect(head).toMatchObject({ action: 'close.test', data: { i: 4 } });
    expect((await store().latestCheckpoint())?.seq).toBe(head?.seq);
    expect(logger.infos.at(-1)?.obj.auditCheckpoint).toMatchObject({ seq: head?.seq });
  });

  it('close() gives up after a few attempts when the database stays down, and says so', async () => {
    const broken = flakyStore(store(), Number.POSITIVE_INFINITY);
    const { bus, log, logger } = start({
      store: broken,
      retryBaseMs: 1,
      flushIntervalMs: 60_000,
      closeRetries: 3,
    });
    bus.emit(testEvent(1));
    await expect(log.close()).rejects.toThrow('connection terminated');
    expect(broken.attempts).toBe(3);
    expect(
      logger.errors.some(
        (e) => e.msg === 'audit refusal events held in memory could not be written before shutdown',
      ),
    ).toBe(true);
  });

  it('bounds the refusals held in memory while the outbox cannot be written, and counts the dropped', async () => {
    const broken = flakyStore(store(), 1_000_000);
    const { bus, log, logger } = start({
      store: broken,
      retryBaseMs: 5,
      retryMaxMs: 5,
      closeRetries: 1,
      maxHeld: 5,
    });
    for (let i = 0; i < 8; i++) bus.emit(testEvent(i, { type: 'refusal.test' }));
    expect(log.queueDepth()).toBe(5);
    expect(logger.errors.some((e) => e.msg === 'audit refusal events dropped: too many held in memory')).toBe(
      true,
    );
    await expect(log.close()).rejects.toThrow();
    expect(logger.errors.some((e) => (e.obj as { lost?: number }).lost === 5)).toBe(true);
  });

  it('refuses to start without a checkpoint key', () => {
    expect(() => start({ checkpointKeys: [] })).toThrow(/checkpoint key/);
  });
});
