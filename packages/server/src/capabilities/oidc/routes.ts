/**
 * The oidc admin API under `/tenants/{tenant}` (behind the admin guard): signing keys
 * (`/signing-keys`, `POST /signing-keys/rotate`), resource servers (`/resource-servers`) and trust
 * links (`/trust-links`), dynamic client registration (`/client-registration`: the policy;
 * `POST|GET /client-registration/tokens`: initial access tokens, minted and listed;
 * `DELETE /client-registration/tokens/{id}`: one revoked). Abilities `oidc:read` / `oidc:write`.
 */
import type { FastifyInstance } from 'fastify';
import { actionContextOf as ctxOf, tenantOf } from '../../http/admin-guard.ts';
import { expectedVersion } from '../../http/etag.ts';
import {
  CreateResourceBody,
  type CreateResourceBodyInput,
  CreateTrustBody,
  type CreateTrustInput,
  ItemsOf,
  RegistrationPolicyBody,
  type RegistrationPolicyInput,
  RegistrationPolicySchema,
  RegistrationTokenBody,
  RegistrationTokenInfoSchema,
  RegistrationTokenParams,
  RegistrationTokenSchema,
  ResourceParams,
  ResourceServerSchema,
  RotateKeyBody,
  type RotateKeyInput,
  SigningKeySchema,
  TenantParams,
  TrustLinkSchema,
  TrustParams,
} from './schemas.ts';
import type { OidcService } from './service.ts';

const READ = { ability: 'oidc:read' };
const WRITE = { ability: 'oidc:write' };

