/**
 * The roles capability's public surface: built-in and custom roles per tenant, their assignment to
 * users and groups, a user's effective access (cached, invalidated across instances), and the admin
 * routes. Wire it as: `createEffectiveAccess` → `createRolesService` (and the groups service, which
 * invalidates the same cache) → `registerRoleRoutes`; call `seedBuiltinRoles` when a tenant is created.
 */
import type { FastifyPluginAsync } from 'fastify';
import { type RoleRouteDeps, registerRoleRoutes } from './routes.ts';

export {
  type AssignmentStore,
  createAssignmentStore,
  type GrantedRole,
  type LinkResult,
} from './assignment-store.ts';
export {
  createEffectiveAccess,
  type EffectiveAccess,
  type EffectiveAccessDeps,
  type EffectiveAccessService,
  hasPermission,
} from './effective.ts';
export {
  BUILTIN_ROLES,
  type BuiltinRole,
  checkName,
  isPermission,
  MAX_PERMISSIONS,
  NAME_MESSAGE,
  NAME_PATTERN,
  normalisePermissions,
  PERMISSION_PATTERN,
} from './permissions.ts';
export { type RoleRouteDeps, registerRoleRoutes } from './routes.ts';
export {
  type CreateRoleInput,
  ROLE_SORTS,
  RoleSchema,
  type RoleSort,
  type RoleView,
  type UpdateRoleInput,
} from './schemas.ts';
export { createRolesService, type RolesDeps, type RolesService, toRoleView } from './service.ts';
export { createRoleStore, type RoleFilters, type RoleRow, type RoleStore } from './store.ts';

/** The roles, assignments and effective-access routes, registered under `/tenants/:tenant`. */
export const rolesPlugin: FastifyPluginAsync<RoleRouteDeps> = async (app, deps) => {
  registerRoleRoutes(app, deps);
};
