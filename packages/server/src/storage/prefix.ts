/**
 * Prefix search that behaves the same on both dialects: `LIKE 'prefix%' ESCAPE '\'` with `%`, `_`
 * and `\` in the user's input escaped. (A `>= q AND < q || '\uffff'` range is wrong under
 * PostgreSQL's non-C collations, which ignore punctuation such as `-` at the first level.)
 * Compare against lower-cased shadow columns with a lower-cased prefix: SQLite's LIKE ignores ASCII
 * case while PostgreSQL's does not.
 */
import { type RawBuilder, sql } from 'kysely';

/** The LIKE pattern matching values that start with `prefix`. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `<column> LIKE '<prefix>%' ESCAPE '\'` as a where-expression. */
export function startsWith(column: string, prefix: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} like ${prefixPattern(prefix)} escape '\\'`;
}
