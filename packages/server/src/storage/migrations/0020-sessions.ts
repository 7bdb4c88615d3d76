/**
 * Why: people sign in to a tenant's hosted pages and stay signed in through a server-side session.
 * The browser holds a random id; the table holds only its SHA-256 digest (a stolen backup or a
 * read-only SQL injection cannot replay a session). Each row records who (user, tenant), how
 * (`amr` JSON array of RFC 8176 method values, `acr`), from where (ip, user agent) and when (created,
 * last seen, the absolute expiry fixed at creation). The idle timeout is evaluated against
 * `last_seen_at`, which is refreshed at most once a minute per session. Lists walk
 * (tenant_id, user_id, created_at): the account page, admin lists and the oldest-first eviction.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0020-sessions',
  async up(db, d) {
    await db.schema
      .createTable('sessions')
      .addColumn('digest', 'text', (c) => c.primaryKey())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('amr', 'text', (c) => c.notNull())
      .addColumn('acr', 'text', (c) => c.notNull())
      .addColumn('ip', 'text', (c) => c.notNull())
      .addColumn('user_agent', 'text', (c) => c.notNull())
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .addColumn('last_seen_at', d.bigintType, (c) => c.notNull())
      .addColumn('expires_at', d.bigintType, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('sessions_tenant_user_created')
      .on('sessions')
      .columns(['tenant_id', 'user_id', 'created_at'])
      .execute();
  },
};
