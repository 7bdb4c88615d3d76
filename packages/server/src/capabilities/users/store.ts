/**
 * User rows. Every statement filters by `tenant_id` — tenant isolation is enforced here, not hoped
 * for above. Case-insensitive uniqueness lives in the `username_lower` / `email_lower` unique indexes,
 * so a duplicate is a unique violation, mapped to `conflict`. Updates and deletes are guarded by
 * `version` in the statement itself (RFC 9110 §13.1.1), never read-then-compare. The password hash is
 * read only by `byLogin`, for verification; no other read returns it.
 */
import type { Kysely, Transaction } from 'kysely';
import { AppError } from '../../errors/app-error.ts';
import type { Database } from '../../storage/database.ts';
import type { ListOptions } from '../../storage/keyset.ts';
import type { Tables, UsersTable } from '../../storage/tables.ts';
import { listUserRows, type UserFilters } from './list-query.ts';
import { USER_COLUMNS, type UserRow } from './rows.ts';
import type { UserColumns } from './rules.ts';
import type { UserSort } from './schemas.ts';

export type { UserFilters, UserRow };
export type UserRowWithHash = UsersTable;

export interface UsersStore {
  /** Inserts one user; a duplicate username or email (case-insensitive) is `conflict`. */
  insert(row: UsersTable): Promise<void>;
  /**
   * Inserts one user as `insert` does and answers, in the same statement, how many other users of
   * the tenant have its username skeleton under another username (0 when it has none): the
   * look-alike check costs no round trip of its own. The caller holds the skeleton's lock and
   * refuses (rolling the insert back) when the answer is not 0.
   */
  insertCountingLookAlikes(row: UsersTable): Promise<number>;
  /** Inserts users in one transaction, all or nothing; any duplicate is `conflict`. */
  insertMany(rows: readonly UsersTable[]): Promise<void>;
  byId(tenantId: string, id: string): Promise<UserRow | undefined>;
  /** By one unique key column (`username_lower` or `email_lower`, see rules.ts), without the password hash. */
  byUnique(
    tenantId: string,
    column: 'username_lower' | 'email_lower',
    key: string,
  ): Promise<UserRow | undefined>;
  /**
   * By username key first, then email key (`rules.ts` usernameKey / emailKey); includes the password
   * hash.
   */
  byLogin(
    tenantId: string,
    keys: { username: string; email: string | null },
  ): Promise<UserRowWithHash | undefined>;
  /** Which of these username keys, email keys and username skeletons already exist in the tenant. */
  existing(
    tenantId: string,
    usernames: readonly string[],
    emails: readonly string[],
    skeletons?: readonly string[],
  ): Promise<{ usernames: Set<string>; emails: Set<string>; skeletons: Set<string> }>;
  /** The username keys of (up to two) other users of the tenant with this confusable skeleton. */
  lookAlikes(tenantId: string, skeleton: string, exceptId: string | null): Promise<string[]>;
  /** Up to `limit + 1` rows after the cursor (the extra row tells that another page exists). */
  list(tenantId: string, options: ListOptions<UserSort>, filters: UserFilters): Promise<UserRow[]>;
  /**
   * Applies `set` when the row still has `version`, bumping version and updated_at. Undefined when
   * the row is gone or its version moved on (the caller tells which with `byId`).
   */
  update(
    tenantId: string,
    id: string,
    set: UserColumns,
    version: number,
    now: number,
  ): Promise<UserRow | undefined>;
  /** Deletes the user (and, by cascade, its identities, properties and memberships). */
  delete(tenantId: string, id: string, version: number | undefined): Promise<boolean>;
  /** Replaces the password hash, bumping version; undefined when the user does not exist. */
  setPasswordHash(tenantId: string, id: string, hash: string, now: number): Promise<UserRow | undefined>;
  /** The stored password hash of a user (null without one), or undefined when there is no such user. */
  passwordHashOf(tenantId: string, id: string): Promise<string | null | undefined>;
  /** Swaps in a rehash only while the old hash is still stored (a concurrent change wins). */
  replacePasswordHash(tenantId: string, id: string, oldHash: string, newHash: string): Promise<boolean>;
  recordSignIn(tenantId: string, id: string, at: number): Promise<boolean>;
  count(tenantId: string): Promise<number>;
}

/** Rows per INSERT statement inside `insertMany` (18 columns × 100 stays far below bind limits). */
const INSERT_CHUNK = 100;

/** Maps a unique violation on the users indexes to `conflict`, naming the field; rethrows others. */
function mapUniqueViolation(database: Database, err: unknown): never {
  if (!database.dialect.isUniqueViolation(err)) throw err;
  const e = err as { constraint?: unknown; message?: unknown };
  const where = `${typeof e.constraint === 'string' ? e.constraint : ''} ${String(e.message ?? '')}`;
  const field = /email/.test(where) ? 'email' : 'username';
  throw new AppError('conflict', { detail: `a user with this ${field} already exists (case-insensitive)` });
}

