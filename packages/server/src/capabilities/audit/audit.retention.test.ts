/**
 * Retention: pruning old entries is itself audited (an `audit.pruned` entry naming the last pruned
 * hash, chained in the same transaction), and the remaining chain still verifies from that anchor.
 */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { type EmittedEvent, EventBus } from '../../events/event-bus.ts';
import type { AuditEntry } from './chain.ts';
import { createAuditLog } from './service.ts';
import { createAuditStore } from './store.ts';
import { recordingLogger, testEvent, testKey } from './test-support.ts';
import { verifyChain } from './verify.ts';

const DAY = 86_400_000;

describeEachDialect('audit retention', (get) => {
  const key = testKey();
  const verify = () => verifyChain({ database: get().database, checkpointKeys: [key], batchSize: 7 });

  it('prunes entries older than the retention period and keeps a verifiable chain', async () => {
    const now = Date.now();
    const bus = new EventBus();
    const heard: EmittedEvent[] = [];
    bus.subscribe((e) => heard.push(e));
    const log = createAuditLog({
      database: get().database,
      bus,
      checkpointKeys: [key],
      logger: recordingLogger(),
      retentionDays: () => 5,
    });
    const streamed: AuditEntry[] = [];
    log.onAppended((entries) => streamed.push(...entries));

    for (let i = 0; i < 9; i++) bus.emit(testEvent(i, { ts: now - 10 * DAY }));
    await log.flush();
    expect((await log.checkpoint())?.seq).toBe(10); // a checkpoint inside the range to be pruned
    for (let i = 9; i < 20; i++) bus.emit(testEvent(i, { ts: now - 10 * DAY }));
    for (let i = 20; i < 30; i++) bus.emit(testEvent(i, { ts: now - DAY }));
    await log.flush();
    await log.checkpoint();

    expect(await log.prune(now - 20 * DAY)).toBeNull(); // nothing is old enough yet
    const result = await log.prune(now);
    expect(result).toMatchObject({ prune: { throughSeq: 21, prunedAt: now }, deleted: 21 });
    expect(result?.entry).toMatchObject({
      seq: 32,
      action: 'audit.pruned',
      actor: 'system',
      data: { throughSeq: 21, throughHash: result?.prune.throughHash },
    });
    expect(streamed.at(-1)).toEqual(result?.entry);
    // Other subscribers hear about the prune; the audit log does not chain it a second time.
    expect(heard.filter((e) => e.type === 'audit.pruned')).toHaveLength(1);
    await log.flush();
    const store = createAuditStore(get().database);
    expect(await store.count()).toBe(11);
    expect((await store.readRange(0, 1))[0]).toMatchObject({ seq: 22, prevHash: result?.prune.throughHash });
    expect(await store.listPrunes()).toEqual([result?.prune]);

    const report = await verify();
    expect(report).toMatchObject({ ok: true, entries: 11, headSeq: 32, checkpointsVerified: 2 });

    // A later prune never removes the head or the newest checkpoint's entry.
    for (let i = 30; i < 35; i++) bus.emit(testEvent(i));
    await log.flush();
    const again = await log.prune(now + 100 * DAY);
    expect(again?.prune.throughSeq).toBe(30); // newest checkpoint is at 31
    expect(await verify()).toMatchObject({ ok: true, headSeq: 38 });
    await log.close();
    expect(await verify()).toMatchObject({ ok: true, checkpointsVerified: 3 });
  });

  it('detects a deleted prefix disguised with a forged prune record', async () => {
    const { db } = get().database;
    const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq').limit(3).execute();
    const last = rows[2]!;
    await db.deleteFrom('audit_log').where('seq', '<=', last.seq).execute();
    await db
      .insertInto('audit_prunes')
      .values({ through_seq: last.seq, through_hash: last.entry_hash, pruned_at: Date.now() })
      .execute();
    const { problem } = await verify();
    expect(problem).toMatchObject({ seq: last.seq + 1, kind: 'genesis' });
    expect(problem?.message).toContain('no matching audit.pruned entry');
  });

  it('refuses a retention period that is not a positive number of days', async () => {
    const log = createAuditLog({
      database: get().database,
      bus: new EventBus(),
      checkpointKeys: [key],
      logger: recordingLogger(),
      retentionDays: () => 0,
    });
    await expect(log.prune()).rejects.toThrow(RangeError);
    await log.close();
  });
});
