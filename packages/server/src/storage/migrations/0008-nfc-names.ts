/**
 * Why: group and role names were compared lower-cased but not NFC-normalised, so `Café` typed with
 * a combining accent and `Café` precomposed were two groups. Names are now stored in NFC and compared
 * as NFC + lower case (`text/identifiers.ts` nameKey); existing rows are rewritten in that form unless
 * the new key is already another row's in the tenant (then the row keeps its spelling).
 */
import type { Kysely } from 'kysely';
import { nameKey } from '../../text/identifiers.ts';
import type { Migration } from '../migrator.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it is at this point
async function normalise(db: Kysely<any>, table: 'groups' | 'roles'): Promise<void> {
  const rows = (await db
    .selectFrom(table)
    .select(['id', 'tenant_id', 'name', 'name_lower'])
    .orderBy('id')
    .execute()) as { id: string; tenant_id: string; name: string; name_lower: string }[];
  const used = new Set(rows.map((r) => `${r.tenant_id}\n${r.name_lower}`));
  for (const r of rows) {
    const name = r.name.normalize('NFC');
    const key = nameKey(name);
    if (name === r.name && key === r.name_lower) continue;
    if (key !== r.name_lower && used.has(`${r.tenant_id}\n${key}`)) continue;
    used.delete(`${r.tenant_id}\n${r.name_lower}`);
    used.add(`${r.tenant_id}\n${key}`);
    await db.updateTable(table).set({ name, name_lower: key }).where('id', '=', r.id).execute();
  }
}

export const migration: Migration = {
  id: '0008-nfc-names',
  async up(db) {
    await normalise(db, 'groups');
    await normalise(db, 'roles');
  },
};
