/**
 * The groups admin API under `/tenants/{tenant}/groups` (mounted at `/api/v1` behind the admin
 * guard): groups (201 + Location on create, ETag on read and update, If-Match on update and delete),
 * their members — users and nested groups, PUT adds, DELETE removes, both 204; a cycle is 409
 * group_cycle — and a user's groups (`/tenants/{tenant}/users/{userId}/groups`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { actionContextOf as ctxOf, tenantOf } from '../../http/admin-guard.ts';
import { expectedVersion, sendEtag } from '../../http/etag.ts';
import { registerLinkRoutes } from '../../http/link-routes.ts';
import { locationOf } from '../../http/location.ts';
import { PageSchema, toListOptions } from '../../http/pagination.ts';
import {
  CreateGroupBody,
  type CreateGroupInput,
  GROUP_SORTS,
  GroupChildParams,
  GroupParams,
  GroupSchema,
  GroupUserParams,
  ListGroupsQuery,
  type ListGroupsQueryInput,
  ListMembersQuery,
  type ListMembersQueryInput,
  MEMBER_SORTS,
  MemberSchema,
  TenantParams,
  UpdateGroupBody,
  type UpdateGroupInput,
  UserGroupSchema,
  UserGroupsQuery,
  UserParams,
} from './schemas.ts';
import type { GroupsService } from './service.ts';

interface Ids {
  tenant: string;
  groupId: string;
  userId: string;
  childId: string;
}
const ids = (request: FastifyRequest) => request.params as Ids;

export function registerGroupRoutes(app: FastifyInstance, deps: { groups: GroupsService }): void {
  const { groups } = deps;

  app.get(
    '/groups',
    {
      config: { ability: 'groups:read' },
      schema: {
        tags: ['groups'],
        summary: 'List groups',
        params: TenantParams,
        querystring: ListGroupsQuery,
        response: { 200: PageSchema(GroupSchema) },
      },
    },
    async (request) => {
      const q = request.query as ListGroupsQueryInput;
      return groups.list(tenantOf(request).id, toListOptions(q, GROUP_SORTS[0]), { q: q.q });
    },
  );

  app.post(
    '/groups',
    {
      config: { ability: 'groups:write' },
      schema: {
        tags: ['groups'],
        summary: 'Create a group',
        params: TenantParams,
        body: CreateGroupBody,
        response: { 201: GroupSchema },
      },
    },
    async (request, reply) => {
      const group = await groups.create(
        tenantOf(request).id,
        request.body as CreateGroupInput,
        ctxOf(request),
      );
      sendEtag(reply, group.version);
      return reply.code(201).header('location', locationOf(request, group.id)).send(group);
    },
  );

  app.get(
    '/groups/:groupId',
    {
      config: { ability: 'groups:read' },
      schema: {
        tags: ['groups'],
        summary: 'Get a group',
        params: GroupParams,
        response: { 200: GroupSchema },
      },
    },
    async (request, reply) => {
      const group = await groups.get(tenantOf(request).id, ids(request).groupId);
      sendEtag(reply, group.version);
      return group;
    },
  );

  app.patch(
    '/groups/:groupId',
    {
      config: { ability: 'groups:write', etag: true },
      schema: {
        tags: ['groups'],
        summary: 'Update a group (send If-Match with the ETag you read)',
        params: GroupParams,
        body: UpdateGroupBody,
        response: { 200: GroupSchema },
      },
    },
    async (request, reply) => {
      const group = await groups.update(
        tenantOf(request).id,
        ids(request).groupId,
        request.body as UpdateGroupInput,
        expectedVersion(request),
        ctxOf(request),
      );
      sendEtag(reply, group.version);
      return group;
    },
  );

  app.delete(
    '/groups/:groupId',
    {
      config: { ability: 'groups:write', etag: true },
      schema: {
        tags: ['groups'],
        summary: 'Delete a group, its memberships and its role mappings',
        params: GroupParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await groups.delete(
        tenantOf(request).id,
        ids(request).groupId,
        expectedVersion(request),
        ctxOf(request),
      );
      return reply.code(204).send();
    },
  );

  app.get(
    '/groups/:groupId/members',
    {
      config: { ability: 'groups:read' },
      schema: {
        tags: ['groups'],
        summary: 'List the direct members of a group: users and nested groups',
        params: GroupParams,
        querystring: ListMembersQuery,
        response: { 200: PageSchema(MemberSchema) },
      },
    },
    async (request) => {
      const q = request.query as ListMembersQueryInput;
      return groups.listMembers(
        tenantOf(request).id,
        ids(request).groupId,
        toListOptions(q, MEMBER_SORTS[0]),
        q.type,
      );
    },
  );

  registerLinkRoutes(app, {
    path: '/groups/:groupId/members/users/:userId',
    ability: 'groups:write',
    tags: ['groups'],
    params: GroupUserParams,
    summaries: {
      add: 'Add a user to a group (idempotent)',
      remove: 'Remove a user from a group (404 when not a direct member)',
    },
    add: (tenantId, p, ctx) => groups.addUser(tenantId, p.groupId!, p.userId!, ctx),
    remove: (tenantId, p, ctx) => groups.removeUser(tenantId, p.groupId!, p.userId!, ctx),
  });

  registerLinkRoutes(app, {
    path: '/groups/:groupId/members/groups/:childId',
    ability: 'groups:write',
    tags: ['groups'],
    params: GroupChildParams,
    summaries: {
      add: 'Nest a group in this group (idempotent; 409 group_cycle when it would contain itself)',
      remove: 'Un-nest a group from this group (404 when not nested here)',
    },
    add: (tenantId, p, ctx) => groups.addGroup(tenantId, p.groupId!, p.childId!, ctx),
    remove: (tenantId, p, ctx) => groups.removeGroup(tenantId, p.groupId!, p.childId!, ctx),
  });

  app.get(
    '/users/:userId/groups',
    {
      config: { ability: 'groups:read' },
      schema: {
        tags: ['groups'],
        summary: "A user's groups; transitive=true adds the groups they are nested in",
        params: UserParams,
        querystring: UserGroupsQuery,
        response: { 200: Type.Object({ items: Type.Array(UserGroupSchema) }) },
      },
    },
    async (request) => {
      const { transitive } = request.query as { transitive?: boolean };
      return {
        items: await groups.listUserGroups(tenantOf(request).id, ids(request).userId, { transitive }),
      };
    },
  );
}
