/**
 * Who holds which role, on the admin API: a user's roles (`/tenants/{tenant}/users/{userId}/roles`),
 * a group's roles (`/tenants/{tenant}/groups/{groupId}/roles`) — PUT adds, DELETE removes, both 204 —
 * and a user's effective access (`/tenants/{tenant}/users/{userId}/access`). Granting a role is a
 * `roles:write` action whoever receives it: it hands out permissions.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tenantOf } from '../../http/admin-guard.ts';
import { registerLinkRoutes } from '../../http/link-routes.ts';
import type { EffectiveAccessService } from './effective.ts';
import {
  AccessSchema,
  GroupParams,
  GroupRoleParams,
  RoleListSchema,
  UserParams,
  UserRoleParams,
} from './schemas.ts';
import type { RolesService } from './service.ts';

interface Ids {
  tenant: string;
  userId: string;
  groupId: string;
  roleId: string;
}
const ids = (request: FastifyRequest) => request.params as Ids;

export function registerAssignmentRoutes(
  app: FastifyInstance,
  deps: { roles: RolesService; access: Pick<EffectiveAccessService, 'effectiveAccess'> },
): void {
  const { roles, access } = deps;

  app.get(
    '/users/:userId/roles',
    {
      config: { ability: 'roles:read' },
      schema: {
        tags: ['roles'],
        summary: "List a user's direct roles",
        params: UserParams,
        response: { 200: RoleListSchema },
      },
    },
    async (request) => ({ items: await roles.listUserRoles(tenantOf(request).id, ids(request).userId) }),
  );

  registerLinkRoutes(app, {
    path: '/users/:userId/roles/:roleId',
    ability: 'roles:write',
    tags: ['roles'],
    params: UserRoleParams,
    summaries: {
      add: 'Give a user a role (idempotent)',
      remove: 'Take a role from a user (404 when the user does not hold it)',
    },
    add: (tenantId, p, ctx) => roles.assignToUser(tenantId, p.userId!, p.roleId!, ctx),
    remove: (tenantId, p, ctx) => roles.removeFromUser(tenantId, p.userId!, p.roleId!, ctx),
  });

  app.get(
    '/groups/:groupId/roles',
    {
      config: { ability: 'roles:read' },
      schema: {
        tags: ['roles'],
        summary: "List a group's roles (held by all its members, nested ones included)",
        params: GroupParams,
        response: { 200: RoleListSchema },
      },
    },
    async (request) => ({ items: await roles.listGroupRoles(tenantOf(request).id, ids(request).groupId) }),
  );

  registerLinkRoutes(app, {
    path: '/groups/:groupId/roles/:roleId',
    ability: 'roles:write',
    tags: ['roles'],
    params: GroupRoleParams,
    summaries: {
      add: 'Map a role to a group (idempotent)',
      remove: 'Remove a role from a group (404 when the group does not hold it)',
    },
    add: (tenantId, p, ctx) => roles.assignToGroup(tenantId, p.groupId!, p.roleId!, ctx),
    remove: (tenantId, p, ctx) => roles.removeFromGroup(tenantId, p.groupId!, p.roleId!, ctx),
  });

  app.get(
    '/users/:userId/access',
    {
      config: { ability: 'roles:read' },
      schema: {
        tags: ['roles'],
        summary: "A user's effective roles and permissions (direct and through groups, nested ones included)",
        params: UserParams,
        response: { 200: AccessSchema },
      },
    },
    async (request) => access.effectiveAccess(tenantOf(request).id, ids(request).userId),
  );
}
