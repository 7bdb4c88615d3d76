/**
 * External identities and per-application properties of a user. A user id that is malformed, unknown
 * or another tenant's answers `not_found` — the same answer in all three cases, so a caller cannot
 * probe other tenants. Identity `data` is provider attributes (flat JSON); events carry provider,
 * subject, app and key, never property values or identity data.
 */
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import { isId } from '../../storage/ids.ts';
import type { UserAppPropertiesTable, UserIdentitiesTable } from '../../storage/tables.ts';
import { toIso } from '../../storage/time.ts';
import { inUnits } from '../../storage/unit-of-work.ts';
import type { LinksStore } from './links-store.ts';
import { checkRequiredText, checkToken, checkValueText } from './rules.ts';
import {
  type IdentityData,
  type IdentityView,
  LIMITS,
  type LinkIdentityInput,
  type PropertyView,
} from './schemas.ts';
import { createUserEvents, type UsersDeps } from './service-deps.ts';

export interface LinksService {
  linkIdentity(
    tenantId: string,
    userId: string,
    input: LinkIdentityInput,
    ctx: ActionContext,
  ): Promise<IdentityView>;
  unlinkIdentity(
    tenantId: string,
    userId: string,
    provider: string,
    subject: string,
    ctx: ActionContext,
  ): Promise<void>;
  listIdentities(tenantId: string, userId: string): Promise<IdentityView[]>;
  /** The id of the user linked to this provider account, or null. */
  findUserIdByIdentity(tenantId: string, provider: string, subject: string): Promise<string | null>;
  setProperty(
    tenantId: string,
    userId: string,
    app: string,
    key: string,
    value: string,
    ctx: ActionContext,
  ): Promise<PropertyView>;
  deleteProperty(
    tenantId: string,
    userId: string,
    app: string,
    key: string,
    ctx: ActionContext,
  ): Promise<void>;
  /** The user's properties, of one application or all, ordered by app and key. */
  listProperties(tenantId: string, userId: string, app?: string): Promise<PropertyView[]>;
}

function notFound(what = 'user'): never {
  throw new AppError('not_found', { detail: `no such ${what}` });
}

function checkData(data: unknown): IdentityData {
  if (data === undefined) return {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new AppError('validation_failed', { detail: 'data: must be an object' });
  }
  const entries = Object.entries(data);
  if (entries.length > LIMITS.identityDataKeys) {
    throw new AppError('validation_failed', {
      detail: `data: at most ${LIMITS.identityDataKeys} properties`,
    });
  }
  for (const [k, v] of entries) {
    const ok =
      v === null ||
      typeof v === 'boolean' ||
      (typeof v === 'number' && Number.isSafeInteger(v)) ||
      (typeof v === 'string' && v.length <= LIMITS.identityDataValue);
    if (!ok || k.length > LIMITS.key) {
      throw new AppError('validation_failed', { detail: `data.${k.slice(0, 40)}: unsupported value` });
    }
  }
  return data as IdentityData;
}

function identityView(row: UserIdentitiesTable): IdentityView {
  return {
    provider: row.provider,
    subject: row.subject,
    data: JSON.parse(row.data) as IdentityData,
    createdAt: toIso(row.created_at),
  };
}

function propertyView(row: UserAppPropertiesTable): PropertyView {
  return { app: row.app, key: row.key, value: row.value, updatedAt: toIso(row.updated_at) };
}

export function createLinksService(deps: UsersDeps & { links: LinksStore }): LinksService {
  return inUnits(deps.database, createLinks(deps), [
    'linkIdentity',
    'unlinkIdentity',
    'setProperty',
    'deleteProperty',
  ]);
}

function createLinks(deps: UsersDeps & { links: LinksStore }): LinksService {
  const { links } = deps;
  const now = deps.now ?? Date.now;
  const events = createUserEvents(deps);
  const checkUser = (userId: string) => {
    if (!isId(userId)) notFound();
  };

  return {
    async linkIdentity(tenantId, userId, input, ctx) {
      checkUser(userId);
      const row: UserIdentitiesTable = {
        tenant_id: tenantId,
        user_id: userId,
        provider: checkToken('provider', input.provider, LIMITS.provider),
        subject: checkRequiredText('subject', input.subject, LIMITS.subject),
        data: JSON.stringify(checkData(input.data)),
        created_at: now(),
      };
      if (!(await links.insertIdentity(row))) notFound();
      await events.emit('user.identity_linked', tenantId, ctx, userId, {
        provider: row.provider,
        subject: row.subject,
      });
      return identityView(row);
    },

    async unlinkIdentity(tenantId, userId, provider, subject, ctx) {
      checkUser(userId);
      if (!(await links.deleteIdentity(tenantId, userId, provider, subject))) notFound('identity');
      await events.emit('user.identity_unlinked', tenantId, ctx, userId, { provider, subject });
    },

    async listIdentities(tenantId, userId) {
      checkUser(userId);
      const rows = await links.listIdentities(tenantId, userId);
      if (rows.length === 0 && !(await links.userExists(tenantId, userId))) notFound();
      return rows.map(identityView);
    },

    async findUserIdByIdentity(tenantId, provider, subject) {
      return (await links.userIdByIdentity(tenantId, provider, subject)) ?? null;
    },

    async setProperty(tenantId, userId, app, key, value, ctx) {
      checkUser(userId);
      const row: UserAppPropertiesTable = {
        tenant_id: tenantId,
        user_id: userId,
        app: checkToken('app', app, LIMITS.app),
        key: checkToken('key', key, LIMITS.key),
        value: checkValueText('value', value, LIMITS.value),
        updated_at: now(),
      };
      if (!(await links.upsertProperty(row))) notFound();
      await events.emit('user.property_set', tenantId, ctx, userId, { app: row.app, key: row.key });
      return propertyView(row);
    },

    async deleteProperty(tenantId, userId, app, key, ctx) {
      checkUser(userId);
      if (!(await links.deleteProperty(tenantId, userId, app, key))) notFound('property');
      await events.emit('user.property_deleted', tenantId, ctx, userId, { app, key });
    },

    async listProperties(tenantId, userId, app) {
      checkUser(userId);
      const rows = await links.listProperties(tenantId, userId, app);
      if (rows.length === 0 && !(await links.userExists(tenantId, userId))) notFound();
      return rows.map(propertyView);
    },
  };
}
