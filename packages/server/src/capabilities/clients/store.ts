/**
 * Client rows. Every query filters `tenant_id`, so another tenant's client behaves exactly like an
 * unknown one. Updates and deletes are one statement guarded by `version` (If-Match). Lists use
 * keyset pagination on (name_lower, id) or (created_at, id).
 */
import type { Database } from '../../storage/database.ts';
import { keysetPage, type ListOptions } from '../../storage/keyset.ts';
import type { ClientsTable } from '../../storage/tables.ts';
import type { ClientSort } from './schemas.ts';

export type ClientRow = ClientsTable;
export type ClientPatch = Partial<
  Omit<ClientsTable, 'id' | 'tenant_id' | 'client_id' | 'kind' | 'created_at'>
>;

export interface ClientStore {
  insert(row: ClientRow): Promise<void>;
  byId(tenantId: string, id: string): Promise<ClientRow | undefined>;
  byClientId(tenantId: string, clientId: string): Promise<ClientRow | undefined>;
  byName(tenantId: string, nameLower: string): Promise<ClientRow | undefined>;
  list(tenantId: string, options: ListOptions<ClientSort>, clientId?: string): Promise<ClientRow[]>;
  update(
    tenantId: string,
    id: string,
    patch: ClientPatch,
    expected: number | undefined,
    now: number,
  ): Promise<ClientRow | undefined>;
  delete(tenantId: string, id: string, expected: number | undefined): Promise<ClientRow | undefined>;
  /** The longest access or ID token lifetime any client of the tenant sets (s), or 0. */
  longestTokenTtl(tenantId: string): Promise<number>;
  /** Sets last_used_at unless it is already later than `unlessAfter` (no version bump: not an edit). */
  touch(tenantId: string, id: string, now: number, unlessAfter: number): Promise<void>;
  unusedDynamic(tenantId: string, beforeMs: number, limit: number): Promise<ClientRow[]>;
}

export function createClientStore(database: Database): ClientStore {
  const { db } = database;
  const base = (tenantId: string) => db.selectFrom('clients').selectAll().where('tenant_id', '=', tenantId);
  return {
    async insert(row) {
      await db.insertInto('clients').values(row).execute();
    },
    byId: (tenantId, id) => base(tenantId).where('id', '=', id).executeTakeFirst(),
    byClientId: (tenantId, clientId) => base(tenantId).where('client_id', '=', clientId).executeTakeFirst(),
    byName: (tenantId, nameLower) => base(tenantId).where('name_lower', '=', nameLower).executeTakeFirst(),
    list(tenantId, options, clientId) {
      let q = base(tenantId);
      if (clientId !== undefined) q = q.where('client_id', '=', clientId);
      return keysetPage(q, options.sort === 'name' ? 'name_lower' : 'created_at', options).execute();
    },
    async update(tenantId, id, patch, expected, now) {
      let q = db
        .updateTable('clients')
        .set((eb) => ({ ...patch, updated_at: now, version: eb('version', '+', 1) }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id);
      if (expected !== undefined) q = q.where('version', '=', expected);
      return (await q.returningAll().execute())[0];
    },
    async delete(tenantId, id, expected) {
      let q = db.deleteFrom('clients').where('tenant_id', '=', tenantId).where('id', '=', id);
      if (expected !== undefined) q = q.where('version', '=', expected);
      return (await q.returningAll().execute())[0];
    },
    async longestTokenTtl(tenantId) {
      const r = await db
        .selectFrom('clients')
        .select((eb) => [eb.fn.max('access_token_ttl').as('at'), eb.fn.max('id_token_ttl').as('it')])
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return Math.max(Number(r?.at ?? 0), Number(r?.it ?? 0));
    },
    async touch(tenantId, id, now, unlessAfter) {
      await db
        .updateTable('clients')
        .set({ last_used_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', unlessAfter)]))
        .execute();
    },
    unusedDynamic: (tenantId, beforeMs, limit) =>
      base(tenantId)
        .where('dynamic', '=', 1)
        .where((eb) =>
          eb.or([
            eb.and([eb('last_used_at', 'is', null), eb('created_at', '<', beforeMs)]),
            eb('last_used_at', '<', beforeMs),
          ]),
        )
        .orderBy('created_at')
        .limit(limit)
        .execute(),
  };
}
