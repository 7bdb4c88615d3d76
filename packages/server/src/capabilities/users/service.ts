/**
 * The rules of users, tenant-scoped: every method takes the tenant id first and never sees another
 * tenant's rows (the stores filter by it). Input from any source is checked by `rules.ts`; passwords
 * are Argon2id hashes that never leave this module; updates honour If-Match through the store's
 * version-guarded UPDATE. Every change emits one domain event naming the changed fields — never
 * their values when they are secret. External identities and per-application properties live in
 * `links-service.ts` and are merged into the one `UsersService`.
 */

import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import { isId } from '../../storage/ids.ts';
import { type ListOptions, type Page, toPage } from '../../storage/keyset.ts';
import { inUnits } from '../../storage/unit-of-work.ts';
import { type BatchCreate, type BatchOutcome, createBatchCreate } from './batch.ts';
import { createLinksService, type LinksService } from './links-service.ts';
import { createLinksStore } from './links-store.ts';
import { sortValueOf } from './list-query.ts';
import { createdFields, newUserRow, toUserView, type UserRow } from './rows.ts';
import './errors.ts';
import { checkPassword, emailKey, FIELD_OF_COLUMN, foldCase, toColumns, type UserColumns } from './rules.ts';
import type { CreateUserInput, UpdateUserInput, UserSort, UserStatus, UserView } from './schemas.ts';
import { createUserEvents, type UsersDeps } from './service-deps.ts';
import { createUsersStore, type UserFilters } from './store.ts';

export type { BatchOutcome, UsersDeps };
export type ListUsersOptions = ListOptions<UserSort> & { filters?: UserFilters };

export interface UsersService extends LinksService, BatchCreate {
  create(tenantId: string, input: CreateUserInput, ctx: ActionContext): Promise<UserView>;
  /** Throws `not_found` for an unknown or malformed id. */
  get(tenantId: string, id: string): Promise<UserView>;
  /** By exact username, ignoring case as the uniqueness rule does; throws `not_found`. */
  getByUsername(tenantId: string, username: string): Promise<UserView>;
  /** By exact email, ignoring case as the uniqueness rule does; throws `not_found`. */
  getByEmail(tenantId: string, email: string): Promise<UserView>;
  /** By username, else by email (both case-insensitive); null when neither matches. */
  findByLogin(tenantId: string, usernameOrEmail: string): Promise<UserView | null>;
  list(tenantId: string, options: ListUsersOptions): Promise<Page<UserView>>;
  update(
    tenantId: string,
    id: string,
    patch: UpdateUserInput,
    expectedVersion: number | undefined,
    ctx: ActionContext,
  ): Promise<UserView>;
  disable(
    tenantId: string,
    id: string,
    expectedVersion: number | undefined,
    ctx: ActionContext,
  ): Promise<UserView>;
  enable(
    tenantId: string,
    id: string,
    expectedVersion: number | undefined,
    ctx: ActionContext,
  ): Promise<UserView>;
  delete(
    tenantId: string,
    id: string,
    expectedVersion: number | undefined,
    ctx: ActionContext,
  ): Promise<void>;
  count(tenantId: string): Promise<number>;
  /**
   * Replaces the password (Argon2id). `inUnit` runs inside the change's unit of work with the new
   * hash (the sign-in capability records it in the password history in the same transaction).
   */
  setPassword(
    tenantId: string,
    userId: string,
    password: string,
    ctx: ActionContext,
    options?: { inUnit?: (hash: string) => Promise<void> },
  ): Promise<void>;
  /**
   * Rules another capability adds to every password set here — the admin API, the CLI, setup, and a
   * new user's first password (the sign-in capability: the tenant's password history, and the
   * expiry clock). `check` may refuse before anything is hashed; `inUnit` runs in the change's unit
   * of work with the new hash. A `setPassword` given its own `inUnit` (the sign-in capability's
   * self-service change, which applies the whole policy itself) skips them.
   */
  setPasswordRules(rules: PasswordRules): void;
  /** True when `password` is the user's current one (one Argon2 verification in every case). */
  isCurrentPassword(tenantId: string, userId: string, password: string): Promise<boolean>;
  /**
   * Like `verifyPassword`, with the reason of a refusal: `unknown` (no such login), `no_password`,
   * `wrong_password` or `inactive` (right password, disabled account; checked last, so it tells
   * nothing to someone without the password). The same cost in every case.
   */
  verifyLogin(tenantId: string, usernameOrEmail: string, password: string): Promise<LoginVerdict>;
  /**
   * The active user whose password this is, or null (unknown login, no password, wrong password, or
   * a disabled/locked account). Costs one Argon2 verification in every case; rehashes when the
   * stored hash used other parameters.
   */
  verifyPassword(tenantId: string, usernameOrEmail: string, password: string): Promise<UserView | null>;
  /** True for an active user of the tenant (cached, invalidated on every status change and delete). */
  isActive(tenantId: string, userId: string): Promise<boolean>;
  /** Stamps `lastSignInAt` (does not change the version/ETag). */
  recordSignIn(tenantId: string, userId: string, at?: number): Promise<void>;
  /**
   * The summary audit event of a bulk import (`users.imported`; each created user already has its
   * own `user.created`): `failure` when any row failed.
   */
  recordImport(tenantId: string, summary: ImportSummary, ctx: ActionContext): Promise<void>;
}

