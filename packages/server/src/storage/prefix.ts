/**
 * Prefix search that is correct on both dialects and uses an index where it can:
 * - SQLite compares text bytewise (BINARY collation), so `col >= p AND col < p || U+FFFF` is exact
 *   and walks the index;
 * - PostgreSQL databases often use a linguistic collation that ignores punctuation such as `-` at
 *   the first level, which makes that range wrong, so there it is `LIKE 'p%' ESCAPE '\'` with `%`,
 *   `_` and `\` in the input escaped.
 * Compare lower-cased shadow columns with a lower-cased prefix: SQLite's LIKE ignores ASCII case while
 * PostgreSQL's does not.
 */
import { type RawBuilder, sql } from 'kysely';
import type { DialectFeatures } from './dialect.ts';

/** The LIKE pattern matching values that start with `prefix`. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A where-expression: `column` starts with `prefix`. */
export function startsWith(dialect: DialectFeatures, column: string, prefix: string): RawBuilder<boolean> {
  if (dialect.name === 'sqlite') {
    return sql<boolean>`(${sql.ref(column)} >= ${prefix} and ${sql.ref(column)} < ${`${prefix}\uffff`})`;
  }
  return sql<boolean>`${sql.ref(column)} like ${prefixPattern(prefix)} escape '\\'`;
}