export function createUsersStore(database: Database): UsersStore {
  const { db } = database;

  async function insertRows(x: Kysely<Tables> | Transaction<Tables>, rows: readonly UsersTable[]) {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await x
        .insertInto('users')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
    }
  }

  async function insert(row: UsersTable): Promise<void> {
    await db
      .insertInto('users')
      .values(row)
      .execute()
      .catch((err: unknown) => mapUniqueViolation(database, err));
  }

  return {
    insert,

    async insertCountingLookAlikes(row) {
      const skeleton = row.username_skeleton;
      if (!skeleton) {
        await insert(row);
        return 0;
      }
      // the subquery reads the statement's snapshot, taken after the caller's lock: every committed
      // look-alike is seen; the new row itself is left out by its id, whatever a dialect shows of it
      const inserted = await db
        .insertInto('users')
        .values(row)
        .returning((eb) =>
          eb
            .selectFrom('users as other')
            .select((o) => o.fn.countAll<number>().as('n'))
            .where('other.tenant_id', '=', row.tenant_id)
            .where('other.username_skeleton', '=', skeleton)
            .where('other.username_lower', '!=', row.username_lower)
            .where('other.id', '!=', row.id)
            .as('look_alikes'),
        )
        .executeTakeFirstOrThrow()
        .catch((err: unknown) => mapUniqueViolation(database, err));
      return Number(inserted.look_alikes ?? 0);
    },

    async insertMany(rows) {
      if (rows.length === 0) return;
      await db
        .transaction()
        .execute((trx) => insertRows(trx, rows))
        .catch((err: unknown) => mapUniqueViolation(database, err));
    },

    byId: (tenantId, id) =>
      db
        .selectFrom('users')
        .select(USER_COLUMNS)
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),

    async passwordHashOf(tenantId, id) {
      const row = await db
        .selectFrom('users')
        .select('password_hash')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? undefined : row.password_hash;
    },

    byUnique: (tenantId, column, folded) =>
      db
        .selectFrom('users')
        .select(USER_COLUMNS)
        .where('tenant_id', '=', tenantId)
        .where(column, '=', folded)
        .executeTakeFirst(),

    async byLogin(tenantId, keys) {
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where((eb) =>
          eb.or([
            eb('username_lower', '=', keys.username),
            ...(keys.email === null ? [] : [eb('email_lower', '=', keys.email)]),
          ]),
        )
        .limit(2)
        .execute();
      return rows.find((r) => r.username_lower === keys.username) ?? rows[0];
    },

    async lookAlikes(tenantId, skeleton, exceptId) {
      let q = db
        .selectFrom('users')
        .select('username_lower')
        .where('tenant_id', '=', tenantId)
        .where('username_skeleton', '=', skeleton);
      if (exceptId !== null) q = q.where('id', '!=', exceptId);
      return (await q.limit(2).execute()).map((r) => r.username_lower);
    },

    async existing(tenantId, usernames, emails, skeletons = []) {
      const found = {
        usernames: new Set<string>(),
        emails: new Set<string>(),
        skeletons: new Set<string>(),
      };
      if (skeletons.length > 0) {
        const rows = await db
          .selectFrom('users')
          .select('username_skeleton')
          .where('tenant_id', '=', tenantId)
          .where('username_skeleton', 'in', [...skeletons])
          .execute();
        for (const r of rows) if (r.username_skeleton !== null) found.skeletons.add(r.username_skeleton);
      }
      if (usernames.length > 0) {
        const rows = await db
          .selectFrom('users')
          .select('username_lower')
          .where('tenant_id', '=', tenantId)
          .where('username_lower', 'in', [...usernames])
          .execute();
        for (const r of rows) found.usernames.add(r.username_lower);
      }
      if (emails.length > 0) {
        const rows = await db
          .selectFrom('users')
          .select('email_lower')
          .where('tenant_id', '=', tenantId)
          .where('email_lower', 'in', [...emails])
          .execute();
        for (const r of rows) if (r.email_lower !== null) found.emails.add(r.email_lower);
      }
      return found;
    },

    list: (tenantId, options, filters) => listUserRows(db, tenantId, options, filters),

    async update(tenantId, id, set, version, now) {
      const row = await db
        .updateTable('users')
        .set({ ...set, updated_at: now, version: version + 1 })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('version', '=', version)
        .returning(USER_COLUMNS)
        .executeTakeFirst()
        .catch((err: unknown) => mapUniqueViolation(database, err));
      return row;
    },

    async delete(tenantId, id, version) {
      let q = db.deleteFrom('users').where('tenant_id', '=', tenantId).where('id', '=', id);
      if (version !== undefined) q = q.where('version', '=', version);
      const r = await q.executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    setPasswordHash: (tenantId, id, hash, now) =>
      db
        .updateTable('users')
        .set((eb) => ({ password_hash: hash, updated_at: now, version: eb('version', '+', 1) }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returning(USER_COLUMNS)
        .executeTakeFirst(),

    async replacePasswordHash(tenantId, id, oldHash, newHash) {
      const r = await db
        .updateTable('users')
        .set({ password_hash: newHash })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('password_hash', '=', oldHash)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async recordSignIn(tenantId, id, at) {
      const r = await db
        .updateTable('users')
        .set({ last_sign_in_at: at })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async count(tenantId) {
      const r = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