export function registerOidcRoutes(app: FastifyInstance, deps: { oidc: OidcService }): void {
  const { keys, resources } = deps.oidc;
  const tags = (t: string) => [t];

  app.get(
    '/signing-keys',
    {
      config: READ,
      schema: {
        tags: tags('signing keys'),
        summary: "List the tenant's published signing keys (pending, signing, retired)",
        params: TenantParams,
        response: { 200: ItemsOf(SigningKeySchema) },
      },
    },
    async (request) => ({ items: await keys.list(tenantOf(request).id) }),
  );

  app.post(
    '/signing-keys/rotate',
    {
      config: WRITE,
      schema: {
        tags: tags('signing keys'),
        summary: 'Rotate: publish a new key now, sign with it after the lead time',
        params: TenantParams,
        body: RotateKeyBody,
        response: { 201: SigningKeySchema },
      },
    },
    async (request, reply) => {
      const { alg } = (request.body ?? {}) as RotateKeyInput;
      const key = await keys.rotate(tenantOf(request).id, alg ? { alg } : {}, ctxOf(request));
      return reply.code(201).send(key);
    },
  );

  app.get(
    '/resource-servers',
    {
      config: READ,
      schema: {
        tags: tags('resource servers'),
        summary: 'List resource servers (APIs tokens are issued for)',
        params: TenantParams,
        response: { 200: ItemsOf(ResourceServerSchema) },
      },
    },
    async (request) => ({ items: await resources.listResources(tenantOf(request).id) }),
  );

  app.post(
    '/resource-servers',
    {
      config: WRITE,
      schema: {
        tags: tags('resource servers'),
        summary: 'Register a resource server: audience, scopes, token format',
        params: TenantParams,
        body: CreateResourceBody,
        response: { 201: ResourceServerSchema },
      },
    },
    async (request, reply) => {
      const created = await resources.createResource(
        tenantOf(request).id,
        request.body as CreateResourceBodyInput,
        ctxOf(request),
      );
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/resource-servers/:id',
    {
      config: WRITE,
      schema: {
        tags: tags('resource servers'),
        summary: 'Delete a resource server and its trust links',
        params: ResourceParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      await resources.deleteResource(
        tenantOf(request).id,
        (request.params as { id: string }).id,
        ctxOf(request),
      );
      return reply.code(204).send();
    },
  );

  app.get(
    '/trust-links',
    {
      config: READ,
      schema: {
        tags: tags('trust links'),
        summary: 'List trust links (which client may get tokens for which resource server)',
        params: TenantParams,
        response: { 200: ItemsOf(TrustLinkSchema) },
      },
    },
    async (request) => ({ items: await resources.listTrust(tenantOf(request).id) }),
  );

  app.post(
    '/trust-links',
    {
      config: WRITE,
      schema: {
        tags: tags('trust links'),
        summary: 'Trust a client to call a resource server, with scopes and optional delegation',
        params: TenantParams,
        body: CreateTrustBody,
        response: { 201: TrustLinkSchema },
      },
    },
    async (request, reply) => {
      const { createdAtMs: _ms, ...link } = await resources.createTrust(
        tenantOf(request).id,
        request.body as CreateTrustInput,
        ctxOf(request),
      );
      return reply.code(201).send(link);
    },
  );

  app.delete(
    '/trust-links/:id',
    {
      config: WRITE,
      schema: {
        tags: tags('trust links'),
        summary: 'Delete a trust link: its outstanding tokens stop working on every instance',
        params: TrustParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      await resources.deleteTrust(
        tenantOf(request).id,
        (request.params as { id: string }).id,
        ctxOf(request),
      );
      return reply.code(204).send();
    },
  );

  app.get(
    '/client-registration',
    {
      config: READ,
      schema: {
        tags: tags('client registration'),
        summary: 'The dynamic client registration (RFC 7591) policy of the tenant',
        params: TenantParams,
        response: { 200: RegistrationPolicySchema },
      },
    },
    async (request) => deps.oidc.registration.policy(tenantOf(request).id),
  );

  app.put(
    '/client-registration',
    {
      config: WRITE,
      schema: {
        tags: tags('client registration'),
        summary:
          'Turn dynamic client registration on or off, set its redirect URI patterns, default scopes and expiry, and which Client ID Metadata Document clients are accepted or blocked',
        params: TenantParams,
        body: RegistrationPolicyBody,
        response: { 200: RegistrationPolicySchema },
      },
    },
    async (request) =>
      deps.oidc.registration.setPolicy(
        tenantOf(request).id,
        (request.body ?? {}) as RegistrationPolicyInput,
        expectedVersion(request),
        ctxOf(request),
      ),
  );

  app.post(
    '/client-registration/tokens',
    {
      config: WRITE,
      schema: {
        tags: tags('client registration'),
        summary: 'Mint an initial access token for POST <issuer>/reg (shown once, stored as a digest)',
        params: TenantParams,
        body: RegistrationTokenBody,
        response: { 201: RegistrationTokenSchema },
      },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const { ttlSeconds } = (request.body ?? {}) as { ttlSeconds?: number };
      const issued = await deps.oidc.registration.issueToken(
        tenant.id,
        tenant.slug,
        ttlSeconds === undefined ? {} : { ttlSeconds },
        ctxOf(request),
      );
      return reply.code(201).header('cache-control', 'no-store').send(issued);
    },
  );

  app.get(
    '/client-registration/tokens',
    {
      config: READ,
      schema: {
        tags: tags('client registration'),
        summary: "The tenant's unexpired initial access tokens (ids and expiry, never the tokens)",
        params: TenantParams,
        response: { 200: ItemsOf(RegistrationTokenInfoSchema) },
      },
    },
    async (request) => ({ items: await deps.oidc.registration.listTokens(tenantOf(request).id) }),
  );

  app.delete(
    '/client-registration/tokens/:id',
    {
      config: WRITE,
      schema: {
        tags: tags('client registration'),
        summary: 'Revoke an initial access token: /reg refuses it (invalid_token) from then on',
        params: RegistrationTokenParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      await deps.oidc.registration.revokeToken(
        tenantOf(request).id,
        (request.params as { id: string }).id,
        ctxOf(request),
      );
      return reply.code(204).send();
    },
  );
}
