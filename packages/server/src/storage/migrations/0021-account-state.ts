/**
 * Why: sign-in keeps per-account state the directory does not: failed attempts and the lockout they
 * cause (`failed_count`, `locked_until`, counted with one guarded UPDATE each), whether the user must
 * change the password at the next sign-in (admin action, or expiry), when the password last changed,
 * the last N password hashes (Argon2id PHC strings) to refuse re-use, and each tenant's sign-in
 * settings (password policy, session lifetimes, lockout, branding) as one JSON document with a version
 * for If-Match.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0021-account-state',
  async up(db, d) {
    await db.schema
      .createTable('account_states')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('failed_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_until', d.bigintType)
      .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('password_changed_at', d.bigintType)
      .addColumn('updated_at', d.bigintType, (c) => c.notNull())
      .addPrimaryKeyConstraint('account_states_pk', ['tenant_id', 'user_id'])
      .execute();
    await db.schema
      .createTable('password_history')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('password_history_user')
      .on('password_history')
      .columns(['tenant_id', 'user_id', 'created_at'])
      .execute();
    await db.schema
      .createTable('account_settings')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('updated_at', d.bigintType, (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
  },
};
