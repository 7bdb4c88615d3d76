/**
 * Why: TOTP second factor (RFC 6238) and its backup codes. The seed must be read back to check codes,
 * so it is Fernet-encrypted (`secret`; `keys rewrap` covers it). `last_step` is the time step of the
 * last accepted code: accepting a code is one UPDATE guarded by `last_step < step`, so a code (or an
 * older one) is never accepted twice, even by two instances at once. `confirmed_at` stays null until
 * the user proved the enrolment with a first code. Backup codes are stored as digests and consumed
 * with one `DELETE … RETURNING`.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0027-totp',
  async up(db, d) {
    await db.schema
      .createTable('mfa_totp')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('last_step', d.bigintType, (c) => c.notNull().defaultTo(0))
      .addColumn('confirmed_at', d.bigintType)
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('mfa_backup_codes')
      .addColumn('digest', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('mfa_backup_codes_user').on('mfa_backup_codes').column('user_id').execute();
  },
};
