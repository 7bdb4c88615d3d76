/**
 * The gateway's admin API under `/api/v1/tenants/{tenant}`: `gateway/routes`, `gateway/permissions`,
 * `gateway/limits`, a client's HMAC secrets (`clients/{client}/hmac-secrets`) and
 * `authz/explain`. HTTP only: every rule is in the services.
 */
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { AppError } from '../../errors/app-error.ts';
import { actionContextOf as ctxOf, tenantOf } from '../../http/admin-guard.ts';
import { expectedVersion, sendEtag } from '../../http/etag.ts';
import { listQueryProperties, PageSchema, toListOptions } from '../../http/pagination.ts';
import { Obj } from '../../http/schema-kit.ts';
import type { ClientsService } from '../clients/index.ts';
import { explainRequest } from './explain.ts';
import type { HmacSecretsService } from './hmac-secrets.ts';
import type { Decider } from './pipeline.ts';
import {
  ClientParams,
  CreateRouteBody,
  ExplainBody,
  ExplainSchema,
  GrantBody,
  HmacCreateBody,
  HmacParams,
  HmacSecretSchema,
  LimitBody,
  LimitParams,
  LimitSchema,
  PermissionParams,
  PermissionQuery,
  PermissionSchema,
  RouteParams,
  RouteSchema,
  TenantParams,
  UpdateRouteBody,
} from './schemas.ts';
import type { GatewayConfigService } from './service.ts';

export interface GatewayRouteDeps {
  config: GatewayConfigService;
  hmacSecrets: HmacSecretsService;
  clients: ClientsService;
  decider: Decider;
}

const ListQuery = Obj({ ...listQueryProperties(['createdAt'] as const) });

