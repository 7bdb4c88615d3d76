/**
 * Why: oidc-provider keeps every protocol artefact (sessions, interactions, grants, authorization and
 * device codes, access/refresh/client-credentials tokens, PAR requests, replay markers) through one
 * adapter contract (find, upsert, consume, destroy, findByUid, findByUserCode, revokeByGrantId).
 * One payload table holds them all, keyed by tenant, model and the SHA-256 digest of the artefact's
 * id — ids are bearer secrets (an opaque token's value is its id), so they are never stored as such.
 * `grant_id` serves revokeByGrantId, `uid` findByUid, `user_code` (a digest) findByUserCode;
 * `consumed_at` is set by one guarded UPDATE; `expires_at` lets a background sweep delete what expired.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0030-oidc-payloads',
  async up(db, d) {
    await db.schema
      .createTable('oidc_payloads')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('id_digest', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text')
      .addColumn('uid', 'text')
      .addColumn('user_code', 'text')
      .addColumn('expires_at', d.bigintType)
      .addColumn('consumed_at', d.bigintType)
      .addPrimaryKeyConstraint('oidc_payloads_pk', ['tenant_id', 'model', 'id_digest'])
      .execute();
    await db.schema
      .createIndex('oidc_payloads_grant')
      .on('oidc_payloads')
      .columns(['tenant_id', 'grant_id'])
      .execute();
    await db.schema
      .createIndex('oidc_payloads_uid')
      .on('oidc_payloads')
      .columns(['tenant_id', 'model', 'uid'])
      .execute();
    await db.schema
      .createIndex('oidc_payloads_user_code')
      .on('oidc_payloads')
      .columns(['tenant_id', 'model', 'user_code'])
      .execute();
    await db.schema.createIndex('oidc_payloads_expires').on('oidc_payloads').column('expires_at').execute();
  },
};
