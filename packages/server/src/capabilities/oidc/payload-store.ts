/**
 * The oidc_payloads rows behind the adapter (migration 0030). Every query filters the tenant, so
 * one tenant's artefacts are invisible to another's Provider. `consume` is one guarded UPDATE (only an
 * unconsumed row changes), so two concurrent redemptions of one code cannot both succeed; `sweep`
 * deletes expired rows in bounded batches.
 */
import type { Database } from '../../storage/database.ts';
import type { OidcPayloadsTable } from '../../storage/tables.ts';

export type PayloadRow = OidcPayloadsTable;

export interface PayloadStore {
  upsert(row: PayloadRow): Promise<void>;
  find(tenantId: string, model: string, idDigest: string): Promise<PayloadRow | undefined>;
  findBy(
    tenantId: string,
    model: string,
    column: 'uid' | 'user_code',
    value: string,
  ): Promise<PayloadRow | undefined>;
  /** Marks the row consumed; false when it was consumed already (or is gone). */
  consume(tenantId: string, model: string, idDigest: string, now: number): Promise<boolean>;
  destroy(tenantId: string, model: string, idDigest: string): Promise<void>;
  revokeByGrantId(tenantId: string, grantId: string): Promise<void>;
  /** Deletes up to `limit` rows that expired before `now`; the number deleted. */
  sweep(now: number, limit: number): Promise<number>;
}

export function createPayloadStore(database: Database): PayloadStore {
  const { db } = database;
  return {
    async upsert(row) {
      await db
        .insertInto('oidc_payloads')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'model', 'id_digest']).doUpdateSet({
            payload: row.payload,
            grant_id: row.grant_id,
            uid: row.uid,
            user_code: row.user_code,
            expires_at: row.expires_at,
          }),
        )
        .execute();
    },
    find: (tenantId, model, idDigest) =>
      db
        .selectFrom('oidc_payloads')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('model', '=', model)
        .where('id_digest', '=', idDigest)
        .executeTakeFirst(),
    findBy: (tenantId, model, column, value) =>
      db
        .selectFrom('oidc_payloads')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('model', '=', model)
        .where(column, '=', value)
        .executeTakeFirst(),
    async consume(tenantId, model, idDigest, now) {
      const r = await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: now })
        .where('tenant_id', '=', tenantId)
        .where('model', '=', model)
        .where('id_digest', '=', idDigest)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async destroy(tenantId, model, idDigest) {
      await db
        .deleteFrom('oidc_payloads')
        .where('tenant_id', '=', tenantId)
        .where('model', '=', model)
        .where('id_digest', '=', idDigest)
        .execute();
    },
    async revokeByGrantId(tenantId, grantId) {
      await db
        .deleteFrom('oidc_payloads')
        .where('tenant_id', '=', tenantId)
        .where('grant_id', '=', grantId)
        .execute();
    },
    async sweep(now, limit) {
      // digests are SHA-256 values, so the batch can be named by digest alone
      const batch = db
        .selectFrom('oidc_payloads')
        .select('id_digest')
        .where('expires_at', '<', now)
        .limit(limit);
      const r = await db
        .deleteFrom('oidc_payloads')
        .where('expires_at', '<', now)
        .where('id_digest', 'in', batch)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
