/**
 * Why: a back-channel logout the receiver failed is tried again later (issue 10, logout); those
 * retries were in-process timers, lost when the process stopped. Each waiting retry is now a row:
 * which tenant's client gets a logout token for which user and provider session, how many attempts
 * failed, and when the next is due. A worker claims a due row by moving `due_at` a lease ahead
 * (guarded by the value it read, so two instances never take the same one), tries it, then deletes
 * the row or sets the next due time; a worker that dies mid-attempt leaves a row that is due again
 * when the lease ends. Deleting the tenant deletes its retries.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0046-oidc-logout-retries',
  async up(db, d) {
    await db.schema
      .createTable('oidc_logout_retries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('slug', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('sub', 'text', (c) => c.notNull())
      .addColumn('sid', 'text')
      .addColumn('gk_session_id', 'text')
      .addColumn('failed', 'integer', (c) => c.notNull())
      .addColumn('due_at', d.bigintType, (c) => c.notNull())
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('oidc_logout_retries_due')
      .on('oidc_logout_retries')
      .column('due_at')
      .execute();
  },
};
