/**
 * Credential rows: every kind of secret token (admin API, personal, service, enrollment, SCIM,
 * setup), found by the SHA-256 digest of the presented secret — the secret itself is never stored.
 * Single-use credentials are consumed with one guarded statement, never read-then-write.
 */

import type { Database } from '../../storage/database.ts';
import { keysetPage, type ListOptions } from '../../storage/keyset.ts';
import type { CredentialsTable } from '../../storage/tables.ts';

export type CredentialRow = CredentialsTable;

export interface CredentialStore {
  insert(row: CredentialRow): Promise<void>;
  /**
   * Inserts `row` and revokes every other live credential of its kind in its scope, in one
   * transaction under a lock every instance takes, so exactly one stays live however many are issued
   * at once (setup links). Returns how many were revoked.
   */
  insertSuperseding(row: CredentialRow): Promise<number>;
  byDigest(digest: string): Promise<CredentialRow | undefined>;
  byId(id: string): Promise<CredentialRow | undefined>;
  /** Lists credentials of one tenant scope (`null` = all-tenant credentials). */
  list(
    tenantId: string | null,
    kinds: readonly string[],
    options: ListOptions<'createdAt'>,
  ): Promise<CredentialRow[]>;
  /** Every credential of one owner (a client's secrets, a user's tokens), newest first. */
  listByOwner(ownerType: string, ownerId: string, kinds: readonly string[]): Promise<CredentialRow[]>;
  /** Revokes every live credential of one owner; returns the rows this call revoked. */
  revokeByOwner(ownerType: string, ownerId: string, now: number): Promise<CredentialRow[]>;
  /** Marks revoked; returns the row if this call revoked it. */
  revoke(id: string, tenantId: string | null, now: number): Promise<CredentialRow | undefined>;
  /** Revokes every live credential of a kind in a scope (e.g. superseded setup links). */
  revokeKind(kind: string, tenantId: string | null, now: number): Promise<number>;
  /** Consumes a single-use credential: revokes it only if it is live and unexpired. */
  consume(digest: string, kind: string, now: number): Promise<CredentialRow | undefined>;
  /** Undoes `consume` when the work it guarded failed (only if nothing else touched it since). */
  release(id: string, consumedAt: number): Promise<boolean>;
  /** Records the use of several credentials at `now` (one statement; see last-used.ts). */
  touchMany(ids: readonly string[], now: number): Promise<void>;
  countKind(kind: string): Promise<number>;
  /** How many credentials of a kind each tenant holds (tenant-scoped ones only). */
  countByTenant(kind: string): Promise<{ tenantId: string; count: number }[]>;
}

export function createCredentialStore(database: Database): CredentialStore {
  const { db, dialect } = database;
  // `is null` for all-tenant credentials, `= id` for one tenant's
  const op = (tenantId: string | null) => (tenantId === null ? ('is' as const) : ('=' as const));

  return {
    async insert(row) {
      await db.insertInto('credentials').values(row).execute();
    },
    insertSuperseding: (row) =>
      db.transaction().execute(async (trx) => {
        await dialect.lockInTransaction(trx, `credentials:supersede:${row.kind}:${row.tenant_id ?? '*'}`);
        const revoked = await trx
          .updateTable('credentials')
          .set({ revoked_at: row.created_at })
          .where('kind', '=', row.kind)
          .where('revoked_at', 'is', null)
          .where('tenant_id', op(row.tenant_id), row.tenant_id)
          .executeTakeFirst();
        await trx.insertInto('credentials').values(row).execute();
        return Number(revoked.numUpdatedRows);
      }),
    byDigest: (digest) =>
      db.selectFrom('credentials').selectAll().where('digest', '=', digest).executeTakeFirst(),
    byId: (id) => db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst(),
    async list(tenantId, kinds, options) {
      const q = db
        .selectFrom('credentials')
        .selectAll()
        .where('kind', 'in', [...kinds])
        .where('tenant_id', op(tenantId), tenantId);
      return keysetPage(q, 'created_at', options).execute();
    },
    listByOwner: (ownerType, ownerId, kinds) =>
      db
        .selectFrom('credentials')
        .selectAll()
        .where('owner_type', '=', ownerType as CredentialRow['owner_type'])
        .where('owner_id', '=', ownerId)
        .where('kind', 'in', [...kinds])
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1000)
        .execute(),
    revokeByOwner: (ownerType, ownerId, now) =>
      db
        .updateTable('credentials')
        .set({ revoked_at: now })
        .where('owner_type', '=', ownerType as CredentialRow['owner_type'])
        .where('owner_id', '=', ownerId)
        .where('revoked_at', 'is', null)
        .returningAll()
        .execute(),
    async revoke(id, tenantId, now) {
      const rows = await db
        .updateTable('credentials')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .where('tenant_id', op(tenantId), tenantId)
        .returningAll()
        .execute();
      return rows[0];
    },
    async revokeKind(kind, tenantId, now) {
      const r = await db
        .updateTable('credentials')
        .set({ revoked_at: now })
        .where('kind', '=', kind)
        .where('revoked_at', 'is', null)
        .where('tenant_id', op(tenantId), tenantId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async consume(digest, kind, now) {
      const rows = await db
        .updateTable('credentials')
        .set({ revoked_at: now, last_used_at: now })
        .where('digest', '=', digest)
        .where('kind', '=', kind)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .returningAll()
        .execute();
      return rows[0];
    },
    async release(id, consumedAt) {
      const r = await db
        .updateTable('credentials')
        .set({ revoked_at: null })
        .where('id', '=', id)
        .where('revoked_at', '=', consumedAt)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async touchMany(ids, now) {
      if (ids.length === 0) return;
      await db
        .updateTable('credentials')
        .set({ last_used_at: now })
        .where('id', 'in', [...ids])
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', now)]))
        .execute();
    },
    async countKind(kind) {
      const r = await db
        .selectFrom('credentials')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('kind', '=', kind)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async countByTenant(kind) {
      const rows = await db
        .selectFrom('credentials')
        .select((eb) => ['tenant_id', eb.fn.countAll<number>().as('n')])
        .where('kind', '=', kind)
        .where('tenant_id', 'is not', null)
        .groupBy('tenant_id')
        .execute();
      return rows.map((r) => ({ tenantId: r.tenant_id as string, count: Number(r.n) }));
    },
  };
}
