/**
 * HTTP routes of a user's sub-resources: its password (write-only), its external identities and its
 * per-application properties. Same contract as `routes.ts`: HTTP only, every route declares its
 * ability, the service answers 404 for another tenant's or a malformed user id.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { tenantOf } from '../../http/admin-guard.ts';
import { locationOf } from '../../http/location.ts';
import { actionContext, READ as read, SECURITY, TAGS, WRITE as write } from './route-kit.ts';
import {
  IdentityParams,
  IdentitySchema,
  LIMITS,
  LinkIdentityBody,
  PropertiesQuery,
  PropertyParams,
  PropertySchema,
  SetPasswordBody,
  SetPropertyBody,
  UserParams,
} from './schemas.ts';
import type { UsersService } from './service.ts';

export function registerLinkRoutes(app: FastifyInstance, users: UsersService): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.put(
    '/users/:userId/password',
    {
      config: write,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: "Set a user's password",
        description: 'Stored as an Argon2id hash; never returned and never written to the audit log.',
        params: UserParams,
        body: SetPasswordBody,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { userId } = request.params;
      await users.setPassword(tenantOf(request).id, userId, request.body.password, actionContext(request));
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/users/:userId/identities',
    {
      config: read,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: "List a user's external identities",
        params: UserParams,
        response: {
          200: Type.Object({ items: Type.Array(IdentitySchema, { maxItems: LIMITS.linksPerList }) }),
        },
      },
    },
    async (request) => ({ items: await users.listIdentities(tenantOf(request).id, request.params.userId) }),
  );

  r.post(
    '/users/:userId/identities',
    {
      config: write,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Link an external identity (SCIM, LDAP, federated account)',
        description: 'A provider account links to one user per tenant (409 otherwise).',
        params: UserParams,
        body: LinkIdentityBody,
        response: { 201: IdentitySchema },
      },
    },
    async (request, reply) => {
      const { userId } = request.params;
      const identity = await users.linkIdentity(
        tenantOf(request).id,
        userId,
        request.body,
        actionContext(request),
      );
      reply.header('location', locationOf(request, identity.provider, identity.subject));
      return reply.code(201).send(identity);
    },
  );

  r.delete(
    '/users/:userId/identities/:provider/:subject',
    {
      config: write,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Unlink an external identity',
        params: IdentityParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { userId, provider, subject } = request.params;
      await users.unlinkIdentity(tenantOf(request).id, userId, provider, subject, actionContext(request));
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/users/:userId/properties',
    {
      config: read,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: "List a user's per-application properties",
        params: UserParams,
        querystring: PropertiesQuery,
        response: {
          200: Type.Object({ items: Type.Array(PropertySchema, { maxItems: LIMITS.linksPerList }) }),
        },
      },
    },
    async (request) => ({
      items: await users.listProperties(tenantOf(request).id, request.params.userId, request.query.app),
    }),
  );

  r.put(
    '/users/:userId/properties/:app/:key',
    {
      config: write,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Set a per-application property',
        params: PropertyParams,
        body: SetPropertyBody,
        response: { 200: PropertySchema },
      },
    },
    async (request) => {
      const { userId, app, key } = request.params;
      const tenantId = tenantOf(request).id;
      return users.setProperty(tenantId, userId, app, key, request.body.value, actionContext(request));
    },
  );

  r.delete(
    '/users/:userId/properties/:app/:key',
    {
      config: write,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Delete a per-application property',
        params: PropertyParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { userId, app, key } = request.params;
      await users.deleteProperty(tenantOf(request).id, userId, app, key, actionContext(request));
      return reply.code(204).send(null);
    },
  );
}
