/**
 * Why: an acknowledged change must never lose its audit event or its cache invalidation in a crash.
 * `audit_outbox` holds events written in the SAME transaction as the change they record (unchained);
 * one sequencer at a time (under the audit lock) moves them into the hash chain. `change_feed` is the
 * durable record of cache invalidations, written with the change, that every running process follows
 * (so a CLI process, or an instance whose Redis publish failed, still reaches every server).
 * Both use never-reused ascending ids (SQLite AUTOINCREMENT, PostgreSQL bigserial).
 */
import type { ColumnDefinitionBuilder } from 'kysely';
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0006-outbox-and-changes',
  async up(db, d) {
    const serial = d.name === 'postgres' ? 'bigserial' : 'integer';
    const key = (c: ColumnDefinitionBuilder) =>
      d.name === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement();

    await db.schema
      .createTable('audit_outbox')
      .addColumn('id', serial, key)
      .addColumn('ts', d.bigintType, (c) => c.notNull())
      .addColumn('tenant', 'text')
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text')
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('request_id', 'text')
      .addColumn('data', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('change_feed')
      .addColumn('seq', serial, key)
      .addColumn('ts', d.bigintType, (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('change_feed_ts').on('change_feed').column('ts').execute();
  },
};