export interface PasswordRules {
  /** The tenant's password policy for a password of the user with these names (before any write). */
  policy(tenantId: string, password: string, names: readonly (string | null | undefined)[]): Promise<void>;
  /** The policy for an existing user, then no re-use of the current password or the history. */
  check(tenantId: string, userId: string, password: string): Promise<void>;
  inUnit(tenantId: string, userId: string, hash: string): Promise<void>;
}

export type LoginVerdict =
  | { ok: true; user: UserView }
  | { ok: false; reason: 'unknown' | 'no_password' | 'wrong_password' | 'inactive'; user: UserView | null };

/** What `users.imported` records. */
export interface ImportSummary {
  format: string;
  imported: number;
  failed: number;
  total: number;
  groupsCreated: number;
}

const MAX_LIST_LIMIT = 1000;
const UPDATE_ATTEMPTS = 3;

function notFound(): never {
  throw new AppError('not_found', { detail: 'no such user' });
}

function stale(): never {
  throw new AppError('precondition_failed', { detail: 'the user changed since it was read' });
}

function checkCursor(options: ListUsersOptions): void {
  const v = options.after?.value;
  if (options.after === undefined) return;
  const ok =
    options.sort === 'createdAt'
      ? typeof v === 'number'
      : options.sort === 'email'
        ? typeof v === 'string' || v === null
        : typeof v === 'string';
  if (!ok) throw new AppError('invalid_cursor', { detail: 'the cursor does not belong to this sort order' });
}

