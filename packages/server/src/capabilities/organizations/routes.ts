/**
 * HTTP routes of organizations and org units (paths relative to the admin API prefix `/api/v1`).
 * HTTP only: parse, call the service, shape the answer. Every route declares its ability for the
 * admin guard; versioned answers carry an ETag and updates honour If-Match (412 when stale).
 * Membership routes are in `membership-routes.ts` and registered from here.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { tenantOf } from '../../http/admin-guard.ts';
import { expectedVersion, sendEtag } from '../../http/etag.ts';
import { locationOf } from '../../http/location.ts';
import { toListOptions } from '../../http/pagination.ts';
import { toIso } from '../../storage/time.ts';
import { registerMembershipRoutes } from './membership-routes.ts';
import type { Organization, OrganizationTree } from './model.ts';
import { actionContext, type OrganizationRoutesDeps, READ, SECURITY, TAGS, WRITE } from './route-options.ts';
import {
  CreateOrganizationBody,
  ListOrganizationsQuery,
  MoveOrganizationBody,
  ORGANIZATION_TREE_ID,
  OrganizationPage,
  OrganizationSchema,
  OrganizationTreeNodeSchema,
  OrgParams,
  RenameOrganizationBody,
  TenantParams,
} from './schemas.ts';
import type { OrganizationSort } from './store.ts';

function toApi(org: Organization) {
  return {
    id: org.id,
    parentId: org.parentId,
    kind: org.kind,
    name: org.name,
    createdAt: toIso(org.createdAt),
    updatedAt: toIso(org.updatedAt),
    version: org.version,
  };
}

type ApiTree = ReturnType<typeof toApi> & { children: ApiTree[] };

function toApiTree(node: OrganizationTree): ApiTree {
  return { ...toApi(node), children: node.children.map(toApiTree) };
}

/**
 * Registers the organization routes on the admin API plugin.
 *
 * @example
 * await app.register(async (admin) => {
 *   registerAdminGuard(admin, guardDeps);
 *   registerOrganizationRoutes(admin, { organizations });
 * }, { prefix: '/api/v1' });
 */
export function registerOrganizationRoutes(app: FastifyInstance, deps: OrganizationRoutesDeps): void {
  const { organizations } = deps;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.addSchema(OrganizationTreeNodeSchema);

  r.get(
    '/organizations',
    {
      config: READ,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'List organizations and org units',
        description:
          'Filter with `parentId` (`root` for top-level organizations, or an id for its direct children) and `kind`.',
        params: TenantParams,
        querystring: ListOrganizationsQuery,
        response: { 200: OrganizationPage },
      },
    },
    async (request) => {
      const { parentId, kind, ...paging } = request.query;
      const filter = {
        ...(parentId !== undefined ? { parentId: parentId === 'root' ? null : parentId } : {}),
        ...(kind !== undefined ? { kind } : {}),
      };
      const page = await organizations.list(
        tenantOf(request).id,
        filter,
        toListOptions<OrganizationSort>(paging, 'name'),
      );
      return { items: page.items.map(toApi), nextCursor: page.nextCursor };
    },
  );

  r.post(
    '/organizations',
    {
      config: WRITE,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Create an organization, or an org unit under a parent',
        description: `Without \`parentId\` the new node is a top-level organization; with it, a unit under that organization or unit. Names are unique among siblings case-insensitively (409). Hierarchies nest at most 32 levels (400).`,
        params: TenantParams,
        body: CreateOrganizationBody,
        response: { 201: OrganizationSchema },
      },
    },
    async (request, reply) => {
      const org = await organizations.create(tenantOf(request).id, request.body, actionContext(request));
      sendEtag(reply, org.version);
      reply.header('location', locationOf(request, org.id));
      return reply.code(201).send(toApi(org));
    },
  );

  r.get(
    '/organizations/:orgId',
    {
      config: READ,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Get an organization or org unit',
        params: OrgParams,
        response: { 200: OrganizationSchema },
      },
    },
    async (request, reply) => {
      const org = await organizations.get(tenantOf(request).id, request.params.orgId);
      sendEtag(reply, org.version);
      return toApi(org);
    },
  );

  r.patch(
    '/organizations/:orgId',
    {
      config: { ...WRITE, etag: true },
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Rename an organization or org unit',
        description: 'Send `If-Match` with the ETag from a read to refuse the change if it is stale (412).',
        params: OrgParams,
        body: RenameOrganizationBody,
        response: { 200: OrganizationSchema },
      },
    },
    async (request, reply) => {
      const org = await organizations.rename(
        tenantOf(request).id,
        request.params.orgId,
        request.body.name,
        actionContext(request),
        expectedVersion(request),
      );
      sendEtag(reply, org.version);
      return toApi(org);
    },
  );

  r.delete(
    '/organizations/:orgId',
    {
      config: { ...WRITE, etag: true },
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Delete an organization or org unit',
        description:
          'Deletes the node together with every org unit below it and all memberships in any of them (cascade). Honours `If-Match` (412 when stale).',
        params: OrgParams,
        response: { 204: Type.Null({ description: 'Deleted' }) },
      },
    },
    async (request, reply) => {
      await organizations.delete(
        tenantOf(request).id,
        request.params.orgId,
        actionContext(request),
        expectedVersion(request),
      );
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/organizations/:orgId/tree',
    {
      config: READ,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Get an organization or unit with all its descendants, nested',
        params: OrgParams,
        response: { 200: Type.Ref(ORGANIZATION_TREE_ID) },
      },
    },
    async (request) => toApiTree(await organizations.tree(tenantOf(request).id, request.params.orgId)),
  );

  r.post(
    '/organizations/:orgId/move',
    {
      config: { ...WRITE, etag: true },
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Move an org unit under another organization or unit',
        description:
          'Only units move (a top-level organization: 400). Moving a unit under itself or one of its descendants is 409 `org_unit_cycle`; a parent of another tenant is 404. Honours `If-Match` (412 when stale).',
        params: OrgParams,
        body: MoveOrganizationBody,
        response: { 200: OrganizationSchema },
      },
    },
    async (request, reply) => {
      const org = await organizations.move(
        tenantOf(request).id,
        request.params.orgId,
        request.body.parentId,
        actionContext(request),
        expectedVersion(request),
      );
      sendEtag(reply, org.version);
      return toApi(org);
    },
  );

  registerMembershipRoutes(app, deps);
}
