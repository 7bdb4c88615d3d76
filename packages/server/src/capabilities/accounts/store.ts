/**
 * Rows of the accounts capability: sessions (looked up by the digest of the browser's id), account
 * state (failed attempts, lockout, forced change — each counter one guarded statement), password
 * history and the tenant's sign-in settings. Every query filters `tenant_id`.
 */
import { sql } from 'kysely';
import type { Database } from '../../storage/database.ts';
import { incrementOne } from '../../storage/primitives.ts';
import type { AccountStatesTable, BrandingLogosTable, SessionsTable } from '../../storage/tables.ts';

export type SessionRow = SessionsTable;
export type AccountStateRow = AccountStatesTable;
export type LogoRow = BrandingLogosTable;
export type LogoMeta = Omit<LogoRow, 'data'>;

export interface AccountsStore {
  insertSession(row: SessionRow): Promise<void>;
  sessionByDigest(digest: string): Promise<SessionRow | undefined>;
  sessionById(tenantId: string, id: string): Promise<SessionRow | undefined>;
  /** A user's live sessions, oldest first. */
  sessionsOfUser(tenantId: string, userId: string, now: number): Promise<SessionRow[]>;
  /** A tenant's live sessions, newest first, at most `limit`. */
  sessionsOfTenant(tenantId: string, now: number, limit: number): Promise<SessionRow[]>;
  /** Deletes the named sessions; returns the digests deleted. */
  deleteSessions(tenantId: string, ids: readonly string[]): Promise<string[]>;
  deleteUserSessions(tenantId: string, userId: string, exceptId?: string): Promise<string[]>;
  deleteTenantSessions(tenantId: string): Promise<number>;
  deleteExpired(tenantId: string, userId: string, now: number): Promise<void>;
  touchSession(digest: string, at: number): Promise<void>;

  accountState(tenantId: string, userId: string): Promise<AccountStateRow | undefined>;
  /** Adds one failed attempt (creating the row) and returns the new count. */
  addFailure(tenantId: string, userId: string, now: number): Promise<number>;
  lock(tenantId: string, userId: string, until: number, now: number): Promise<void>;
  /** Forgets failed attempts and any lock. */
  clearFailures(tenantId: string, userId: string, now: number): Promise<void>;
  setMustChange(tenantId: string, userId: string, value: boolean, now: number): Promise<void>;
  passwordChanged(tenantId: string, userId: string, now: number): Promise<void>;
  /** Starts the expiry clock of a password set by an administrator (a required change stays). */
  passwordSet(tenantId: string, userId: string, now: number): Promise<void>;

  /** The last `limit` password hashes, newest first. */
  passwordHistory(tenantId: string, userId: string, limit: number): Promise<string[]>;
  /** Records a hash and keeps only the newest `keep`. */
  addPasswordHistory(
    row: { id: string; tenant_id: string; user_id: string; hash: string; created_at: number },
    keep: number,
  ): Promise<void>;

  settings(tenantId: string): Promise<{ settings: string; version: number } | undefined>;
  /** Inserts (expected undefined, no row) or replaces guarded by version; false when the guard failed. */
  putSettings(
    tenantId: string,
    settings: string,
    expected: number | undefined,
    now: number,
  ): Promise<number | null>;

  /** The tenant's uploaded logo without its bytes. */
  logoMeta(tenantId: string): Promise<LogoMeta | undefined>;
  /** The logo's bytes (base64) when its digest is `digest`. */
  logoData(tenantId: string, digest: string): Promise<{ content_type: string; data: string } | undefined>;
  putLogo(row: LogoRow): Promise<void>;
  /** True when there was one. */
  deleteLogo(tenantId: string): Promise<boolean>;
}

