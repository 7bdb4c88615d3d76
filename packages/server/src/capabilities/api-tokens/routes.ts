/**
 * Admin API for a tenant's API tokens: `/api/v1/tenants/{tenant}/api-tokens`. Create a personal token
 * for a user (`user`) or a service token for a client (`client`) — the secret is returned once — list
 * them (optionally one owner's), read one, revoke one (every instance refuses it within a second).
 */
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { AppError } from '../../errors/app-error.ts';
import { actionContextOf as ctxOf, tenantOf } from '../../http/admin-guard.ts';
import { listQueryProperties, PageSchema, toListOptions } from '../../http/pagination.ts';
import { Int, Obj, Str } from '../../http/schema-kit.ts';
import { SCOPE_PATTERN } from '../credentials/index.ts';
import { Slug } from '../tenants/schemas.ts';
import type { ApiTokenOwner, ApiTokensService } from './service.ts';

const ApiTokenSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union([Type.Literal('personal'), Type.Literal('service')]),
    name: Type.String(),
    prefix: Type.String({ description: 'Safe-to-show beginning of the secret' }),
    scopes: Type.Array(Type.String()),
    ownerType: Type.Union([Type.Literal('user'), Type.Literal('client')]),
    ownerId: Type.String(),
    expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.String(),
  },
  { $id: 'ApiToken' },
);

const CreateBody = Obj({
  name: Str({ max: 100 }),
  user: Type.Optional(Str({ max: 64, description: 'Owner of a personal token (user id)' })),
  client: Type.Optional(Str({ max: 64, description: 'Owner of a service token (client resource id)' })),
  scopes: Type.Array(Str({ max: 65, pattern: SCOPE_PATTERN }), { maxItems: 50, default: [] }),
  expiresInDays: Type.Optional(Int({ min: 1, max: 3650 })),
});
const ListQuery = Obj({
  ...listQueryProperties(['createdAt'] as const),
  user: Type.Optional(Str({ max: 64 })),
  client: Type.Optional(Str({ max: 64 })),
});
const TenantParams = Obj({ tenant: Slug });
const IdParams = Obj({ tenant: Slug, tokenId: Str({ max: 64 }) });
const Created = Type.Object({ secret: Type.String({ description: 'Shown once' }), token: ApiTokenSchema });

function ownerOf(body: { user?: string; client?: string }): ApiTokenOwner | undefined {
  if (body.user && body.client)
    throw new AppError('validation_failed', { detail: 'give user or client, not both' });
  if (body.user) return { type: 'user', id: body.user };
  if (body.client) return { type: 'client', id: body.client };
  return undefined;
}

export function registerApiTokenRoutes(app: FastifyInstance, deps: { apiTokens: ApiTokensService }): void {
  const { apiTokens } = deps;
  const tags = ['api-tokens'];
  app.get(
    '/',
    {
      config: { ability: 'apitokens:read' },
      schema: {
        tags,
        summary: "List a tenant's API tokens (personal and service), optionally one owner's",
        params: TenantParams,
        querystring: ListQuery,
        response: { 200: PageSchema(ApiTokenSchema) },
      },
    },
    async (request) => {
      const q = request.query as Static<typeof ListQuery>;
      return apiTokens.list(tenantOf(request).id, toListOptions(q as never, 'createdAt'), ownerOf(q));
    },
  );
  app.post(
    '/',
    {
      config: { ability: 'apitokens:write' },
      schema: {
        tags,
        summary: 'Create a personal (user) or service (client) API token; the secret is returned once',
        params: TenantParams,
        body: CreateBody,
        response: { 201: Created },
      },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof CreateBody>;
      const owner = ownerOf(body);
      if (!owner) throw new AppError('validation_failed', { detail: 'give the owner: user or client' });
      const tenant = tenantOf(request);
      const result = await apiTokens.create(
        tenant.id,
        {
          owner,
          name: body.name,
          scopes: body.scopes ?? [],
          ...(body.expiresInDays ? { expiresInDays: body.expiresInDays } : {}),
        },
        ctxOf(request),
      );
      return reply
        .code(201)
        .header('location', `/api/v1/tenants/${tenant.slug}/api-tokens/${result.token.id}`)
        .send(result);
    },
  );
  app.get(
    '/:tokenId',
    {
      config: { ability: 'apitokens:read' },
      schema: { tags, summary: 'Get an API token', params: IdParams, response: { 200: ApiTokenSchema } },
    },
    async (request) => apiTokens.get(tenantOf(request).id, (request.params as { tokenId: string }).tokenId),
  );
  app.delete(
    '/:tokenId',
    {
      config: { ability: 'apitokens:write' },
      schema: {
        tags,
        summary: 'Revoke an API token (refused by every instance within a second)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await apiTokens.revoke(
        tenantOf(request).id,
        (request.params as { tokenId: string }).tokenId,
        ctxOf(request),
      );
      return reply.code(204).send();
    },
  );
}
