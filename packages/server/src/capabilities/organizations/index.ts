/**
 * The organizations capability's public surface: organizations and org units inside a tenant (a
 * bounded hierarchy), memberships of users with named roles, and the admin API routes. `app.ts`
 * wires it: `createOrganizationStore(database)` → `createOrganizationService({ store, bus })` →
 * `registerOrganizationRoutes(admin, { organizations })` inside the admin API plugin.
 */
import type { FastifyPluginAsync } from 'fastify';
import { registerOrganizationRoutes } from './routes.ts';
import type { OrganizationService } from './service.ts';

export {
  MAX_MEMBER_ROLES,
  type MembershipService,
  type SetMemberResult,
} from './membership-service.ts';
export {
  MAX_LEVELS,
  type Member,
  type Organization,
  type OrganizationKind,
  type OrganizationTree,
  type UserMembership,
} from './model.ts';
export type { OrganizationRoutesDeps } from './route-options.ts';
export { registerOrganizationRoutes } from './routes.ts';
export {
  createOrganizationService,
  type OrganizationFilter,
  type OrganizationService,
  type OrganizationServiceDeps,
  orgLockName,
} from './service.ts';
export {
  createOrganizationStore,
  type MemberSort,
  type OrganizationSort,
  type OrganizationStore,
} from './store.ts';

/** The organizations admin routes, registered under `/tenants/:tenant` behind the admin guard. */
export const organizationsPlugin: FastifyPluginAsync<{ organizations: OrganizationService }> = async (
  app,
  { organizations },
) => {
  registerOrganizationRoutes(app, { organizations });
};
