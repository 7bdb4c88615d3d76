/**
 * `verify` names each kind of tampering a database administrator could do with raw SQL: a 50-entry
 * chain with checkpoints at 10, 30 and 45 is restored before every case, tampered, and verified.
 */
import { sql } from 'kysely';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { EventBus } from '../../events/event-bus.ts';
import type { AuditCheckpointsTable, AuditLogTable } from '../../storage/tables.ts';
import { computeEntryHash } from './chain.ts';
import { entryFromRow } from './rows.ts';
import { createAuditLog } from './service.ts';
import { recordingLogger, testEvent, testKey } from './test-support.ts';
import { type VerifyOptions, verifyChain } from './verify.ts';

describeEachDialect('audit tamper detection', (get) => {
  const key = testKey();
  let rows: AuditLogTable[] = [];
  let checkpoints: AuditCheckpointsTable[] = [];
  const verify = (options: Partial<VerifyOptions> = {}) =>
    verifyChain({
      database: get().database,
      checkpointKeys: [testKey('old'), key],
      batchSize: 16,
      ...options,
    });
  const db = () => get().database.db;
  const hashOf = (seq: number) => rows.find((r) => r.seq === seq)!.entry_hash;

  beforeAll(async () => {
    const bus = new EventBus();
    const log = createAuditLog({
      database: get().database,
      bus,
      checkpointKeys: [key],
      logger: recordingLogger(),
    });
    let i = 0;
    for (const [events, checkpoint] of [
      [9, true],
      [20, true],
      [15, true],
      [5, false],
    ] as const) {
      for (let n = 0; n < events; n++) bus.emit(testEvent(i++));
      await log.flush();
      if (checkpoint) await log.checkpoint();
    }
    await log.close();
    // close() checkpointed the head; the cases need the head beyond the newest checkpoint.
    await db().deleteFrom('audit_checkpoints').where('seq', '=', 50).execute();
    rows = await db().selectFrom('audit_log').selectAll().orderBy('seq').execute();
    checkpoints = await db().selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
  });

  beforeEach(async () => {
    await db().deleteFrom('audit_log').execute();
    await db().deleteFrom('audit_checkpoints').execute();
    await db().insertInto('audit_log').values(rows).execute();
    await db().insertInto('audit_checkpoints').values(checkpoints).execute();
  });

  it('built the fixture: 50 entries, checkpoints at 10, 30 and 45', () => {
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(checkpoints.map((c) => c.seq)).toEqual([10, 30, 45]);
  });

  it('passes a clean chain and reports progress against the total', async () => {
    const progress: [number, number][] = [];
    const report = await verify({ onProgress: (done, total) => progress.push([done, total]) });
    expect(report).toEqual({
      ok: true,
      entries: 50,
      headSeq: 50,
      anchorsVerified: 0,
      checkpointsVerified: 3,
      warnings: [],
    });
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(progress.every(([, total]) => total === 50)).toBe(true);
    expect(progress.at(-1)).toEqual([50, 50]);
  });

  it('names a modified entry (data changed in place)', async () => {
    await db().updateTable('audit_log').set({ data: '{"i":999}' }).where('seq', '=', 20).execute();
    const { ok, problem } = await verify();
    expect(ok).toBe(false);
    expect(problem).toMatchObject({ seq: 20, kind: 'modified', actual: hashOf(20) });
    expect(problem?.expected).toMatch(/^[0-9a-f]{64}$/);
    expect(problem?.message).toContain('20');
  });

  it('names a modified entry whose hash was recomputed to match', async () => {
    const forged = { ...entryFromRow(rows[19]!), data: { i: 999 } };
    const { entryHash: _old, ...body } = forged;
    await db()
      .updateTable('audit_log')
      .set({ data: '{"i":999}', entry_hash: computeEntryHash(body) })
      .where('seq', '=', 20)
      .execute();
    expect((await verify()).problem).toMatchObject({ seq: 20, kind: 'modified', expected: hashOf(20) });
  });

  it('names a deleted entry and the missing range', async () => {
    await db().deleteFrom('audit_log').where('seq', '=', 20).execute();
    const { problem } = await verify();
    expect(problem).toMatchObject({ seq: 20, kind: 'deleted' });
    expect(problem?.message).toContain('20..20');
  });

  it('names an inserted entry even when its own hash is valid', async () => {
    await db().updateTable('audit_log').set({ seq: sql`-(seq + 1)` }).where('seq', '>', 20).execute();
    await db().updateTable('audit_log').set({ seq: sql`-seq` }).where('seq', '<', 0).execute();
    const body = { ...entryFromRow(rows[20]!), seq: 21, data: { forged: true }, prevHash: hashOf(20) };
    const { entryHash: _old, ...unhashed } = body;
    const entryHash = computeEntryHash(unhashed);
    await db()
      .insertInto('audit_log')
      .values({
        ...rows[20]!,
        seq: 21,
        data: '{"forged":true}',
        prev_hash: hashOf(20),
        entry_hash: entryHash,
      })
      .execute();
    const { problem } = await verify();
    expect(problem).toMatchObject({ seq: 21, kind: 'inserted', actual: entryHash, expected: hashOf(20) });
    expect(problem?.message).toContain('21..21');
  });

  it('names reordered entries', async () => {
    await db().updateTable('audit_log').set({ seq: -20 }).where('seq', '=', 20).execute();
    await db().updateTable('audit_log').set({ seq: 20 }).where('seq', '=', 21).execute();
    await db().updateTable('audit_log').set({ seq: 21 }).where('seq', '=', -20).execute();
    const { problem } = await verify();
    expect(problem).toMatchObject({ seq: 20, kind: 'reordered' });
    expect(problem?.message).toContain('seq 21');
  });

  it('names a truncated tail (head below the newest checkpoint)', async () => {
    await db().deleteFrom('audit_log').where('seq', '>=', 40).execute();
    const { problem, headSeq } = await verify();
    expect(headSeq).toBe(39);
    expect(problem).toMatchObject({ seq: 40, kind: 'truncated', expected: hashOf(45), actual: hashOf(39) });
    expect(problem?.message).toMatch(/39.*45/);
  });

  it('names a forged checkpoint signature, an unknown key id and a checkpoint that disagrees', async () => {
    const cp = checkpoints[1]!;
    await db()
      .updateTable('audit_checkpoints')
      .set({ signature: 'A'.repeat(43) })
      .where('seq', '=', 30)
      .execute();
    expect((await verify()).problem).toMatchObject({ seq: 30, kind: 'checkpoint' });
    await db()
      .updateTable('audit_checkpoints')
      .set({ signature: cp.signature, key_id: 'k9' })
      .where('seq', '=', 30)
      .execute();
    expect((await verify()).problem?.message).toContain('unknown key id "k9"');
    await db().updateTable('audit_checkpoints').set({ key_id: cp.key_id }).where('seq', '=', 30).execute();
    expect((await verify()).ok).toBe(true);
    await db()
      .updateTable('audit_checkpoints')
      .set({ entry_hash: hashOf(29) })
      .where('seq', '=', 30)
      .execute();
    expect((await verify()).problem).toMatchObject({ seq: 30, kind: 'checkpoint' });
  });

  it('names a malformed genesis entry', async () => {
    await db()
      .updateTable('audit_log')
      .set({ prev_hash: '1'.repeat(64) })
      .where('seq', '=', 1)
      .execute();
    expect((await verify()).problem).toMatchObject({ seq: 1, kind: 'genesis', actual: '1'.repeat(64) });
  });

  it('verifies incrementally from the newest valid checkpoint', async () => {
    await db().updateTable('audit_log').set({ data: '{"i":999}' }).where('seq', '=', 20).execute();
    const report = await verify({ fromCheckpoint: true });
    expect(report).toMatchObject({ ok: true, entries: 6, headSeq: 50, checkpointsVerified: 1 });
    await db().updateTable('audit_log').set({ data: 'not json' }).where('seq', '=', 48).execute();
    expect((await verify({ fromCheckpoint: true })).problem).toMatchObject({ seq: 48, kind: 'modified' });
    await db()
      .updateTable('audit_checkpoints')
      .set({ signature: 'A'.repeat(43) })
      .where('seq', '=', 45)
      .execute();
    // The forged newest checkpoint is skipped as an anchor (start at 30) but still reported.
    expect((await verify({ fromCheckpoint: true })).problem).toMatchObject({ seq: 45, kind: 'checkpoint' });
  });
});
