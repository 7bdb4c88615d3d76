/**
 * Why: every tenant signs its ID tokens and JWT access tokens with its own keys, rotated without
 * downtime. A key is published in JWKS from `created_at`, signs from `activates_at` (the lead time lets
 * relying parties refresh their JWKS caches first) and, once a newer key signs, stays published until
 * `expires_at` (after the last token it signed has expired). The private JWK is a Fernet token under
 * the master keys; the public JWK is plain.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0031-oidc-signing-keys',
  async up(db, d) {
    await db.schema
      .createTable('oidc_signing_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('kid', 'text', (c) => c.notNull())
      .addColumn('alg', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('private_jwk', 'text', (c) => c.notNull())
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .addColumn('activates_at', d.bigintType, (c) => c.notNull())
      .addColumn('expires_at', d.bigintType)
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('oidc_signing_keys_tenant')
      .on('oidc_signing_keys')
      .columns(['tenant_id', 'activates_at'])
      .execute();
    await db.schema
      .createIndex('oidc_signing_keys_kid')
      .on('oidc_signing_keys')
      .column('kid')
      .unique()
      .execute();
  },
};
