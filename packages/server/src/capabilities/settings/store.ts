/**
 * Storage of runtime settings: one row per changed setting, JSON-encoded, Fernet-encrypted when the
 * setting is secret. Knows nothing about validation or precedence (the service does that).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../storage/database.ts';
import type { SettingsTable, Tables } from '../../storage/tables.ts';

export interface SettingsStore {
  list(): Promise<SettingsTable[]>;
  /** Writes several settings atomically (all or nothing). */
  putMany(rows: SettingsTable[]): Promise<void>;
  delete(key: string): Promise<boolean>;
}

async function upsert(db: Kysely<Tables> | Transaction<Tables>, row: SettingsTable): Promise<void> {
  await db
    .insertInto('settings')
    .values(row)
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        value: row.value,
        encrypted: row.encrypted,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
      }),
    )
    .execute();
}

export function createSettingsStore(database: Database): SettingsStore {
  const { db } = database;
  return {
    list: () => db.selectFrom('settings').selectAll().orderBy('key').execute(),
    async putMany(rows) {
      await db.transaction().execute(async (trx) => {
        for (const row of rows) await upsert(trx, row);
      });
    },
    async delete(key) {
      const r = await db.deleteFrom('settings').where('key', '=', key).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
