/**
 * Why: the platform foundation needs runtime settings (the highest config source) and the
 * tamper-evident audit chain (see shared/design/audit-chain.md): entries keyed by a gap-free `seq`,
 * signed checkpoints, and the record of pruned segments so retention keeps the chain verifiable.
 * Immutable once released: change the schema with a new migration.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0001-foundation',
  async up(db, d) {
    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('encrypted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at', d.bigintType, (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('seq', d.bigintType, (c) => c.primaryKey())
      .addColumn('ts', d.bigintType, (c) => c.notNull())
      .addColumn('tenant', 'text')
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text')
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('request_id', 'text')
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('entry_hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_log_ts').on('audit_log').column('ts').execute();
    await db.schema.createIndex('audit_log_tenant_seq').on('audit_log').columns(['tenant', 'seq']).execute();

    await db.schema
      .createTable('audit_checkpoints')
      .addColumn('seq', d.bigintType, (c) => c.primaryKey())
      .addColumn('entry_hash', 'text', (c) => c.notNull())
      .addColumn('ts', d.bigintType, (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('audit_prunes')
      .addColumn('through_seq', d.bigintType, (c) => c.primaryKey())
      .addColumn('through_hash', 'text', (c) => c.notNull())
      .addColumn('pruned_at', d.bigintType, (c) => c.notNull())
      .execute();
  },
};
