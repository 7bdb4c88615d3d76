/**
 * Everything that differs between SQLite and PostgreSQL, declared in one place (Kysely's habit of
 * dialect flags in an adapter). Stores and migrations ask these instead of testing the URL.
 */
import { sql, type Transaction } from 'kysely';
import type { Tables } from './tables.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectFeatures {
  readonly name: DialectName;
  /**
   * Serialises writers across processes for the rest of the current transaction. PostgreSQL takes a
   * transaction-scoped advisory lock; SQLite already holds the single write lock (`BEGIN IMMEDIATE`).
   */
  lockInTransaction(trx: Transaction<Tables>, lockName: string): Promise<void>;
  /** True when `err` is a UNIQUE / PRIMARY KEY violation. */
  isUniqueViolation(err: unknown): boolean;
  /** True when `err` is a FOREIGN KEY violation. */
  isForeignKeyViolation(err: unknown): boolean;
  /** Column type for 64-bit integers (epoch-millisecond timestamps, sequence numbers). */
  readonly bigintType: 'integer' | 'bigint';
  /** Case-insensitive LIKE operator. */
  readonly ilike: 'like' | 'ilike';
}

function sqliteErrcode(err: unknown): number | undefined {
  const code = (err as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' ? code : undefined;
}

function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export const sqliteFeatures: DialectFeatures = {
  name: 'sqlite',
  async lockInTransaction() {},
  // SQLITE_CONSTRAINT_UNIQUE = 2067, SQLITE_CONSTRAINT_PRIMARYKEY = 1555
  isUniqueViolation: (err) => [2067, 1555].includes(sqliteErrcode(err) ?? 0),
  // SQLITE_CONSTRAINT_FOREIGNKEY = 787
  isForeignKeyViolation: (err) => sqliteErrcode(err) === 787,
  bigintType: 'integer',
  ilike: 'like',
};

export const postgresFeatures: DialectFeatures = {
  name: 'postgres',
  async lockInTransaction(trx, lockName) {
    // the name as a literal (Kysely doubles its quotes): a unit of work then sends its BEGIN with this
    // statement, in one round trip (unit-of-work.ts)
    await sql`select pg_advisory_xact_lock(hashtext(${sql.lit(lockName)}))`.execute(trx);
  },
  isUniqueViolation: (err) => pgCode(err) === '23505',
  isForeignKeyViolation: (err) => pgCode(err) === '23503',
  bigintType: 'bigint',
  ilike: 'ilike',
};
