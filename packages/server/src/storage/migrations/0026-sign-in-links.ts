/**
 * Why: magic links and password-reset links are single-use bearer secrets sent by mail. Only their
 * SHA-256 digest is stored (`digest`, the primary key the link is looked up by); consuming one is one
 * `DELETE … RETURNING` guarded by purpose and expiry, so two clicks can never both succeed.
 * `check_digest` is the digest of the same-browser check cookie set when the link was requested: a
 * link opened in another browser asks for confirmation first.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0026-sign-in-links',
  async up(db, d) {
    await db.schema
      .createTable('sign_in_links')
      .addColumn('digest', 'text', (c) => c.primaryKey())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('check_digest', 'text')
      .addColumn('return_to', 'text')
      .addColumn('expires_at', d.bigintType, (c) => c.notNull())
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('sign_in_links_user')
      .on('sign_in_links')
      .columns(['user_id', 'purpose'])
      .execute();
    await db.schema.createIndex('sign_in_links_expiry').on('sign_in_links').column('expires_at').execute();
  },
};