export function registerGatewayRoutes(app: FastifyInstance, deps: GatewayRouteDeps): void {
  const { config, hmacSecrets, clients, decider } = deps;
  const tid = (r: { tenant?: { id: string } }) => tenantOf(r as never).id;
  const tags = ['gateway'];
  const read = { ability: 'routes:read' };
  const write = { ability: 'routes:write' };

  app.get(
    '/gateway/routes',
    {
      config: read,
      schema: {
        tags,
        summary: "List a tenant's gateway routes",
        params: TenantParams,
        querystring: ListQuery,
        response: { 200: PageSchema(RouteSchema) },
      },
    },
    async (request) => config.listRoutes(tid(request), toListOptions(request.query as never, 'createdAt')),
  );
  app.post(
    '/gateway/routes',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a route (ties with an existing route are refused)',
        params: TenantParams,
        body: CreateRouteBody,
        response: { 201: RouteSchema },
      },
    },
    async (request, reply) => {
      const route = await config.createRoute(
        tid(request),
        request.body as Static<typeof CreateRouteBody>,
        ctxOf(request),
      );
      sendEtag(reply, route.version);
      return reply.code(201).send(route);
    },
  );
  app.get(
    '/gateway/routes/:routeId',
    {
      config: read,
      schema: { tags, summary: 'Get a route', params: RouteParams, response: { 200: RouteSchema } },
    },
    async (request, reply) => {
      const route = await config.getRoute(tid(request), (request.params as { routeId: string }).routeId);
      sendEtag(reply, route.version);
      return reply.send(route);
    },
  );
  app.patch(
    '/gateway/routes/:routeId',
    {
      config: { ...write, etag: true },
      schema: {
        tags,
        summary: 'Change a route',
        params: RouteParams,
        body: UpdateRouteBody,
        response: { 200: RouteSchema },
      },
    },
    async (request, reply) => {
      const route = await config.updateRoute(
        tid(request),
        (request.params as { routeId: string }).routeId,
        request.body as Static<typeof UpdateRouteBody>,
        expectedVersion(request),
        ctxOf(request),
      );
      sendEtag(reply, route.version);
      return reply.send(route);
    },
  );
  app.delete(
    '/gateway/routes/:routeId',
    {
      config: { ...write, etag: true },
      schema: {
        tags,
        summary: 'Delete a route and its permissions',
        params: RouteParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await config.deleteRoute(
        tid(request),
        (request.params as { routeId: string }).routeId,
        expectedVersion(request),
        ctxOf(request),
      );
      return reply.code(204).send();
    },
  );

  const pread = { ability: 'permissions:read' };
  const pwrite = { ability: 'permissions:write' };
  app.get(
    '/gateway/permissions',
    {
      config: pread,
      schema: {
        tags,
        summary: 'List gateway permissions (optionally of one route)',
        params: TenantParams,
        querystring: PermissionQuery,
        response: { 200: PageSchema(PermissionSchema) },
      },
    },
    async (request) => {
      const q = request.query as Static<typeof PermissionQuery>;
      return config.listPermissions(
        tid(request),
        q.routeId ? { routeId: q.routeId } : {},
        toListOptions(q as never, 'createdAt'),
      );
    },
  );
  app.post(
    '/gateway/permissions',
    {
      config: pwrite,
      schema: {
        tags,
        summary:
          'Grant a client, user or role methods on a route (a second grant for the same subject replaces it)',
        params: TenantParams,
        body: GrantBody,
        response: { 201: PermissionSchema },
      },
    },
    async (request, reply) => {
      const b = request.body as Static<typeof GrantBody>;
      const given = [b.client ? 'client' : null, b.user ? 'user' : null, b.role ? 'role' : null].filter(
        Boolean,
      );
      if (given.length !== 1)
        throw new AppError('validation_failed', { detail: 'give exactly one of client, user, role' });
      const subjectType = given[0] as 'client' | 'user' | 'role';
      const permission = await config.grant(
        tid(request),
        {
          routeId: b.routeId,
          subjectType,
          subject: (b.client ?? b.user ?? b.role)!,
          methods: b.methods,
          scopes: b.scopes ?? [],
        },
        ctxOf(request),
      );
      return reply.code(201).send(permission);
    },
  );
  app.delete(
    '/gateway/permissions/:permissionId',
    {
      config: pwrite,
      schema: {
        tags,
        summary: 'Revoke a gateway permission',
        params: PermissionParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await config.revokePermission(
        tid(request),
        (request.params as { permissionId: string }).permissionId,
        ctxOf(request),
      );
      return reply.code(204).send();
    },
  );

  const lread = { ability: 'ratelimits:read' };
  const lwrite = { ability: 'ratelimits:write' };
  app.get(
    '/gateway/limits',
    {
      config: lread,
      schema: {
        tags,
        summary: "List a tenant's gateway rate limits",
        params: TenantParams,
        response: { 200: Type.Object({ items: Type.Array(LimitSchema) }) },
      },
    },
    async (request) => ({
      items: await config.listLimits(tid(request)),
    }),
  );
  app.put(
    '/gateway/limits',
    {
      config: lwrite,
      schema: {
        tags,
        summary:
          'Set a rate limit for a client, a token or any caller, on one route or all (replaces the same one)',
        params: TenantParams,
        body: LimitBody,
        response: { 200: LimitSchema },
      },
    },
    async (request) => {
      const b = request.body as Static<typeof LimitBody>;
      if (b.client && b.token)
        throw new AppError('validation_failed', { detail: 'give client or token, not both' });
      return config.setLimit(
        tid(request),
        {
          ...b,
          subjectType: b.client ? 'client' : b.token ? 'token' : 'any',
          subject: b.client ?? b.token ?? '',
        },
        ctxOf(request),
      );
    },
  );
  app.delete(
    '/gateway/limits/:limitId',
    {
      config: lwrite,
      schema: { tags, summary: 'Delete a rate limit', params: LimitParams, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await config.deleteLimit(tid(request), (request.params as { limitId: string }).limitId, ctxOf(request));
      return reply.code(204).send();
    },
  );

  const clientRef = async (tenantId: string, ref: string) => (await clients.resolve(tenantId, ref)).id;
  const cread = { ability: 'clients:read' };
  const cwrite = { ability: 'clients:write' };
  app.get(
    '/clients/:client/hmac-secrets',
    {
      config: cread,
      schema: {
        tags,
        summary: "List a client's HMAC secrets (fingerprints, never the secret)",
        params: ClientParams,
        response: { 200: Type.Object({ items: Type.Array(HmacSecretSchema) }) },
      },
    },
    async (request) => {
      const t = tid(request);
      return {
        items: await hmacSecrets.list(t, await clientRef(t, (request.params as { client: string }).client)),
      };
    },
  );
  app.post(
    '/clients/:client/hmac-secrets',
    {
      config: cwrite,
      schema: {
        tags,
        summary: 'Add an HMAC secret to a client (at most two live; returned once)',
        params: ClientParams,
        body: HmacCreateBody,
        response: { 201: Type.Object({ secret: Type.String(), hmacSecret: HmacSecretSchema }) },
      },
    },
    async (request, reply) => {
      const t = tid(request);
      const b = request.body as Static<typeof HmacCreateBody>;
      const created = await hmacSecrets.create(
        t,
        await clientRef(t, (request.params as { client: string }).client),
        b.expiresInDays ? { expiresInDays: b.expiresInDays } : {},
        ctxOf(request),
      );
      return reply.code(201).send(created);
    },
  );
  app.delete(
    '/clients/:client/hmac-secrets/:secretId',
    {
      config: cwrite,
      schema: {
        tags,
        summary: 'Revoke an HMAC secret (refused everywhere within a second)',
        params: HmacParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const t = tid(request);
      const p = request.params as { client: string; secretId: string };
      await hmacSecrets.revoke(t, await clientRef(t, p.client), p.secretId, ctxOf(request));
      return reply.code(204).send();
    },
  );

  app.post(
    '/authz/explain',
    {
      config: read,
      schema: {
        tags,
        summary: 'Explain the /authz decision for a request, step by step (spends no nonce or rate limit)',
        params: TenantParams,
        body: ExplainBody,
        response: { 200: ExplainSchema },
      },
    },
    async (request) => {
      const b = request.body as Static<typeof ExplainBody>;
      const d = await explainRequest(decider, {
        tenantSlug: tenantOf(request).slug,
        method: b.method,
        url: b.url,
        ...(b.headers ? { headers: b.headers } : {}),
      });
      return {
        allow: d.allow,
        status: d.status,
        reason: d.reason,
        ...(d.detail ? { detail: d.detail } : {}),
        routeId: d.routeId,
        headers: d.headers,
        steps: d.trace ?? [],
      };
    },
  );
}
