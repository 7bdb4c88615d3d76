/**
 * Why: dynamic client registration (RFC 7591) is a tenant's choice with a policy of its own (on or
 * off, the redirect URI patterns a registering client may use, the scopes it gets by default, how
 * long a registered client may stay unused before it is swept), so it needs a row per tenant. A
 * dynamically registered client is an ordinary client row marked `dynamic`, with the time it last
 * obtained a token (`last_used_at`, what the sweep looks at). `claim_mapping` is a client's claim
 * mapping (which extra claims its ID token / userinfo carry and under which names), JSON or null;
 * `backchannel_logout_uri` where it receives OpenID back-channel logout tokens.
 * `oidc_session_links` ties a provider session (its uid) to the Gatekeeper session it was signed in
 * with, so that ending the Gatekeeper session (sign-out, revocation) can notify the relying parties
 * of that provider session.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0033-oidc-registration-and-claims',
  async up(db, d) {
    await db.schema
      .createTable('oidc_registration_policies')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('redirect_uri_patterns', 'text', (c) => c.notNull())
      .addColumn('default_scopes', 'text', (c) => c.notNull())
      .addColumn('unused_client_days', 'integer', (c) => c.notNull())
      .addColumn('updated_at', d.bigintType, (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .alterTable('clients')
      .addColumn('dynamic', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('clients').addColumn('last_used_at', d.bigintType).execute();
    await db.schema.alterTable('clients').addColumn('claim_mapping', 'text').execute();
    await db.schema.alterTable('clients').addColumn('backchannel_logout_uri', 'text').execute();
    await db.schema
      .createTable('oidc_session_links')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('session_uid', 'text', (c) => c.notNull())
      .addColumn('gk_session_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .addPrimaryKeyConstraint('oidc_session_links_pk', ['tenant_id', 'session_uid'])
      .execute();
    await db.schema
      .createIndex('oidc_session_links_user')
      .on('oidc_session_links')
      .columns(['tenant_id', 'user_id'])
      .execute();
    await db.schema
      .createIndex('clients_dynamic_last_used')
      .on('clients')
      .columns(['dynamic', 'tenant_id', 'last_used_at'])
      .execute();
  },
};
