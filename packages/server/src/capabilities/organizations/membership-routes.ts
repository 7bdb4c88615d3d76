/**
 * HTTP routes of memberships (paths relative to `/api/v1`): an organization's members with their
 * roles, setting (PUT replaces the whole role set) and removing a member, and the organizations a
 * user belongs to. Roles are named; an unknown name is 400, a user or organization of another tenant 404.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { tenantOf } from '../../http/admin-guard.ts';
import { toListOptions } from '../../http/pagination.ts';
import { actionContext, type OrganizationRoutesDeps, READ, SECURITY, TAGS, WRITE } from './route-options.ts';
import {
  ListMembersQuery,
  MemberPage,
  MemberParams,
  MemberSchema,
  OrgParams,
  SetMemberBody,
  UserMembershipsSchema,
  UserParams,
} from './schemas.ts';
import type { MemberSort } from './store.ts';

export function registerMembershipRoutes(app: FastifyInstance, deps: OrganizationRoutesDeps): void {
  const { organizations } = deps;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/organizations/:orgId/members',
    {
      config: READ,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'List the members of an organization or unit, with their roles',
        params: OrgParams,
        querystring: ListMembersQuery,
        response: { 200: MemberPage },
      },
    },
    async (request) =>
      organizations.listMembers(
        tenantOf(request).id,
        request.params.orgId,
        toListOptions<MemberSort>(request.query, 'userId'),
      ),
  );

  r.put(
    '/organizations/:orgId/members/:userId',
    {
      config: WRITE,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: "Add a member, or replace a member's roles",
        description:
          'Sets the complete role set of the user in this organization or unit (roles by name, case-insensitive). 201 when the user was not a member, 200 otherwise. An unknown role name is 400; a user or organization of another tenant is 404.',
        params: MemberParams,
        body: SetMemberBody,
        response: { 200: MemberSchema, 201: MemberSchema },
      },
    },
    async (request, reply) => {
      const { orgId, userId } = request.params;
      const result = await organizations.addMember(
        tenantOf(request).id,
        orgId,
        userId,
        request.body.roles,
        actionContext(request),
      );
      return reply.code(result.created ? 201 : 200).send({ userId: result.userId, roles: result.roles });
    },
  );

  r.delete(
    '/organizations/:orgId/members/:userId',
    {
      config: WRITE,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Remove a member (with all its roles) from an organization or unit',
        params: MemberParams,
        response: { 204: Type.Null({ description: 'Removed' }) },
      },
    },
    async (request, reply) => {
      const { orgId, userId } = request.params;
      await organizations.removeMember(tenantOf(request).id, orgId, userId, actionContext(request));
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/users/:userId/organizations',
    {
      config: READ,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'List the organizations and units a user belongs to, with the roles held in each',
        params: UserParams,
        response: { 200: UserMembershipsSchema },
      },
    },
    async (request) => ({
      items: await organizations.listUserMemberships(tenantOf(request).id, request.params.userId),
    }),
  );
}
