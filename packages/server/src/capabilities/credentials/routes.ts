/**
 * Admin API tokens: `/api/v1/tokens` for all-tenant (root) tokens and `/api/v1/tenants/{tenant}/tokens`
 * for tokens scoped to one tenant. A caller can only grant abilities it holds itself, so a token can
 * never mint a more powerful one. The secret is returned once, at creation.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { AppError } from '../../errors/app-error.ts';
import { actionContextOf as ctxOf, hasAbility, principalOf, tenantOf } from '../../http/admin-guard.ts';
import { locationOf } from '../../http/location.ts';
import { listQueryProperties, PageSchema, toListOptions } from '../../http/pagination.ts';
import { Int, Obj, Str } from '../../http/schema-kit.ts';
import { TenantParams, tenantParams } from '../tenants/index.ts';
import { ABILITY_PATTERN } from './abilities.ts';
import type { CredentialsService } from './service.ts';

const CredentialSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    tenant: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    prefix: Type.String({ description: 'Safe-to-show beginning of the secret' }),
    abilities: Type.Array(Type.String()),
    ownerType: Type.String(),
    ownerId: Type.Union([Type.String(), Type.Null()]),
    expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.String(),
  },
  { $id: 'Credential' },
);

const CreateBody = Obj({
  name: Str({ max: 100 }),
  abilities: Type.Array(Str({ max: 32, pattern: ABILITY_PATTERN }), { minItems: 1, maxItems: 50 }),
  expiresInDays: Type.Optional(Int({ min: 1, max: 3650 })),
});
const Created = Type.Object({
  secret: Type.String({ description: 'Shown once' }),
  credential: CredentialSchema,
});
const ListQuery = Obj({ ...listQueryProperties(['createdAt'] as const) });
const IdParams = Obj({ tokenId: Str({ max: 64 }) });
const TenantIdParams = tenantParams({ tokenId: Str({ max: 64 }) });

function checkGrantable(request: FastifyRequest, abilities: readonly string[]): void {
  const mine = principalOf(request).abilities;
  const excess = abilities.find((a) => !hasAbility(mine, a) || (a === '*' && !mine.includes('*')));
  if (excess)
    throw new AppError('forbidden', { detail: `cannot grant ${excess}: the credential does not hold it` });
}

export function registerCredentialRoutes(
  app: FastifyInstance,
  deps: { credentials: CredentialsService },
): void {
  const { credentials } = deps;
  const scopeOf = (request: FastifyRequest) => (request.tenant ? request.tenant.id : null);

  for (const scoped of [false, true]) {
    const base = scoped ? '/tenants/:tenant/tokens' : '/tokens';
    const tags = ['tokens'];
    app.get(
      base,
      {
        config: { ability: 'tokens:read' },
        schema: {
          tags,
          summary: scoped ? "List a tenant's admin API tokens" : 'List all-tenant admin API tokens',
          ...(scoped ? { params: TenantParams } : {}),
          querystring: ListQuery,
          response: { 200: PageSchema(CredentialSchema) },
        },
      },
      async (request) =>
        credentials.list(scopeOf(request), ['adm'], toListOptions(request.query as never, 'createdAt')),
    );
    app.post(
      base,
      {
        config: { ability: 'tokens:write' },
        schema: {
          tags,
          summary: scoped ? 'Create an admin API token for a tenant' : 'Create an all-tenant admin API token',
          ...(scoped ? { params: TenantParams } : {}),
          body: CreateBody,
          response: { 201: Created },
        },
      },
      async (request, reply) => {
        const body = request.body as Static<typeof CreateBody>;
        checkGrantable(request, body.abilities);
        const tenantId = scopeOf(request);
        if (scoped) tenantOf(request);
        const result = await credentials.issue(
          {
            kind: 'adm',
            tenantId,
            ownerType: 'system',
            ownerId: null,
            name: body.name,
            abilities: body.abilities,
            expiresAt: body.expiresInDays ? Date.now() + body.expiresInDays * 86_400_000 : null,
          },
          ctxOf(request),
        );
        return reply.code(201).header('location', locationOf(request, result.credential.id)).send(result);
      },
    );
    app.get(
      `${base}/:tokenId`,
      {
        config: { ability: 'tokens:read' },
        schema: {
          tags,
          summary: 'Get an admin API token',
          params: scoped ? TenantIdParams : IdParams,
          response: { 200: CredentialSchema },
        },
      },
      async (request) => credentials.get((request.params as { tokenId: string }).tokenId, scopeOf(request)),
    );
    app.delete(
      `${base}/:tokenId`,
      {
        config: { ability: 'tokens:write' },
        schema: {
          tags,
          summary: 'Revoke an admin API token (effective on every instance within a second)',
          params: scoped ? TenantIdParams : IdParams,
          response: { 204: Type.Null() },
        },
      },
      async (request, reply) => {
        await credentials.revoke(
          (request.params as { tokenId: string }).tokenId,
          scopeOf(request),
          ctxOf(request),
        );
        return reply.code(204).send();
      },
    );
  }
}
