/**
 * The tenants capability's public surface: tenants (hard isolation units, each with its own issuer),
 * the service with its cached resolution, and the admin routes `/tenants` and `/tenants/:tenant`.
 */
import type { FastifyPluginAsync } from 'fastify';
import { registerTenantRoutes } from './routes.ts';
import type { TenantsService } from './service.ts';

export { tenantErrors } from './errors.ts';
export { checkSlug, SLUG_PATTERN, SLUG_RULE } from './rules.ts';
export { Slug, TenantParams, tenantParams } from './schemas.ts';
export { createTenantsService, ROOT_TENANT, type TenantsDeps, type TenantsService } from './service.ts';
export { createTenantStore, type TenantFilters, type TenantRow, type TenantStore } from './store.ts';

/** The tenant routes, registered at the admin API root behind the admin guard. */
export const tenantsPlugin: FastifyPluginAsync<{ tenants: TenantsService }> = async (app, { tenants }) => {
  registerTenantRoutes(app, { tenants });
};
