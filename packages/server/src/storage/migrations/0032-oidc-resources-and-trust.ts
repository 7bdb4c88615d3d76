/**
 * Why: a resource server (an API) is an audience with its scopes and the format of the access tokens
 * issued for it (RFC 9068 JWT or opaque). A trust link says which client may obtain tokens for which
 * resource server, with which scopes, and whether it may act on behalf of a user (token exchange,
 * jwt-bearer). Client credentials tokens are issued only through a trust link; deleting it ends them.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0032-oidc-resources-and-trust',
  async up(db, d) {
    await db.schema
      .createTable('oidc_resource_servers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('identifier', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('token_format', 'text', (c) => c.notNull())
      .addColumn('access_token_ttl', 'integer')
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .addColumn('updated_at', d.bigintType, (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('oidc_resource_servers_identifier')
      .on('oidc_resource_servers')
      .columns(['tenant_id', 'identifier'])
      .unique()
      .execute();
    await db.schema
      .createTable('oidc_trust_links')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('client', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
      .addColumn('resource_server', 'text', (c) =>
        c.notNull().references('oidc_resource_servers.id').onDelete('cascade'),
      )
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('delegation', 'integer', (c) => c.notNull())
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('oidc_trust_links_pair')
      .on('oidc_trust_links')
      .columns(['tenant_id', 'client', 'resource_server'])
      .unique()
      .execute();
  },
};