export function createAccountsStore(database: Database): AccountsStore {
  const { db } = database;
  const live = (now: number) => (q: ReturnType<typeof sessions>) => q.where('expires_at', '>', now);
  const sessions = () => db.selectFrom('sessions').selectAll();

  async function ensureState(tenantId: string, userId: string, now: number): Promise<void> {
    await db
      .insertInto('account_states')
      .values({
        tenant_id: tenantId,
        user_id: userId,
        failed_count: 0,
        must_change_password: 0,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing())
      .execute();
  }

  return {
    async insertSession(row) {
      await db.insertInto('sessions').values(row).execute();
    },
    sessionByDigest: (digest) => sessions().where('digest', '=', digest).executeTakeFirst(),
    sessionById: (tenantId, id) =>
      sessions().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst(),
    sessionsOfUser: (tenantId, userId, now) =>
      live(now)(sessions().where('tenant_id', '=', tenantId).where('user_id', '=', userId))
        .orderBy('created_at', 'asc')
        .orderBy('id', 'asc')
        .execute(),
    sessionsOfTenant: (tenantId, now, limit) =>
      live(now)(sessions().where('tenant_id', '=', tenantId))
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute(),
    async deleteSessions(tenantId, ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .deleteFrom('sessions')
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', [...ids])
        .returning('digest')
        .execute();
      return rows.map((r) => r.digest);
    },
    async deleteUserSessions(tenantId, userId, exceptId) {
      let q = db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('user_id', '=', userId);
      if (exceptId) q = q.where('id', '<>', exceptId);
      return (await q.returning('digest').execute()).map((r) => r.digest);
    },
    async deleteTenantSessions(tenantId) {
      const r = await db.deleteFrom('sessions').where('tenant_id', '=', tenantId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async deleteExpired(tenantId, userId, now) {
      await db
        .deleteFrom('sessions')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('expires_at', '<=', now)
        .execute();
    },
    async touchSession(digest, at) {
      await db
        .updateTable('sessions')
        .set({ last_seen_at: at })
        .where('digest', '=', digest)
        .where('last_seen_at', '<', at)
        .execute();
    },

    accountState: (tenantId, userId) =>
      db
        .selectFrom('account_states')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .executeTakeFirst(),
    async addFailure(tenantId, userId, now) {
      await ensureState(tenantId, userId, now);
      const count = await incrementOne(
        db,
        'account_states',
        'failed_count',
        { tenant_id: tenantId, user_id: userId },
        { set: { updated_at: now } },
      );
      return count ?? 1;
    },
    async lock(tenantId, userId, until, now) {
      await db
        .updateTable('account_states')
        .set({ locked_until: until, failed_count: 0, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
    },
    async clearFailures(tenantId, userId, now) {
      await db
        .updateTable('account_states')
        .set({ failed_count: 0, locked_until: null, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('failed_count', '>', 0), eb('locked_until', 'is not', null)]))
        .execute();
    },
    async setMustChange(tenantId, userId, value, now) {
      await ensureState(tenantId, userId, now);
      await db
        .updateTable('account_states')
        .set({ must_change_password: value ? 1 : 0, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
    },
    async passwordChanged(tenantId, userId, now) {
      await ensureState(tenantId, userId, now);
      await db
        .updateTable('account_states')
        .set({ must_change_password: 0, password_changed_at: now, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
    },

    async passwordSet(tenantId, userId, now) {
      await ensureState(tenantId, userId, now);
      await db
        .updateTable('account_states')
        .set({ password_changed_at: now, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
    },

    async passwordHistory(tenantId, userId, limit) {
      if (limit <= 0) return [];
      const rows = await db
        .selectFrom('password_history')
        .select('hash')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => r.hash);
    },
    async addPasswordHistory(row, keep) {
      await db.insertInto('password_history').values(row).execute();
      const kept = db
        .selectFrom('password_history')
        .select('id')
        .where('tenant_id', '=', row.tenant_id)
        .where('user_id', '=', row.user_id)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.max(keep, 1));
      await db
        .deleteFrom('password_history')
        .where('tenant_id', '=', row.tenant_id)
        .where('user_id', '=', row.user_id)
        .where('id', 'not in', kept)
        .execute();
    },

    settings: (tenantId) =>
      db
        .selectFrom('account_settings')
        .select(['settings', 'version'])
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst(),
    async putSettings(tenantId, settings, expected, now) {
      const current = await db
        .selectFrom('account_settings')
        .select('version')
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      if (!current) {
        if (expected !== undefined && expected !== 0) return null;
        await db
          .insertInto('account_settings')
          .values({ tenant_id: tenantId, settings, updated_at: now, version: 1 })
          .execute();
        return 1;
      }
      const version = expected ?? current.version;
      const r = await db
        .updateTable('account_settings')
        .set({ settings, updated_at: now, version: sql<number>`version + 1` })
        .where('tenant_id', '=', tenantId)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1 ? version + 1 : null;
    },

    logoMeta: (tenantId) =>
      db
        .selectFrom('branding_logos')
        .select(['tenant_id', 'content_type', 'digest', 'size', 'width', 'height', 'updated_at'])
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst(),
    logoData: (tenantId, digest) =>
      db
        .selectFrom('branding_logos')
        .select(['content_type', 'data'])
        .where('tenant_id', '=', tenantId)
        .where('digest', '=', digest)
        .executeTakeFirst(),
    async putLogo(row) {
      await db
        .insertInto('branding_logos')
        .values(row)
        .onConflict((oc) =>
          oc.column('tenant_id').doUpdateSet({
            content_type: row.content_type,
            data: row.data,
            digest: row.digest,
            size: row.size,
            width: row.width,
            height: row.height,
            updated_at: row.updated_at,
          }),
        )
        .execute();
    },
    async deleteLogo(tenantId) {
      const r = await db.deleteFrom('branding_logos').where('tenant_id', '=', tenantId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
