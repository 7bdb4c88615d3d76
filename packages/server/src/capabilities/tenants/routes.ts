/**
 * Tenant management: `/api/v1/tenants` (credentials valid for all tenants) and
 * `/api/v1/tenants/{tenant}` (also readable by that tenant's own credentials). Suspending, activating
 * and deleting are root-only.
 */

import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { AppError } from '../../errors/app-error.ts';
import { actionContextOf as ctxOf, principalOf } from '../../http/admin-guard.ts';
import { expectedVersion, sendEtag } from '../../http/etag.ts';
import { locationOf } from '../../http/location.ts';
import { PageSchema, toListOptions } from '../../http/pagination.ts';
import {
  CreateTenantBody,
  ListTenantsQuery,
  TENANT_SORTS,
  TenantParams,
  TenantSchema,
  UpdateTenantBody,
} from './schemas.ts';
import type { TenantsService } from './service.ts';

export function registerTenantRoutes(app: FastifyInstance, deps: { tenants: TenantsService }): void {
  const { tenants } = deps;

  app.get(
    '/tenants',
    {
      config: { ability: 'tenants:read' },
      schema: {
        tags: ['tenants'],
        summary: 'List tenants',
        querystring: ListTenantsQuery,
        response: { 200: PageSchema(TenantSchema) },
      },
    },
    async (request) => {
      const q = request.query as {
        status?: 'active' | 'suspended';
        q?: string;
        limit?: number;
        cursor?: string;
        sort?: string;
      };
      return tenants.list(toListOptions(q, TENANT_SORTS[0]), { status: q.status, q: q.q });
    },
  );

  app.post(
    '/tenants',
    {
      config: { ability: 'tenants:write' },
      schema: {
        tags: ['tenants'],
        summary: 'Create a tenant',
        body: CreateTenantBody,
        response: { 201: TenantSchema },
      },
    },
    async (request, reply) => {
      const tenant = await tenants.create(
        request.body as Type.Static<typeof CreateTenantBody>,
        ctxOf(request),
      );
      sendEtag(reply, tenant.version);
      return reply.code(201).header('location', locationOf(request, tenant.slug)).send(tenant);
    },
  );

  app.get(
    '/tenants/:tenant',
    {
      config: { ability: 'tenants:read' },
      schema: {
        tags: ['tenants'],
        summary: 'Get a tenant',
        params: TenantParams,
        response: { 200: TenantSchema },
      },
    },
    async (request, reply) => {
      const tenant = await tenants.get((request.params as { tenant: string }).tenant);
      sendEtag(reply, tenant.version);
      return tenant;
    },
  );

  app.patch(
    '/tenants/:tenant',
    {
      config: { ability: 'tenants:write', etag: true },
      schema: {
        tags: ['tenants'],
        summary: 'Update a tenant (status changes need an all-tenant credential)',
        params: TenantParams,
        body: UpdateTenantBody,
        response: { 200: TenantSchema },
      },
    },
    async (request, reply) => {
      const body = request.body as Type.Static<typeof UpdateTenantBody>;
      if (body.status !== undefined && principalOf(request).tenantId !== null) {
        throw new AppError('forbidden', {
          detail: 'suspending or activating a tenant needs an all-tenant credential',
        });
      }
      const tenant = await tenants.update(
        (request.params as { tenant: string }).tenant,
        body,
        expectedVersion(request),
        ctxOf(request),
      );
      sendEtag(reply, tenant.version);
      return tenant;
    },
  );

  app.delete(
    '/tenants/:tenant',
    {
      config: { ability: 'tenants:write', etag: true },
      schema: {
        tags: ['tenants'],
        summary: 'Delete a tenant and everything it owns (all-tenant credential only)',
        params: TenantParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      if (principalOf(request).tenantId !== null) {
        throw new AppError('forbidden', { detail: 'deleting a tenant needs an all-tenant credential' });
      }
      await tenants.delete(
        (request.params as { tenant: string }).tenant,
        expectedVersion(request),
        ctxOf(request),
      );
      return reply.code(204).send();
    },
  );
}
