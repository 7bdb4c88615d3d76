/**
 * Race-safe primitives for single-use and counted things (authorization codes, magic links, OTP and
 * backup codes, enrollment tokens, lockout counters). Each is ONE atomic statement, never
 * read-then-write, so two concurrent requests can never both consume the same row or push a counter
 * past its guard. Both dialects support `RETURNING` (SQLite ≥ 3.35).
 */
import type { Expression, Kysely, SqlBool, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Tables } from './tables.ts';

type Executor = Kysely<Tables> | Transaction<Tables>;
// biome-ignore lint/suspicious/noExplicitAny: generic over every table; callers get typed rows back
type AnyExecutor = Kysely<any>;

/**
 * Deletes the one row matching `where` and returns it, or `undefined` when another caller consumed it
 * first (or it never existed). Pass an expiry condition in `where` so expired rows are not consumed.
 */
export async function consumeOne<T extends keyof Tables & string>(
  db: Executor,
  table: T,
  where: Record<string, string | number>,
): Promise<Tables[T] | undefined> {
  let q = (db as AnyExecutor).deleteFrom(table as string);
  for (const [column, value] of Object.entries(where)) q = q.where(column, '=', value);
  const rows = await q.returningAll().execute();
  return rows[0] as Tables[T] | undefined;
}

/** Deletes every row matching all the equalities in `where`; true when at least one row went. */
export async function deleteMatching<T extends keyof Tables & string>(
  db: Executor,
  table: T,
  where: Record<string, string | number>,
): Promise<boolean> {
  let q = (db as AnyExecutor).deleteFrom(table as string);
  for (const [column, value] of Object.entries(where)) q = q.where(column, '=', value);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export interface IncrementOptions {
  /** Amount to add (default 1). */
  by?: number;
  /** Only increment while the current value is below this (e.g. failed-login limit). */
  below?: number;
  /** Extra columns to set in the same statement. */
  set?: Record<string, string | number | null>;
}

/**
 * Adds `by` to `column` of the row matching `where` in one guarded UPDATE and returns the new value,
 * or `undefined` when no row matched or the guard (`below`) refused.
 */
export async function incrementOne<T extends keyof Tables & string>(
  db: Executor,
  table: T,
  column: string,
  where: Record<string, string | number>,
  options: IncrementOptions = {},
): Promise<number | undefined> {
  const by = options.by ?? 1;
  if (!Number.isSafeInteger(by)) throw new TypeError('increment must be a safe integer');
  const values: Record<string, unknown> = { ...options.set, [column]: sql`${sql.ref(column)} + ${by}` };
  let q = (db as AnyExecutor).updateTable(table as string).set(values);
  for (const [c, value] of Object.entries(where)) q = q.where(c, '=', value);
  if (options.below !== undefined) q = q.where(column, '<', options.below);
  const rows = (await q.returning(column).execute()) as Record<string, number>[];
  const value = rows[0]?.[column];
  return value === undefined ? undefined : Number(value);
}

/** Typed condition helper re-exported for stores that need more than equality. */
export type Condition = Expression<SqlBool>;
