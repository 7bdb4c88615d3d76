/**
 * The roles admin API under `/tenants/{tenant}/roles` (mounted at `/api/v1` behind the admin guard):
 * list, create (201 + Location), get (ETag), update and delete (If-Match; built-in roles answer 409
 * role_in_use). Who holds which role, and effective access, are in `assignment-routes.ts`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { actionContextOf as ctxOf, tenantOf } from '../../http/admin-guard.ts';
import { expectedVersion, sendEtag } from '../../http/etag.ts';
import { locationOf } from '../../http/location.ts';
import { PageSchema, toListOptions } from '../../http/pagination.ts';
import { registerAssignmentRoutes } from './assignment-routes.ts';
import type { EffectiveAccessService } from './effective.ts';
import {
  CreateRoleBody,
  type CreateRoleInput,
  ListRolesQuery,
  type ListRolesQueryInput,
  ROLE_SORTS,
  RoleParams,
  RoleSchema,
  TenantParams,
  UpdateRoleBody,
  type UpdateRoleInput,
} from './schemas.ts';
import type { RolesService } from './service.ts';

export interface RoleRouteDeps {
  roles: RolesService;
  access: Pick<EffectiveAccessService, 'effectiveAccess'>;
}

export function registerRoleRoutes(app: FastifyInstance, deps: RoleRouteDeps): void {
  const { roles } = deps;
  const roleId = (request: FastifyRequest) => (request.params as { roleId: string }).roleId;

  app.get(
    '/roles',
    {
      config: { ability: 'roles:read' },
      schema: {
        tags: ['roles'],
        summary: 'List roles (built-in and custom)',
        params: TenantParams,
        querystring: ListRolesQuery,
        response: { 200: PageSchema(RoleSchema) },
      },
    },
    async (request) => {
      const q = request.query as ListRolesQueryInput;
      return roles.list(tenantOf(request).id, toListOptions(q, ROLE_SORTS[0]), {
        q: q.q,
        builtin: q.builtin,
      });
    },
  );

  app.post(
    '/roles',
    {
      config: { ability: 'roles:write' },
      schema: {
        tags: ['roles'],
        summary: 'Create a custom role',
        params: TenantParams,
        body: CreateRoleBody,
        response: { 201: RoleSchema },
      },
    },
    async (request, reply) => {
      const role = await roles.create(tenantOf(request).id, request.body as CreateRoleInput, ctxOf(request));
      sendEtag(reply, role.version);
      return reply.code(201).header('location', locationOf(request, role.id)).send(role);
    },
  );

  app.get(
    '/roles/:roleId',
    {
      config: { ability: 'roles:read' },
      schema: {
        tags: ['roles'],
        summary: 'Get a role',
        params: RoleParams,
        response: { 200: RoleSchema },
      },
    },
    async (request, reply) => {
      const role = await roles.get(tenantOf(request).id, roleId(request));
      sendEtag(reply, role.version);
      return role;
    },
  );

  app.patch(
    '/roles/:roleId',
    {
      config: { ability: 'roles:write', etag: true },
      schema: {
        tags: ['roles'],
        summary: 'Update a custom role (send If-Match with the ETag you read)',
        params: RoleParams,
        body: UpdateRoleBody,
        response: { 200: RoleSchema },
      },
    },
    async (request, reply) => {
      const role = await roles.update(
        tenantOf(request).id,
        roleId(request),
        request.body as UpdateRoleInput,
        expectedVersion(request),
        ctxOf(request),
      );
      sendEtag(reply, role.version);
      return role;
    },
  );

  app.delete(
    '/roles/:roleId',
    {
      config: { ability: 'roles:write', etag: true },
      schema: {
        tags: ['roles'],
        summary: 'Delete a custom role (and every assignment of it)',
        params: RoleParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await roles.delete(tenantOf(request).id, roleId(request), expectedVersion(request), ctxOf(request));
      return reply.code(204).send();
    },
  );

  registerAssignmentRoutes(app, deps);
}