export function createUsersService(deps: UsersDeps): UsersService {
  const store = deps.store ?? createUsersStore(deps.database);
  const { passwords } = deps;
  const now = deps.now ?? Date.now;
  const events = createUserEvents(deps);
  const { database } = deps;
  const links = createLinksService({ ...deps, links: deps.links ?? createLinksStore(deps.database) });
  // tenant/user → active?, for credentials (a disabled owner's tokens stop working) and sessions
  const active = createInvalidatedCache<boolean>({
    name: 'user-status',
    feed: deps.changes,
    load: async (key) => {
      const [tenantId, userId] = key.split('/') as [string, string];
      return isId(userId) && (await store.byId(tenantId, userId))?.status === 'active';
    },
    ttlMs: 60_000,
    maxEntries: 50_000,
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
  });
  active.start();

  const confusablesRefused = deps.confusablesRefused ?? (() => true);

  /** The login's username key and email key, or null when it is no plausible login. */
  function loginKeys(login: string): { username: string; email: string | null } | null {
    const trimmed = login.trim();
    const username = foldCase(trimmed);
    if (username.length === 0 || username.length > 254) return null;
    return { username, email: trimmed.includes('@') ? emailKey(trimmed) : null };
  }

  /**
   * Inside the change's unit, when look-alikes are refused (the answer: whether they are): takes the
   * lock of the username's confusable skeleton (PostgreSQL advisory lock; SQLite's write lock), which
   * serialises two concurrent look-alikes so they cannot both pass the check that follows.
   */
  async function lockLookAlikes(tenantId: string, columns: UserColumns): Promise<boolean> {
    const skeleton = columns.username_skeleton;
    if (!skeleton || !confusablesRefused()) return false;
    await database.db
      .transaction()
      .execute((trx) => database.dialect.lockInTransaction(trx, `users:${tenantId}:${skeleton}`));
    return true;
  }

  const confusable = () =>
    new AppError('username_confusable', {
      detail: 'username: looks like the username of another user of this tenant',
    });

  /** Inside the change's unit: refuses a username whose skeleton another user of the tenant has. */
  async function refuseLookAlike(tenantId: string, columns: UserColumns, exceptId: string | null) {
    if (!(await lockLookAlikes(tenantId, columns))) return;
    // the same name is a plain conflict (the unique index says so); a different look-alike is refused
    const others = await store.lookAlikes(tenantId, columns.username_skeleton!, exceptId);
    if (others.some((other) => other !== columns.username_lower)) throw confusable();
  }

  async function mustGet(tenantId: string, id: string): Promise<UserRow> {
    if (!isId(id)) notFound();
    return (await store.byId(tenantId, id)) ?? notFound();
  }

  /** Applies the columns that differ from the stored row, guarded by version; retries lost races. */
  async function change(
    tenantId: string,
    id: string,
    set: UserColumns,
    expected: number | undefined,
    ctx: ActionContext,
    eventType: (fields: string[]) => string,
  ): Promise<UserView> {
    for (let attempt = 1; ; attempt++) {
      const row = await mustGet(tenantId, id);
      if (expected !== undefined && row.version !== expected) stale();
      const diff: UserColumns = {};
      const fields = new Set<string>();
      for (const [column, value] of Object.entries(set) as [keyof UserColumns, unknown][]) {
        if (row[column] === value) continue;
        (diff as Record<string, unknown>)[column] = value;
        fields.add(FIELD_OF_COLUMN[column]);
      }
      if (fields.size === 0) return toUserView(row);
      if (diff.username_skeleton) await refuseLookAlike(tenantId, { ...row, ...diff }, id);
      const updated = await store.update(tenantId, id, diff, row.version, now());
      if (updated) {
        if (diff.status !== undefined) await active.invalidate(`${tenantId}/${id}`);
        await events.emit(eventType([...fields]), tenantId, ctx, id, { fields: [...fields] });
        return toUserView(updated);
      }
      // Someone else changed or deleted the row between our read and our guarded UPDATE.
      if (expected !== undefined || attempt >= UPDATE_ATTEMPTS) {
        if ((await store.byId(tenantId, id)) === undefined) notFound();
        stale();
      }
    }
  }

  const setStatus =
    (status: UserStatus, type: string) =>
    (tenantId: string, id: string, expected: number | undefined, ctx: ActionContext) =>
      change(tenantId, id, { status }, expected, ctx, () => type);

  let rules: PasswordRules | undefined;

  const service: UsersService = {
    ...links,

    async create(tenantId, input, ctx) {
      if (input.password !== undefined) {
        checkPassword(input.password);
        await rules?.policy(tenantId, input.password, [input.username, input.email, input.name]);
      }
      const hash = input.password === undefined ? null : await passwords.hash(input.password);
      const row = newUserRow(tenantId, input, hash, now());
      await database.write(async () => {
        // the look-alike check travels with the insert (a refusal rolls it back)
        if (await lockLookAlikes(tenantId, row)) {
          if ((await store.insertCountingLookAlikes(row)) > 0) throw confusable();
        } else await store.insert(row);
        if (hash !== null) await rules?.inUnit(tenantId, row.id, hash);
        await events.emit('user.created', tenantId, ctx, row.id, {
          username: row.username,
          fields: createdFields(row),
        });
      });
      return toUserView(row);
    },

    get: async (tenantId, id) => toUserView(await mustGet(tenantId, id)),

    async getByUsername(tenantId, username) {
      const row = await store.byUnique(tenantId, 'username_lower', foldCase(username.trim()));
      if (!row) throw new AppError('not_found', { detail: 'no user with this username in this tenant' });
      return toUserView(row);
    },

    async getByEmail(tenantId, email) {
      const key = emailKey(email.trim());
      const row = key === null ? undefined : await store.byUnique(tenantId, 'email_lower', key);
      if (!row) throw new AppError('not_found', { detail: 'no user with this email in this tenant' });
      return toUserView(row);
    },

    async findByLogin(tenantId, login) {
      const keys = loginKeys(login);
      if (keys === null) return null;
      const row = await store.byLogin(tenantId, keys);
      if (!row) return null;
      const { password_hash: _, ...rest } = row;
      return toUserView(rest);
    },

    async list(tenantId, options) {
      checkCursor(options);
      const limit = Math.min(Math.max(1, Math.trunc(options.limit)), MAX_LIST_LIMIT);
      const opts = { ...options, limit };
      const rows = await store.list(tenantId, opts, options.filters ?? {});
      return toPage(rows, opts, (r) => sortValueOf(options.sort, r), toUserView);
    },

    update: async (tenantId, id, patch, expected, ctx) =>
      change(tenantId, id, toColumns(patch), expected, ctx, (fields) =>
        fields.length === 1 && fields[0] === 'status' ? `user.${statusVerb(patch.status)}` : 'user.updated',
      ),

    disable: setStatus('disabled', 'user.disabled'),
    enable: setStatus('active', 'user.enabled'),

    async delete(tenantId, id, expected, ctx) {
      const row = await mustGet(tenantId, id);
      if (expected !== undefined && row.version !== expected) stale();
      if (!(await store.delete(tenantId, id, expected))) {
        if (expected !== undefined && (await store.byId(tenantId, id))) stale();
        notFound();
      }
      await active.invalidate(`${tenantId}/${id}`);
      await events.emit('user.deleted', tenantId, ctx, id, { username: row.username });
    },

    count: (tenantId) => store.count(tenantId),

    async setPassword(tenantId, userId, password, ctx, options) {
      if (!isId(userId)) notFound();
      const checked = checkPassword(password);
      const own = options?.inUnit;
      if (!own && rules) {
        if (!(await store.byId(tenantId, userId))) notFound();
        await rules.check(tenantId, userId, checked);
      }
      const hash = await passwords.hash(checked);
      await database.write(async () => {
        const row = await store.setPasswordHash(tenantId, userId, hash, now());
        if (!row) notFound();
        if (own) await own(hash);
        else await rules?.inUnit(tenantId, userId, hash);
        await events.emit('user.password_set', tenantId, ctx, userId, { fields: ['password'] });
      });
    },

    setPasswordRules(r) {
      rules = r;
    },

    async isCurrentPassword(tenantId, userId, password) {
      const hash = isId(userId) ? await store.passwordHashOf(tenantId, userId) : undefined;
      const candidate = password.slice(0, 1024);
      if (!hash || candidate !== password) {
        await passwords.verifyAgainstDummy(candidate);
        return false;
      }
      return (await passwords.verify(hash, password)).ok;
    },

    async verifyLogin(tenantId, login, password) {
      const keys = loginKeys(login);
      const row = keys === null ? undefined : await store.byLogin(tenantId, keys);
      const candidate = password.slice(0, 1024);
      const view = row ? toUserView((({ password_hash: _, ...rest }) => rest)(row)) : null;
      if (!row?.password_hash || candidate !== password) {
        await passwords.verifyAgainstDummy(candidate);
        return {
          ok: false,
          reason: !row ? 'unknown' : row.password_hash ? 'wrong_password' : 'no_password',
          user: view,
        };
      }
      const { ok, needsRehash } = await passwords.verify(row.password_hash, password);
      if (!ok) return { ok: false, reason: 'wrong_password', user: view };
      if (needsRehash) {
        await store.replacePasswordHash(tenantId, row.id, row.password_hash, await passwords.hash(password));
      }
      if (row.status !== 'active' || !view) return { ok: false, reason: 'inactive', user: view };
      return { ok: true, user: view };
    },

    async verifyPassword(tenantId, login, password) {
      const verdict = await service.verifyLogin(tenantId, login, password);
      return verdict.ok ? verdict.user : null;
    },

    isActive: (tenantId, userId) => active.get(`${tenantId}/${userId}`),

    async recordSignIn(tenantId, userId, at) {
      if (!isId(userId) || !(await store.recordSignIn(tenantId, userId, at ?? now()))) notFound();
    },

    async recordImport(tenantId, summary, ctx) {
      const tenant = await deps.slugOf(tenantId).catch(() => tenantId);
      deps.bus.emit({
        type: 'users.imported',
        tenant,
        actor: ctx.actor,
        target: null,
        result: summary.failed === 0 ? 'success' : 'failure',
        requestId: ctx.requestId ?? null,
        data: { ...summary },
      });
    },

    ...createBatchCreate({ store, events, now, database, confusablesRefused }),
  };
  return inUnits(database, service, ['update', 'disable', 'enable', 'delete']);
}

function statusVerb(status: UserStatus | undefined): string {
  if (status === 'disabled') return 'disabled';
  if (status === 'active') return 'enabled';
  return 'updated';
}
