/**
 * Why: OAuth/OIDC clients and the service clients of the gateway are one noun — a tenant's client,
 * with its exact redirect URIs, grants, scopes, authentication method and token lifetimes. Its
 * secrets are credentials (kind `cls`, owned by the client), so they need no table of their own.
 * `client_id` is the public identifier (unique per tenant); `name_lower` keeps names unique ignoring
 * case; lists walk (tenant_id, name_lower, id) or (tenant_id, created_at, id).
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0014-clients',
  async up(db, d) {
    await db.schema
      .createTable('clients')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('first_party', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('redirect_uris', 'text', (c) => c.notNull())
      .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull())
      .addColumn('grant_types', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('auth_method', 'text', (c) => c.notNull())
      .addColumn('jwks', 'text')
      .addColumn('jwks_uri', 'text')
      .addColumn('access_token_ttl', 'integer')
      .addColumn('refresh_token_ttl', 'integer')
      .addColumn('id_token_ttl', 'integer')
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .addColumn('updated_at', d.bigintType, (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('clients_tenant_client_id')
      .on('clients')
      .columns(['tenant_id', 'client_id'])
      .unique()
      .execute();
    await db.schema
      .createIndex('clients_tenant_name')
      .on('clients')
      .columns(['tenant_id', 'name_lower'])
      .unique()
      .execute();
    await db.schema
      .createIndex('clients_tenant_created')
      .on('clients')
      .columns(['tenant_id', 'created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('credentials_owner')
      .on('credentials')
      .columns(['owner_type', 'owner_id'])
      .execute();
  },
};
