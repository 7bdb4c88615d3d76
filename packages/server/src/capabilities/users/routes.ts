/**
 * HTTP routes of the users API under `/tenants/:tenant/users` (mounted inside the admin plugin at
 * `/api/v1`, whose guard has already authenticated the caller, checked the tenant and the route's
 * declared ability). HTTP only: parse, call the service, shape the reply — ETag on every single-user
 * response, If-Match honoured on changes, `201` + `Location` on create. Sub-resources (password,
 * identities, properties) are in `links-routes.ts`.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { tenantOf } from '../../http/admin-guard.ts';
import { expectedVersion, sendEtag } from '../../http/etag.ts';
import { locationOf } from '../../http/location.ts';
import { PageSchema, toListOptions } from '../../http/pagination.ts';
import { registerLinkRoutes } from './links-routes.ts';
import { actionContext, READ as read, SECURITY, TAGS, WRITE as write } from './route-kit.ts';
import {
  CreateUserBody,
  EmailParams,
  ListUsersQuery,
  TenantParams,
  UpdateUserBody,
  UsernameParams,
  UserParams,
  UserSchema,
  type UserSort,
} from './schemas.ts';
import type { UsersService } from './service.ts';

export interface UserRoutesDeps {
  users: UsersService;
}

/** Registers every users route on an admin API instance (paths relative to its prefix). */
export function registerUserRoutes(app: FastifyInstance, deps: UserRoutesDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { users } = deps;

  r.get(
    '/users',
    {
      config: read,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'List users',
        description:
          'Cursor-paginated. Sort by username (default), email or createdAt; filter by status, email ' +
          'verification and a case-insensitive prefix of username or email.',
        params: TenantParams,
        querystring: ListUsersQuery,
        response: { 200: PageSchema(UserSchema) },
      },
    },
    async (request) => {
      const { status, q, emailVerified, ...paging } = request.query;
      const options = toListOptions<UserSort>(paging, 'username');
      return users.list(tenantOf(request).id, { ...options, filters: { status, q, emailVerified } });
    },
  );

  r.post(
    '/users',
    {
      config: write,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Create a user',
        description: 'Username and email must be unique in the tenant, ignoring case (409 otherwise).',
        params: TenantParams,
        body: CreateUserBody,
        response: { 201: UserSchema },
      },
    },
    async (request, reply) => {
      const user = await users.create(tenantOf(request).id, request.body, actionContext(request));
      sendEtag(reply, user.version);
      reply.header('location', locationOf(request, user.id));
      return reply.code(201).send(user);
    },
  );

  r.get(
    '/users/:userId',
    {
      config: read,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Get a user',
        params: UserParams,
        response: { 200: UserSchema },
      },
    },
    async (request, reply) => {
      const user = await users.get(tenantOf(request).id, request.params.userId);
      sendEtag(reply, user.version);
      return user;
    },
  );

  // exact lookups, case-insensitive like the uniqueness rule (the list's `q` is a prefix search)
  r.get(
    '/users/by-username/:username',
    {
      config: read,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Get a user by username',
        description:
          'Exact match, ignoring case as the uniqueness rule does (`Alice` finds `alice`); 404 when no user has it. URL-encode the username.',
        params: UsernameParams,
        response: { 200: UserSchema },
      },
    },
    async (request, reply) => {
      const user = await users.getByUsername(tenantOf(request).id, request.params.username);
      sendEtag(reply, user.version);
      return user;
    },
  );

  r.get(
    '/users/by-email/:email',
    {
      config: read,
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Get a user by email',
        description:
          'Exact match, ignoring case as the uniqueness rule does; 404 when no user has it. URL-encode the address.',
        params: EmailParams,
        response: { 200: UserSchema },
      },
    },
    async (request, reply) => {
      const user = await users.getByEmail(tenantOf(request).id, request.params.email);
      sendEtag(reply, user.version);
      return user;
    },
  );

  r.patch(
    '/users/:userId',
    {
      config: { ...write, etag: true },
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Update a user',
        description: 'Send If-Match with the ETag from a previous read to refuse lost updates (412).',
        params: UserParams,
        body: UpdateUserBody,
        response: { 200: UserSchema },
      },
    },
    async (request, reply) => {
      const user = await users.update(
        tenantOf(request).id,
        request.params.userId,
        request.body,
        expectedVersion(request),
        actionContext(request),
      );
      sendEtag(reply, user.version);
      return user;
    },
  );

  r.delete(
    '/users/:userId',
    {
      config: { ...write, etag: true },
      schema: {
        tags: TAGS,
        security: SECURITY,
        summary: 'Delete a user',
        description: 'Also removes its identities, properties and memberships. Honours If-Match.',
        params: UserParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { userId } = request.params;
      await users.delete(tenantOf(request).id, userId, expectedVersion(request), actionContext(request));
      return reply.code(204).send(null);
    },
  );

  for (const action of ['disable', 'enable'] as const) {
    r.post(
      `/users/:userId/${action}`,
      {
        config: { ...write, etag: true },
        schema: {
          tags: TAGS,
          security: SECURITY,
          summary: action === 'disable' ? 'Disable a user (blocks sign-in)' : 'Enable (or unlock) a user',
          params: UserParams,
          response: { 200: UserSchema },
        },
      },
      async (request, reply) => {
        const user = await users[action](
          tenantOf(request).id,
          request.params.userId,
          expectedVersion(request),
          actionContext(request),
        );
        sendEtag(reply, user.version);
        return user;
      },
    );
  }

  registerLinkRoutes(app, users);
}
