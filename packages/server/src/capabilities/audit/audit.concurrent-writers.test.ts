/**
 * One chain, several writers (shared/design/audit-chain.md): two instances on independent PostgreSQL
 * connections append concurrently, and the advisory lock keeps the chain unforked and gap-free.
 * PostgreSQL only: SQLite is single-writer and runs in one process.
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, dialectAvailable } from '../../../test/databases.ts';
import { EventBus } from '../../events/event-bus.ts';
import { createAuditLog } from './service.ts';
import { createAuditStore } from './store.ts';
import { recordingLogger, testEvent, testKey } from './test-support.ts';
import { verifyChain } from './verify.ts';

describe('audit concurrent writers [postgres]', () => {
  it.runIf(dialectAvailable('postgres'))('two instances write one contiguous, verifiable chain', async () => {
    const t = await createTestDatabase('postgres');
    try {
      const key = testKey();
      const other = await t.openAnother();
      const writers = [t.database, other].map((database, w) => {
        const bus = new EventBus();
        const logger = recordingLogger();
        const log = createAuditLog({
          database,
          bus,
          checkpointKeys: [key],
          logger,
          batchSize: 25,
          flushIntervalMs: 1,
          checkpointEvery: 100,
        });
        return { w, bus, log, logger };
      });
      // Interleave: each instance emits 500 events in chunks while the other's batches are in flight.
      for (let chunk = 0; chunk < 10; chunk++) {
        for (const { w, bus } of writers) {
          for (let n = 0; n < 50; n++) bus.emit(testEvent(chunk * 50 + n, { actor: `writer:${w}` }));
        }
        await nextTick();
      }
      await Promise.all(writers.map(({ log }) => log.close()));
      // The lock serialised the writers: no append ever collided on seq and had to be retried.
      expect(writers.flatMap(({ logger }) => logger.errors)).toEqual([]);

      const entries = await createAuditStore(t.database).readRange(1, 2000);
      expect(entries).toHaveLength(1001);
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 1001 }, (_, i) => i + 1));
      expect(entries.filter((e) => e.action === 'audit.genesis')).toHaveLength(1);
      for (const w of [0, 1]) {
        const order = entries.filter((e) => e.actor === `writer:${w}`).map((e) => e.data.i);
        expect(order).toEqual(Array.from({ length: 500 }, (_, i) => i));
      }
      // Both writers' batches interleave in the one chain.
      const switches = entries.slice(2).filter((e, i) => e.actor !== entries[i + 1]?.actor).length;
      expect(switches).toBeGreaterThan(1);
      const report = await verifyChain({ database: t.database, checkpointKeys: [key] });
      expect(report).toMatchObject({ ok: true, entries: 1001, headSeq: 1001 });
      expect(report.checkpointsVerified).toBeGreaterThan(0);
    } finally {
      await t.cleanup();
    }
  });
});
