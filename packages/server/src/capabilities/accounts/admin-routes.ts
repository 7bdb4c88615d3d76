/**
 * The accounts admin API under `/tenants/{tenant}` (behind the admin guard): sessions (list, get,
 * revoke one, all of a user's, the whole tenant's), a user's sign-in state (failed attempts, lockout,
 * forced change) with unlock and require-password-change, and the tenant's sign-in settings
 * (password policy, session lifetimes, lockout, branding) with ETag / If-Match.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { actionContextOf as ctxOf, tenantOf } from '../../http/admin-guard.ts';
import { expectedVersion, sendEtag } from '../../http/etag.ts';
import type { UsersService } from '../users/index.ts';
import {
  AccountStateSchema,
  AccountUserParams,
  ListSessionsQuery,
  RequireChangeBody,
  RevokedSchema,
  SessionListSchema,
  SessionParams,
  SessionSchema,
  SignInSettingsPatch,
  type SignInSettingsPatchInput,
  TenantParams,
  VersionedSettingsSchema,
} from './schemas.ts';
import type { AccountsService } from './service.ts';

const SESSIONS = ['sessions'];
const SETTINGS = ['sign-in settings'];
const READ = { ability: 'sessions:read' };
const WRITE = { ability: 'sessions:write' };
const userIdOf = (request: FastifyRequest) => (request.params as { userId: string }).userId;
const adminCtx = (request: FastifyRequest) => ({ ...ctxOf(request), tenantSlug: tenantOf(request).slug });

export function registerAccountAdminRoutes(
  app: FastifyInstance,
  deps: { accounts: AccountsService; users: UsersService },
): void {
  const { accounts, users } = deps;
  /** The user must exist in the tenant (404 otherwise, also for a malformed id). */
  const userOf = async (request: FastifyRequest) =>
    (await users.get(tenantOf(request).id, userIdOf(request))).id;

  app.get(
    '/sessions',
    {
      config: READ,
      schema: {
        tags: SESSIONS,
        summary: "List the tenant's live sessions (newest first), or one user's (oldest first)",
        params: TenantParams,
        querystring: ListSessionsQuery,
        response: { 200: SessionListSchema },
      },
    },
    async (request) => {
      const q = request.query as { userId?: string; limit?: number };
      const tenantId = tenantOf(request).id;
      if (q.userId) await users.get(tenantId, q.userId);
      return {
        items: await accounts.sessions.list(tenantId, {
          ...(q.userId ? { userId: q.userId } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
        }),
      };
    },
  );

  app.get(
    '/sessions/:sessionId',
    {
      config: READ,
      schema: {
        tags: SESSIONS,
        summary: 'Get a session',
        params: SessionParams,
        response: { 200: SessionSchema },
      },
    },
    async (request) =>
      accounts.sessions.get(tenantOf(request).id, (request.params as { sessionId: string }).sessionId),
  );

  app.delete(
    '/sessions/:sessionId',
    {
      config: WRITE,
      schema: {
        tags: SESSIONS,
        summary: 'Revoke a session (refused on every instance within a second)',
        params: SessionParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await accounts.sessions.revoke(
        tenantOf(request).id,
        (request.params as { sessionId: string }).sessionId,
        {
          ...ctxOf(request),
          reason: 'revoked_by_admin',
        },
      );
      return reply.code(204).send();
    },
  );

  app.post(
    '/sessions/revoke-all',
    {
      config: WRITE,
      schema: {
        tags: SESSIONS,
        summary: 'Revoke every session of the tenant',
        params: TenantParams,
        response: { 200: RevokedSchema },
      },
    },
    async (request) => ({
      revoked: await accounts.sessions.revokeTenant(tenantOf(request).id, {
        ...ctxOf(request),
        reason: 'revoked_by_admin',
      }),
    }),
  );

  app.post(
    '/users/:userId/sessions/revoke',
    {
      config: WRITE,
      schema: {
        tags: SESSIONS,
        summary: 'Revoke every session of a user',
        params: AccountUserParams,
        response: { 200: RevokedSchema },
      },
    },
    async (request) => ({
      revoked: await accounts.sessions.revokeUser(tenantOf(request).id, await userOf(request), {
        ...ctxOf(request),
        reason: 'revoked_by_admin',
      }),
    }),
  );

  app.get(
    '/users/:userId/sign-in-state',
    {
      config: { ability: 'users:read' },
      schema: {
        tags: SESSIONS,
        summary: "A user's failed sign-ins, lockout and forced password change",
        params: AccountUserParams,
        response: { 200: AccountStateSchema },
      },
    },
    async (request) => accounts.lockout.state(tenantOf(request).id, await userOf(request)),
  );

  app.post(
    '/users/:userId/unlock',
    {
      config: { ability: 'users:write' },
      schema: {
        tags: SESSIONS,
        summary: 'Unlock a locked account (forgets the failed sign-ins)',
        params: AccountUserParams,
        response: { 200: AccountStateSchema },
      },
    },
    async (request) => {
      const tenantId = tenantOf(request).id;
      const userId = await userOf(request);
      await accounts.lockout.unlock(tenantId, userId, adminCtx(request));
      return accounts.lockout.state(tenantId, userId);
    },
  );

  app.post(
    '/users/:userId/require-password-change',
    {
      config: { ability: 'users:write' },
      schema: {
        tags: SESSIONS,
        summary: 'Require (or stop requiring) a new password at the next sign-in',
        params: AccountUserParams,
        body: RequireChangeBody,
        response: { 200: AccountStateSchema },
      },
    },
    async (request) => {
      const tenantId = tenantOf(request).id;
      const userId = await userOf(request);
      await accounts.passwords.requireChange(
        tenantId,
        userId,
        (request.body as { required: boolean }).required,
        adminCtx(request),
      );
      return accounts.lockout.state(tenantId, userId);
    },
  );

  app.get(
    '/sign-in-settings',
    {
      config: { ability: 'tenants:read' },
      schema: {
        tags: SETTINGS,
        summary: "The tenant's password policy, session lifetimes, lockout and branding",
        params: TenantParams,
        response: { 200: VersionedSettingsSchema },
      },
    },
    async (request, reply) => {
      const v = await accounts.settings.getVersioned(tenantOf(request).id);
      sendEtag(reply, v.version);
      return { ...v.settings, version: v.version };
    },
  );

  app.patch(
    '/sign-in-settings',
    {
      config: { ability: 'tenants:write', etag: true },
      schema: {
        tags: SETTINGS,
        summary: 'Change some sign-in settings (the rest keep their values)',
        params: TenantParams,
        body: SignInSettingsPatch,
        response: { 200: VersionedSettingsSchema },
      },
    },
    async (request, reply) => {
      const v = await accounts.settings.update(
        tenantOf(request).id,
        request.body as SignInSettingsPatchInput,
        expectedVersion(request),
        ctxOf(request),
      );
      sendEtag(reply, v.version);
      return { ...v.settings, version: v.version };
    },
  );
}
