/**
 * Why: the `/authz` gateway decides from a tenant's routes (host + path pattern, an auth requirement
 * per method), the permissions granted on them (a client, a user or a role × methods, optionally with
 * required scopes), rate limits (per client, token or any caller, optionally per route) and the HMAC
 * shared secrets clients sign requests with (Fernet tokens, because the gateway must read them back
 * to verify a signature; at most two live per client for rotation).
 * `path_key` is the path pattern with parameter names erased: two routes with the same host and key
 * would tie on every request, so the unique index refuses the second one. Limits name their route
 * as `route_key` (a route id or `*`) so one unique index covers "every route" too.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0040-gateway',
  async up(db, d) {
    await db.schema
      .createTable('gateway_routes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('path_key', 'text', (c) => c.notNull())
      .addColumn('methods', 'text', (c) => c.notNull())
      .addColumn('audience', 'text')
      .addColumn('description', 'text')
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .addColumn('updated_at', d.bigintType, (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('gateway_routes_tenant_pattern')
      .on('gateway_routes')
      .columns(['tenant_id', 'host', 'path_key'])
      .unique()
      .execute();
    await db.schema
      .createIndex('gateway_routes_tenant_created')
      .on('gateway_routes')
      .columns(['tenant_id', 'created_at', 'id'])
      .execute();

    await db.schema
      .createTable('gateway_permissions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('route_id', 'text', (c) => c.notNull().references('gateway_routes.id').onDelete('cascade'))
      .addColumn('subject_type', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('methods', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .addColumn('updated_at', d.bigintType, (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('gateway_permissions_subject')
      .on('gateway_permissions')
      .columns(['route_id', 'subject_type', 'subject'])
      .unique()
      .execute();
    await db.schema
      .createIndex('gateway_permissions_tenant_created')
      .on('gateway_permissions')
      .columns(['tenant_id', 'created_at', 'id'])
      .execute();

    await db.schema
      .createTable('gateway_limits')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('subject_type', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('route_key', 'text', (c) => c.notNull())
      .addColumn('quota', 'integer')
      .addColumn('quota_window_seconds', 'integer')
      .addColumn('burst', 'integer')
      .addColumn('burst_window_seconds', 'integer')
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .addColumn('updated_at', d.bigintType, (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('gateway_limits_subject_route')
      .on('gateway_limits')
      .columns(['tenant_id', 'subject_type', 'subject', 'route_key'])
      .unique()
      .execute();

    await db.schema
      .createTable('gateway_hmac_secrets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('client', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('expires_at', d.bigintType)
      .addColumn('revoked_at', d.bigintType)
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('gateway_hmac_secrets_client')
      .on('gateway_hmac_secrets')
      .columns(['tenant_id', 'client', 'created_at'])
      .execute();
  },
};
