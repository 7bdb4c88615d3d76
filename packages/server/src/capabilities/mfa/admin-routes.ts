/**
 * The MFA admin API under `/tenants/{tenant}` (behind the admin guard, abilities `users:read` /
 * `users:write`): a user's MFA status (authenticator app, backup codes left, passkeys, whether MFA
 * is required and until when the grace period runs) and its reset (audited, mailed to the user);
 * who must use MFA in the tenant (the tenant, a group, a user) with the grace period in days.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AppError } from '../../errors/app-error.ts';
import { actionContextOf as ctxOf, tenantOf } from '../../http/admin-guard.ts';
import { Int, Obj, Str } from '../../http/schema-kit.ts';
import type { GroupsService } from '../groups/index.ts';
import { TenantParams, tenantParams } from '../tenants/index.ts';
import type { UsersService } from '../users/index.ts';
import type { PasskeysService } from './passkeys.ts';
import { DEFAULT_GRACE_DAYS, type MfaService } from './service.ts';
import type { RequirementSubject } from './store.ts';

const TAGS = ['mfa'];
const READ = { ability: 'users:read' };
const WRITE = { ability: 'users:write' };
const Iso = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const UserParams = tenantParams({ userId: Str({ max: 512, description: 'User id (UUID)' }) });
const PasskeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  deviceType: Type.String(),
  backedUp: Type.Boolean(),
  createdAt: Iso,
  lastUsedAt: Nullable(Iso),
});
const StatusSchema = Type.Object({
  totp: Type.Boolean({ description: 'An authenticator app is enrolled (and confirmed)' }),
  totpConfirmedAt: Nullable(Iso),
  backupCodesLeft: Type.Integer(),
  passkeys: Type.Array(PasskeySchema),
  required: Type.Boolean({ description: 'MFA is required of this user (tenant, group or user)' }),
  graceEndsAt: Nullable(
    Type.String({ format: 'date-time', description: 'When the grace period ends (or ended)' }),
  ),
});
const ResetSchema = Type.Object({
  removed: Type.Array(Type.String(), { description: 'What went: totp, backup_codes, passkeys' }),
});
const SubjectType = Type.Union([Type.Literal('tenant'), Type.Literal('group'), Type.Literal('user')]);
const RequirementSchema = Type.Object({
  subjectType: SubjectType,
  subjectId: Nullable(Type.String()),
  graceDays: Type.Integer(),
  createdAt: Iso,
  createdBy: Type.String(),
});
const SubjectBody = {
  subjectType: SubjectType,
  subjectId: Type.Optional(Str({ max: 512, description: 'Group or user id (not for the tenant)' })),
};
const RequireBody = Obj({
  ...SubjectBody,
  graceDays: Type.Optional(
    Int({
      min: 0,
      max: 365,
      description: `Days from the first sign-in after this (default ${DEFAULT_GRACE_DAYS})`,
    }),
  ),
});
const UnrequireBody = Obj(SubjectBody);

export function registerMfaAdminRoutes(
  app: FastifyInstance,
  deps: { mfa: MfaService; passkeys: PasskeysService; users: UsersService; groups: GroupsService },
): void {
  const { mfa, passkeys, users, groups } = deps;
  const userOf = async (request: FastifyRequest) =>
    (await users.get(tenantOf(request).id, (request.params as { userId: string }).userId)).id;

  /** The subject of a requirement body, checked to exist in the tenant. */
  async function subjectOf(
    tenantId: string,
    body: { subjectType: string; subjectId?: string },
  ): Promise<RequirementSubject> {
    if (body.subjectType === 'tenant') {
      if (body.subjectId !== undefined)
        throw new AppError('validation_failed', { detail: 'subjectId: not allowed for the tenant' });
      return { type: 'tenant' };
    }
    if (!body.subjectId)
      throw new AppError('validation_failed', {
        detail: `subjectId: the ${body.subjectType}'s id is required`,
      });
    if (body.subjectType === 'group')
      return { type: 'group', id: (await groups.get(tenantId, body.subjectId)).id };
    return { type: 'user', id: (await users.get(tenantId, body.subjectId)).id };
  }

  app.get(
    '/users/:userId/mfa',
    {
      config: READ,
      schema: {
        tags: TAGS,
        summary: "A user's MFA: authenticator app, backup codes, passkeys, requirement",
        params: UserParams,
        response: { 200: StatusSchema },
      },
    },
    async (request) => {
      const tenantId = tenantOf(request).id;
      const userId = await userOf(request);
      const [status, keys] = await Promise.all([
        mfa.status(tenantId, userId),
        passkeys.list(tenantId, userId),
      ]);
      return { ...status, passkeys: keys };
    },
  );

  app.post(
    '/users/:userId/mfa/reset',
    {
      config: WRITE,
      schema: {
        tags: TAGS,
        summary:
          "Reset a user's MFA: the authenticator app, backup codes and passkeys go; a new grace period starts at the next sign-in (audited, mailed to the user)",
        params: UserParams,
        response: { 200: ResetSchema },
      },
    },
    async (request) => mfa.reset(tenantOf(request).id, await userOf(request), ctxOf(request)),
  );

  app.get(
    '/mfa/requirements',
    {
      config: READ,
      schema: {
        tags: TAGS,
        summary: 'Who must use MFA in the tenant',
        params: TenantParams,
        response: { 200: Type.Object({ items: Type.Array(RequirementSchema) }) },
      },
    },
    async (request) => ({ items: await mfa.listRequirements(tenantOf(request).id) }),
  );

  app.post(
    '/mfa/requirements',
    {
      config: WRITE,
      schema: {
        tags: TAGS,
        summary:
          'Require MFA of the tenant, a group (its members, nested too) or a user, with a grace period',
        params: TenantParams,
        body: RequireBody,
        response: { 200: RequirementSchema },
      },
    },
    async (request) => {
      const tenantId = tenantOf(request).id;
      const body = request.body as { subjectType: string; subjectId?: string; graceDays?: number };
      return mfa.require(
        tenantId,
        await subjectOf(tenantId, body),
        body.graceDays ?? DEFAULT_GRACE_DAYS,
        ctxOf(request),
      );
    },
  );

  app.post(
    '/mfa/requirements/remove',
    {
      config: WRITE,
      schema: {
        tags: TAGS,
        summary: 'Stop requiring MFA of the tenant, a group or a user',
        params: TenantParams,
        body: UnrequireBody,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const tenantId = tenantOf(request).id;
      const body = request.body as { subjectType: string; subjectId?: string };
      const subject: RequirementSubject =
        body.subjectType === 'tenant'
          ? await subjectOf(tenantId, body)
          : // a deleted group or user may still be named by id
            { type: body.subjectType as 'group' | 'user', id: body.subjectId ?? '' };
      await mfa.unrequire(tenantId, subject, ctxOf(request));
      return reply.code(204).send();
    },
  );
}
