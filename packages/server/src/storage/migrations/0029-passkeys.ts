/**
 * Why: WebAuthn passkeys (registered from the account page; passwordless sign-in with discoverable
 * credentials, or a second factor). The public key is not a secret and is stored as it is
 * (base64url COSE). `credential_id` is unique per tenant (a discoverable sign-in finds the user by
 * it). `counter` is the authenticator's signature counter; a verification moves it forward in one
 * guarded UPDATE.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0029-passkeys',
  async up(db, d) {
    await db.schema
      .createTable('passkeys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('credential_id', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('counter', d.bigintType, (c) => c.notNull())
      .addColumn('transports', 'text', (c) => c.notNull())
      .addColumn('device_type', 'text', (c) => c.notNull())
      .addColumn('backed_up', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .addColumn('last_used_at', d.bigintType)
      .execute();
    await db.schema
      .createIndex('passkeys_credential')
      .on('passkeys')
      .columns(['tenant_id', 'credential_id'])
      .unique()
      .execute();
    await db.schema.createIndex('passkeys_user').on('passkeys').column('user_id').execute();
  },
};
