/**
 * The oidc_payloads rows behind the adapter (migration 0030). Every query filters the tenant, so
 * one tenant's artefacts are invisible to another's Provider. `consume` is one guarded UPDATE (only an
 * unconsumed row changes), so two concurrent redemptions of one code cannot both succeed; `sweep`
 * deletes expired rows in bounded batches.
 *
 * The hot queries (find, findMany, upsert, consume) are compiled by Kysely once per shape and then
 * executed with new parameters: building and compiling a query cost more than SQLite's answer to it.
 */
import { createHash } from 'node:crypto';
import type { Compilable, CompiledQuery } from 'kysely';
import type { Database } from '../../storage/database.ts';
import type { OidcPayloadsTable } from '../../storage/tables.ts';

export type PayloadRow = OidcPayloadsTable;

/**
 * The key a secret-bearing model is stored under (its id digested: a database read gives no usable
 * token). Here, not in adapter.ts, so what needs it (registration.ts) loads no protocol engine.
 */
export const payloadDigest = (value: string) => createHash('sha256').update(value).digest('base64url');

export interface PayloadStore {
  upsert(row: PayloadRow): Promise<void>;
  find(tenantId: string, model: string, idDigest: string): Promise<PayloadRow | undefined>;
  /** The rows of one id digest under several models (one primary-key query). */
  findMany(tenantId: string, models: readonly string[], idDigest: string): Promise<PayloadRow[]>;
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

/**
 * A query compiled once (on first use, by the database's own dialect) and then run with new
 * parameters, in the order `build` used them.
 */
function precompiled<R>(database: Database, build: () => Compilable<R>) {
  let compiled: CompiledQuery<R> | undefined;
  return (parameters: readonly unknown[]) => {
    compiled ??= build().compile();
    return database.db.executeQuery<R>({ ...compiled, parameters });
  };
}

export function createPayloadStore(database: Database): PayloadStore {
  const { db } = database;
  const columns = {
    tenant_id: '',
    model: '',
    id_digest: '',
    payload: '',
    grant_id: null,
    uid: null,
    user_code: null,
    expires_at: 0,
    consumed_at: null,
  } satisfies PayloadRow;
  const upsert = precompiled(database, () =>
    db
      .insertInto('oidc_payloads')
      .values(columns)
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'model', 'id_digest']).doUpdateSet((eb) => ({
          payload: eb.ref('excluded.payload'),
          grant_id: eb.ref('excluded.grant_id'),
          uid: eb.ref('excluded.uid'),
          user_code: eb.ref('excluded.user_code'),
          expires_at: eb.ref('excluded.expires_at'),
        })),
      ),
  );
  const find = precompiled<PayloadRow>(database, () =>
    db
      .selectFrom('oidc_payloads')
      .selectAll()
      .where('tenant_id', '=', '')
      .where('model', '=', '')
      .where('id_digest', '=', ''),
  );
  // by the number of models asked for (oidc-provider's introspection and revocation ask for three)
  const findMany = new Map<number, ReturnType<typeof precompiled<PayloadRow>>>();
  const consume = precompiled(database, () =>
    db
      .updateTable('oidc_payloads')
      .set({ consumed_at: 0 })
      .where('tenant_id', '=', '')
      .where('model', '=', '')
      .where('id_digest', '=', '')
      .where('consumed_at', 'is', null),
  );
  return {
    async upsert(row) {
      await upsert([
        row.tenant_id,
        row.model,
        row.id_digest,
        row.payload,
        row.grant_id,
        row.uid,
        row.user_code,
        row.expires_at,
        row.consumed_at,
      ]);
    },
    find: async (tenantId, model, idDigest) => (await find([tenantId, model, idDigest])).rows[0],
    async findMany(tenantId, models, idDigest) {
      if (models.length === 1) return (await find([tenantId, models[0], idDigest])).rows;
      let query = findMany.get(models.length);
      if (!query) {
        query = precompiled<PayloadRow>(database, () =>
          db
            .selectFrom('oidc_payloads')
            .selectAll()
            .where('tenant_id', '=', '')
            .where(
              'model',
              'in',
              models.map(() => ''),
            )
            .where('id_digest', '=', ''),
        );
        findMany.set(models.length, query);
      }
      return (await query([tenantId, ...models, idDigest])).rows;
    },
    findBy: (tenantId, model, column, value) =>
      db
        .selectFrom('oidc_payloads')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('model', '=', model)
        .where(column, '=', value)
        .executeTakeFirst(),
    async consume(tenantId, model, idDigest, now) {
      const r = await consume([now, tenantId, model, idDigest]);
      return Number(r.numAffectedRows ?? 0) === 1;
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
