/**
 * `gatekeeper keys rewrap`: re-encrypts every stored secret under the newest master key, so an old
 * master key can be retired. Capabilities declare their encrypted columns; this walks them in
 * batches, rewriting only values not already under the newest key. Each row update is guarded by
 * the old value (compare-and-swap), so a concurrent writer is never overwritten.
 */
import { sql } from 'kysely';
import type { Database } from '../storage/database.ts';
import type { Keyring } from './fernet.ts';

export interface EncryptedColumn {
  table: string;
  /** Primary-key column (single column). */
  key: string;
  column: string;
  /** Only rows where this column equals this value hold a Fernet token (e.g. settings.encrypted = 1). */
  only?: { column: string; equals: string | number };
}

function onlyClause(c: EncryptedColumn) {
  return c.only ? sql`and ${sql.ref(c.only.column)} = ${c.only.equals}` : sql``;
}

export interface RewrapResult {
  scanned: number;
  rewrapped: number;
}

/** Counts the non-null values of the encrypted columns (for a progress bar's total). */
export async function countEncrypted(
  database: Database,
  columns: readonly EncryptedColumn[],
): Promise<number> {
  let total = 0;
  for (const c of columns) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(c.table)}
      where ${sql.ref(c.column)} is not null ${onlyClause(c)}`.execute(database.db);
    total += Number(r.rows[0]?.n ?? 0);
  }
  return total;
}

/** Re-encrypts every value of `columns` that is not under the newest key. */
export async function rewrapSecrets(
  database: Database,
  keyring: Keyring,
  columns: readonly EncryptedColumn[],
  onProgress: (done: number) => void = () => {},
  batchSize = 500,
): Promise<RewrapResult> {
  const result: RewrapResult = { scanned: 0, rewrapped: 0 };
  for (const c of columns) {
    let after: string | null = null;
    for (;;) {
      const cursor: string | null = after;
      const rows: { rows: { k: string; v: string }[] } = await sql<{
        k: string;
        v: string;
      }>`select ${sql.ref(c.key)} as k, ${sql.ref(c.column)} as v
        from ${sql.table(c.table)}
        where ${sql.ref(c.column)} is not null ${onlyClause(c)} ${cursor === null ? sql`` : sql`and ${sql.ref(c.key)} > ${cursor}`}
        order by ${sql.ref(c.key)} limit ${batchSize}`.execute(database.db);
      if (rows.rows.length === 0) break;
      for (const row of rows.rows) {
        result.scanned += 1;
        const next = keyring.rewrap(row.v);
        if (next !== null) {
          await sql`update ${sql.table(c.table)} set ${sql.ref(c.column)} = ${next}
            where ${sql.ref(c.key)} = ${row.k} and ${sql.ref(c.column)} = ${row.v}`.execute(database.db);
          result.rewrapped += 1;
        }
        onProgress(result.scanned);
      }
      after = String(rows.rows[rows.rows.length - 1]!.k);
    }
  }
  return result;
}
